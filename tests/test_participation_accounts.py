"""Resident accounts: sign-up with a public name, a minimum age and a verified address; the
resident role at their ward or city once verified; nobody learns which addresses exist."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from bridgework.access.models import RoleAssignment, User
from bridgework.participation.models import ResidentProfile
from bridgework.web.testing import covers

pytestmark = pytest.mark.django_db


def _form(**changes):
    data = {
        "email": "Chisomo@example.test",
        "public_name": "Chisomo from Chilinde",
        "born_on": "1990-05-01",
        "password": "a long enough passphrase 42",
        "home": 0,
    }
    data.update(changes)
    return data


def _link() -> str:
    return re.search(r"https?://\S+", mail.outbox[-1].body).group(0)


@covers("participation:join", "participation:verify")
def test_a_resident_signs_up_verifies_and_holds_the_resident_role(
    tree, django_capture_on_commit_callbacks
):
    client = Client()
    url = reverse("participation:join", args=[tree.ward.pk])
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, _form())
    assert response.status_code == 200 and "Check your email" in response.content.decode()
    user = User.objects.get(email="chisomo@example.test")
    assert not user.is_active and not RoleAssignment.objects.filter(user=user).exists()
    link = _link()
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path)
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.is_active
    assignment = RoleAssignment.objects.get(user=user)
    assert (assignment.role.slug, assignment.place) == ("resident", tree.ward)
    assert ResidentProfile.objects.get(user=user).verified_at is not None
    signed_in = client.post(
        reverse("login"),
        {"username": "chisomo@example.test", "password": "a long enough passphrase 42"},
    )
    assert signed_in.status_code == 302
    assert client.get(reverse("participation:propose")).status_code == 200
    assert client.get("/" + path).status_code == 200  # a second click changes nothing
    assert RoleAssignment.objects.filter(user=user).count() == 1


def test_too_young_is_refused_with_a_reason(tree, settings):
    settings.PARTICIPATION_MINIMUM_AGE = 16
    young = (datetime.date.today() - datetime.timedelta(days=365 * 15)).isoformat()
    response = Client().post(
        reverse("participation:join", args=[tree.ward.pk]), _form(born_on=young)
    )
    assert response.status_code == 400 and "at least 16" in response.content.decode()
    assert not User.objects.filter(email="chisomo@example.test").exists()


def test_an_existing_address_is_not_revealed_and_gets_no_second_account(tree):
    response = Client().post(
        reverse("participation:join", args=[tree.ward.pk]), _form(email=tree.in_scope.email)
    )
    assert "Check your email" in response.content.decode()
    assert User.objects.filter(email__iexact=tree.in_scope.email).count() == 1
    assert not mail.outbox


def test_a_tampered_or_foreign_link_opens_nothing(tree, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(reverse("participation:join", args=[tree.ward.pk]), _form())
    path = "/" + _link().split("://", 1)[1].split("/", 1)[1]
    response = Client().get(path.replace(":", "x", 1)[:-3] + "xx/")
    assert response.status_code == 400
    assert not User.objects.get(email="chisomo@example.test").is_active


def test_residents_live_in_cities_and_wards_and_sign_ups_are_limited(tree, settings):
    assert Client().get(reverse("participation:join", args=[tree.country.pk])).status_code == 404
    settings.PARTICIPATION_SIGNUP_RATE = "2/h"
    url = reverse("participation:join", args=[tree.ward.pk])
    codes = [
        Client().post(url, _form(email=f"r{n}@example.test", public_name=f"R{n}")).status_code
        for n in range(3)
    ]
    assert codes == [200, 200, 400]
    assert User.objects.filter(email__startswith="r", email__endswith="@example.test").count() == 2


def test_a_public_name_is_taken_once(tree):
    url = reverse("participation:join", args=[tree.ward.pk])
    Client().post(url, _form())
    response = Client().post(url, _form(email="other@example.test"))
    assert (
        response.status_code == 400 and "already uses this public name" in response.content.decode()
    )


def test_the_date_of_birth_never_reaches_the_audit_log(tree):
    from auditlog.models import LogEntry

    Client().post(reverse("participation:join", args=[tree.ward.pk]), _form())
    profile = ResidentProfile.objects.get()
    entries = LogEntry.objects.get_for_object(profile)
    assert entries.exists()
    assert all("1990-05-01" not in str(entry.changes) for entry in entries)

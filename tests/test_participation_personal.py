"""A resident's own data: the download holds everything about them; closing the account
erases what is personal everywhere (pages, API, history, audit) and keeps what they published,
attributed to "a former resident", and the supports they gave, still counted."""

from __future__ import annotations

import datetime
import json

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.test import Client
from django.urls import reverse

from bridgework.access.actions import do_create_api_token
from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.access.models import RoleAssignment, User
from bridgework.participation.actions import do_comment, do_register, do_report, do_support
from bridgework.participation.factories import ProposalFactory, TownHallFactory, make_resident
from bridgework.participation.models import Proposal, ResidentProfile, Support
from bridgework.web.testing import covers

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough passphrase 42"
EMAIL = "tamanda.banda@example.test"
PUBLIC_NAME = "Tamanda of Chilinde"


@pytest.fixture
def resident(tree):
    user = make_resident(tree.ward, public_name=PUBLIC_NAME, born_on=datetime.date(1991, 3, 14))
    user.email = EMAIL
    user.full_name = "Tamanda Banda"
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def footprint(tree, resident):
    """A resident who posted, commented, supported, reported and registered."""
    with_author = ProposalFactory(place=tree.ward, author=resident, title="Lights by the market")
    other = ProposalFactory(place=tree.ward, title="A bench at the clinic")
    do_support(other, acting_user=resident)
    comment = do_comment(with_author, body="More detail on the lights", acting_user=resident)
    do_report(other, reason="spam", note="Looks copied", acting_user=resident)
    town_hall = TownHallFactory(body__place=tree.city)
    do_register(town_hall, acting_user=resident)
    return {"own": with_author, "other": other, "comment": comment, "town_hall": town_hall}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@covers("participation:my_data", "participation:my_data_download", "account")
def test_a_resident_downloads_everything_the_platform_holds_about_them(resident, footprint):
    client = _client(resident)
    assert reverse("participation:my_data") in client.get(reverse("account")).content.decode()
    page = client.get(reverse("participation:my_data"))
    assert page.status_code == 200 and "Close my account" in page.content.decode()
    response = client.get(reverse("participation:my_data_download"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["profile"]["email"] == EMAIL
    assert data["profile"]["public_name"] == PUBLIC_NAME
    assert data["profile"]["born_on"] == "1991-03-14"
    assert [p["title"] for p in data["proposals"]] == ["Lights by the market"]
    assert [c["body"] for c in data["comments"]] == ["More detail on the lights"]
    assert [s["proposal"] for s in data["supports"]] == [footprint["other"].pk]
    assert [(r["reason"], r["note"]) for r in data["reports"]] == [("spam", "Looks copied")]
    assert [r["town_hall"] for r in data["registrations"]] == [footprint["town_hall"].pk]


def test_only_a_resident_has_a_data_page(tree):
    staff = UserFactory.create(label="staff")
    RoleAssignmentFactory.create(user=staff, role="local_coordinator", place=tree.city)
    client = _client(staff)
    assert client.get(reverse("participation:my_data")).status_code == 404
    assert client.get(reverse("participation:my_data_download")).status_code == 404
    assert client.post(reverse("participation:close_account"), {"password": "x"}).status_code == 404
    assert reverse("participation:my_data") not in client.get(reverse("account")).content.decode()


def test_a_wrong_password_closes_nothing(resident, footprint):
    response = _client(resident).post(
        reverse("participation:close_account"), {"password": "not my password"}
    )
    assert response.status_code == 400 and "That is not your password" in response.content.decode()
    resident.refresh_from_db()
    assert resident.is_active and resident.email == EMAIL


@covers("participation:close_account", "participation:proposal_history")
def test_after_closing_nothing_personal_appears_anywhere(tree, resident, footprint):
    own, other = footprint["own"], footprint["other"]
    secrets = [EMAIL, PUBLIC_NAME, "Tamanda Banda", "1991-03-14"]
    city = UserFactory.create(label="city")
    RoleAssignmentFactory.create(user=city, role="local_coordinator", place=tree.city)
    RoleAssignmentFactory.create(user=city, role="network_admin", place=tree.country)
    staff = _client(city)
    # Before: the public page names the resident, so the checks below can fail.
    public = Client().get(reverse("participation:public_proposal", args=[own.pk]))
    assert PUBLIC_NAME in public.content.decode()

    response = _client(resident).post(
        reverse("participation:close_account"), {"password": PASSWORD}
    )
    assert response.status_code == 302

    resident.refresh_from_db()
    assert not resident.is_active and not resident.has_usable_password()
    assert not RoleAssignment.objects.filter(user=resident).exists()
    signing_in = Client()
    signing_in.post(reverse("login"), {"username": EMAIL, "password": PASSWORD})
    assert "_auth_user_id" not in signing_in.session
    # What they published stays, attributed to a former resident; supports still count.
    own.refresh_from_db()
    other.refresh_from_db()
    assert own.author_name == "A former resident"
    assert other.support_count == 1 and Support.objects.get(proposal=other).user is None
    assert not Support.objects.filter(user=resident).exists()

    _, secret = do_create_api_token(user=city, name="script")
    api = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    answers = [
        Client().get(reverse("participation:public_proposal", args=[own.pk])),
        Client().get(reverse("participation:public_place", args=[tree.ward.pk])),
        Client().get(reverse("api-1.0.0:public_proposals")),
        staff.get(reverse("participation:proposal_detail", args=[own.pk])),
        staff.get(reverse("participation:proposal_history", args=[own.pk])),
        staff.get(reverse("participation:proposal_detail", args=[other.pk])),
        staff.get(reverse("participation:proposal_history", args=[other.pk])),
        staff.get(reverse("participation:proposal_list")),
        Client().get(reverse("api-1.0.0:get_proposal", args=[own.pk]), **api),
        Client().get(reverse("api-1.0.0:list_proposals"), **api),
    ]
    for answer in answers:
        assert answer.status_code == 200, answer
        text = answer.content.decode()
        for secret_text in secrets:
            assert secret_text not in text
    assert "A former resident" in answers[0].content.decode()
    for entry in LogEntry.objects.all():
        dump = json.dumps(
            [
                entry.object_repr,
                entry.changes_text,
                entry.changes,
                entry.serialized_data,
                entry.additional_data,
                entry.actor_email,
            ],
            default=str,
        )
        for secret_text in secrets:
            assert secret_text not in dump, entry
    profile = ResidentProfile.objects.get(user=resident)
    assert profile.erased_at is not None and profile.born_on is None and profile.home is None
    assert User.objects.filter(email__iexact=EMAIL).count() == 0
    assert Proposal.objects.filter(author=resident).count() == 1


def test_wrong_passwords_when_closing_count_towards_the_sign_in_lockout(resident, footprint):
    client = _client(resident)
    url = reverse("participation:close_account")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"password": "a guess"})
    # Locked out: not even the right password closes the account now, nor signs in.
    response = client.post(url, {"password": PASSWORD})
    assert response.status_code == 429
    resident.refresh_from_db()
    assert resident.is_active and resident.email == EMAIL
    sign_in = Client().post(reverse("login"), {"username": EMAIL, "password": PASSWORD})
    assert sign_in.status_code == 429

"""An account linked to a person: the actions owed by them or their organisations reach them
(issue: the loop to the national level)."""

import pytest
from django.test import Client
from django.urls import reverse

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.actors.factories import OrganisationFactory, PersonFactory
from bridgework.actors.models import Person
from bridgework.bodies.factories import ActionItemFactory, BodyFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_coordinator_links_an_account_and_the_ministrys_actions_reach_it(tree):
    ministry = OrganisationFactory(place=tree.country, name="Ministry of Unity", level="national")
    officer = UserFactory(label="officer")
    RoleAssignmentFactory(user=officer, role="national_coordinator", place=tree.country)
    person = PersonFactory(place=tree.country, full_name="Olu Officer", post_in=ministry)
    item = ActionItemFactory(raised_by=BodyFactory(place=tree.city), owner=ministry, title="Reply")
    mine = client_for(officer).get(reverse("bodies:my_actions"))
    assert b"not linked to a person" in mine.content and b"Reply" not in mine.content

    editor = client_for(tree.ancestor)
    form = editor.get(reverse("actors:person_edit", args=[person.pk])).context["form"]
    assert officer in form.fields["user"].queryset
    response = editor.post(
        reverse("actors:person_edit", args=[person.pk]),
        {"full_name": person.full_name, "place": tree.country.pk, "user": officer.pk, "tlp": 1},
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    assert Person.objects.get(pk=person.pk).user == officer
    mine = client_for(officer).get(reverse("bodies:my_actions"))
    assert item.title.encode() in mine.content


def test_accounts_out_of_the_editors_sight_are_neither_offered_nor_cleared(tree):
    stranger = UserFactory(label="stranger")
    RoleAssignmentFactory(user=stranger, role="partner", place=tree.sibling)
    person = PersonFactory(place=tree.city, full_name="Linked Elsewhere", user=stranger)
    editor = client_for(tree.in_scope)
    url = reverse("actors:person_edit", args=[person.pk])
    form = editor.get(url).context["form"]
    assert form.fields["user"].disabled
    page = editor.get(url).content.decode()
    assert stranger.email not in page and "a record you cannot see" in page
    response = editor.post(url, {"full_name": "Renamed", "place": tree.city.pk, "tlp": 1})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.full_name == "Renamed" and person.user == stranger  # not cleared

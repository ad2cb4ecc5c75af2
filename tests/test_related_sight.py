"""Related records are named only to those who may see them (the audit's AMBER-through-GREEN
finding), on pages, in exports and in the API, decided by the access layer's Sight."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.access.policy import HIDDEN, Sight
from bridgework.actors.factories import PersonFactory
from bridgework.bodies.factories import ActionItemFactory, BodyFactory, SeatFactory
from bridgework.core.tlp import TLP

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def partner(tree):
    user = UserFactory(label="partner")
    RoleAssignmentFactory(user=user, role="partner", place=tree.city)  # a GREEN ceiling
    return user


def test_a_partner_never_reads_an_amber_persons_name_through_a_green_seat(tree, partner):
    informant = PersonFactory(place=tree.city, full_name="Amara Amber-Witness", tlp=TLP.AMBER)
    body = BodyFactory(place=tree.city, name="Riverton Leaders' Table")
    seat = SeatFactory(body=body, person=informant)
    client = client_for(partner)
    assert client.get(reverse("api-1.0.0:get_person", args=[informant.pk])).status_code == 404
    for url in (
        seat.get_absolute_url(),
        body.get_absolute_url(),
        reverse("bodies:seat_list"),
        reverse("api-1.0.0:get_seat", args=[seat.pk]),
        reverse("api-1.0.0:list_seats"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        text = (
            b"".join(response.streaming_content) if response.streaming else response.content
        ).decode("utf-8-sig")
        assert "Amara" not in text, url
    seat_json = client.get(reverse("api-1.0.0:get_seat", args=[seat.pk])).json()
    assert seat_json["holder"] == str(HIDDEN)
    # The coordinator, who may read AMBER, sees the name.
    coordinator = client_for(tree.in_scope).get(reverse("api-1.0.0:get_seat", args=[seat.pk]))
    assert coordinator.json()["holder"] == "Amara Amber-Witness"


def test_an_action_owned_by_an_amber_person_keeps_its_owner_unnamed(tree, partner):
    owner = PersonFactory(place=tree.city, full_name="Amber Owner", tlp=TLP.AMBER)
    item = ActionItemFactory(
        raised_by=BodyFactory(place=tree.city), owner=owner, title="Cross-city action"
    )
    page = client_for(partner).get(item.get_absolute_url())
    assert page.status_code == 200
    assert b"Amber Owner" not in page.content
    assert str(HIDDEN).encode() in page.content


def test_sight_asks_once_per_model_however_many_records(tree):
    people = PersonFactory.create_batch(30, place=tree.city) + [PersonFactory(place=tree.sibling)]
    sight = Sight(tree.in_scope)
    with CaptureQueriesContext(connection) as queries:
        sight.preload(people)
    assert len(queries) <= 4  # the access (role assignments, rules) and one query for people
    with CaptureQueriesContext(connection) as again:
        seen = [sight.sees(person) for person in people]
    assert len(again) == 0
    assert seen == [True] * 30 + [False]


def test_the_organisation_api_names_places_as_the_directory_does(tree, monkeypatch):
    """The API's place_name goes through the sight, as the directory's "Based in" column does:
    a place the reader may not see is "a record you cannot see" in both."""
    from bridgework.access import policy
    from bridgework.actors.models import Organisation
    from bridgework.places.models import Place

    own = Organisation.objects.create(name="Riverton Youth Forum", sector="youth", place=tree.city)
    national = Organisation.objects.create(
        name="Xanadu Prevention Centre", sector="national_government", place=tree.country
    )
    client = Client()
    client.force_login(tree.in_scope)

    def api_names():
        items = client.get("/api/organisations").json()["items"]
        return {item["id"]: item["place_name"] for item in items}

    assert api_names()[own.pk] == "Riverton"
    shown = api_names()
    page = client.get(reverse("actors:organisation_list")).content.decode()
    assert f"<td>{shown[national.pk]}</td>" in page
    # Were the country's place hidden from the reader, both would say so.
    real = Sight.sees

    def hides_the_country(self, obj):
        return not (isinstance(obj, Place) and obj.pk == tree.country.pk) and real(self, obj)

    monkeypatch.setattr(policy.Sight, "sees", hides_the_country)
    assert api_names()[national.pk] == str(HIDDEN)
    assert str(HIDDEN) in client.get(reverse("actors:organisation_list")).content.decode()

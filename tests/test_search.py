"""The site search and a place's "here" sections (bridgework.web.search): every kind of record
through its own list's filters and scope, ranked, grouped, answering "who works where on what"."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.actors.choices import Sector
from bridgework.actors.models import Person
from bridgework.bodies.factories import ActionItemFactory, BodyFactory, MeetingFactory
from bridgework.core.tlp import TLP
from bridgework.places.actions import do_create_place
from bridgework.places.models import Place
from bridgework.web.search import recognise_places, topic_words
from bridgework.web.testing import covers
from tests.helpers import working_organisation

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


works = working_organisation


@pytest.fixture
def records(tree):
    ward = tree.ward
    return {
        "exact": works("Riverton", Sector.LOCAL_GOVERNMENT, tree.city),
        "prefix": works(
            "Riverton Youth Forum", Sector.YOUTH, tree.city, ward, themes=["youth-engagement"]
        ),
        "contains": works("Upper Riverton Mothers", Sector.WOMENS_GROUPS, ward),
        "faith": works(
            "Ward Faith Circle", Sector.FAITH_BASED, ward, themes=["interfaith-dialogue"]
        ),
        "hidden": works("Riverton Twin Forum", Sector.YOUTH, tree.sibling),
        "person": Person.objects.create(
            full_name="Rita Riverton", place=tree.city, email="rita@riverton.example"
        ),
        "body": BodyFactory(place=tree.city, name="Riverton Peace Committee"),
        "meeting": None,
    }


def _names(excerpt) -> list[str]:
    return [str(record) for record, _line in excerpt.items]


@covers("search")
def test_one_search_finds_every_kind_ranked_and_grouped(tree, records):
    MeetingFactory(body=records["body"], title="Riverton spring planning")
    client = client_for(tree.in_scope)
    response = client.get(reverse("search"), {"q": "riverton"})
    assert response.status_code == 200
    groups = {g.findable.key: g for g in response.context["results"].groups}
    assert list(groups) == [
        "places.place",
        "actors.organisation",
        "actors.person",
        "bodies.body",
        "bodies.meeting",
    ]
    # Exact name first, then names starting with the text, then the rest; never the sibling's.
    assert _names(groups["actors.organisation"]) == [
        "Riverton",
        "Riverton Youth Forum",
        "Upper Riverton Mothers",
    ]
    assert _names(groups["places.place"])[:2] == ["Riverton", "Riverton Ward 1"]
    assert groups["actors.organisation"].url == "/organisations/?q=riverton"
    listed = client.get(groups["actors.organisation"].url).context["rows"]
    assert len(listed) == groups["actors.organisation"].total == 3  # "see all" shows the same
    page = response.content.decode()
    assert "Riverton Twin Forum" not in page
    assert 'href="/organisations/?q=riverton"' in page
    assert "See all 3 in the list of organisations" in page


def test_more_links_and_counts_when_there_are_more_than_shown(tree, records):
    for n in range(7):
        works(f"Riverton Club {n}", Sector.YOUTH, tree.city)
    response = client_for(tree.in_scope).get(reverse("search"), {"q": "riverton"})
    organisations = response.context["results"].groups[1]
    assert organisations.total == 10 and len(organisations.items) == 5 and organisations.more == 5


def test_people_by_name_only_and_contacts_only_for_those_who_may_see_them(tree, records):
    partner = UserFactory(label="partner")
    RoleAssignmentFactory(user=partner, role="partner", place=tree.city)
    local = UserFactory(label="local")
    RoleAssignmentFactory(user=local, role="local_coordinator", place=tree.city)

    def people(user, text):
        results = client_for(user).get(reverse("search"), {"q": text}).context["results"]
        return next((g for g in results.groups if g.findable.key == "actors.person"), None)

    assert people(partner, "rita@riverton") is None  # an email is never searched
    seen_by_partner = people(partner, "rita")
    assert _names(seen_by_partner) == ["Rita Riverton"]
    assert "rita@riverton.example" not in seen_by_partner.items[0][1]
    assert "rita@riverton.example" in people(local, "rita").items[0][1]


def test_the_question_who_works_where_on_what_is_answered(tree, records):
    client = client_for(tree.in_scope)
    response = client.get(reverse("search"), {"q": "Who works in Riverton Ward 1 on youth?"})
    results = response.context["results"]
    [answer] = results.answers
    assert answer.place == tree.ward
    [organisations] = answer.excerpts  # bodies cannot say anything about youth
    assert _names(organisations) == ["Riverton Youth Forum"]  # based in the city, works here
    assert "activity: Youth engagement" in str(organisations.title)
    assert organisations.url == ("/organisations/?works_in=Riverton+Ward+1&theme=youth-engagement")
    listed = client.get(organisations.url).context["rows"]
    assert [obj.name for obj, _cells in listed] == ["Riverton Youth Forum"]
    assert not results.groups  # no name contains the whole question
    page = response.content.decode()
    assert "Your search names a place" in page and "Riverton Youth Forum" in page

    # A sector, when no activity is named; and a place by its name alone: everything there.
    faith = client.get(reverse("search"), {"q": "faith groups Riverton Ward 1"})
    [answer] = faith.context["results"].answers
    assert _names(answer.excerpts[0]) == ["Ward Faith Circle"]
    assert "sector: Faith-based" in str(answer.excerpts[0].title)
    everything = client.get(reverse("search"), {"q": "Riverton Ward 1"}).context["results"]
    [answer] = everything.answers
    kinds = [excerpt.findable.key for excerpt in answer.excerpts]
    assert _of_these_modules(kinds) == ["actors.organisation", "bodies.body", "bodies.actionitem"]
    assert _names(answer.excerpts[0]) == [
        "Riverton Youth Forum",
        "Upper Riverton Mothers",
        "Ward Faith Circle",
    ]


def test_short_words_never_name_places_or_topics(tree):
    inner = do_create_place(Place(name="Inner Ward", parent=tree.city, pcode="IN"))
    places, rest = recognise_places(tree.in_scope, "who works in riverton on training")
    assert places == [tree.city] and rest == "who works in on training"
    assert recognise_places(tree.in_scope, "who works IN youth")[0] == [inner]  # a code, typed so
    assert topic_words("who works in on the and youth") == ["works", "youth"]
    # A place out of the reader's sight is not recognised.
    assert recognise_places(tree.in_scope, "Hillbury youth") == ([], "Hillbury youth")


def test_search_within_a_place(tree, records):
    response = client_for(tree.in_scope).get(
        reverse("search"), {"q": "riverton", "place": "Riverton Ward 1"}
    )
    groups = {g.findable.key: g for g in response.context["results"].groups}
    # Organisations working in the ward; places in it; the city's person and body are not.
    assert _names(groups["actors.organisation"]) == [
        "Riverton Youth Forum",
        "Upper Riverton Mothers",
    ]
    assert _names(groups["places.place"]) == ["Riverton Ward 1"]
    assert "actors.person" not in groups and "bodies.body" not in groups
    assert "works_in=Riverton+Ward+1" in groups["actors.organisation"].url
    bad = client_for(tree.in_scope).get(reverse("search"), {"q": "x", "place": "Hillbury"})
    assert bad.status_code == 400


def _of_these_modules(keys) -> list[str]:
    """The kinds of record these tests make (other modules add lists of their own)."""
    return [key for key in keys if key.split(".")[0] in {"places", "actors", "bodies"}]


def test_search_queries_do_not_grow_with_matches(tree, records):
    client = client_for(tree.in_scope)
    url = reverse("search")
    client.get(url, {"q": "club"})
    works("Riverton Club 0", Sector.YOUTH, tree.city)
    with CaptureQueriesContext(connection) as one:
        client.get(url, {"q": "club"})
    for n in range(1, 12):
        works(f"Riverton Club {n}", Sector.YOUTH, tree.city)
    with CaptureQueriesContext(connection) as many:
        client.get(url, {"q": "club"})
    assert len(many) == len(one)


def test_the_header_search_leads_here_and_anonymous_visitors_sign_in(tree, client):
    assert client.get(reverse("search"), {"q": "x"}).status_code == 302
    page = client_for(tree.in_scope).get(reverse("home")).content.decode()
    assert f'action="{reverse("search")}"' in page
    empty = client_for(tree.in_scope).get(reverse("search"))
    assert empty.status_code == 200 and empty.context["results"] is None


# --- the organisation list's "works in" -----------------------------------------------------------


def test_organisations_working_in_a_place_not_only_based_there(tree, records):
    client = client_for(tree.in_scope)
    url = reverse("actors:organisation_list")
    working = client.get(url, {"works_in": "Riverton Ward 1", "theme": "youth-engagement"})
    assert [obj.name for obj, _c in working.context["rows"]] == ["Riverton Youth Forum"]
    based = client.get(url, {"place": "Riverton Ward 1", "theme": "youth-engagement"})
    assert list(based.context["rows"]) == []
    api = client.get("/api/organisations", {"works_in": "Riverton Ward 1"}).json()
    assert {item["name"] for item in api["items"]} == {
        "Riverton Youth Forum",
        "Upper Riverton Mothers",
        "Ward Faith Circle",
    }
    assert client.get(url, {"works_in": tree.sibling.pk}).status_code == 404


# --- a place's page -------------------------------------------------------------------------------


def test_a_place_page_lists_what_is_there_and_below(tree, records):
    ward_body = BodyFactory(place=tree.ward, name="Ward 1 Forum")
    open_item = ActionItemFactory(raised_by=ward_body, title="Fix the lights")
    ActionItemFactory(raised_by=ward_body, title="Done already", status="done")
    ActionItemFactory(raised_by=BodyFactory(place=tree.sibling), title="Elsewhere")
    response = client_for(tree.in_scope).get(tree.city.get_absolute_url())
    here = {excerpt.findable.key: excerpt for excerpt in response.context["here"]}
    assert _of_these_modules(here) == ["actors.organisation", "bodies.body", "bodies.actionitem"]
    assert _names(here["actors.organisation"]) == [
        "Riverton",
        "Riverton Youth Forum",
        "Upper Riverton Mothers",
        "Ward Faith Circle",
    ]
    assert _names(here["bodies.body"]) == ["Riverton Peace Committee", "Ward 1 Forum"]
    assert _names(here["bodies.actionitem"]) == [str(open_item)]
    assert here["bodies.actionitem"].url == "/bodies/actions/?subtree=Riverton&open=on"
    listed = client_for(tree.in_scope).get(here["bodies.actionitem"].url).context["rows"]
    assert [obj.title for obj, _c in listed] == ["Fix the lights"]
    page = response.content.decode()
    assert "Organisations working in Riverton" in page
    assert "/actors/3w/?place=Riverton" in page and "/actors/3w/sectors/?place=Riverton" in page
    assert "Riverton Twin Forum" not in page and "Elsewhere" not in page


def test_a_place_page_shows_only_the_lists_the_reader_may_read(tree, records):
    resident = UserFactory(label="resident")
    RoleAssignmentFactory(user=resident, role="resident", place=tree.ward)
    works("Ward Open Circle", Sector.CIVIL_SOCIETY, tree.ward, tlp=TLP.CLEAR)
    response = client_for(resident).get(tree.ward.get_absolute_url())
    here = {excerpt.findable.key: excerpt for excerpt in response.context["here"]}
    assert _of_these_modules(here) == ["actors.organisation", "bodies.body"]  # no actions
    assert _names(here["actors.organisation"]) == ["Ward Open Circle"]  # CLEAR only

"""An item's sectors (any number) and the places it speaks about besides its home place:
forms and API, the filters and their counts, what a reader may see of the about-places,
recommendations, and the migration that carried the single sector over."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bridgework.core.tlp import TLP
from bridgework.knowledge.choices import ItemStatus
from bridgework.knowledge.factories import KnowledgeItemFactory
from bridgework.knowledge.forms import KnowledgeItemForm
from bridgework.knowledge.models import KnowledgeItem, KnowledgeItemSector
from bridgework.knowledge.selectors import recommendations_for
from bridgework.places.factories import PlaceFactory
from tests.test_knowledge_rules import Places, _client, _published

SEARCH = "api-1.0.0:search_knowledge"


@pytest.fixture
def places(db):
    found = Places()
    # A district the city's coordinator may not see.
    found.hidden = PlaceFactory(name="Zomba", parent=found.country)
    return found


def _form_data(place, **fields):
    data = {
        "kind": "practice",
        "title": "Mentoring circles",
        "summary": "Weekly circles.",
        "body": "",
        "place": place.pk,
        "evidence": "promising",
        "language": "en",
        "tlp": TLP.GREEN,
    }
    data.update(fields)
    return data


def _facet(data, name) -> dict[str, int]:
    return {value["value"]: value["count"] for value in data["facets"][name]}


def _list_rows(response) -> list[dict]:
    data = response.json()
    return data["items"] if isinstance(data, dict) else data


# --- forms and API ------------------------------------------------------------------------------


def test_the_page_form_saves_several_sectors_and_about_places_and_edits_them(places):
    client = _client(places.city_user)
    response = client.post(
        reverse("knowledge:knowledgeitem_add"),
        _form_data(places.city, sectors=["police", "education"], about_places=[places.country.pk]),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    item = KnowledgeItem.objects.get(title="Mentoring circles")
    assert item.sectors == ["police", "education"]
    assert list(item.about_places.all()) == [places.country]
    response = client.post(
        reverse("knowledge:knowledgeitem_edit", args=[item.pk]),
        _form_data(places.city, sectors=["youth"], about_places=[]),
    )
    assert response.status_code == 302
    assert item.sectors == ["youth"]
    assert item.about_places.count() == 0
    assert KnowledgeItemSector.objects.filter(item=item).count() == 1


def test_the_form_refuses_an_unknown_sector_and_a_place_the_writer_cannot_see(places):
    form = KnowledgeItemForm(
        data=_form_data(places.city, sectors=["astrology"], about_places=[places.hidden.pk]),
        user=places.city_user,
        action="add",
    )
    assert not form.is_valid()
    assert "sectors" in form.errors and "about_places" in form.errors
    offered = set(form.fields["about_places"].queryset)  # type: ignore[attr-defined]
    assert places.city in offered and places.hidden not in offered
    assert places.country in offered  # seen, though the coordinator may not write there


def test_an_edit_keeps_the_about_places_the_editor_cannot_see(places):
    item = _published(places.city, tlp=TLP.GREEN, sectors=["police"])
    item.about_places.set([places.hidden, places.country])
    form = KnowledgeItemForm(instance=item, user=places.city_user, action="change")
    assert form["about_places"].value() == [places.country.pk]
    assert form["sectors"].value() == ["police"]
    response = _client(places.city_user).post(
        reverse("knowledge:knowledgeitem_edit", args=[item.pk]),
        _form_data(places.city, title=item.title, sectors=["police"], about_places=[]),
    )
    assert response.status_code == 302
    assert list(item.about_places.all()) == [places.hidden]


def test_the_api_creates_and_patches_sectors_and_about_places(places):
    client = _client(places.city_user)
    created = client.post(
        reverse("api-1.0.0:create_knowledge_item"),
        _form_data(places.city, sectors=["health", "police"], about_places=[places.country.pk]),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["sectors"] == ["police", "health"]  # in the order of the choices
    assert body["about_places"] == [places.country.pk]
    url = reverse("api-1.0.0:update_knowledge_item", args=[body["id"]])
    patched = client.patch(url, {"summary": "Changed."}, content_type="application/json")
    assert patched.status_code == 200
    assert patched.json()["sectors"] == ["police", "health"]  # untouched by a partial update
    patched = client.patch(url, {"sectors": ["youth"]}, content_type="application/json")
    assert patched.json()["sectors"] == ["youth"]
    assert patched.json()["about_places"] == [places.country.pk]
    refused = client.patch(
        url, {"about_places": [places.hidden.pk]}, content_type="application/json"
    )
    assert refused.status_code in (400, 422)


# --- an about-place out of the reader's scope --------------------------------------------------


def test_an_about_place_out_of_scope_is_never_named(places):
    item = _published(places.city, tlp=TLP.CLEAR, title="Shared mentoring practice")
    item.about_places.set([places.hidden, places.other_city, places.country])
    editor_page = _client(places.editor).get(reverse("knowledge:read", args=[item.pk]))
    assert "Zomba" in editor_page.content.decode()  # the test can fail: the name is shown
    client = _client(places.city_user)
    for url in (
        reverse("knowledge:read", args=[item.pk]),
        reverse("knowledge:knowledgeitem_detail", args=[item.pk]),
        reverse("knowledge:knowledgeitem_list"),
        reverse("knowledge:search") + "?q=mentoring",
    ):
        page = client.get(url)
        assert page.status_code == 200
        assert "Zomba" not in page.content.decode() and "Blantyre" not in page.content.decode()
    detail = client.get(reverse("api-1.0.0:get_knowledge_item", args=[item.pk])).json()
    assert detail["about_places"] == [places.country.pk]
    rows = _list_rows(client.get(reverse("api-1.0.0:list_knowledge_items")))
    assert [row["about_places"] for row in rows] == [[places.country.pk]]
    export = client.get(reverse("knowledge:knowledgeitem_list"), {"format": "csv"})
    assert export.status_code == 200
    text = b"".join(export.streaming_content).decode()
    lines = list(csv.reader(io.StringIO(text)))
    assert "Malawi" in lines[1] and "Zomba" not in text and "Blantyre" not in text
    editor_export = _client(places.editor).get(
        reverse("knowledge:knowledgeitem_list"), {"format": "csv"}
    )
    assert "Zomba" in b"".join(editor_export.streaming_content).decode()


def test_the_list_costs_the_same_queries_for_one_item_or_many(places):
    def add(n):
        for _i in range(n):
            item = _published(places.city, tlp=TLP.GREEN, sectors=["police", "health"])
            item.about_places.set([places.country, places.hidden, places.city])

    client = _client(places.city_user)
    url = reverse("api-1.0.0:list_knowledge_items")
    add(1)
    client.get(url)  # the session and the caches warmed

    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    add(6)
    with CaptureQueriesContext(connection) as seven:
        assert len(_list_rows(client.get(url))) == 7
    assert len(seven) == len(one)


# --- filters and counts -------------------------------------------------------------------------


def test_the_sector_filter_matches_any_sector_and_counts_each_item_once_per_sector(places):
    both = _published(places.city, tlp=TLP.CLEAR, title="Mentoring A", sectors=["police", "youth"])
    police = _published(places.city, tlp=TLP.CLEAR, title="Mentoring B", sectors=["police"])
    _published(places.city, tlp=TLP.CLEAR, title="Mentoring C", sectors=["health"])
    client = _client()
    data = client.get(reverse(SEARCH), {"q": "mentoring"}).json()
    assert data["total"] == 3
    assert _facet(data, "sector") == {"police": 2, "youth": 1, "health": 1}
    data = client.get(reverse(SEARCH), {"q": "mentoring", "sector": "police"}).json()
    assert sorted(hit["id"] for hit in data["results"]) == sorted([both.pk, police.pk])
    assert data["total"] == 2 and len(data["results"]) == 2  # no duplicated row
    data = client.get(reverse(SEARCH), {"sector": "youth"}).json()
    assert [hit["id"] for hit in data["results"]] == [both.pk]
    listed = _list_rows(
        _client(places.editor).get(reverse("api-1.0.0:list_knowledge_items"), {"sector": "police"})
    )
    assert sorted(row["id"] for row in listed) == sorted([both.pk, police.pk])


def test_the_place_filter_matches_the_home_place_or_an_about_place_below(places):
    ward = PlaceFactory(name="Chilinde", parent=places.city)
    home = _published(places.city, tlp=TLP.CLEAR, title="Mentoring at home")
    about = _published(places.other_city, tlp=TLP.CLEAR, title="Mentoring about the ward")
    about.about_places.set([ward, places.city])  # two places of the city: still one row
    _published(places.other_city, tlp=TLP.CLEAR, title="Mentoring elsewhere")
    client = _client(places.editor)
    data = client.get(reverse(SEARCH), {"q": "mentoring", "place": places.city.pk}).json()
    assert sorted(hit["id"] for hit in data["results"]) == sorted([home.pk, about.pk])
    assert data["total"] == 2
    below = client.get(reverse(SEARCH), {"q": "mentoring", "place": places.country.pk}).json()
    assert _facet(below, "place") == {
        str(places.city.pk): 2,
        str(places.other_city.pk): 2,
    }


def test_red_and_amber_items_stay_out_of_the_new_filters_and_counts(places):
    red = _published(places.city, tlp=TLP.RED, title="Red note", sectors=["police"])
    red.about_places.set([places.other_city])
    amber = _published(places.city, tlp=TLP.AMBER, title="Amber note", sectors=["police"])
    amber.about_places.set([places.other_city])
    _published(places.other_city, tlp=TLP.CLEAR, title="Public note", sectors=["health"])
    for client in (_client(), _client(places.other_user)):
        data = client.get(reverse(SEARCH), {"sector": "police"}).json()
        assert data["total"] == 0 and data["results"] == []
        everything = client.get(reverse(SEARCH)).json()
        assert "police" not in _facet(everything, "sector")
        assert _facet(everything, "sector") == {"health": 1}
    there = _client(places.other_user).get(reverse(SEARCH), {"place": places.other_city.pk})
    assert [hit["title"] for hit in there.json()["results"]] == ["Public note"]
    assert _facet(there.json(), "sector") == {"health": 1}
    # The city's coordinator reads the AMBER one (the test can fail), not the RED one.
    data = _client(places.city_user).get(reverse(SEARCH), {"sector": "police"}).json()
    assert [hit["id"] for hit in data["results"]] == [amber.pk]


# --- recommendations ----------------------------------------------------------------------------


def test_recommendations_name_shared_sectors_and_count_items_about_the_place(places):
    from tests.helpers import working_organisation

    working_organisation("Lilongwe Police Unit (test)", "police", places.city)
    about = _published(places.other_city, tlp=TLP.CLEAR, title="About Lilongwe")
    about.about_places.set([places.city])
    by_sector = _published(
        places.other_city, tlp=TLP.CLEAR, title="Police practice", sectors=["police", "health"]
    )
    hidden = _published(places.other_city, tlp=TLP.RED, title="Red", sectors=["police"])
    hidden.about_places.set([places.city])
    found = recommendations_for(places.city_user, places.city)
    assert [r.item.pk for r in found] == [about.pk, by_sector.pk]
    assert "Lilongwe City" in found[0].explanation
    assert "police" in found[1].explanation and "health" not in found[1].explanation


# --- the migration ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_carries_each_items_sector_over():
    executor = MigrationExecutor(connection)
    before = [("knowledge", "0003_item_embedding")]
    after = [("knowledge", "0004_item_sectors_about_places")]
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    place_model = old_apps.get_model("places", "Place")
    place = place_model.objects.create(name="Migrated (test)", path="zz", depth=1)
    item_model = old_apps.get_model("knowledge", "KnowledgeItem")
    common = {"kind": "practice", "summary": "s", "place": place, "place_path": "zz"}
    with_sector = item_model.objects.create(title="One", sector="police", **common)
    without = item_model.objects.create(title="Two", sector="", **common)
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    assert KnowledgeItem.objects.get(pk=with_sector.pk).sectors == ["police"]
    assert KnowledgeItem.objects.get(pk=without.pk).sectors == []
    KnowledgeItem.objects.filter(pk__in=[with_sector.pk, without.pk]).delete()
    place_model.objects.filter(pk=place.pk).delete()


def test_a_revision_keeps_sectors_and_about_places(places):
    from bridgework.knowledge.actions import do_revise_item

    item = _published(places.city, tlp=TLP.GREEN, sectors=["police", "youth"])
    item.about_places.set([places.country])
    revision = do_revise_item(item, acting_user=places.city_user)
    assert revision.sectors == ["police", "youth"]
    assert list(revision.about_places.all()) == [places.country]
    assert revision.status == ItemStatus.DRAFT


def test_the_factory_takes_sectors(db):
    item = KnowledgeItemFactory(sectors=["media"])
    assert item.sectors == ["media"]


# --- peers for a kind of need -------------------------------------------------------------------


def _answer(item, place, tlp, category="training"):
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from bridgework.plans.choices import AnswerKind, NeedStatus
    from bridgework.plans.models import LocalNeed

    return LocalNeed.objects.create(
        title=f"Need answered by {item.title}",
        place=place,
        category=category,
        tlp=tlp,
        status=NeedStatus.ANSWERED,
        answer_kind=AnswerKind.KNOWLEDGE,
        answer_title=item.title,
        answer_type=ContentType.objects.get_for_model(KnowledgeItem),
        answer_id=item.pk,
        closed_on=timezone.localdate(),
    )


def test_peers_for_a_kind_of_need_are_the_places_whose_practice_answered_one(places):
    trained = _published(places.other_city, tlp=TLP.CLEAR, title="Teacher training")
    _answer(trained, places.hidden, TLP.GREEN)
    secret = _published(places.hidden, tlp=TLP.CLEAR, title="Secretly answered")
    _answer(secret, places.city, TLP.RED)  # a labelled need is no evidence
    _answer(_published(places.city, tlp=TLP.CLEAR, title="Faith networking guide"), places.hidden,
            TLP.GREEN, category="networking")  # fmt: skip
    client = _client(places.city_user)
    api = client.get(reverse("api-1.0.0:knowledge_peers"), {"need": "training"})
    assert api.status_code == 200
    assert [(row["place"], row["items"]) for row in api.json()] == [("Blantyre City", [trained.pk])]
    page = client.get(reverse("knowledge:peers"), {"need": "training"}).content.decode()
    assert "Teacher training" in page and "Secretly answered" not in page
    assert "Faith networking guide" not in page
    both = client.get(reverse("knowledge:peers"), {"need": "training", "theme": "youth-engagement"})
    assert "Choose a theme or a kind of need." in both.content.decode()
    assert client.get(reverse("api-1.0.0:knowledge_peers")).status_code == 404


def test_about_places_get_a_picker_of_several_when_the_writer_sees_many_places(db):
    from bridgework.access.factories import RoleAssignmentFactory, UserFactory
    from bridgework.knowledge.forms import KnowledgeItemForm
    from bridgework.places.actions import do_create_place
    from bridgework.places.models import Place
    from bridgework.web.testing import build_tree
    from bridgework.web.widgets import PlacesPicker

    tree = build_tree("national_coordinator")
    for n in range(55):
        do_create_place(Place(name=f"Block {n}", parent=tree.ward))
    writer = UserFactory(label="writer")
    RoleAssignmentFactory(user=writer, role="national_coordinator", place=tree.country)
    widget = KnowledgeItemForm(user=writer, action="add").fields["about_places"].widget
    assert isinstance(widget, PlacesPicker)
    # It offers the places the writer may see, not only where they may write.
    assert "for" not in widget.lookup_query("about_places")

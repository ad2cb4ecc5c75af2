"""The knowledge hub's rules: public items, what search may show whom, curation and versions,
Markdown that cannot carry script."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.activity.workflows import do_transition
from bridgework.core.tlp import TLP
from bridgework.knowledge.actions import do_revise_item
from bridgework.knowledge.choices import ItemStatus
from bridgework.knowledge.factories import KnowledgeItemFactory
from bridgework.knowledge.models import KnowledgeItem
from bridgework.knowledge.text import render_markdown, snippet
from bridgework.places.factories import PlaceFactory, root_place

SECRET = "zanzibarite"  # a word only the sensitive items hold


class Places:
    def __init__(self):
        world = root_place()
        self.country = PlaceFactory(name="Malawi", code="MW", parent=world)
        self.city = PlaceFactory(name="Lilongwe City", parent=self.country)
        self.other_city = PlaceFactory(name="Blantyre City", parent=self.country)
        self.city_user = self._user("local_coordinator", self.city)
        self.other_user = self._user("local_coordinator", self.other_city)
        self.editor = self._user("national_coordinator", self.country)

    @staticmethod
    def _user(role, place):
        user = UserFactory()
        RoleAssignmentFactory(user=user, role=role, place=place)
        return user


@pytest.fixture
def places(db):
    return Places()


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _published(place, **fields):
    return KnowledgeItemFactory(place=place, status=ItemStatus.PUBLISHED, **fields)


def test_a_published_clear_item_is_public_and_nothing_else_is(places):
    public = _published(places.city, tlp=TLP.CLEAR, title="Open mentoring practice")
    draft = KnowledgeItemFactory(place=places.city, tlp=TLP.CLEAR, title="Draft practice")
    green = _published(places.city, tlp=TLP.GREEN, title="Green practice")
    anonymous = _client()
    assert anonymous.get(reverse("knowledge:read", args=[public.pk])).status_code == 200
    for hidden in (draft, green):
        assert anonymous.get(reverse("knowledge:read", args=[hidden.pk])).status_code == 404
    page = anonymous.get(reverse("knowledge:search"), {"q": "practice"})
    text = page.content.decode()
    assert "Open mentoring practice" in text
    assert "Draft practice" not in text and "Green practice" not in text
    # The record pages stay for signed-in people.
    detail = anonymous.get(reverse("knowledge:knowledgeitem_detail", args=[public.pk]))
    assert detail.status_code == 302


def test_red_and_amber_items_never_reach_who_may_not_read_them(places):
    red = _published(
        places.city, tlp=TLP.RED, title=f"Red {SECRET} brief", summary=f"{SECRET} details"
    )
    amber = _published(places.city, tlp=TLP.AMBER, title=f"Amber {SECRET} note", kind="toolkit")
    _published(places.other_city, tlp=TLP.CLEAR, title="Public toolkit", kind="toolkit")
    for user in (None, places.other_user):
        client = _client(user)
        page = client.get(reverse("knowledge:search"), {"q": SECRET}).content.decode()
        assert f"Red {SECRET}" not in page and f"Amber {SECRET}" not in page
        assert f"{SECRET} details" not in page and "<mark>" not in page
        assert "0 items match" in page
        facets = client.get(reverse("knowledge:search"), {"kind": "toolkit"}).content.decode()
        assert "(1)" in facets and "(2)" not in facets
        api = client.get(reverse("api-1.0.0:search_knowledge"), {"q": SECRET}).json()
        assert api["total"] == 0 and api["results"] == [] and SECRET not in str(api["facets"])
        for item in (red, amber):
            assert client.get(reverse("knowledge:read", args=[item.pk])).status_code == 404
    # The city's coordinator (AMBER ceiling) finds the AMBER item, not the RED one.
    found = _client(places.city_user).get(reverse("api-1.0.0:search_knowledge"), {"q": SECRET})
    assert [hit["id"] for hit in found.json()["results"]] == [amber.pk]


def test_search_ranks_title_over_summary_over_body_and_stems_both_languages(places):
    body = _published(places.city, tlp=TLP.CLEAR, title="A", summary="x", body="mentoring")
    title = _published(places.city, tlp=TLP.CLEAR, title="Mentoring youth", summary="x")
    summary = _published(places.city, tlp=TLP.CLEAR, title="B", summary="On mentoring")
    french = _published(
        places.city, tlp=TLP.CLEAR, title="Médiation", summary="Les médiateurs", language="fr"
    )
    data = _client().get(reverse("api-1.0.0:search_knowledge"), {"q": "mentored"}).json()
    assert [hit["id"] for hit in data["results"]] == [title.pk, summary.pk, body.pk]
    assert "<mark>" in data["results"][0]["snippet"] or "<mark>" in data["results"][1]["snippet"]
    data = _client().get(reverse("api-1.0.0:search_knowledge"), {"q": "mediation"}).json()
    assert [hit["id"] for hit in data["results"]] == [french.pk]


def test_the_index_follows_edits_and_deletes(places):
    item = _published(places.city, tlp=TLP.CLEAR, title="Sports league")
    api = reverse("api-1.0.0:search_knowledge")
    assert _client().get(api, {"q": "football"}).json()["total"] == 0
    item.title = "Football league"
    item.save()
    assert _client().get(api, {"q": "football"}).json()["total"] == 1
    item.delete()
    assert _client().get(api, {"q": "football"}).json()["total"] == 0


def test_the_search_page_works_with_and_without_htmx(places):
    _published(places.city, tlp=TLP.CLEAR, title="Interfaith dialogue circles")
    url = reverse("knowledge:search")
    full = _client().get(url, {"q": "dialogue"})
    assert b"<form" in full.content and b"Interfaith dialogue circles" in full.content
    partial = _client().get(url, {"q": "dialogue"}, HTTP_HX_REQUEST="true")
    assert b"<form" not in partial.content and b"Interfaith dialogue circles" in partial.content


def test_curation_publishes_with_comments_and_a_new_version_supersedes(places):
    item = KnowledgeItemFactory(place=places.city, tlp=TLP.CLEAR)
    do_transition(item, "submit", acting_user=places.city_user)
    with pytest.raises(Exception):  # noqa: B017, PT011 - a writer may not review
        do_transition(item, "review", acting_user=places.city_user)
    do_transition(item, "review", acting_user=places.editor)
    do_transition(item, "return", acting_user=places.editor, note="Add the evaluation figures.")
    do_transition(item, "submit", acting_user=places.city_user)
    do_transition(item, "review", acting_user=places.editor)
    do_transition(item, "publish", acting_user=places.editor, note="Clear and useful.")
    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED and item.published_on is not None
    revision = do_revise_item(item, acting_user=places.city_user)
    assert revision.version == 2 and revision.status == ItemStatus.DRAFT
    for step, user in (("submit", places.city_user), ("review", places.editor)):
        do_transition(revision, step, acting_user=user)
    do_transition(revision, "publish", acting_user=places.editor)
    item.refresh_from_db()
    assert item.status == ItemStatus.SUPERSEDED
    page = _client().get(reverse("knowledge:read", args=[item.pk])).content.decode()
    assert "superseded" in page and reverse("knowledge:read", args=[revision.pk]) in page
    # The page's revise button does the same, once per version.
    client = _client(places.city_user)
    response = client.post(reverse("knowledge:knowledgeitem_revise", args=[revision.pk]))
    assert response.status_code == 302
    assert KnowledgeItem.objects.filter(previous=revision).count() == 1
    client.post(reverse("knowledge:knowledgeitem_revise", args=[revision.pk]))
    assert KnowledgeItem.objects.filter(previous=revision).count() == 1
    # Someone who cannot see the item cannot revise it.
    other = _client(places.other_user)
    assert other.post(reverse("knowledge:knowledgeitem_revise", args=[item.pk])).status_code in (
        403,
        404,
    )


def test_markdown_is_rendered_without_script():
    html = render_markdown(
        "# Title\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) "
        '<img src=x onerror="alert(1)">\n\n**bold**'
    )
    assert "<script" not in html and 'href="javascript' not in html and "<img" not in html
    assert "<strong>bold</strong>" in html


def test_snippets_escape_the_text_and_mark_the_query():
    text = "Teachers <b>trained</b> in mentoring; mentors met weekly."
    shown = snippet(text, "mentoring", "en")
    assert "&lt;b&gt;" in shown and "<b>" not in shown
    assert "<mark>mentoring;</mark>" in shown and "<mark>mentors</mark>" in shown


def test_editors_and_the_place_hear_of_each_step(places, django_capture_on_commit_callbacks):
    from bridgework.notifications.models import Notification
    from bridgework.notifications.testing import immediate_tasks

    item = KnowledgeItemFactory(place=places.city, tlp=TLP.GREEN)
    with immediate_tasks(), django_capture_on_commit_callbacks(execute=True):
        do_transition(item, "submit", acting_user=places.city_user)
    told = set(
        Notification.objects.filter(kind="knowledge.item_moved").values_list(
            "recipient_id", flat=True
        )
    )
    assert places.editor.pk in told
    assert places.other_user.pk not in told


def test_the_site_search_finds_items_by_their_words_in_scope(places):
    _published(places.city, tlp=TLP.GREEN, title="Basketball nights for cohesion")
    _published(places.other_city, tlp=TLP.RED, title="Basketball intelligence note")
    page = _client(places.city_user).get(reverse("search"), {"q": "basketball"})
    text = page.content.decode()
    assert "Basketball nights for cohesion" in text
    assert "intelligence" not in text


def test_without_needs_recommendations_follow_the_themes_of_the_places_organisations(places):
    from bridgework.actors.models import Theme
    from bridgework.knowledge.selectors import recommendations_for
    from tests.helpers import working_organisation

    youth = Theme.objects.get(slug="youth-engagement")
    working_organisation("Chilinde Youth Club (test)", "youth", places.city, themes=[youth.slug])
    elsewhere = _published(places.other_city, tlp=TLP.CLEAR, title="Youth league")
    elsewhere.themes.add(youth)
    hidden = _published(places.other_city, tlp=TLP.RED, title="Youth red note")
    hidden.themes.add(youth)
    found = recommendations_for(places.city_user, places.city)
    assert [r.item.pk for r in found] == [elsewhere.pk]
    assert "Youth engagement" in found[0].explanation


def test_the_place_counts_lead_down_the_tree(places):
    ward = PlaceFactory(name="Chilinde", parent=places.city)
    _published(ward, tlp=TLP.GREEN, title="Ward mentoring")
    _published(places.city, tlp=TLP.GREEN, title="City mentoring")
    _published(places.other_city, tlp=TLP.GREEN, title="Other mentoring")
    client = _client(places.editor)
    url = reverse("api-1.0.0:search_knowledge")
    facets = client.get(url, {"q": "mentoring"}).json()["facets"]["place"]
    assert [(f["label"], f["count"]) for f in facets] == [("Malawi", 3)]
    below = client.get(url, {"q": "mentoring", "place": places.country.pk}).json()
    counts = {f["label"]: f["count"] for f in below["facets"]["place"]}
    assert counts == {"Lilongwe City": 2, "Blantyre City": 1}
    city = client.get(url, {"q": "mentoring", "place": places.city.pk}).json()
    assert city["total"] == 2
    assert [(f["label"], f["count"]) for f in city["facets"]["place"]] == [("Chilinde", 1)]
    # Visitors are offered no place they may not see.
    assert Client().get(url, {"q": "mentoring"}).json()["facets"]["place"] == []


def test_a_writer_submits_an_item_from_its_page(places):
    item = KnowledgeItemFactory(place=places.city, tlp=TLP.CLEAR, status=ItemStatus.DRAFT)
    response = _client(places.city_user).post(
        reverse("knowledge:knowledgeitem_transition", args=[item.pk]), {"transition": "submit"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.SUBMITTED


@pytest.mark.parametrize(("tlp", "travels"), [(TLP.GREEN, True), (TLP.AMBER, False)])
def test_an_editors_comments_travel_in_the_email_only_for_a_green_item(
    places, django_capture_on_commit_callbacks, tlp, travels
):
    from bridgework.notifications.models import Notification
    from bridgework.notifications.testing import immediate_tasks

    item = KnowledgeItemFactory(place=places.city, tlp=tlp)
    comments = "Please add the evaluation's sample size."
    with immediate_tasks(), django_capture_on_commit_callbacks(execute=True):
        do_transition(item, "submit", acting_user=places.city_user)
        do_transition(item, "review", acting_user=places.editor)
        do_transition(item, "return", acting_user=places.editor, note=comments)
    returned = Notification.objects.filter(
        kind="knowledge.item_moved", recipient=places.city_user
    ).latest("pk")
    assert (comments in returned.body) is travels
    assert ("comments are on its page" in returned.body) is not travels


@pytest.mark.parametrize("text", [":", '"', "-", "*"])
def test_a_query_of_no_words_finds_nothing_and_is_not_an_error(places, text):
    page = _client().get(reverse("knowledge:search"), {"q": text})
    assert page.status_code == 200
    api = _client().get(reverse("api-1.0.0:search_knowledge"), {"q": text})
    assert api.status_code == 200 and api.json()["results"] == []

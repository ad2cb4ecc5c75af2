"""The knowledge demo, and recommendations and peers on it."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from bridgework.access.models import User
from bridgework.core.tlp import TLP
from bridgework.knowledge.choices import ItemStatus
from bridgework.knowledge.models import KnowledgeItem
from bridgework.knowledge.selectors import peers_for_theme, recommendations_for
from bridgework.places.models import Place
from bridgework.plans.choices import NeedCategory, NeedStatus
from bridgework.plans.models import LocalNeed

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("load_demo")


def _client(email: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


def test_the_demo_loads_twice_to_the_same_state(demo):
    count = KnowledgeItem.objects.count()
    assert count >= 40
    assert KnowledgeItem.objects.filter(language="fr").exists()
    assert KnowledgeItem.objects.exclude(tlp=TLP.CLEAR).exists()
    assert KnowledgeItem.objects.filter(status=ItemStatus.SUBMITTED).exists()
    call_command("load_demo")
    assert KnowledgeItem.objects.count() == count
    public = Client().get(reverse("knowledge:search"), {"q": "mentoring"})
    assert b"(demo)" in public.content


def test_recommendations_explain_what_answered_the_same_need_elsewhere(demo):
    tirana = Place.objects.get(name="Tirana")
    user = User.objects.get(email="local.tirana@demo.bridgework.test")
    LocalNeed.objects.create(
        title="Our teachers need training (test)",
        place=tirana,
        category=NeedCategory.TRAINING,
        tlp=TLP.GREEN,
        status=NeedStatus.RAISED,
    )
    found = recommendations_for(user, tirana)
    assert found, "the demo answers training needs in other places with items"
    first = found[0]
    # Both places count as evidence, but Tirana's coordinator sees neither Kamëz (a sibling)
    # nor Blantyre City (another country): they are counted, never named.
    assert first.score == 2 and first.places == []
    assert "2 other places: 2 places you cannot see" in first.explanation
    assert "training" in first.explanation
    national = User.objects.get(email="national.al@demo.bridgework.test")
    for_albania = next(
        r for r in recommendations_for(national, tirana) if r.item.pk == first.item.pk
    )
    assert for_albania.places == ["Kamëz"]
    assert "Kamëz, 1 place you cannot see" in for_albania.explanation
    page = _client(user.email).get(reverse("knowledge:recommendations"), {"place": "Tirana"})
    assert page.status_code == 200 and first.item.title.encode() in page.content
    api = _client(user.email).get(
        reverse("api-1.0.0:knowledge_recommendations"), {"place": "Tirana"}
    )
    assert api.json()[0]["id"] == first.item.pk
    # An item the reader may not read is never recommended, however well it answered.
    KnowledgeItem.objects.filter(pk=first.item.pk).update(tlp=TLP.RED)
    assert first.item.pk not in [r.item.pk for r in recommendations_for(user, tirana)]


def test_peers_name_places_organisations_and_people_the_reader_may_see(demo):
    user = User.objects.get(email="partner.peel@demo.bridgework.test")
    from bridgework.actors.models import Theme

    theme = Theme.objects.get(slug="interfaith-dialogue")
    peers = peers_for_theme(user, theme)
    assert peers and all(peer.items for peer in peers)
    shown = {item.pk for peer in peers for item in peer.items}
    hidden = KnowledgeItem.objects.exclude(tlp=TLP.CLEAR).filter(themes=theme)
    assert not shown & set(hidden.values_list("pk", flat=True).filter(place__name="Tirana"))
    page = _client(user.email).get(reverse("knowledge:peers"), {"theme": theme.slug})
    assert page.status_code == 200 and peers[0].place.name.encode() in page.content
    api = _client(user.email).get(reverse("api-1.0.0:knowledge_peers"), {"theme": theme.slug})
    assert {row["place"] for row in api.json()} == {peer.place.name for peer in peers}
    assert Client().get(reverse("knowledge:peers")).status_code == 302

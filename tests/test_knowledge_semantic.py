"""The optional semantic search of the knowledge hub: fusion, background vectors, scope.

A small deterministic stand-in embedder (hashed words, with a few synonyms sharing a
dimension) runs always; the real model's test is skipped unless the `semantic` extra is
installed."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from bridgework.core.tlp import TLP
from bridgework.knowledge.choices import ItemStatus
from bridgework.knowledge.factories import KnowledgeItemFactory
from bridgework.knowledge.models import ItemEmbedding, KnowledgeItem, public_items
from bridgework.knowledge.semantic import (
    MiniLMEmbedder,
    fuse,
    hybrid_order,
    installed,
    semantic_order,
    store_embeddings,
    use_embedder,
)
from bridgework.knowledge.tasks import embed_items
from bridgework.places.factories import PlaceFactory, root_place

from .test_knowledge_rules import Places, _client

# Words that mean the same thing to the stand-in, though they share no letters.
SYNONYMS = {"counselling": "mentoring", "tutoring": "mentoring", "guidance": "mentoring"}


class StandIn:
    """Bag of words hashed into 64 dimensions, synonyms folded together; unit vectors."""

    name = "stand-in"
    dimensions = 64

    def __init__(self):
        self.calls: list[list[str]] = []

    def embed(self, texts):
        self.calls.append(list(texts))
        rows = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, text in zip(rows, texts, strict=True):
            for word in text.lower().split():
                word = SYNONYMS.get(word.strip(".,:;!?*#"), word.strip(".,:;!?*#"))
                if word:
                    row[int(hashlib.sha256(word.encode()).hexdigest(), 16) % self.dimensions] += 1
            norm = np.linalg.norm(row)
            if norm:
                row /= norm
        return rows


@pytest.fixture
def stand_in():
    embedder = StandIn()
    use_embedder(embedder)
    return embedder


@pytest.fixture
def places(db):
    return Places()


def _public(place, **fields):
    fields = {"summary": "", "body": "", **fields}
    return KnowledgeItemFactory(place=place, status=ItemStatus.PUBLISHED, tlp=TLP.CLEAR, **fields)


# --- fusion ------------------------------------------------------------------------------------


def test_fusion_rewards_items_both_rankings_place_high():
    assert fuse([[1, 2, 3], [2, 3, 4]]) == [2, 3, 1, 4]


def test_fusion_of_one_ranking_keeps_it_and_ties_follow_the_first_ranking():
    assert fuse([[5, 9, 7]]) == [5, 9, 7]
    assert fuse([[1, 2], [2, 1]]) == [1, 2]  # equal scores: the full-text order decides
    assert fuse([[], [8, 6]]) == [8, 6]
    assert fuse([]) == []


def test_fusion_scores_are_reciprocal_ranks():
    # 1/(60+1) + 1/(60+50) for item 1 beats 1/(60+1) alone for item 2 only by the second term.
    second = list(range(100, 148)) + [1]
    assert fuse([[1, 2], [2, *second]])[:2] == [2, 1]


# --- background vectors ------------------------------------------------------------------------


def test_saving_an_item_enqueues_its_vector_after_commit_and_the_task_stores_it(
    places, stand_in, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        item = _public(places.city, title="Mentoring circles", summary="In two schools.")
    assert len(callbacks) == 1
    assert not ItemEmbedding.objects.exists()  # nothing computed in the request
    assert stand_in.calls == []
    before = DBTaskResult.objects.count()
    callbacks[0]()
    queued = DBTaskResult.objects.order_by("-enqueued_at").first()
    assert DBTaskResult.objects.count() == before + 1
    assert queued.task_path.endswith("embed_items") and queued.args_kwargs["kwargs"] == {
        "item_ids": [item.pk]
    }
    assert embed_items.call(item_ids=[item.pk]) == 1
    stored = ItemEmbedding.objects.get(item=item)
    vector = np.frombuffer(bytes(stored.vector), dtype=np.float32)
    assert stored.model == "stand-in" and vector.shape == (64,)
    assert np.isclose(np.linalg.norm(vector), 1.0)


def test_only_a_change_of_text_enqueues_again(places, stand_in, django_capture_on_commit_callbacks):
    item = _public(places.city, title="Mentoring circles", summary="In two schools.")
    store_embeddings([item.pk], stand_in)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        item.evidence = "rigorous"
        item.save()
    assert callbacks == []
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        item.summary = "In three schools."
        item.save()
    assert len(callbacks) == 1
    assert store_embeddings([item.pk], stand_in) == 1
    assert store_embeddings([item.pk], stand_in) == 0  # up to date: not computed twice


def test_without_an_embedder_nothing_is_enqueued_and_the_backfill_says_how_to_install(
    places, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _public(places.city, title="Mentoring circles")
    assert not [c for c in callbacks if "embed" in getattr(c, "__qualname__", "")]
    assert embed_items.call(item_ids=[1]) == 0
    with pytest.raises(CommandError, match="semantic"):
        call_command("knowledge_embed")


def test_the_backfill_embeds_the_items_without_a_vector(places, stand_in):
    items = [_public(places.city, title=f"Practice {n}") for n in range(3)]
    store_embeddings([items[0].pk], stand_in)
    call_command("knowledge_embed")
    assert ItemEmbedding.objects.count() == 3
    stand_in.calls.clear()
    call_command("knowledge_embed")
    assert stand_in.calls == []
    call_command("knowledge_embed", "--all")
    assert sum(len(batch) for batch in stand_in.calls) == 3


# --- ranking and scope -------------------------------------------------------------------------


def test_the_hybrid_ranking_finds_items_by_meaning_and_fuses_them_with_words(places, stand_in):
    words = _public(places.city, title="Counselling for families", summary="Parents.")
    meaning = _public(places.city, title="Mentoring young people", summary="Weekly.")
    unrelated = _public(places.city, title="Street lighting audit", summary="Lamps.")
    store_embeddings(KnowledgeItem.objects.values_list("pk", flat=True), stand_in)
    near = semantic_order(public_items(), "counselling young people", stand_in)
    assert near[0] == meaning.pk and unrelated.pk not in near
    order = hybrid_order(public_items(), "counselling young people", stand_in)
    assert set(order) == {words.pk, meaning.pk}
    # Through the search page's API: the item found by meaning alone is a hit too, after the
    # one that both the words and the meaning find.
    data = _client().get(reverse("api-1.0.0:search_knowledge"), {"q": "tutoring young people"})
    assert [hit["id"] for hit in data.json()["results"]] == [meaning.pk, words.pk]
    assert data.json()["total"] == 2


def test_red_and_amber_items_never_come_through_the_semantic_path(places, stand_in):
    for tlp in (TLP.RED, TLP.AMBER):
        KnowledgeItemFactory(
            place=places.city, status=ItemStatus.PUBLISHED, tlp=tlp, title="Mentoring youth"
        )
    public = _public(places.other_city, title="Street lighting audit", summary="Lamps.")
    store_embeddings(KnowledgeItem.objects.values_list("pk", flat=True), stand_in)
    assert ItemEmbedding.objects.count() == 3
    for user in (None, places.other_user):
        client = _client(user)
        # "tutoring" shares no word with the sensitive items, only their meaning.
        data = client.get(reverse("api-1.0.0:search_knowledge"), {"q": "tutoring"}).json()
        assert data["total"] == 0 and data["results"] == []
        page = client.get(reverse("knowledge:search"), {"q": "tutoring"}).content.decode()
        assert "Mentoring youth" not in page and "0 items match" in page
    data = _client().get(reverse("api-1.0.0:search_knowledge"), {"q": "lighting"}).json()
    assert [hit["id"] for hit in data["results"]] == [public.pk]


def test_vectors_of_another_model_are_never_compared(places, stand_in):
    item = _public(places.city, title="Mentoring youth")
    store_embeddings([item.pk], stand_in)
    ItemEmbedding.objects.update(model="another-model")
    assert semantic_order(public_items(), "tutoring", stand_in) == []


# --- the real model ----------------------------------------------------------------------------


@pytest.mark.skipif(not installed(), reason="the `semantic` extra is not installed")
@pytest.mark.django_db
def test_the_real_model_finds_an_item_by_meaning_without_shared_words():
    place = PlaceFactory(name="Lilongwe City", parent=root_place())
    model = MiniLMEmbedder()
    use_embedder(model)
    fitting = _public(place, title="Mentoring for teenagers", summary="Older pupils guide younger.")
    other = _public(place, title="Street lighting audit", summary="Lamps in dark alleys.")
    store_embeddings([fitting.pk, other.pk], model)
    near = semantic_order(public_items(), "adolescent coaching programme", model)
    assert near and near[0] == fitting.pk

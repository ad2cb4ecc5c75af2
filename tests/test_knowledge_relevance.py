"""The relevance collection: its size and shape, and a full-text ranking that must not get
worse than the committed baseline (on whichever database the run uses)."""

from __future__ import annotations

import json

import pytest

from bridgework.knowledge.collection import (
    DATA_DIR,
    evaluate,
    generate,
    load_items,
    load_queries,
    ndcg_at,
    recall_at,
)
from bridgework.knowledge.models import public_items
from bridgework.knowledge.relevance import load_collection, rank_fulltext
from bridgework.places.factories import PlaceFactory, root_place


def test_the_collection_is_large_judged_and_as_generated():
    items, queries = load_items(), load_queries()
    assert len(items) >= 300 and len(queries) >= 60
    assert {item["language"] for item in items} == {"en", "fr"}
    assert len({item["theme"] for item in items}) >= 12
    assert all(query.judgments for query in queries)
    assert all(set(q.judgments.values()) <= {1, 2, 3} for q in queries)
    generated_items, generated_queries = generate()
    assert generated_items == items  # the files are the generator's, unedited
    assert [q.judgments for q in generated_queries] == [q.judgments for q in queries]


def test_the_measures():
    judgments = {"a": 3, "b": 1}
    assert ndcg_at(["a", "b"], judgments) == pytest.approx(1.0)
    assert ndcg_at(["b", "a"], judgments) < 1.0
    assert ndcg_at(["x", "y"], judgments) == 0.0
    assert recall_at(["a", "x"], judgments) == 0.5


@pytest.mark.django_db
def test_fulltext_ndcg_stays_above_the_baseline():
    baseline = json.loads((DATA_DIR / "relevance_baseline.json").read_text())
    world = root_place()
    places: dict = {}
    keys = load_collection(
        lambda name: places.setdefault(name, PlaceFactory(name=name, parent=world))
    )
    by_pk = {pk: key for key, pk in keys.items()}
    scores = evaluate(lambda text: rank_fulltext(public_items(), by_pk, text), load_queries())
    assert scores["ndcg@10"] >= baseline["fulltext_ndcg@10"], scores
    assert scores["recall@20"] >= baseline["fulltext_recall@20"], scores

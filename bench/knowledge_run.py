"""``make bench``, knowledge search: relevance (nDCG@10, recall@20) of the full-text ranking on
the committed collection, and the search latency at 20,000 items; written to
docs/benchmarks-knowledge.md.

    python -m bench.knowledge_run [--items 20000] [--iterations 3] [--database-url URL]

The hybrid (full-text + embeddings, reciprocal rank fusion) ranking is reported beside it only
when the ``semantic`` extra is installed: relevance with the real model's vectors of the 340
items, latency at 20,000 items with random unit vectors for the generated ones (what is timed
is the query's embedding, the cosine over every readable vector and the fusion; the model's
background work per item is not in a request). Nothing fails on time.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .measure import Timings
from .run import (
    OUTPUT_HELP,
    REPO,
    _create_database,
    _load_average,
    _step,
    follow_shell_database,
    machine_facts,
    prepare_environment,
)

__all__ = ["main"]

OUTPUT = REPO / "docs" / "benchmarks-knowledge.md"
OUTPUT_POSTGRESQL = REPO / "docs" / "benchmarks-knowledge-postgresql.md"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.knowledge_run", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--items", type=int, default=20_000, help="items for the latency run")
    parser.add_argument(
        "--iterations", type=int, default=3, help="passes over the 64 queries (default 3)"
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="run against this PostgreSQL database instead of SQLite; it is emptied first, "
        "so its name must contain 'bench'",
    )
    parser.add_argument("--output", type=Path, default=None, help=OUTPUT_HELP)
    args = parser.parse_args(argv)
    follow_shell_database(args, OUTPUT, OUTPUT_POSTGRESQL)
    args.scale = 1.0  # machine_facts reports it
    if args.items < 400 or args.iterations < 1:
        parser.error("--items must be ≥ 400 and --iterations ≥ 1")
    return args


def _tree():
    from bridgework.places.actions import do_create_place
    from bridgework.places.models import Place

    world = Place.objects.filter(parent__isnull=True, depth=0).first() or do_create_place(
        Place(name="World", parent=None)
    )
    places: dict[str, Place] = {}

    def place_for(name: str) -> Place:
        if name not in places:
            places[name] = do_create_place(Place(name=name, parent=world))
        return places[name]

    return place_for


def _relevance(keys: dict[str, int]) -> dict[str, float]:
    from bridgework.knowledge.collection import evaluate, load_queries
    from bridgework.knowledge.models import public_items
    from bridgework.knowledge.relevance import rank_fulltext

    by_pk = {pk: key for key, pk in keys.items()}
    return evaluate(lambda text: rank_fulltext(public_items(), by_pk, text), load_queries())


def _hybrid_relevance(keys: dict[str, int], embedder) -> dict[str, float]:
    from bridgework.knowledge.collection import evaluate, load_queries
    from bridgework.knowledge.models import public_items
    from bridgework.knowledge.semantic import hybrid_order, store_embeddings

    by_pk = {pk: key for key, pk in keys.items()}
    store_embeddings(list(by_pk), embedder)

    def rank(text: str) -> list[str]:
        return [by_pk[pk] for pk in hybrid_order(public_items(), text, embedder)[:20]]

    return evaluate(rank, load_queries())


def _random_vectors(embedder) -> int:
    """Unit random vectors, under the real model's name, for the items that have none (the
    generated ones): the cost of the cosine at scale, without hours of CPU for the model."""
    import numpy as np

    from bridgework.knowledge.models import ItemEmbedding, KnowledgeItem

    missing = list(
        KnowledgeItem.objects.filter(embedding__isnull=True).values_list("pk", flat=True)
    )
    dimensions = embedder.embed(["probe"]).shape[1]
    rows = np.random.default_rng(7).standard_normal((len(missing), dimensions)).astype("float32")
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    ItemEmbedding.objects.bulk_create(
        [
            ItemEmbedding(item_id=pk, model=embedder.name, text_hash="random", vector=row.tobytes())
            for pk, row in zip(missing, rows, strict=True)
        ],
        batch_size=1000,
    )
    return len(missing)


def _grow(place_for, target: int) -> int:
    """Add generated items (other seeds of the same generator) until ``target`` exist."""
    from bridgework.knowledge.collection import SEED, generate
    from bridgework.knowledge.models import KnowledgeItem
    from bridgework.knowledge.relevance import load_collection

    seed = SEED
    while (count := KnowledgeItem.objects.count()) < target:
        seed += 1
        items, _queries = generate(seed)
        for row in items:
            row["key"] = f"{seed}/{row['key']}"
        load_collection(place_for, items=items[: target - count])
    return KnowledgeItem.objects.count()


def _latency(iterations: int) -> tuple[Timings, Timings]:
    """The whole search (ranked page, total, counts, snippets) and the ranked page alone, as
    a visitor, for every query of the collection."""
    from django.contrib.auth.models import AnonymousUser
    from django.http import QueryDict
    from django.test import RequestFactory

    from bridgework.knowledge.collection import load_queries
    from bridgework.knowledge.fts import ranked
    from bridgework.knowledge.models import public_items
    from bridgework.knowledge.selectors import search_items

    request = RequestFactory().get("/knowledge/")
    request.user = AnonymousUser()
    queries = [query.text for query in load_queries()]
    whole: list[float] = []
    page: list[float] = []
    for text in queries[:5]:  # warm-up
        search_items(request, QueryDict(f"q={text}"))
    for _ in range(iterations):
        for text in queries:
            data = QueryDict(mutable=True)
            data["q"] = text
            start = time.perf_counter()
            search_items(request, data)
            whole.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            list(ranked(public_items(), text).order_by("-search_rank", "pk")[:20])
            page.append((time.perf_counter() - start) * 1000)
    return Timings(whole), Timings(page)


def render(facts, relevance, items, whole, page, hybrid=None) -> str:
    rows = [
        "| measure | value |",
        "|---|---|",
        f"| Full-text nDCG@10 (64 queries, 340 items) | {relevance['ndcg@10']:.3f} |",
        f"| Full-text recall@20 | {relevance['recall@20']:.3f} |",
    ]
    if hybrid is None:
        rows.append(
            "| Hybrid nDCG@10 / recall@20 | not measured: the `semantic` extra is not installed |"
        )
    else:
        scores, hybrid_whole = hybrid
        rows += [
            f"| Hybrid (full-text + all-MiniLM-L6-v2, RRF) nDCG@10 | {scores['ndcg@10']:.3f} |",
            f"| Hybrid recall@20 | {scores['recall@20']:.3f} |",
        ]
    rows += [
        f"| Search page data at {items:,} items (ranked page, total, counts, snippets) | "
        f"p50 {whole.p50:.1f} ms, p95 {whole.p95:.1f} ms (n={len(whole.samples)}) |",
        f"| Ranked first 20 alone at {items:,} items | p50 {page.p50:.1f} ms, "
        f"p95 {page.p95:.1f} ms |",
    ]
    if hybrid is not None:
        rows.append(
            f"| Hybrid search page data at {items:,} items (query embedding, cosine over "
            f"{items:,} vectors in numpy, fusion, counts, snippets) | p50 {hybrid_whole.p50:.1f}"
            f" ms, p95 {hybrid_whole.p95:.1f} ms (n={len(hybrid_whole.samples)}) |"
        )
    facts_text = "\n".join(f"- {key}: {value}" for key, value in facts.items())
    return f"""# Benchmarks: knowledge search

Written by `make bench` (`python -m bench.knowledge_run`); every run overwrites this file.

## Results

{chr(10).join(rows)}

## Machine and data

{facts_text}

## Method

- Relevance: the committed collection (`bridgework/knowledge/data/`, made by
  `python -m bridgework.knowledge.collection`): 340 fictional items in English and French, 64
  queries with graded judgments (3: the intervention asked for on the theme asked for; 2: the
  intervention on another theme; 1: the theme, or a related intervention). Each query is run
  through the same ranking as the search page (`knowledge.fts.ranked`) over the public items;
  nDCG@10 with gain 2^grade − 1, recall@20 over min(20, relevant).
- Latency: the collection grown to {items:,} items with other seeds of the same generator, all
  public; every query of the collection timed as a visitor through `search_items` (what the
  search page computes: the ranked page of 20, the total, the counts of five filters, the
  snippets) and the ranked page alone.
- Hybrid (only with the `semantic` extra): the 340 items embedded with all-MiniLM-L6-v2 (as the
  background task does), each query ranked by `knowledge.semantic.hybrid_order` — every
  full-text match and the 50 nearest items by cosine (≥ 0.25), fused by reciprocal rank
  (k = 60). Latency: the generated items get random unit vectors (embedding 20,000 items with
  the model is background work, not a request's); the timed search computes the query's
  vector and the cosine over every readable item's vector in numpy.
"""


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    prepare_environment(args)
    started = time.monotonic()
    load_at_start = _load_average()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bridgework.access.policy import sync_default_policy
    from bridgework.knowledge.relevance import load_collection
    from bridgework.knowledge.semantic import (
        MiniLMEmbedder,
        installed,
        use_embedder,
    )

    if connection.vendor != "sqlite":
        if "bench" not in str(connection.settings_dict["NAME"]):
            print("refusing to empty a database whose name lacks 'bench'", file=sys.stderr)
            return 2
        _create_database(connection)
    _step(started, f"Migrating a fresh {connection.vendor} database")
    call_command("migrate", interactive=False, verbosity=0)
    if connection.vendor != "sqlite":
        call_command("flush", interactive=False, verbosity=0)
    sync_default_policy()
    place_for = _tree()
    keys = load_collection(place_for)
    relevance = _relevance(keys)
    _step(started, f"Full-text relevance: {relevance}")
    model = MiniLMEmbedder() if installed() else None
    if model is not None:  # on the same 340 items as the full text, before they are grown
        scores = _hybrid_relevance(keys, model)
        _step(started, f"Hybrid relevance: {scores}")
    items = _grow(place_for, args.items)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    _step(started, f"{items:,} items; timing the search")
    use_embedder(None)  # full text first, whether or not the extra is installed
    whole, page = _latency(args.iterations)
    hybrid = None
    if model is not None:
        use_embedder(model)
        _random_vectors(model)
        hybrid_whole, _page = _latency(args.iterations)
        hybrid = (scores, hybrid_whole)
    facts = machine_facts(args, "none (in process)", load_at_start)
    for key in ("Load generator", "Scale factor", "gunicorn"):
        facts.pop(key, None)
    facts["Load average (1, 5, 15 min)"] = f"at start {load_at_start}; at end {_load_average()}"
    report = render(facts, relevance, items, whole, page, hybrid)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report)
    print(report.split("## Machine")[0])
    _step(started, f"Wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

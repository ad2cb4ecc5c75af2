"""Python's cyclic garbage collector, set for a process that serves requests (decision 0014).

A worker that has loaded Django and Bridgework holds about 280,000 objects the collector
tracks (modules, classes, URL patterns, compiled templates), none of which will ever be
garbage. A full collection traced them all: one every few hundred requests, 100-150 ms
each, in the middle of someone's request. Frozen once the application is loaded, they are
never traced again. Requests free nearly everything they make by reference counting (see
``bridgework.web.template_backend``), so the youngest generation can wait for more
allocations before a collection runs: fewer collections, each over the same few survivors."""

from __future__ import annotations

import gc

__all__ = ["YOUNGEST_THRESHOLD", "settle_for_serving"]

# Allocations (less deallocations) of tracked objects before the youngest generation is
# collected: Python's default is 700, fewer than one list page makes and keeps for its
# length (its records, rows and form), so two or three collections ran in every request.
YOUNGEST_THRESHOLD = 5_000


def settle_for_serving() -> None:
    """Once the WSGI application is built: load what every request needs (the URL patterns
    import every view), then freeze what is alive, and collect the youngest generation
    less often. Called by ``bridgework.wsgi``, never by tests or management commands."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (the property imports every urls and views module)
    gc.collect()
    gc.freeze()
    _youngest, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNGEST_THRESHOLD, middle, oldest)

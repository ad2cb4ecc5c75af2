"""Semantic events: "who did what to which record", written by actions.

The bottom layer only offers the call; the ``activity`` module registers the recorder that
stores events (as ``access`` registers the scope decider), so ``core`` imports nothing above
it. Without a recorder (a bare test settings file), recording is a no-op.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models

__all__ = ["record_event", "register_event_recorder"]

EventRecorder = Callable[..., object]
_recorder: EventRecorder | None = None


def register_event_recorder(recorder: EventRecorder) -> None:
    global _recorder
    _recorder = recorder


def record_event(record: models.Model, verb: str, *, actor, **details: Any) -> None:
    """Record that ``actor`` did ``verb`` to ``record`` (inside the caller's transaction)."""
    if _recorder is not None:
        _recorder(record, verb, actor=actor, **details)

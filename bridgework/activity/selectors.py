"""Reads of events: a record's timeline and a place's activity feed, for one reader."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from bridgework.core.paths import subtree_q

from .models import Event
from .workflows import workflows

__all__ = ["TimelineEntry", "place_activity", "timeline_of"]

FEED_SIZE = 50


@dataclass(frozen=True)
class TimelineEntry:
    event: Event
    sentence: str
    record: models.Model | None  # None: deleted, or no longer visible to the reader
    kind: str  # the record's model, in words

    @property
    def note(self) -> str:
        return self.event.note


def _sentence(event: Event) -> str:
    """What happened, in the reader's language (the actor is shown beside it)."""
    if event.verb == "created":
        return _("created it")
    if event.verb == "changed":
        return _("changed it")
    if event.verb == "deleted":
        return _("deleted it")
    if event.is_transition:
        workflow = workflows().get(event.workflow)
        if workflow is None:
            return _("moved it from %(from)s to %(to)s") % {
                "from": event.from_state,
                "to": event.to_state,
            }
        step = next(
            (
                t.label
                for t in workflow.transitions
                if t.target == event.to_state and event.from_state in t.sources
            ),
            "",
        )
        return _("%(step)s: %(from)s → %(to)s") % {
            "step": step or _("moved it"),
            "from": workflow.state_label(event.from_state),
            "to": workflow.state_label(event.to_state),
        }
    return event.verb.replace("_", " ")


def timeline_of(record: models.Model, user, *, limit: int = 100) -> list[TimelineEntry]:
    """Everything that happened to ``record``, newest first. The caller has checked that
    ``user`` may see it (``access_record``)."""
    events = Event.objects.about(record).select_related("actor", "content_type")[:limit]
    kind = str(type(record)._meta.verbose_name)
    return [TimelineEntry(event, _sentence(event), record, kind) for event in events]


def place_activity(place, user, *, limit: int = FEED_SIZE) -> list[TimelineEntry]:
    """What happened at ``place`` and below it, newest first, about records of the kinds
    ``user`` may read; each record is named only if the reader may still see it."""
    events = list(
        Event.objects.visible_to(user, "view")
        .filter(subtree_q("place_path", place.path))
        .select_related("actor", "content_type")
        .order_by("-occurred_at", "-pk")[:limit]
    )
    visible = _visible_records(events, user)
    return [
        TimelineEntry(
            event,
            _sentence(event),
            visible.get((event.content_type_id, event.object_id)),
            str(event.content_type.model_class()._meta.verbose_name)
            if event.content_type.model_class()
            else "",
        )
        for event in events
    ]


def _visible_records(events: list[Event], user) -> dict[tuple[int, str], Any]:
    """The events' records the reader may see now: one query per kind of record."""
    wanted: dict[int, set[str]] = defaultdict(set)
    models_by_type = {}
    for event in events:
        wanted[event.content_type_id].add(event.object_id)
        models_by_type[event.content_type_id] = event.content_type.model_class()
    found: dict[tuple[int, str], Any] = {}
    for type_id, ids in wanted.items():
        model = models_by_type[type_id]
        if model is None:
            continue
        manager: Any = model._default_manager
        for obj in manager.visible_to(user, "view").filter(pk__in=ids):
            found[(type_id, str(obj.pk))] = obj
    return found

"""Reads of events: a record's timeline and a place's activity feed, for one reader."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from bridgework.access.policy import HIDDEN
from bridgework.core.paths import subtree_q
from bridgework.core.scoping import ScopedQuerySet

from .models import Event
from .workflows import workflows

__all__ = [
    "HistoryEntry",
    "TimelineEntry",
    "audit_history",
    "place_activity",
    "shown_changes",
    "timeline_of",
]

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
    if event.verb == "boundary_set":
        return _("set its boundary on the map")
    if event.verb == "erased":
        return _("erased the personal data it held")
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


def place_activity(
    place, user, *, limit: int = FEED_SIZE, leave_out: Iterable[str] = ()
) -> list[TimelineEntry]:
    """What happened at ``place`` and below it, newest first, about records of the kinds
    ``user`` may read, but none of the models ``leave_out`` ("app.model": those waiting for
    a second factor); each record is named only if the reader may still see it."""
    found = Event.objects.visible_to(user, "view").filter(subtree_q("place_path", place.path))
    if leave_out:
        waiting = [ContentType.objects.get_by_natural_key(*label.split(".")) for label in leave_out]
        found = found.exclude(content_type__in=waiting)
    events = list(
        found.select_related("actor", "content_type").order_by("-occurred_at", "-pk")[:limit]
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


# --- the audit log, as a reader may see it --------------------------------------------------------

HISTORY_SIZE = 200


@dataclass(frozen=True)
class HistoryEntry:
    """One audit log entry and its changes (field → [before, after]) as the reader may see
    them: a related record is named only when the reader may see it now."""

    log: LogEntry
    changes: dict[str, list[str]]


def audit_history(record: models.Model, user, *, limit: int = HISTORY_SIZE) -> list[HistoryEntry]:
    """The audit log of ``record``, newest first. The caller has checked that ``user`` may
    read its history (``access_record``)."""
    entries = list(
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(type(record)), object_pk=str(record.pk)
        )
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")[:limit]
    )
    return [HistoryEntry(entry, changes) for entry, changes in shown_changes(entries, user)]


def _related_field(model: type[models.Model] | None, name: str) -> Any:
    """The foreign key (or one-to-one) ``name`` of ``model``, or None."""
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if field.many_to_one or field.one_to_one else None


def _is_scoped(model: type[models.Model]) -> bool:
    return isinstance(model._default_manager.all(), ScopedQuerySet)


def shown_changes(entries: Iterable[LogEntry], user) -> list[tuple[LogEntry, dict[str, list[str]]]]:
    """Each entry with its changes for display (auditlog's ``changes_display_dict``), except
    that a foreign key's value is the related record's name only when ``user`` may see that
    record now, and "a record you cannot see" otherwise — the audit log stores ids, and
    auditlog would look every one up unscoped. One query per related model."""
    entries = list(entries)
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for entry in entries:
        model = entry.content_type.model_class()
        for name, values in entry.changes_dict.items():
            field = _related_field(model, name)
            if field is None:
                continue
            for value in values:
                try:
                    pk = field.related_model._meta.pk.to_python(value)
                except ValidationError:
                    continue
                if pk is not None:
                    wanted[field.related_model].add(pk)
    names: dict[tuple[type[models.Model], str], str] = {}
    for related, pks in wanted.items():
        manager: Any = related._default_manager
        rows = manager.visible_to(user, "view") if _is_scoped(related) else manager.all()
        for obj in rows.filter(pk__in=pks):
            names[(related, str(obj.pk))] = str(obj)

    def fk_display(field, value) -> str:
        if value in (None, "None", ""):
            return "None"
        known = names.get((field.related_model, str(value)))
        if known is not None:
            return known
        # Gone, or out of the reader's sight: a scoped record's absence says nothing more.
        return str(HIDDEN) if _is_scoped(field.related_model) else _("a deleted record")

    shown = []
    for entry in entries:
        # auditlog resolves foreign keys in this one method: the reader's answer replaces it.
        entry._get_changes_display_for_fk_field = fk_display  # type: ignore[method-assign]
        shown.append((entry, entry.changes_display_dict))
    return shown

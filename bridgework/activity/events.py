"""Writing events: the recorder ``core.events.record_event`` calls (registered at start-up)."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from bridgework.core.tlp import TLP

from .models import Event

__all__ = ["effective_tlp", "store_event"]


def effective_tlp(record: models.Model) -> int:
    """The label that governs who reads ``record``: its own, or its parent's for a part (a
    seat of a body, a decision of a meeting), or CLEAR for a record without one."""
    tlp_field = getattr(record, "scope_tlp_field", None)
    if tlp_field:
        return int(getattr(record, tlp_field))
    parent_field = getattr(record, "scope_parent_field", None)
    if parent_field:
        parent = getattr(record, parent_field, None)
        if parent is not None:
            return effective_tlp(parent)
    return int(TLP.CLEAR)


def _place_path(record: models.Model) -> str:
    path_field = getattr(record, "scope_path_field", None)
    return str(getattr(record, path_field, "") or "") if path_field else ""


def store_event(record: models.Model, verb: str, *, actor=None, **details: Any) -> Event | None:
    """One event row for ``record``. Records that belong to no place (a user's token) have no
    place timeline and are not recorded."""
    path = _place_path(record)
    if not path or record.pk is None:
        return None
    return Event.objects.create(
        content_type=ContentType.objects.get_for_model(type(record)),
        object_id=str(record.pk),
        place_path=path,
        tlp=effective_tlp(record),
        actor=actor if getattr(actor, "pk", None) else None,
        verb=verb,
        workflow=details.get("workflow", ""),
        from_state=details.get("from_state", ""),
        to_state=details.get("to_state", ""),
        note=details.get("note", ""),
    )

"""Keep people's contact details out of the audit log, and scrub it on erasure.

The log records *that* an email or phone number changed, never the values (QUALITY.md: the
log holds no personal data beyond ids). Names still appear in ``object_repr`` until erasure
scrubs them.
"""

from __future__ import annotations

import json

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

__all__ = ["ERASED", "PERSONAL_FIELDS", "mask_personal", "register_personal_masks", "scrub_log"]

PERSONAL_FIELDS = ("email", "phone", "notes")
ERASED = "[erased]"


def mask_personal(value: str) -> str:
    return "[hidden]" if value not in ("", "None") else ""


def register_personal_masks() -> None:
    """Re-register Person (include-all registered it first) with its contacts masked."""
    from .models import Person

    auditlog.unregister(Person)
    auditlog.register(
        Person,
        mask_fields=list(PERSONAL_FIELDS),
        mask_callable="bridgework.actors.audit.mask_personal",
    )


def _variants(secret: str) -> set[str]:
    """The text as stored raw and as JSON escapes it (non-ASCII becomes \\uXXXX)."""
    return {secret, json.dumps(secret)[1:-1]} - {""}


def _scrub_text(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, ERASED)
    return text


def _scrub_json(value, secrets: list[str]):
    if value is None:
        return None
    return json.loads(_scrub_text(json.dumps(value), secrets))


def scrub_log(*, objects: dict[type, list[int]], secrets: list[str]) -> int:
    """Replace every occurrence of ``secrets`` in the log entries of ``objects`` and in any
    other entry that mentions them. Returns how many entries changed."""
    secrets = sorted({v for s in secrets if s for v in _variants(s)}, key=len, reverse=True)
    if not secrets:
        return 0
    about = Q(pk__in=[])
    for model, pks in objects.items():
        about |= Q(
            content_type=ContentType.objects.get_for_model(model),
            object_pk__in=[str(pk) for pk in pks],
        )
    mentions = Q(pk__in=[])
    for secret in secrets:
        mentions |= (
            Q(object_repr__contains=secret)
            | Q(changes_text__contains=secret)
            | Q(changes__icontains=secret)
            | Q(serialized_data__icontains=secret)
            | Q(additional_data__icontains=secret)
            | Q(actor_email=secret)
        )
    changed = 0
    for entry in LogEntry.objects.filter(about | mentions).iterator(chunk_size=500):
        before = (
            entry.object_repr,
            entry.changes_text,
            json.dumps(entry.changes),
            json.dumps(entry.serialized_data),
            json.dumps(entry.additional_data),
            entry.actor_email,
        )
        entry.object_repr = _scrub_text(entry.object_repr, secrets)
        entry.changes_text = _scrub_text(entry.changes_text or "", secrets)
        entry.changes = _scrub_json(entry.changes, secrets)
        entry.serialized_data = _scrub_json(entry.serialized_data, secrets)
        entry.additional_data = _scrub_json(entry.additional_data, secrets)
        if entry.actor_email in secrets:
            entry.actor_email = ""
        after = (
            entry.object_repr,
            entry.changes_text,
            json.dumps(entry.changes),
            json.dumps(entry.serialized_data),
            json.dumps(entry.additional_data),
            entry.actor_email,
        )
        if after != before:
            # A queryset update: saving a LogEntry must not itself be logged or re-signalled.
            LogEntry.objects.filter(pk=entry.pk).update(
                object_repr=entry.object_repr,
                changes_text=entry.changes_text,
                changes=entry.changes,
                serialized_data=entry.serialized_data,
                additional_data=entry.additional_data,
                actor_email=entry.actor_email,
            )
            changed += 1
    return changed

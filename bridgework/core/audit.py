"""Audit entries for records written in bulk.

``bulk_create`` sends no signals, so auditlog records nothing for it. An import that inserts
thousands of rows at once (every ISO 3166-2 subdivision) still owes one *create* entry per
record: :func:`log_bulk_created` writes them, shaped as auditlog's own, in one INSERT, instead
of a diff and an INSERT per row."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from auditlog.cid import get_cid
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


def _logged_text(value) -> str:
    """A value as auditlog writes it in ``changes`` (a string; datetimes naive in UTC)."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.make_naive(value, datetime.UTC)
    return str(value)


def log_bulk_created(objects: Sequence[models.Model], *, actor=None) -> None:
    """One audit *create* entry per saved record of one model, with every field it was given
    (as "None" → value), attributed to ``actor`` (None for a command run by the system)."""
    if not objects:
        return
    model = type(objects[0])
    excluded = set(getattr(settings, "AUDITLOG_EXCLUDE_TRACKING_FIELDS", ()))
    fields = [field for field in model._meta.concrete_fields if field.name not in excluded]
    content_type = ContentType.objects.get_for_model(model)
    cid = get_cid()
    entries = []
    for obj in objects:
        changes = {}
        for field in fields:
            value = getattr(obj, field.attname)
            if value is not None:
                changes[field.name] = ["None", _logged_text(value)]
        entries.append(
            LogEntry(
                content_type=content_type,
                object_pk=str(obj.pk),
                object_id=obj.pk if isinstance(obj.pk, int) else None,
                object_repr=str(obj),
                action=LogEntry.Action.CREATE,
                changes=changes,
                actor=actor,
                actor_email=getattr(actor, "email", None),
                cid=cid,
            )
        )
    LogEntry.objects.bulk_create(entries, batch_size=500)

"""Background tasks of the response module."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_tasks import task

from .actions import do_apply_retention

__all__ = ["apply_report_retention"]


@task()
def apply_report_retention(day: str | None = None) -> dict[str, int]:
    """Delete or anonymise the reports past their retention (``day`` as YYYY-MM-DD)."""
    today = datetime.date.fromisoformat(day) if day else timezone.localdate()
    return do_apply_retention(today=today)

"""Background tasks of the funding module."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_tasks import task

from .actions import do_remind_overdue_reports

__all__ = ["remind_overdue_reports"]


@task()
def remind_overdue_reports(day: str | None = None) -> int:
    """Remind grantees and fund staff of overdue reports, at most once a week per grant
    (``day`` as YYYY-MM-DD, today by default); returns how many grants were reminded."""
    today = datetime.date.fromisoformat(day) if day else timezone.localdate()
    return len(do_remind_overdue_reports(today=today))

"""Background tasks of the bodies module."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_tasks import task

from .actions import do_notify_overdue_actions

__all__ = ["notify_overdue_actions"]


@task()
def notify_overdue_actions(day: str | None = None) -> int:
    """Remind the owners of overdue action items, once per item per day (``day`` as
    YYYY-MM-DD, today by default); returns how many items were claimed."""
    today = datetime.date.fromisoformat(day) if day else timezone.localdate()
    return len(do_notify_overdue_actions(today=today))

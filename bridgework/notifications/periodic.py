"""The notifications module's periodic jobs (run by the ``scheduler`` command)."""

from __future__ import annotations

from datetime import timedelta

from bridgework.core.periodic import PeriodicJob

from .delivery import daily_digest
from .email import retry_emails
from .retention import retention

__all__ = ["JOBS"]

JOBS = [
    PeriodicJob("notifications.daily_digest", daily_digest, timedelta(days=1), timedelta(hours=6)),
    PeriodicJob("notifications.retry_emails", retry_emails, timedelta(minutes=10)),
    PeriodicJob("notifications.retention", retention, timedelta(days=1), timedelta(hours=3)),
]

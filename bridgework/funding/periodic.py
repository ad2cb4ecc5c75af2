"""The funding module's periodic jobs (run by the ``scheduler`` command)."""

from __future__ import annotations

from datetime import timedelta

from bridgework.core.periodic import PeriodicJob

from .tasks import remind_overdue_reports

__all__ = ["JOBS"]

JOBS = [
    # Daily at 06:30 (TIME_ZONE); each grant is reminded at most once a week.
    PeriodicJob(
        "funding.overdue_reports",
        remind_overdue_reports,
        timedelta(days=1),
        timedelta(hours=6, minutes=30),
    ),
]

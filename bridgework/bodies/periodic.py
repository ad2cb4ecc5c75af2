"""The bodies module's periodic jobs (run by the ``scheduler`` command)."""

from __future__ import annotations

from datetime import timedelta

from bridgework.core.periodic import PeriodicJob

from .tasks import notify_overdue_actions

__all__ = ["JOBS"]

JOBS = [
    # Daily at 06:00 (TIME_ZONE), so reminders arrive in the morning.
    PeriodicJob(
        "bodies.overdue_actions", notify_overdue_actions, timedelta(days=1), timedelta(hours=6)
    ),
]

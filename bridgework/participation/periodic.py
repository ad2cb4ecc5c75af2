"""The participation module's periodic jobs (run by the ``scheduler`` command)."""

from __future__ import annotations

from datetime import timedelta

from bridgework.core.periodic import PeriodicJob

from .tasks import archive_closed_proposals

__all__ = ["JOBS"]

JOBS = [
    # Daily at 03:00 (TIME_ZONE): closed proposals leave the public lists after some months.
    PeriodicJob(
        "participation.archive", archive_closed_proposals, timedelta(days=1), timedelta(hours=3)
    ),
]

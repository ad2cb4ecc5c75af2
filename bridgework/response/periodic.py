"""The response module's periodic jobs (run by the ``scheduler`` command)."""

from __future__ import annotations

from datetime import timedelta

from bridgework.core.periodic import PeriodicJob

from .tasks import apply_report_retention

__all__ = ["JOBS"]

JOBS = [
    # Daily at 02:00: reports past their retention are deleted or anonymised.
    PeriodicJob(
        "response.retention", apply_report_retention, timedelta(days=1), timedelta(hours=2)
    ),
]

"""Periodic jobs: what runs on a schedule, declared by each module, started by one scheduler.

A module lists its jobs in ``periodic.py`` as ``JOBS = [PeriodicJob(name, task, every)]``
(see :mod:`bridgework.core.modules`). The ``scheduler`` command calls :func:`run_due` every
minute or so (or once, from cron, with ``--once``): each job whose current period has not
started yet is *claimed* with a conditional UPDATE of its :class:`~bridgework.core.models.
PeriodicRun` row and its task enqueued, in one transaction. Two schedulers running at once
cannot both win the claim, so a run is enqueued once per period however many schedulers run.

Periods are aligned, not counted from the last run, so jobs do not drift: a daily job is due
once per calendar day (at ``offset`` past midnight in ``TIME_ZONE``, standard time), a job
every 10 minutes at :00, :10, … The work itself runs in a task worker (``db_worker`` or
``rqworker``), never in the scheduler.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import PeriodicRun
from .modules import module_parts

__all__ = ["PeriodicJob", "claim", "jobs", "period_start", "run_due"]

log = logging.getLogger("bridgework.scheduler")


@dataclass(frozen=True)
class PeriodicJob:
    """``task`` (a ``django_tasks`` task taking no arguments) is enqueued once per ``every``,
    at ``offset`` into each period (``every=timedelta(days=1), offset=timedelta(hours=6)``:
    daily at 06:00)."""

    name: str
    task: Any  # django_tasks.Task
    every: datetime.timedelta
    offset: datetime.timedelta = datetime.timedelta(0)

    def __post_init__(self) -> None:
        if self.every <= datetime.timedelta(0):
            raise ValueError(f"periodic job {self.name!r}: every must be positive")
        if not datetime.timedelta(0) <= self.offset < self.every:
            raise ValueError(f"periodic job {self.name!r}: offset must lie within one period")


def jobs() -> list[PeriodicJob]:
    """Every module's ``periodic.JOBS``, in ``INSTALLED_APPS`` order; names are unique."""
    found: dict[str, PeriodicJob] = {}
    for config, part in module_parts("periodic"):
        for job in getattr(part, "JOBS", ()):
            if job.name in found:
                raise ValueError(f"{config.name}.periodic repeats the job name {job.name!r}")
            found[job.name] = job
    return list(found.values())


def _epoch() -> datetime.datetime:
    # A Monday at midnight in the site's time zone: weekly jobs fall on Mondays.
    return timezone.make_aware(datetime.datetime(2000, 1, 3), timezone.get_default_timezone())


def period_start(job: PeriodicJob, now: datetime.datetime) -> datetime.datetime:
    """The start of the period of ``job`` that holds ``now``."""
    origin = _epoch() + job.offset
    return origin + ((now - origin) // job.every) * job.every


def _now() -> datetime.datetime:
    return timezone.now()


def claim(job: PeriodicJob, now: datetime.datetime) -> bool:
    """Take this period's run of ``job``: True for exactly one caller per period."""
    PeriodicRun.objects.get_or_create(name=job.name)
    start = period_start(job, now)
    won = (
        PeriodicRun.objects.filter(name=job.name)
        .filter(Q(last_started_at__isnull=True) | Q(last_started_at__lt=start))
        .update(last_started_at=now)
    )
    return won == 1


def run_due(now: datetime.datetime | None = None) -> list[str]:
    """Enqueue every job that is due; returns the names of those enqueued.

    Claim and enqueue share one transaction: when the enqueue fails (the queue is down), the
    claim is rolled back and the next call tries again."""
    now = now or _now()
    started = []
    for job in jobs():
        try:
            with transaction.atomic():
                if claim(job, now):
                    job.task.enqueue()
                    started.append(job.name)
        except Exception:
            log.exception("could not enqueue periodic job %s", job.name)
    if started:
        log.info("enqueued %s", ", ".join(started))
    return started

"""What the funding module puts on the home page: for an applicant, what is due (reports due
or overdue, draft applications, calls closing soon); for fund staff, the pipeline counts and
the overdue reports. A fixed number of queries whatever the number of records."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count
from django.utils import timezone

from bridgework.access.policy import can
from bridgework.core.modules import HomeSection

from . import selectors
from .choices import ApplicationStatus
from .models import Application, Call, Grant

__all__ = ["SECTIONS", "STEPS"]

SHOWN = 5
CLOSING_SOON = datetime.timedelta(days=14)


def _applicant(user, now: datetime.datetime) -> dict[str, Any] | None:
    if not can(user, "change", Application):
        return None
    due = selectors.due_summary(user, SHOWN, timezone.localdate(now))
    drafts = list(
        Application.objects.visible_to(user, "change")
        .filter(status=ApplicationStatus.DRAFT)
        .select_related("call", "call__fund")
        .order_by("call__closes_at", "pk")[:SHOWN]
    )
    closing = list(
        Call.objects.visible_to(user)
        .filter(opens_at__lte=now, closes_at__gt=now, closes_at__lte=now + CLOSING_SOON)
        .select_related("fund")
        .order_by("closes_at", "pk")[:SHOWN]
    )
    if not (due.count or drafts or closing):
        return None
    return {
        "due": due.first,
        "more_due": due.count - len(due.first),
        "drafts": drafts,
        "closing": closing,
    }


def _staff(user) -> dict[str, Any] | None:
    if not can(user, "change", Grant):
        return None
    counts = dict(
        Application.objects.visible_to(user)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    pipeline = [
        (label, counts[value]) for value, label in ApplicationStatus.choices if value in counts
    ]
    overdue = selectors.overdue_summary(user, SHOWN)
    if not (pipeline or overdue.count):
        return None
    return {
        "pipeline": pipeline,
        "overdue": overdue.first,
        "overdue_count": overdue.count,
    }


def _funding(request) -> dict[str, Any] | None:
    user = request.user
    now = timezone.now()
    applicant, staff = _applicant(user, now), _staff(user)
    if applicant is None and staff is None:
        return None
    return {"applicant": applicant, "staff": staff}


SECTIONS = [HomeSection(55, "funding/_home_funding.html", _funding)]

STEPS: list = []

"""Writes of the funding module: each audited, scope re-checked, in one transaction."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgework.core.actions import do_create_record, do_update_record
from bridgework.core.events import record_event
from bridgework.notifications.actions import notify

from .budgets import check_schedule
from .choices import ApplicationStatus, GrantStatus, TrancheStatus
from .models import Application, Grant, Review, Tranche
from .notifications import REPORT_OVERDUE, REVIEW_ASSIGNED, grant_audience

__all__ = [
    "EDITABLE",
    "do_assign_reviewer",
    "do_award_grant",
    "do_edit_application",
    "do_remind_overdue_reports",
    "do_update_grant",
]

# An applicant changes an application while drafting it and when asked for more information.
EDITABLE = (ApplicationStatus.DRAFT, ApplicationStatus.MORE_INFO)


@transaction.atomic
def do_edit_application(
    application: Application, *, acting_user, save_related: Callable[[], None] | None = None
) -> Application:
    stored = Application.objects.only("status").get(pk=application.pk)
    if stored.status not in EDITABLE:
        raise ValidationError(
            _(
                "An application can be changed while it is a draft or when more information is "
                "asked for; this one is %(state)s."
            )
            % {"state": stored.get_status_display().lower()}
        )
    do_update_record(application, acting_user=acting_user, save_related=save_related)
    return application


@transaction.atomic
def do_assign_reviewer(review: Review, *, acting_user) -> Review:
    """Give an application to a reviewer, who is told."""
    do_create_record(review, acting_user=acting_user)
    notify(REVIEW_ASSIGNED, record=review, recipients=[review.reviewer], actor=acting_user)
    return review


@transaction.atomic
def do_update_grant(
    grant: Grant, *, acting_user, save_related: Callable[[], None] | None = None
) -> Grant:
    """Save a grant; a grant corrected onto another application takes its tranches and
    reports along (they are seen where the application is)."""
    do_update_record(grant, acting_user=acting_user, save_related=save_related)
    for part in (*grant.tranches.all(), *grant.reports.all()):
        if part.application_id != grant.application_id:
            do_update_record(part, acting_user=acting_user)
    return grant


@transaction.atomic
def do_award_grant(
    grant: Grant,
    *,
    schedule: list[tuple[datetime.date, Decimal]],
    acting_user,
    save_related: Callable[[], None] | None = None,
) -> Grant:
    """Make the grant on an approved application with its schedule of tranches (which must add
    up to the amount and fall within the grant's years); the first tranche is paid on award."""
    if grant.amount is not None and grant.starts_on and grant.years:
        try:
            check_schedule(
                schedule, amount=grant.amount, starts_on=grant.starts_on, years=grant.years
            )
        except ValidationError as exc:
            raise ValidationError({"schedule": exc.messages}) from None
    do_create_record(grant, acting_user=acting_user, save_related=save_related)
    today = timezone.localdate()
    for number, (due, amount) in enumerate(schedule, 1):
        first = number == 1  # paid on award: it depends on no report
        do_create_record(
            Tranche(
                grant=grant,
                number=number,
                due_on=due,
                amount=amount,
                status=TrancheStatus.RELEASED if first else TrancheStatus.PLANNED,
                released_on=today if first else None,
            ),
            acting_user=acting_user,
        )
    record_event(grant.application, "awarded", actor=acting_user, amount=str(grant.amount))
    return grant


REMIND_EVERY = datetime.timedelta(days=7)


def do_remind_overdue_reports(*, today: datetime.date) -> list[int]:
    """Remind the people of each grant with an overdue report, at most once a week per grant.

    The claim is a conditional UPDATE, so two runs at once never send the same reminder twice.
    Returns the ids of the grants whose people were reminded."""
    from .selectors import overdue_in

    overdue = overdue_in(
        Grant.objects.exclude(status=GrantStatus.CLOSED).select_related("application"), today
    )
    first_per_grant: dict[int, Any] = {}
    for item in overdue:
        first_per_grant.setdefault(item.grant.pk, item)
    claimed = []
    for pk, item in first_per_grant.items():
        # A bookkeeping date, not a change anyone made: written without an audit entry.
        won = (
            Grant.objects.filter(pk=pk)
            .exclude(reminded_on__gt=today - REMIND_EVERY)
            .update(reminded_on=today)
        )
        if won:
            claimed.append(pk)
            notify(
                REPORT_OVERDUE,
                record=item.grant,
                recipients=grant_audience(item.grant),
                context={
                    "start": item.period_start.isoformat(),
                    "end": item.period_end.isoformat(),
                    "due": item.due_on.isoformat(),
                },
            )
    return claimed

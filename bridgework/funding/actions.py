"""Writes of the funding module: each audited, scope re-checked, in one transaction."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgework.core.actions import do_create_record, do_delete_record, do_update_record
from bridgework.core.events import record_event
from bridgework.notifications.actions import notify

from .budgets import check_schedule, first_unreported_period_end, report_periods
from .choices import OPEN_GRANT_STATUSES, ApplicationStatus, ReportStatus, TrancheStatus
from .models import Application, Grant, Report, Review, Tranche
from .notifications import REPORT_OVERDUE, REVIEW_ASSIGNED, grant_audience

__all__ = [
    "EDITABLE",
    "do_assign_reviewer",
    "do_award_grant",
    "do_delete_report",
    "do_edit_application",
    "do_remind_overdue_reports",
    "do_submit_report",
    "do_update_grant",
    "do_update_report",
    "refresh_next_report",
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
    _lock_parts(grant)
    do_update_record(grant, acting_user=acting_user, save_related=save_related)
    for part in (*grant.tranches.all(), *grant.reports.all()):
        if part.application_id != grant.application_id:
            do_update_record(part, acting_user=acting_user)
    # Its start, term or report frequency may have changed: so may its periods.
    refresh_next_report([grant.pk], instances=[grant])
    return grant


def _lock_parts(grant: Grant) -> None:
    """Lock a grant's tranches and reports before the grant itself. A report's workflow step
    and its corrections lock the report, then its grant (``refresh_next_report``); a grant
    saved first and its reports after could deadlock with one of them on PostgreSQL."""
    for part in (Tranche, Report):
        locking = part.objects.select_for_update().filter(grant_id=grant.pk).order_by("pk")
        list(locking.values_list("pk", flat=True))


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
    refresh_next_report([grant.pk], instances=[grant])
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


# --- the next report period of a grant -----------------------------------------------------------

# Grants whose ids are read in one query when their next report periods are worked out.
REFRESH_CHUNK = 500


@transaction.atomic
def refresh_next_report(
    grant_ids: Iterable[int | None],
    *,
    pending: Report | None = None,
    instances: Iterable[Grant] = (),
) -> dict[int, datetime.date | None]:
    """Store on each of the grants the last day of its earliest report period with no report
    filed (a returned report does not count; null when every period has one), as
    :func:`~bridgework.funding.selectors.overdue_reports` and the others read it.

    ``pending`` is a report whose new state is not saved yet (a workflow step in progress):
    it counts as it is in memory, not as stored. ``instances`` (grants in memory) get the new
    value too. A bookkeeping date, not a change anyone made: written without an audit entry
    and without touching the grant's last-modified time. Returns the value of each grant.

    The grants' rows are locked before their reports are read, so two changes to one grant's
    reports at once are worked out one after the other (on PostgreSQL each sees the other's
    committed report), never both from the same stale list."""
    ids = sorted({pk for pk in grant_ids if pk is not None})
    values: dict[int, datetime.date | None] = {}
    for offset in range(0, len(ids), REFRESH_CHUNK):
        chunk = ids[offset : offset + REFRESH_CHUNK]
        stored = list(
            Grant.objects.select_for_update()
            .filter(pk__in=chunk)
            .order_by("pk")
            .values_list(
                "pk", "starts_on", "years", "report_every_months", "next_report_period_end"
            )
        )
        reported: dict[int, set[datetime.date]] = {pk: set() for pk in chunk}
        filed = Report.objects.filter(grant_id__in=chunk).exclude(status=ReportStatus.RETURNED)
        if pending is not None and pending.pk is not None:
            filed = filed.exclude(pk=pending.pk)
        for grant_id, end in filed.values_list("grant_id", "period_end"):
            reported[grant_id].add(end)
        if (
            pending is not None
            and pending.grant_id in reported
            and pending.status != ReportStatus.RETURNED
        ):
            reported[pending.grant_id].add(pending.period_end)
        changed: dict[datetime.date | None, list[int]] = {}
        for pk, starts_on, years, every, before in stored:
            value = first_unreported_period_end(
                report_periods(starts_on, years, every), reported[pk]
            )
            values[pk] = value
            if value != before:
                changed.setdefault(value, []).append(pk)
        for value, pks in changed.items():
            Grant.objects.filter(pk__in=pks).update(next_report_period_end=value)
    for grant in instances:
        if grant.pk in values:
            grant.next_report_period_end = values[grant.pk]
    return values


# --- reports -------------------------------------------------------------------------------------


@transaction.atomic
def do_submit_report(
    report: Report, *, acting_user, save_related: Callable[[], None] | None = None
) -> Report:
    """File a report on a grant's period: that period is no longer due."""
    do_create_record(report, acting_user=acting_user, save_related=save_related)
    refresh_next_report([report.grant_id])
    return report


@transaction.atomic
def do_update_report(
    report: Report, *, acting_user, save_related: Callable[[], None] | None = None
) -> Report:
    """Correct a report: its period (or the grant it is on) may change what is due, on the
    grant it was on and on the one it is on now."""
    before = Report.objects.filter(pk=report.pk).values_list("grant_id", flat=True).first()
    do_update_record(report, acting_user=acting_user, save_related=save_related)
    refresh_next_report([report.grant_id, before])
    return report


@transaction.atomic
def do_delete_report(report: Report, *, acting_user) -> None:
    """Delete a report: its period is due again (unless another report covers it)."""
    grant_id = report.grant_id
    do_delete_record(report, acting_user=acting_user)
    refresh_next_report([grant_id])


REMIND_EVERY = datetime.timedelta(days=7)


def do_remind_overdue_reports(*, today: datetime.date) -> list[int]:
    """Remind the people of each grant with an overdue report, at most once a week per grant.

    The claim is a conditional UPDATE, so two runs at once never send the same reminder twice.
    Returns the ids of the grants whose people were reminded."""
    from .selectors import overdue_in

    overdue = overdue_in(
        Grant.objects.filter(status__in=OPEN_GRANT_STATUSES).select_related("application"), today
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

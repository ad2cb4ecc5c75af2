"""State changes of the bodies module. Each is atomic, audited as the acting user and
re-checked against the user's scope after saving; emails leave only after the commit."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from bridgework.access.models import User
from bridgework.access.policy import permits, permits_add
from bridgework.activity.workflows import do_transition
from bridgework.core.actions import do_create_record, do_delete_record, do_update_record
from bridgework.notifications.actions import notify

from .models import ActionItem, ActionUpdate, Attendance, Decision, Meeting, Seat
from .notifications import ACTION_ASSIGNED, ACTION_OVERDUE, owner_audience
from .workflows import ACTION_ITEM

__all__ = [
    "check_may_raise",
    "do_add_decision",
    "do_create_action_item",
    "do_create_decision",
    "do_notify_overdue_actions",
    "do_post_action_update",
    "do_record_attendance",
    "do_record_minutes",
    "do_update_action_item",
    "do_update_decision",
    "step_to",
]


# --- meetings ----------------------------------------------------------------------------------


@transaction.atomic
def do_record_attendance(
    meeting: Meeting, *, present_seats: Iterable[Seat], acting_user
) -> list[Attendance]:
    """Make the seats recorded as present exactly ``present_seats``. Guests (attendance without
    a seat) are left alone; each added or removed row is audited and scope-checked."""
    wanted = {seat.pk: seat for seat in present_seats}
    stray = [seat for seat in wanted.values() if seat.body_id != meeting.body_id]
    if stray:
        raise ValidationError({"seats": _("Only seats of this body can be recorded.")})
    recorded = {row.seat_id: row for row in meeting.attendances.filter(seat__isnull=False)}
    for seat_id, row in recorded.items():
        if seat_id not in wanted:
            do_delete_record(row, acting_user=acting_user)
    created = [
        # do_create_record returns the record it was given, typed as a plain Model
        cast(
            Attendance,
            do_create_record(Attendance(meeting=meeting, seat=seat), acting_user=acting_user),
        )
        for seat_id, seat in wanted.items()
        if seat_id not in recorded
    ]
    return created


@transaction.atomic
def do_record_minutes(meeting: Meeting, *, minutes: str, status: str, acting_user) -> Meeting:
    meeting.minutes = minutes
    meeting.status = status
    do_update_record(meeting, acting_user=acting_user)
    return meeting


def _next_decision_number(meeting: Meeting) -> int:
    highest = Decision.objects.filter(meeting=meeting).aggregate(top=Max("number"))["top"]
    return (highest or 0) + 1


@transaction.atomic
def do_create_decision(decision: Decision, *, acting_user) -> Decision:
    """Save a decision; without a number it takes the meeting's next one."""
    if decision.meeting_id and not decision.number:
        # Lock the meeting so two clerks recording at once cannot take the same number.
        Meeting.objects.select_for_update().filter(pk=decision.meeting_id).first()
        decision.number = _next_decision_number(decision.meeting)
    do_create_record(decision, acting_user=acting_user)
    return decision


@transaction.atomic
def do_update_decision(decision: Decision, *, acting_user) -> Decision:
    """Save changes; a number cleared in the form takes the meeting's next one."""
    if not decision.number:
        Meeting.objects.select_for_update().filter(pk=decision.meeting_id).first()
        decision.number = _next_decision_number(decision.meeting)
    do_update_record(decision, acting_user=acting_user)
    return decision


def do_add_decision(meeting: Meeting, *, text: str, acting_user) -> Decision:
    return do_create_decision(Decision(meeting=meeting, text=text.strip()), acting_user=acting_user)


# --- action items ------------------------------------------------------------------------------


def _owner_key(item: ActionItem) -> tuple[int | None, int | None]:
    return item.owner_organisation_id, item.owner_person_id


def _queue_assignment_notice(item: ActionItem, actor: User | None = None) -> None:
    """Tell the item's owners (not the person assigning it) once the assignment commits."""
    users, addresses = owner_audience(item)
    notify(
        ACTION_ASSIGNED,
        record=item,
        recipients=users,
        addresses=addresses,
        actor=actor,
        context={"owner": f"{item.owner_organisation_id or ''}:{item.owner_person_id or ''}"},
    )


def check_may_raise(item: ActionItem, *, acting_user) -> None:
    """An action is assigned on behalf of the body that raises it: by someone who may add
    actions where that body sits (as its page's *Assign an action* button says), whoever owes
    it and wherever the item itself then lives."""
    if item.raised_by_id and not permits_add(acting_user, ActionItem, parent=item.raised_by):
        raise ValidationError(
            {"raised_by": _("You may not assign actions on behalf of this body.")}
        )


@transaction.atomic
def do_create_action_item(item: ActionItem, *, acting_user) -> ActionItem:
    """Assign an action; its owner hears about it once the assignment is committed."""
    check_may_raise(item, acting_user=acting_user)
    do_create_record(item, acting_user=acting_user)
    _queue_assignment_notice(item, acting_user)
    return item


@transaction.atomic
def do_update_action_item(item: ActionItem, *, acting_user) -> ActionItem:
    """Save changes; a new owner is told, as on assignment."""
    before = ActionItem.objects.select_for_update().get(pk=item.pk)
    if item.raised_by_id != before.raised_by_id:
        check_may_raise(item, acting_user=acting_user)
    do_update_record(item, acting_user=acting_user)
    if _owner_key(before) != _owner_key(item):
        _queue_assignment_notice(item, acting_user)
    return item


@transaction.atomic
def do_post_action_update(
    item: ActionItem, *, text: str, status: str = "", acting_user
) -> ActionUpdate:
    """Record progress on ``item`` and, when ``status`` differs, move the item to it.

    Posting needs ADD on updates where the item lives; moving the status also needs CHANGE on
    the item (partners hold both; a reader holds neither)."""
    item = ActionItem.objects.select_for_update().get(pk=item.pk)
    text = text.strip()
    if not text and not status:
        raise ValidationError({"text": _("Write what happened, or choose a new status.")})
    before = item.status
    moves = bool(status) and status != before
    if moves:
        if not permits(acting_user, "change", item):
            raise PermissionDenied(_("You may comment on this action but not change its status."))
        do_transition(item, step_to(item, status).name, acting_user=acting_user, note=text)
    update = ActionUpdate(
        item=item,
        author=acting_user,
        text=text or _("Status changed."),
        status_from=before if moves else "",
        status_to=status if moves else "",
    )
    do_create_record(update, acting_user=acting_user)
    return update


def step_to(item: ActionItem, status: str):
    """The workflow step that moves ``item`` from its status to ``status``."""
    for transition in ACTION_ITEM.leaving(item.status):
        if transition.target == status:
            return transition
    raise ValidationError(
        {
            "status": _("An action that is %(now)s cannot become %(then)s.")
            % {"now": item.get_status_display(), "then": ACTION_ITEM.state_label(status)}
        }
    )


@transaction.atomic
def do_notify_overdue_actions(*, today: datetime.date) -> list[int]:
    """Queue one overdue reminder per unfinished item past its due date, at most once a day.

    The claim is a conditional UPDATE, so two runs on the same day (or two at once) never send
    the same reminder twice. Returns the ids of the items claimed."""
    candidates = list(
        ActionItem.objects.overdue_on(today)
        .exclude(overdue_notified_on=today)
        .values_list("pk", flat=True)
    )
    claimed = []
    for pk in candidates:
        # A bookkeeping date, not a change anyone made: written without an audit entry.
        won = (
            ActionItem.objects.filter(pk=pk)
            .exclude(overdue_notified_on=today)
            .update(overdue_notified_on=today)
        )
        if won:
            claimed.append(pk)
    items = ActionItem.objects.filter(pk__in=claimed).select_related(
        "owner_organisation", "owner_person"
    )
    for item in items:
        users, addresses = owner_audience(item)
        notify(
            ACTION_OVERDUE,
            record=item,
            recipients=users,
            addresses=addresses,
            context={"day": today.isoformat()},
        )
    return claimed

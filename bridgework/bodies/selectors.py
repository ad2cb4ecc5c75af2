"""Reads of the bodies module that are more than a filter. All take the acting user and return
only what that user may see."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, NullIf, TruncDate
from django.utils import timezone

from bridgework.access.policy import sight_for
from bridgework.actors.choices import OrgLevel, Sector
from bridgework.actors.models import Person, Post

from .choices import MeetingStatus
from .models import ActionItem, ActionItemQuerySet, Attendance, Body, Meeting, Seat, held_on_q

__all__ = [
    "MembershipGroup",
    "SeatPresence",
    "action_items_of_user",
    "attendance_trend",
    "calendar_actions_for",
    "calendar_meetings_for",
    "child_bodies",
    "current_seats",
    "meetings_of",
    "membership_by_sector_and_level",
    "missing_sectors",
    "open_actions_raised_by",
    "organisation_ids_of_user",
    "overdue_actions_raised_by",
    "overdue_actions_visible_to",
    "owned_by_user_q",
    "seat_presence",
    "seats_held_by",
    "sectors_represented",
]


# --- a body's table ----------------------------------------------------------------------------


def current_seats(body: Body, user, day: datetime.date) -> list[Seat]:
    return list(
        Seat.objects.visible_to(user, "view")
        .filter(body=body)
        .current_on(day)
        .select_related("organisation", "person")
        .order_by("role", "organisation__name", "person__full_name", "pk")
    )


@dataclass
class MembershipGroup:
    """Seats held by organisations of one sector at one level (or by individuals)."""

    sector: str
    level: str
    seats: list[Seat] = field(default_factory=list)


def membership_by_sector_and_level(seats: list[Seat]) -> list[MembershipGroup]:
    """Group seats by their organisation's sector and level, in the vocabularies' order;
    seats held by individuals come last, as their own group."""
    sector_order = {value: i for i, value in enumerate(Sector.values)}
    level_order = {value: i for i, value in enumerate(OrgLevel.values)}
    groups: dict[tuple[str, str], MembershipGroup] = {}
    for seat in seats:
        org = seat.organisation
        key = (org.sector, org.level) if org is not None else ("", "")
        if key not in groups:
            groups[key] = MembershipGroup(
                sector=str(Sector(org.sector).label) if org else "",
                level=str(OrgLevel(org.level).label) if org else "",
            )
        groups[key].seats.append(seat)

    def rank(key: tuple[str, str]) -> tuple[int, int]:
        return (sector_order.get(key[0], len(sector_order)), level_order.get(key[1], 0))

    return [groups[key] for key in sorted(groups, key=rank)]


def missing_sectors(seats: list[Seat]) -> list[str]:
    """Sectors with no organisation at the table: the gaps a coordinator may want to fill."""
    present = {seat.organisation.sector for seat in seats if seat.organisation is not None}
    return [str(label) for value, label in Sector.choices if value not in present]


def child_bodies(body: Body, user) -> QuerySet[Body]:
    return Body.objects.visible_to(user, "view").filter(parent=body).order_by("name")


def meetings_of(body: Body, user) -> QuerySet[Meeting]:
    return Meeting.objects.visible_to(user, "view").filter(body=body).order_by("-starts_at")


def open_actions_raised_by(body: Body, user) -> QuerySet[ActionItem]:
    return (
        ActionItem.objects.visible_to(user, "view")
        .filter(raised_by=body)
        .unfinished()
        .select_related("owner_organisation", "owner_person")
        .order_by(F("due_on").asc(nulls_last=True), "pk")
    )


def overdue_actions_raised_by(body: Body, user, today: datetime.date) -> QuerySet[ActionItem]:
    return open_actions_raised_by(body, user).filter(due_on__lt=today)


def overdue_actions_visible_to(user, today: datetime.date) -> QuerySet[ActionItem]:
    """Every overdue item the user can see, grouped by the body that raised it."""
    return (
        ActionItem.objects.visible_to(user, "view")
        .overdue_on(today)
        .select_related("raised_by", "owner_organisation", "owner_person")
        .order_by("raised_by__name", "raised_by_id", "due_on", "pk")
    )


# --- attendance and quorum ---------------------------------------------------------------------


def attendance_trend(body: Body, user, now: datetime.datetime) -> QuerySet[Meeting]:
    """The body's past meetings (not cancelled), newest first, each annotated in SQL with
    ``present`` (seats recorded as present), ``seats_then`` (seats current on the meeting's
    day), ``rate`` (per cent) and ``quorum`` (more than half of the seats present)."""
    seats_then = (
        Seat.objects.filter(body=OuterRef("body"))
        .filter(Q(starts_on__isnull=True) | Q(starts_on__lte=OuterRef("day")))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=OuterRef("day")))
        .order_by()
        .values("body")
        .annotate(n=Count("pk"))
        .values("n")
    )
    present = (
        Attendance.objects.filter(meeting=OuterRef("pk"), seat__isnull=False)
        .order_by()
        .values("meeting")
        .annotate(n=Count("seat", distinct=True))
        .values("n")
    )
    return (
        meetings_of(body, user)
        .filter(starts_at__lte=now)
        .exclude(status=MeetingStatus.CANCELLED)
        .annotate(day=TruncDate("starts_at"))
        .annotate(
            present=Coalesce(Subquery(present, output_field=IntegerField()), Value(0)),
            seats_then=Coalesce(Subquery(seats_then, output_field=IntegerField()), Value(0)),
        )
        .annotate(
            rate=Coalesce(
                Cast(F("present"), FloatField())
                * 100.0
                / Cast(NullIf(F("seats_then"), Value(0)), FloatField()),
                Value(0.0),
            ),
            quorum=Case(
                When(Q(seats_then__gt=0) & Q(present__gt=F("seats_then") / 2.0), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
    )


@dataclass(frozen=True)
class SeatPresence:
    seat: Seat
    present: bool


def seat_presence(meeting: Meeting, user) -> list[SeatPresence]:
    """The seats current on the meeting's day, each with whether it was recorded present:
    the checkboxes of the attendance form."""
    day = timezone.localtime(meeting.starts_at).date()
    present = set(
        Attendance.objects.visible_to(user, "view")
        .filter(meeting=meeting, seat__isnull=False)
        .values_list("seat_id", flat=True)
    )
    seats = current_seats(meeting.body, user, day)
    return [SeatPresence(seat, seat.pk in present) for seat in seats]


def sectors_represented(meeting: Meeting, user) -> list[str]:
    """Sectors of the organisations that came (through a seat or as guests)."""
    values = set(
        Attendance.objects.visible_to(user, "view")
        .filter(meeting=meeting, organisation__isnull=False)
        .values_list("organisation__sector", flat=True)
    )
    return [str(label) for value, label in Sector.choices if value in values]


# --- a user's own actions and meetings ---------------------------------------------------------


def seats_held_by(person: Person, user) -> list[dict[str, Any]]:
    """A person's seats on bodies ``user`` may see: their section of the personal-data export."""
    seats = list(
        Seat.objects.visible_to(user, "view")
        .filter(person=person)
        .select_related("body")
        .order_by("pk")
    )
    sight = sight_for(user)  # a seat is seen only with its body: named the same way anyway
    sight.preload(seat.body for seat in seats)
    return [
        {
            "id": seat.pk,
            "body": sight.name(seat.body),
            "body_id": sight.ident(seat.body),
            "role": seat.role,
            "constituency": seat.constituency,
            "starts_on": seat.starts_on.isoformat() if seat.starts_on else None,
            "ends_on": seat.ends_on.isoformat() if seat.ends_on else None,
        }
        for seat in seats
    ]


def organisation_ids_of_user(user, day: datetime.date) -> QuerySet:
    """Organisations where the user's linked person holds a post on ``day`` (a subquery)."""
    return Post.objects.filter(held_on_q(day), person__user=user).values("organisation_id")


def owned_by_user_q(user, today: datetime.date) -> Q:
    """Items owned by the user's person or by an organisation they hold a current post in."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    return Q(owner_person__user=user) | Q(
        owner_organisation__in=organisation_ids_of_user(user, today)
    )


def action_items_of_user(user, today: datetime.date) -> ActionItemQuerySet:
    """Items owned by the user's person or by an organisation they hold a current post in."""
    return (
        ActionItem.objects.visible_to(user, "view")
        .filter(owned_by_user_q(user, today))
        .select_related("raised_by", "owner_organisation", "owner_person")
        .order_by(F("due_on").asc(nulls_last=True), "pk")
    )


def _bodies_with_seat_for(user, today: datetime.date) -> QuerySet:
    seats = Seat.objects.current_on(today).filter(
        Q(person__user=user) | Q(organisation__in=organisation_ids_of_user(user, today))
    )
    return seats.values("body_id")


def calendar_meetings_for(user, today: datetime.date) -> QuerySet[Meeting]:
    """Meetings of the bodies where the user (or an organisation they serve) holds a seat."""
    return (
        Meeting.objects.visible_to(user, "view")
        .filter(body__in=_bodies_with_seat_for(user, today))
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("body")
        .order_by("starts_at", "pk")
    )


def calendar_actions_for(user, today: datetime.date) -> ActionItemQuerySet:
    return action_items_of_user(user, today).filter(due_on__isnull=False).unfinished()

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

from bridgework.access.policy import access_for, sight_for
from bridgework.actors.choices import OrgLevel, Sector
from bridgework.actors.models import Organisation, Person, Post
from bridgework.core.paths import subtrees_q

from .choices import MeetingStatus
from .models import (
    ActionItem,
    ActionItemQuerySet,
    Attendance,
    Body,
    Decision,
    Meeting,
    Seat,
    held_on_q,
)

__all__ = [
    "MembershipGroup",
    "SeatPresence",
    "action_items_of_user",
    "actions_due_for",
    "attendance_trend",
    "calendar_actions_for",
    "calendar_meetings_for",
    "child_bodies",
    "current_seats",
    "meetings_of",
    "membership_by_sector_and_level",
    "missing_sectors",
    "open_actions_raised_by",
    "represented_by",
    "organisation_ids_of_user",
    "overdue_actions_raised_by",
    "overdue_actions_visible_to",
    "owned_by_user_q",
    "recent_decisions_for",
    "seat_presence",
    "seats_held_by",
    "sectors_represented",
    "upcoming_meetings_for",
]


# --- a body's table ----------------------------------------------------------------------------


def current_seats(body: Body, user, day: datetime.date) -> list[Seat]:
    """The body's seats held on ``day``, each knowing what it represents
    (:func:`represented_by`)."""
    seats = list(
        Seat.objects.visible_to(user, "view")
        .filter(body=body)
        .current_on(day)
        .select_related("organisation", "person")
        .order_by("role", "organisation__name", "person__full_name", "pk")
    )
    _note_represented(seats, user, day)
    return seats


def _note_represented(seats: list[Seat], user, day: datetime.date) -> None:
    """Set ``represents`` on each seat: the (sector, level) it speaks for. An organisation's
    seat, its sector and level; a person's seat, the sector given on the seat (the community
    they speak for), else that of the organisation of their current post — among the posts
    and organisations ``user`` may see (one query for all the seats)."""
    people = {seat.person_id for seat in seats if seat.person_id and not seat.sector}
    posts: dict[int, tuple[str, str]] = {}
    if people:
        rows = (
            Post.objects.visible_to(user, "view")
            .filter(held_on_q(day), person_id__in=people)
            .filter(organisation__in=Organisation.objects.visible_to(user, "view"))
            .order_by("person_id", F("starts_on").asc(nulls_first=True), "pk")
            .values_list("person_id", "organisation__sector", "organisation__level")
        )
        for person_id, sector, level in rows:
            posts.setdefault(person_id, (sector, level))
    for seat in seats:
        org = seat.organisation
        if org is not None:
            represents = (org.sector, org.level)
        elif seat.sector:
            represents = (seat.sector, "")
        else:
            represents = posts.get(seat.person_id or 0, ("", ""))
        seat.represents = represents  # type: ignore[attr-defined]


def represented_by(seat: Seat) -> tuple[str, str]:
    """The (sector, level) a seat of :func:`current_seats` speaks for; ("", "") when nothing
    says (an individual holding no post the reader may see)."""
    noted = getattr(seat, "represents", None)
    if noted is not None:
        return noted
    org = seat.organisation
    if org is not None:
        return (org.sector, org.level)
    return (seat.sector, "")


@dataclass
class MembershipGroup:
    """Seats speaking for one sector at one level (or by individuals, for no sector)."""

    sector: str
    level: str
    seats: list[Seat] = field(default_factory=list)


def membership_by_sector_and_level(seats: list[Seat]) -> list[MembershipGroup]:
    """Group seats by the sector and level they represent, in the vocabularies' order; seats
    of individuals representing no sector come last, as their own group."""
    sector_order = {value: i for i, value in enumerate(Sector.values)}
    level_order = {value: i for i, value in enumerate(OrgLevel.values)}
    groups: dict[tuple[str, str], MembershipGroup] = {}
    for seat in seats:
        key = represented_by(seat)
        sector, level = key
        if key not in groups:
            groups[key] = MembershipGroup(
                sector=str(Sector(sector).label) if sector else "",
                level=str(OrgLevel(level).label) if level else "",
            )
        groups[key].seats.append(seat)

    def rank(key: tuple[str, str]) -> tuple[int, int]:
        return (sector_order.get(key[0], len(sector_order)), level_order.get(key[1], -1))

    return [groups[key] for key in sorted(groups, key=rank)]


def missing_sectors(seats: list[Seat]) -> list[str]:
    """Sectors no seat speaks for, through an organisation or a person: the gaps a
    coordinator may want to fill."""
    present = {represented_by(seat)[0] for seat in seats}
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


# --- the home page: what is the user's to do and to know --------------------------------------


def actions_due_for(user, today: datetime.date, *, within_days: int) -> ActionItemQuerySet:
    """The user's unfinished actions that are overdue or due within ``within_days``, soonest
    first."""
    until = today + datetime.timedelta(days=within_days)
    return action_items_of_user(user, today).unfinished().filter(due_on__lte=until)


def _of_my_bodies_q(user, today: datetime.date, body_field: str) -> Q:
    """Records (meetings, decisions: placed at their body's place) of the user's bodies: those
    where they or an organisation they serve hold a seat, and those in the places where they
    hold a role."""
    access = access_for(user)
    paths = {path for held in access.held for path in held.paths} if access else set()
    return Q(**{f"{body_field}__in": _bodies_with_seat_for(user, today)}) | subtrees_q(
        "place_path", paths
    )


def upcoming_meetings_for(user, now: datetime.datetime) -> QuerySet[Meeting]:
    """The next meetings of the user's bodies (not cancelled), soonest first."""
    return (
        Meeting.objects.visible_to(user, "view")
        .filter(_of_my_bodies_q(user, timezone.localdate(now), "body"))
        .filter(starts_at__gte=now)
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("body")
        .order_by("starts_at", "pk")
    )


def recent_decisions_for(user, now: datetime.datetime, *, within_days: int) -> QuerySet[Decision]:
    """Decisions of the user's bodies taken at meetings of the last ``within_days``, newest
    first."""
    since = now - datetime.timedelta(days=within_days)
    return (
        Decision.objects.visible_to(user, "view")
        .filter(_of_my_bodies_q(user, timezone.localdate(now), "meeting__body"))
        .filter(meeting__starts_at__gte=since, meeting__starts_at__lte=now)
        .select_related("meeting", "meeting__body")
        .order_by("-meeting__starts_at", "-number", "-pk")
    )

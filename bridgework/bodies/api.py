"""Bodies API: list and detail of bodies, seats, meetings, attendance, decisions, action items
and their updates, each scoped exactly as the pages are. Calendar feeds are pages
(``bodies:body_calendar``, ``bodies:my_calendar``) because calendar clients fetch them."""

from datetime import date, datetime
from typing import cast

from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from bridgework.access.policy import access_record
from bridgework.core.paths import subtree_q
from bridgework.places.models import Place
from bridgework.web.api import (
    ERROR_RESPONSES,
    KeysetPagination,
    add_form_endpoints,
    visible,
)

from . import selectors
from .choices import ActionStatus, BodyKind, MeetingStatus, SeatRole
from .models import (
    ActionItem,
    ActionItemQuerySet,
    ActionUpdate,
    Attendance,
    Body,
    Decision,
    Meeting,
    Seat,
    SeatQuerySet,
)
from .views import (
    ActionItemViewSet,
    ActionUpdateViewSet,
    BodyViewSet,
    DecisionViewSet,
    MeetingViewSet,
    SeatViewSet,
)

__all__ = ["router"]

router = Router(tags=["bodies"])


def _url(obj) -> str:
    return obj.get_absolute_url()


# --- bodies ------------------------------------------------------------------------------------


class BodyOut(Schema):
    id: int
    name: str
    kind: str
    level: str
    place_id: int
    parent_id: int | None
    mandate: str
    tlp: int
    url: str

    @staticmethod
    def resolve_url(obj) -> str:
        return _url(obj)


class BodyFilters(Schema):
    subtree: int | None = Field(None, description="Only bodies at this place or below it")
    kind: BodyKind | None = None
    level: str | None = Field(None, max_length=20)
    parent: int | None = Field(None, description="Only bodies under this body")
    q: str | None = Field(None, max_length=100, description="Name contains")


@router.get(
    "/bodies", response={200: list[BodyOut], **ERROR_RESPONSES}, summary="List coordination bodies"
)
@paginate(KeysetPagination, ordering=("name", "pk"))
def list_bodies(request, filters: Query[BodyFilters]):
    bodies = visible(request, Body)
    if filters.subtree is not None:
        root = access_record(request.user, Place, filters.subtree, channel="api")
        bodies = bodies.filter(subtree_q("place_path", root.path))
    if filters.kind:
        bodies = bodies.filter(kind=filters.kind)
    if filters.level:
        bodies = bodies.filter(level=filters.level)
    if filters.parent is not None:
        bodies = bodies.filter(parent_id=filters.parent)
    if filters.q:
        bodies = bodies.filter(name__icontains=filters.q.strip())
    return bodies


@router.get(
    "/bodies/{record_id}",
    response={200: BodyOut, **ERROR_RESPONSES},
    summary="One coordination body",
)
def get_body(request, record_id: int):
    return access_record(request.user, Body, record_id, channel="api")


# --- seats -------------------------------------------------------------------------------------


class SeatOut(Schema):
    id: int
    body_id: int
    organisation_id: int | None
    person_id: int | None
    holder: str
    role: SeatRole
    constituency: str
    starts_on: date | None
    ends_on: date | None

    @staticmethod
    def resolve_holder(obj) -> str:
        return str(obj.holder or "")


class SeatFilters(Schema):
    body: int | None = None
    organisation: int | None = None
    person: int | None = None
    current: bool | None = Field(None, description="Only seats held today")


@router.get("/seats", response={200: list[SeatOut], **ERROR_RESPONSES}, summary="List seats")
@paginate(KeysetPagination, ordering=("place_path", "pk"))
def list_seats(request, filters: Query[SeatFilters]):
    # visible() is typed for any model; Seat's manager hands out SeatQuerySets
    seats = cast(SeatQuerySet, visible(request, Seat)).select_related("organisation", "person")
    if filters.body is not None:
        seats = seats.filter(body_id=filters.body)
    if filters.organisation is not None:
        seats = seats.filter(organisation_id=filters.organisation)
    if filters.person is not None:
        seats = seats.filter(person_id=filters.person)
    if filters.current:
        seats = seats.current_on(timezone.localdate())
    return seats


@router.get("/seats/{record_id}", response={200: SeatOut, **ERROR_RESPONSES}, summary="One seat")
def get_seat(request, record_id: int):
    return access_record(request.user, Seat, record_id, channel="api")


# --- meetings ----------------------------------------------------------------------------------


class MeetingOut(Schema):
    id: int
    body_id: int
    title: str
    starts_at: datetime
    ends_at: datetime | None
    location: str
    agenda: str
    minutes: str
    status: MeetingStatus
    tlp: int
    url: str

    @staticmethod
    def resolve_url(obj) -> str:
        return _url(obj)


class MeetingFilters(Schema):
    body: int | None = None
    status: MeetingStatus | None = None
    starts_after: datetime | None = Field(None, description="Only meetings starting at or after")
    starts_before: datetime | None = Field(None, description="Only meetings starting before")


@router.get(
    "/meetings", response={200: list[MeetingOut], **ERROR_RESPONSES}, summary="List meetings"
)
@paginate(KeysetPagination, ordering=("-starts_at", "pk"))
def list_meetings(request, filters: Query[MeetingFilters]):
    meetings = visible(request, Meeting)
    if filters.body is not None:
        meetings = meetings.filter(body_id=filters.body)
    if filters.status:
        meetings = meetings.filter(status=filters.status)
    if filters.starts_after:
        meetings = meetings.filter(starts_at__gte=filters.starts_after)
    if filters.starts_before:
        meetings = meetings.filter(starts_at__lt=filters.starts_before)
    return meetings


@router.get(
    "/meetings/{record_id}", response={200: MeetingOut, **ERROR_RESPONSES}, summary="One meeting"
)
def get_meeting(request, record_id: int):
    return access_record(request.user, Meeting, record_id, channel="api")


# --- attendance and decisions ------------------------------------------------------------------


class AttendanceOut(Schema):
    id: int
    meeting_id: int
    seat_id: int | None
    organisation_id: int | None
    person_id: int | None
    sector: str | None = Field(None, description="The attending organisation's sector")

    @staticmethod
    def resolve_sector(obj) -> str | None:
        return obj.organisation.sector if obj.organisation_id else None


class MeetingPartFilters(Schema):
    meeting: int | None = None


@router.get(
    "/attendance",
    response={200: list[AttendanceOut], **ERROR_RESPONSES},
    summary="List attendance at meetings",
)
@paginate(KeysetPagination, ordering=("place_path", "pk"))
def list_attendance(request, filters: Query[MeetingPartFilters]):
    rows = visible(request, Attendance).select_related("organisation")
    if filters.meeting is not None:
        rows = rows.filter(meeting_id=filters.meeting)
    return rows


@router.get(
    "/attendance/{record_id}",
    response={200: AttendanceOut, **ERROR_RESPONSES},
    summary="One attendance record",
)
def get_attendance(request, record_id: int):
    return access_record(request.user, Attendance, record_id, channel="api")


class DecisionOut(Schema):
    id: int
    meeting_id: int
    number: int
    text: str


@router.get(
    "/decisions", response={200: list[DecisionOut], **ERROR_RESPONSES}, summary="List decisions"
)
@paginate(KeysetPagination, ordering=("place_path", "pk"))
def list_decisions(request, filters: Query[MeetingPartFilters]):
    decisions = visible(request, Decision)
    if filters.meeting is not None:
        decisions = decisions.filter(meeting_id=filters.meeting)
    return decisions


@router.get(
    "/decisions/{record_id}", response={200: DecisionOut, **ERROR_RESPONSES}, summary="One decision"
)
def get_decision(request, record_id: int):
    return access_record(request.user, Decision, record_id, channel="api")


# --- action items ------------------------------------------------------------------------------


class ActionItemOut(Schema):
    id: int
    title: str
    description: str
    raised_by_id: int
    meeting_id: int | None
    decision_id: int | None
    owner_organisation_id: int | None
    owner_person_id: int | None
    owner: str
    place_id: int
    due_on: date | None
    status: ActionStatus
    overdue: bool
    tlp: int
    url: str

    @staticmethod
    def resolve_owner(obj) -> str:
        return str(obj.owner or "")

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.is_overdue_on(timezone.localdate())

    @staticmethod
    def resolve_url(obj) -> str:
        return _url(obj)


class ActionFilters(Schema):
    body: int | None = Field(None, description="Only items raised by this body")
    owner_organisation: int | None = None
    owner_person: int | None = None
    status: ActionStatus | None = None
    overdue: bool | None = Field(None, description="Only items past due and not finished")
    mine: bool | None = Field(None, description="Only items owned by me or my organisations")


@router.get(
    "/actions", response={200: list[ActionItemOut], **ERROR_RESPONSES}, summary="List action items"
)
@paginate(KeysetPagination, ordering=("place_path", "pk"))
def list_actions(request, filters: Query[ActionFilters]):
    today = timezone.localdate()
    items = (
        selectors.action_items_of_user(request.user, today)
        if filters.mine
        else cast(ActionItemQuerySet, visible(request, ActionItem))  # see list_seats
    ).select_related("owner_organisation", "owner_person")
    if filters.body is not None:
        items = items.filter(raised_by_id=filters.body)
    if filters.owner_organisation is not None:
        items = items.filter(owner_organisation_id=filters.owner_organisation)
    if filters.owner_person is not None:
        items = items.filter(owner_person_id=filters.owner_person)
    if filters.status:
        items = items.filter(status=filters.status)
    if filters.overdue:
        items = items.overdue_on(today)
    return items


@router.get(
    "/actions/{record_id}",
    response={200: ActionItemOut, **ERROR_RESPONSES},
    summary="One action item",
)
def get_action(request, record_id: int):
    return access_record(request.user, ActionItem, record_id, channel="api")


class ActionUpdateOut(Schema):
    id: int
    item_id: int
    author_id: int | None
    text: str
    status_from: str
    status_to: str
    created_at: datetime


class ActionUpdateFilters(Schema):
    item: int | None = None


@router.get(
    "/action-updates",
    response={200: list[ActionUpdateOut], **ERROR_RESPONSES},
    summary="List updates on action items",
)
@paginate(KeysetPagination, ordering=("place_path", "pk"))
def list_action_updates(request, filters: Query[ActionUpdateFilters]):
    updates = visible(request, ActionUpdate)
    if filters.item is not None:
        updates = updates.filter(item_id=filters.item)
    return updates


@router.get(
    "/action-updates/{record_id}",
    response={200: ActionUpdateOut, **ERROR_RESPONSES},
    summary="One update on an action item",
)
def get_action_update(request, record_id: int):
    return access_record(request.user, ActionUpdate, record_id, channel="api")


# --- writes: the pages' forms and actions, through the API ----------------------------------------

for _viewset, _path, _out, _name, _read in (
    (BodyViewSet, "/bodies", BodyOut, "body", get_body),
    (SeatViewSet, "/seats", SeatOut, "seat", get_seat),
    (MeetingViewSet, "/meetings", MeetingOut, "meeting", get_meeting),
    (DecisionViewSet, "/decisions", DecisionOut, "decision", get_decision),
    (ActionItemViewSet, "/actions", ActionItemOut, "action", get_action),
    (ActionUpdateViewSet, "/action-updates", ActionUpdateOut, "action_update", get_action_update),
):
    add_form_endpoints(router, viewset=_viewset, path=_path, out=_out, name=_name, read=_read)

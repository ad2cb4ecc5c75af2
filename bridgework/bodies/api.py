"""Bodies API: list and detail of bodies, seats, meetings, attendance, decisions, action items
and their updates, each scoped exactly as the pages are. Calendar feeds are pages
(``bodies:body_calendar``, ``bodies:my_calendar``) because calendar clients fetch them."""

from datetime import date, datetime

from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from bridgework.access.policy import access_record, sight_for
from bridgework.web.api import (
    ERROR_RESPONSES,
    KeysetPagination,
    add_form_endpoints,
    shown_name,
    visible,
)
from bridgework.web.api_rows import RecordOut
from bridgework.web.filtering import filter_for_api, filters_of

from .choices import ActionStatus, MeetingStatus, SeatRole
from .filters import (
    ActionItemFilterSet,
    ActionUpdateFilterSet,
    AttendanceFilterSet,
    BodyFilterSet,
    DecisionFilterSet,
    MeetingFilterSet,
    SeatFilterSet,
)
from .models import (
    ActionItem,
    ActionUpdate,
    Attendance,
    Body,
    Decision,
    Meeting,
    Seat,
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


@filters_of(BodyFilterSet)
class BodyFilters(Schema):
    """Its query parameters: one per filter of the FilterSet (see web.filtering)."""


@filters_of(SeatFilterSet)
class SeatFilters(Schema):
    """Its query parameters: one per filter of the FilterSet (see web.filtering)."""


@filters_of(MeetingFilterSet)
class MeetingFilters(Schema):
    """Its query parameters: one per filter of the FilterSet (see web.filtering)."""


@filters_of(AttendanceFilterSet)
class AttendanceFilters(Schema):
    """Its query parameters: one per filter of the FilterSet (see web.filtering)."""


@filters_of(DecisionFilterSet)
class DecisionFilters(Schema):
    """Its query parameters: one per filter of the FilterSet (see web.filtering)."""


@filters_of(ActionItemFilterSet)
class ActionFilters(Schema):
    """Its query parameters: one per filter of the FilterSet (see web.filtering)."""


@filters_of(ActionUpdateFilterSet)
class ActionUpdateFilters(Schema):
    """Its query parameters: one per filter of the FilterSet (see web.filtering)."""


def _url(obj) -> str:
    return obj.get_absolute_url()


# --- bodies ------------------------------------------------------------------------------------


class BodyOut(RecordOut):
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


@router.get(
    "/bodies", response={200: list[BodyOut], **ERROR_RESPONSES}, summary="List coordination bodies"
)
@paginate(KeysetPagination, ordering=("name", "pk"))
def list_bodies(request, filters: Query[BodyFilters]):
    return filter_for_api(BodyFilterSet, request, visible(request, Body))


@router.get(
    "/bodies/{record_id}",
    response={200: BodyOut, **ERROR_RESPONSES},
    summary="One coordination body",
)
def get_body(request, record_id: int):
    return access_record(request.user, Body, record_id, channel="api")


# --- seats -------------------------------------------------------------------------------------


class SeatOut(RecordOut):
    id: int
    body_id: int
    organisation_id: int | None
    person_id: int | None
    holder: str
    role: SeatRole
    constituency: str
    sector: str = Field(
        ..., description="The sector a person's seat represents (empty: their organisation's)"
    )
    starts_on: date | None
    ends_on: date | None

    @staticmethod
    def resolve_holder(obj, context) -> str:
        return shown_name(obj.holder, context)


@router.get("/seats", response={200: list[SeatOut], **ERROR_RESPONSES}, summary="List seats")
@paginate(KeysetPagination, ordering=("place_path", "pk"))
def list_seats(request, filters: Query[SeatFilters]):
    seats = filter_for_api(SeatFilterSet, request, visible(request, Seat))
    return seats.select_related("organisation", "person")


@router.get("/seats/{record_id}", response={200: SeatOut, **ERROR_RESPONSES}, summary="One seat")
def get_seat(request, record_id: int):
    return access_record(request.user, Seat, record_id, channel="api")


# --- meetings ----------------------------------------------------------------------------------


class MeetingOut(RecordOut):
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


@router.get(
    "/meetings", response={200: list[MeetingOut], **ERROR_RESPONSES}, summary="List meetings"
)
@paginate(KeysetPagination, ordering=("-starts_at", "pk"))
def list_meetings(request, filters: Query[MeetingFilters]):
    return filter_for_api(MeetingFilterSet, request, visible(request, Meeting))


@router.get(
    "/meetings/{record_id}", response={200: MeetingOut, **ERROR_RESPONSES}, summary="One meeting"
)
def get_meeting(request, record_id: int):
    return access_record(request.user, Meeting, record_id, channel="api")


# --- attendance and decisions ------------------------------------------------------------------


class AttendanceOut(RecordOut):
    id: int
    meeting_id: int
    seat_id: int | None
    organisation_id: int | None
    person_id: int | None
    sector: str | None = Field(None, description="The attending organisation's sector")

    @staticmethod
    def resolve_sector(obj, context) -> str | None:
        if not obj.organisation_id or not sight_for(context["request"].user).sees(obj.organisation):
            return None
        return obj.organisation.sector


@router.get(
    "/attendance",
    response={200: list[AttendanceOut], **ERROR_RESPONSES},
    summary="List attendance at meetings",
)
@paginate(KeysetPagination, ordering=("place_path", "pk"))
def list_attendance(request, filters: Query[AttendanceFilters]):
    rows = filter_for_api(AttendanceFilterSet, request, visible(request, Attendance))
    return rows.select_related("organisation")


@router.get(
    "/attendance/{record_id}",
    response={200: AttendanceOut, **ERROR_RESPONSES},
    summary="One attendance record",
)
def get_attendance(request, record_id: int):
    return access_record(request.user, Attendance, record_id, channel="api")


class DecisionOut(RecordOut):
    id: int
    meeting_id: int
    number: int
    text: str


@router.get(
    "/decisions", response={200: list[DecisionOut], **ERROR_RESPONSES}, summary="List decisions"
)
@paginate(KeysetPagination, ordering=("place_path", "pk"))
def list_decisions(request, filters: Query[DecisionFilters]):
    return filter_for_api(DecisionFilterSet, request, visible(request, Decision))


@router.get(
    "/decisions/{record_id}", response={200: DecisionOut, **ERROR_RESPONSES}, summary="One decision"
)
def get_decision(request, record_id: int):
    return access_record(request.user, Decision, record_id, channel="api")


# --- action items ------------------------------------------------------------------------------


class ActionItemOut(RecordOut):
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
    def resolve_owner(obj, context) -> str:
        return shown_name(obj.owner, context)

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.is_overdue_on(timezone.localdate())

    @staticmethod
    def resolve_url(obj) -> str:
        return _url(obj)


@router.get(
    "/actions", response={200: list[ActionItemOut], **ERROR_RESPONSES}, summary="List action items"
)
@paginate(KeysetPagination, ordering=("place_path", "pk"))
def list_actions(request, filters: Query[ActionFilters]):
    items = filter_for_api(ActionItemFilterSet, request, visible(request, ActionItem))
    return items.select_related("owner_organisation", "owner_person")


@router.get(
    "/actions/{record_id}",
    response={200: ActionItemOut, **ERROR_RESPONSES},
    summary="One action item",
)
def get_action(request, record_id: int):
    return access_record(request.user, ActionItem, record_id, channel="api")


class ActionUpdateOut(RecordOut):
    id: int
    item_id: int
    author_id: int | None
    text: str
    status_from: str
    status_to: str
    created_at: datetime


@router.get(
    "/action-updates",
    response={200: list[ActionUpdateOut], **ERROR_RESPONSES},
    summary="List updates on action items",
)
@paginate(KeysetPagination, ordering=("place_path", "pk"))
def list_action_updates(request, filters: Query[ActionUpdateFilters]):
    return filter_for_api(ActionUpdateFilterSet, request, visible(request, ActionUpdate))


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

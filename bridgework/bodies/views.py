"""Pages of the bodies module: the generic scoped pages per model, the body, meeting and action
pages' own sections and small forms, "My actions", the overdue list and the calendar feeds."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from bridgework.access.actions import authenticate_api_token
from bridgework.access.models import TokenPurpose
from bridgework.access.policy import access_record, permits, permits_add, sight_for
from bridgework.activity.workflows import available_transitions
from bridgework.places.maps import MapEntry, PlaceMap, map_of
from bridgework.web.viewsets import Column, ModelViewSet

from . import selectors
from .actions import (
    do_add_decision,
    do_create_action_item,
    do_create_decision,
    do_post_action_update,
    do_record_attendance,
    do_record_minutes,
    do_update_action_item,
    do_update_decision,
)
from .calendar import build_calendar
from .filters import (
    ActionItemFilterSet,
    ActionUpdateFilterSet,
    AttendanceFilterSet,
    BodyFilterSet,
    DecisionFilterSet,
    MeetingFilterSet,
    SeatFilterSet,
)
from .forms import (
    ActionItemForm,
    ActionProgressForm,
    ActionUpdateForm,
    AttendanceForm,
    AttendanceRecordForm,
    BodyForm,
    DecisionForm,
    DecisionQuickForm,
    MeetingForm,
    MinutesForm,
    SeatForm,
)
from .models import ActionItem, ActionUpdate, Attendance, Body, Decision, Meeting, Seat

__all__ = [
    "ActionItemViewSet",
    "ActionUpdateViewSet",
    "AttendanceViewSet",
    "BodyViewSet",
    "DecisionViewSet",
    "MeetingViewSet",
    "SeatViewSet",
    "action_progress",
    "body_calendar",
    "meeting_attendance",
    "meeting_decision",
    "meeting_minutes",
    "my_actions",
    "my_calendar",
    "overdue_actions",
]


def _initial_ids(request, *names: str) -> dict[str, str]:
    """Prefill foreign keys from the query string (``?body=3``); the form still scopes them."""
    return {name: request.GET[name] for name in names if request.GET.get(name, "").isdigit()}


# --- generic pages per model -------------------------------------------------------------------


class BodyViewSet(ModelViewSet):
    model = Body
    form_class = BodyForm
    filterset_class = BodyFilterSet
    title = gettext_lazy("Coordination bodies")
    url_prefix = "bodies/"
    ordering = ("name", "pk")
    list_select_related = ("place", "parent")
    columns = [
        Column("name", gettext_lazy("Name")),
        Column("get_kind_display", gettext_lazy("Kind")),
        Column("get_level_display", gettext_lazy("Level")),
        Column("place.name", gettext_lazy("Place")),
        Column("parent.name", gettext_lazy("Parent body")),
    ]
    detail_template = "bodies/body_detail.html"

    @classmethod
    def initial(cls, request):
        return _initial_ids(request, "parent", "place")

    @classmethod
    def detail_context(cls, request, body):
        user = request.user
        now = timezone.now()
        today = timezone.localdate()
        seats = selectors.current_seats(body, user, today)
        meetings = selectors.meetings_of(body, user)
        open_actions = list(selectors.open_actions_raised_by(body, user)[:50])
        overdue = list(selectors.overdue_actions_raised_by(body, user, today))
        children = list(selectors.child_bodies(body, user))
        sight_for(user).preload(
            [body.parent]
            + [seat.holder for seat in seats]
            + [item.owner for item in open_actions + overdue]
        )
        return {
            "seats": seats,
            "groups": selectors.membership_by_sector_and_level(seats),
            "missing_sectors": selectors.missing_sectors(seats),
            "children": children,
            "map": body_map(body, children, user),
            "upcoming": meetings.filter(starts_at__gt=now).order_by("starts_at")[:10],
            "trend": selectors.attendance_trend(body, user, now)[:12],
            "open_actions": open_actions,
            "overdue": overdue,
            "today": today,
            "can_add_seat": permits_add(user, Seat, parent=body),
            "can_add_meeting": permits_add(user, Meeting, parent=body),
            "can_add_action": permits_add(user, ActionItem, parent=body),
        }


def body_map(body: Body, children: list[Body], user) -> PlaceMap | None:
    """Where the body sits, and where the bodies under it (those the reader may see) sit, each
    leading to its body."""
    entries = {body.place_id: MapEntry(body.place.name, focus=True)}
    names: dict[int, list[str]] = {}
    for child in children:
        if child.place_id != body.place_id:
            names.setdefault(child.place_id, []).append(child.name)
            entries.setdefault(child.place_id, MapEntry("", child.get_absolute_url()))
    for place_id, bodies in names.items():
        entries[place_id] = MapEntry("; ".join(bodies), entries[place_id].url)
    return map_of(
        user,
        entries,
        dom_id="body-map",
        label=_("Map of where %(body)s and the bodies under it sit") % {"body": body.name},
        caption=_("The body's place, outlined, and the places of the bodies under it."),
    )


class SeatViewSet(ModelViewSet):
    model = Seat
    form_class = SeatForm
    filterset_class = SeatFilterSet
    title = gettext_lazy("Seats")
    url_prefix = "bodies/seats/"
    ordering = ("place_path", "pk")
    list_select_related = ("body", "organisation", "person")
    columns = [
        Column(lambda seat: seat.holder, gettext_lazy("Held by")),
        Column("get_role_display", gettext_lazy("Role")),
        Column("body.name", gettext_lazy("Body")),
        Column("constituency", gettext_lazy("Community or constituency")),
        Column("get_sector_display", gettext_lazy("Sector represented")),
        Column("starts_on", gettext_lazy("From")),
        Column("ends_on", gettext_lazy("Until")),
    ]
    detail_fields = [
        ("body", gettext_lazy("Body")),
        ("organisation", gettext_lazy("Organisation")),
        ("person", gettext_lazy("Person")),
        ("get_role_display", gettext_lazy("Role")),
        ("constituency", gettext_lazy("Community or constituency")),
        ("get_sector_display", gettext_lazy("Sector represented")),
        ("starts_on", gettext_lazy("From")),
        ("ends_on", gettext_lazy("Until")),
    ]

    @classmethod
    def initial(cls, request):
        return _initial_ids(request, "body")

    @classmethod
    def success_url(cls, obj):
        return obj.body.get_absolute_url()


class MeetingViewSet(ModelViewSet):
    model = Meeting
    form_class = MeetingForm
    filterset_class = MeetingFilterSet
    title = gettext_lazy("Meetings")
    url_prefix = "bodies/meetings/"
    ordering = ("-starts_at", "pk")
    list_select_related = ("body", "place")
    columns = [
        Column("title", gettext_lazy("Title")),
        Column("body.name", gettext_lazy("Body")),
        Column(
            lambda m: timezone.localtime(m.starts_at).strftime("%Y-%m-%d %H:%M"),
            gettext_lazy("Starts"),
        ),
        Column("location", gettext_lazy("Location")),
        Column("get_status_display", gettext_lazy("Status")),
    ]
    detail_template = "bodies/meeting_detail.html"

    @classmethod
    def initial(cls, request):
        return _initial_ids(request, "body")

    @classmethod
    def detail_context(cls, request, meeting):
        user = request.user
        presence = selectors.seat_presence(meeting, user)
        guests = list(
            Attendance.objects.visible_to(user, "view")
            .filter(meeting=meeting, seat__isnull=True)
            .select_related("organisation", "person")
        )
        actions = list(
            ActionItem.objects.visible_to(user, "view")
            .filter(meeting=meeting)
            .select_related("owner_organisation", "owner_person")
        )
        sight_for(user).preload(
            [p.seat.holder for p in presence]
            + [g.organisation or g.person for g in guests]
            + [item.owner for item in actions]
        )
        return {
            "presence": presence,
            "present_count": sum(1 for p in presence if p.present),
            "sectors": selectors.sectors_represented(meeting, user),
            "guests": guests,
            "decisions": Decision.objects.visible_to(user, "view").filter(meeting=meeting),
            "actions": actions,
            "can_record": permits_add(user, Attendance, parent=meeting),
            "can_decide": permits_add(user, Decision, parent=meeting),
            "can_minute": permits(user, "change", meeting),
            "can_add_action": permits_add(user, ActionItem, parent=meeting.body),
            "minutes_form": MinutesForm(
                initial={"minutes": meeting.minutes, "status": meeting.status}
            ),
            "decision_form": DecisionQuickForm(),
        }


class AttendanceViewSet(ModelViewSet):
    model = Attendance
    form_class = AttendanceForm
    filterset_class = AttendanceFilterSet
    title = gettext_lazy("Attendance")
    url_prefix = "bodies/attendance/"
    ordering = ("place_path", "pk")
    list_select_related = ("meeting", "seat", "organisation", "person")
    columns = [
        Column(lambda a: a.organisation or a.person or "", gettext_lazy("Who")),
        Column("meeting.title", gettext_lazy("Meeting")),
        Column("organisation.get_sector_display", gettext_lazy("Sector")),
        Column(lambda a: _("seat") if a.seat_id else _("guest"), gettext_lazy("As")),
    ]
    detail_fields = [
        ("meeting", gettext_lazy("Meeting")),
        ("seat", gettext_lazy("Seat")),
        ("organisation", gettext_lazy("Organisation")),
        ("person", gettext_lazy("Person")),
    ]

    @classmethod
    def initial(cls, request):
        return _initial_ids(request, "meeting")


class DecisionViewSet(ModelViewSet):
    model = Decision
    form_class = DecisionForm
    filterset_class = DecisionFilterSet
    title = gettext_lazy("Decisions")
    url_prefix = "bodies/decisions/"
    ordering = ("place_path", "pk")
    list_select_related = ("meeting",)
    columns = [
        Column("text", gettext_lazy("Decision")),
        Column("meeting.title", gettext_lazy("Meeting")),
        Column("number", gettext_lazy("Number")),
    ]
    detail_fields = [
        ("meeting", gettext_lazy("Meeting")),
        ("number", gettext_lazy("Number")),
        ("text", gettext_lazy("Decision")),
    ]

    @classmethod
    def initial(cls, request):
        return _initial_ids(request, "meeting")

    create_action = do_create_decision
    update_action = do_update_decision


class ActionItemViewSet(ModelViewSet):
    model = ActionItem
    form_class = ActionItemForm
    filterset_class = ActionItemFilterSet
    title = gettext_lazy("Action items")
    url_prefix = "bodies/actions/"
    ordering = ("place_path", "pk")
    list_select_related = ("raised_by", "owner_organisation", "owner_person")
    columns = [
        Column("title", gettext_lazy("Action")),
        Column("owner", gettext_lazy("Owner")),
        Column("raised_by.name", gettext_lazy("Raised by")),
        Column("due_on", gettext_lazy("Due")),
        Column("get_status_display", gettext_lazy("Status")),
    ]
    detail_template = "bodies/actionitem_detail.html"
    transition_page = False  # steps are taken with an update (the progress form)

    @classmethod
    def initial(cls, request):
        return _initial_ids(request, "raised_by", "meeting", "decision", "owner_organisation")

    @classmethod
    def detail_context(cls, request, item):
        user = request.user
        sight = sight_for(user)
        sight.preload([item.owner, item.raised_by, item.meeting, item.decision])
        return {
            "owner_visible": sight.sees(item.owner),
            "raiser_visible": sight.sees(item.raised_by),
            "updates": ActionUpdate.objects.visible_to(user, "view")
            .filter(item=item)
            .select_related("author")
            .order_by("created_at", "pk"),
            "overdue": item.is_overdue_on(timezone.localdate()),
            "can_post": permits_add(user, ActionUpdate, parent=item),
            "progress_form": ActionProgressForm(steps=available_transitions(item, user)),
        }

    create_action = do_create_action_item
    update_action = do_update_action_item


class ActionUpdateViewSet(ModelViewSet):
    """Updates are a log: added and read, never edited or deleted through the pages."""

    model = ActionUpdate
    form_class = ActionUpdateForm
    filterset_class = ActionUpdateFilterSet
    title = gettext_lazy("Action updates")
    url_prefix = "bodies/actions/updates/"
    pages = ("list", "detail", "add", "history", "export")
    ordering = ("place_path", "pk")
    list_select_related = ("item", "author")
    columns = [
        Column("item.title", gettext_lazy("Action")),
        Column("text", gettext_lazy("Update")),
        Column("get_status_to_display", gettext_lazy("New status")),
        Column("author", gettext_lazy("By")),
        Column("created_at", gettext_lazy("When")),
    ]
    detail_fields = [
        ("item", gettext_lazy("Action item")),
        ("text", gettext_lazy("Update")),
        ("get_status_from_display", gettext_lazy("Status before")),
        ("get_status_to_display", gettext_lazy("Status after")),
        ("author", gettext_lazy("By")),
        ("created_at", gettext_lazy("When")),
    ]

    @classmethod
    def initial(cls, request):
        return _initial_ids(request, "item")

    @classmethod
    def create(cls, form, *, acting_user):
        return do_post_action_update(
            form.cleaned_data["item"],
            text=form.cleaned_data["text"],
            status=form.cleaned_data.get("status", ""),
            acting_user=acting_user,
        )


# --- the meeting page's forms ------------------------------------------------------------------


def _report_errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
@require_POST
def meeting_attendance(request, pk: int):
    """Record which of the body's seats were present (the checkboxes on the meeting page)."""
    meeting = access_record(request.user, Meeting, pk)
    if not permits_add(request.user, Attendance, parent=meeting):
        raise PermissionDenied
    day = timezone.localtime(meeting.starts_at).date()
    seats = Seat.objects.visible_to(request.user, "view").filter(body=meeting.body_id)
    form = AttendanceRecordForm(request.POST, seats=seats.current_on(day))
    if form.is_valid():
        try:
            do_record_attendance(
                meeting, present_seats=form.cleaned_data["seats"], acting_user=request.user
            )
            messages.success(request, _("Attendance recorded."))
        except ValidationError as exc:
            _report_errors(request, exc)
    else:
        messages.error(request, _("Those seats cannot be recorded for this meeting."))
    return redirect(meeting.get_absolute_url() + "#attendance-heading")


@login_required
@require_POST
def meeting_minutes(request, pk: int):
    meeting = access_record(request.user, Meeting, pk, "change")
    form = MinutesForm(request.POST)
    if form.is_valid():
        do_record_minutes(
            meeting,
            minutes=form.cleaned_data["minutes"],
            status=form.cleaned_data["status"],
            acting_user=request.user,
        )
        messages.success(request, _("Minutes saved."))
    else:
        messages.error(request, _("Choose the meeting's status."))
    return redirect(meeting.get_absolute_url() + "#minutes-heading")


@login_required
@require_POST
def meeting_decision(request, pk: int):
    meeting = access_record(request.user, Meeting, pk)
    if not permits_add(request.user, Decision, parent=meeting):
        raise PermissionDenied
    form = DecisionQuickForm(request.POST)
    if form.is_valid():
        decision = do_add_decision(
            meeting, text=form.cleaned_data["text"], acting_user=request.user
        )
        messages.success(request, _("Decision %(number)s recorded.") % {"number": decision.number})
    else:
        messages.error(request, _("Write the decision before saving it."))
    return redirect(meeting.get_absolute_url() + "#decisions-heading")


# --- the action page's update form, my actions, overdue ------------------------------------------


@login_required
@require_POST
def action_progress(request, pk: int):
    """Post progress on an item and move its status (partners may do both)."""
    item = access_record(request.user, ActionItem, pk)
    if not permits_add(request.user, ActionUpdate, parent=item):
        raise PermissionDenied
    form = ActionProgressForm(request.POST, steps=available_transitions(item, request.user))
    if form.is_valid():
        try:
            do_post_action_update(
                item,
                text=form.cleaned_data["text"],
                status=form.cleaned_data["status"],
                acting_user=request.user,
            )
            messages.success(request, _("Update posted."))
        except ValidationError as exc:
            _report_errors(request, exc)
    else:
        messages.error(request, _("That step is not open to you on this action now."))
    return redirect(item.get_absolute_url())


@login_required
@require_GET
def my_actions(request):
    """Actions owned by the user's person or the organisations they hold a post in."""
    today = timezone.localdate()
    items = list(selectors.action_items_of_user(request.user, today)[:200])
    sight_for(request.user).preload(
        [item.owner for item in items] + [item.raised_by for item in items]
    )
    return render(
        request,
        "bodies/my_actions.html",
        {
            "open_items": [item for item in items if not item.is_finished],
            "finished_items": [item for item in items if item.is_finished][:20],
            "overdue_count": sum(1 for item in items if item.is_overdue_on(today)),
            "today": today,
            "has_person": hasattr(request.user, "person"),
        },
    )


@login_required
@require_GET
def overdue_actions(request):
    """Every overdue item the user can see, under the body that raised it."""
    today = timezone.localdate()
    groups: dict[Body, list[ActionItem]] = {}
    items = list(selectors.overdue_actions_visible_to(request.user, today)[:500])
    sight_for(request.user).preload(
        [item.owner for item in items] + [item.raised_by for item in items]
    )
    for item in items:
        groups.setdefault(item.raised_by, []).append(item)
    return render(request, "bodies/overdue.html", {"groups": groups, "today": today})


# --- calendar feeds ------------------------------------------------------------------------------


def _calendar_user(request):
    """Calendar clients cannot sign in: a personal token in ``?token=`` stands in for the
    session. ``None`` when neither identifies an active user."""
    secret = request.GET.get("token", "")
    if secret:
        return authenticate_api_token(secret, purpose=TokenPurpose.CALENDAR)
    return request.user if request.user.is_authenticated else None


def _ics_response(payload: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(payload, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"  # a feed is personal, whoever fetches it
    return response


def _unauthorised() -> HttpResponse:
    response = HttpResponse(
        _("Sign in, or add ?token= with a calendar token from My account."),
        status=401,
        content_type="text/plain; charset=utf-8",
    )
    response["WWW-Authenticate"] = 'Bearer realm="bridgework"'
    return response


@require_GET
def body_calendar(request, pk: int):
    user = _calendar_user(request)
    if user is None:
        return _unauthorised()
    body = access_record(user, Body, pk)
    meetings = selectors.meetings_of(body, user).select_related("body").order_by("starts_at")
    return _ics_response(build_calendar(body.name, meetings), f"body-{body.pk}.ics")


@require_GET
def my_calendar(request):
    user = _calendar_user(request)
    if user is None:
        return _unauthorised()
    today = timezone.localdate()
    meetings = selectors.calendar_meetings_for(user, today)
    deadlines = selectors.calendar_actions_for(user, today)
    name = _("Bridgework: %(name)s") % {"name": user}
    return _ics_response(build_calendar(name, meetings, deadlines), "my-calendar.ics")

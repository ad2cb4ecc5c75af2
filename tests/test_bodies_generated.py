"""Generated page and API tests for every scoped model of the bodies module."""

from bridgework.actors.factories import OrganisationFactory
from bridgework.bodies.factories import (
    ActionItemFactory,
    AttendanceFactory,
    BodyFactory,
    DecisionFactory,
    MeetingFactory,
    SeatFactory,
)
from bridgework.bodies.models import (
    ActionItem,
    ActionUpdate,
    Attendance,
    Body,
    Decision,
    Meeting,
    Seat,
)
from bridgework.bodies.views import (
    ActionItemViewSet,
    ActionUpdateViewSet,
    AttendanceViewSet,
    BodyViewSet,
    DecisionViewSet,
    MeetingViewSet,
    SeatViewSet,
)
from bridgework.web.testing import ScopedApiTests, ScopedViewTests


class BodyRecords:
    model = Body

    def make_record(self, place, **fields):
        return BodyFactory(place=place, **fields)

    def form_data(self, place):
        return {
            "name": "District Peace Committee",
            "kind": "district_peace_committee",
            "level": "local",
            "place": place.pk,
            "mandate": "Keep the peace",
            "tlp": 1,
        }


class TestBodyPages(BodyRecords, ScopedViewTests):
    viewset = BodyViewSet


class TestBodyApi(BodyRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_bodies"
    detail_url_name = "api-1.0.0:get_body"
    write_name = "body"


class SeatRecords:
    model = Seat

    def make_record(self, place, **fields):
        return SeatFactory(body=BodyFactory(place=place), **fields)

    def form_data(self, place):
        return {
            "body": BodyFactory(place=place).pk,
            "organisation": OrganisationFactory(place=place).pk,
            "role": "member",
            "constituency": "Youth",
        }


class TestSeatPages(SeatRecords, ScopedViewTests):
    viewset = SeatViewSet


class TestSeatApi(SeatRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_seats"
    detail_url_name = "api-1.0.0:get_seat"
    write_name = "seat"


class MeetingRecords:
    model = Meeting

    def make_record(self, place, **fields):
        return MeetingFactory(body=BodyFactory(place=place), **fields)

    def form_data(self, place):
        return {
            "body": BodyFactory(place=place).pk,
            "title": "Quarterly meeting",
            "starts_at": "2025-05-01T10:00",
            "status": "planned",
            "tlp": 1,
        }


class TestMeetingPages(MeetingRecords, ScopedViewTests):
    viewset = MeetingViewSet


class TestMeetingApi(MeetingRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_meetings"
    detail_url_name = "api-1.0.0:get_meeting"
    write_name = "meeting"


class AttendanceRecords:
    model = Attendance

    def make_record(self, place, **fields):
        return AttendanceFactory(meeting=MeetingFactory(body=BodyFactory(place=place)), **fields)

    def form_data(self, place):
        body = BodyFactory(place=place)
        return {"meeting": MeetingFactory(body=body).pk, "seat": SeatFactory(body=body).pk}


class TestAttendancePages(AttendanceRecords, ScopedViewTests):
    viewset = AttendanceViewSet


class TestAttendanceApi(AttendanceRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_attendance"
    detail_url_name = "api-1.0.0:get_attendance"


class DecisionRecords:
    model = Decision

    def make_record(self, place, **fields):
        meeting = MeetingFactory(body=BodyFactory(place=place))
        return DecisionFactory(
            meeting=meeting, number=1, text=f"Hold a town hall after {meeting.title}", **fields
        )

    def form_data(self, place):
        return {
            "meeting": MeetingFactory(body=BodyFactory(place=place)).pk,
            "number": "4",  # an empty number takes the next one: tests/test_bodies_rules.py
            "text": "Ask the ministry for a response",
        }


class TestDecisionPages(DecisionRecords, ScopedViewTests):
    viewset = DecisionViewSet


class TestDecisionApi(DecisionRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_decisions"
    detail_url_name = "api-1.0.0:get_decision"
    write_name = "decision"


class ActionItemRecords:
    model = ActionItem

    def make_record(self, place, **fields):
        return ActionItemFactory(
            raised_by=BodyFactory(place=place), owner=OrganisationFactory(place=place), **fields
        )

    def form_data(self, place):
        return {
            "title": "Send the district a response",
            "raised_by": BodyFactory(place=place).pk,
            "owner_organisation": OrganisationFactory(place=place).pk,
            "due_on": "2025-06-30",
            "status": "open",
            "tlp": 1,
        }


class TestActionItemPages(ActionItemRecords, ScopedViewTests):
    viewset = ActionItemViewSet


class TestActionItemApi(ActionItemRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_actions"
    detail_url_name = "api-1.0.0:get_action"
    write_name = "action"


class ActionUpdateRecords:
    model = ActionUpdate

    def make_record(self, place, **fields):
        item = ActionItemFactory(
            raised_by=BodyFactory(place=place), owner=OrganisationFactory(place=place)
        )
        return ActionUpdate.objects.create(item=item, text="Letter sent", **fields)

    def form_data(self, place):
        item = ActionItemFactory(
            raised_by=BodyFactory(place=place), owner=OrganisationFactory(place=place)
        )
        return {"item": item.pk, "text": "Meeting with the ministry held", "status": ""}


class TestActionUpdatePages(ActionUpdateRecords, ScopedViewTests):
    viewset = ActionUpdateViewSet


class TestActionUpdateApi(ActionUpdateRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_action_updates"
    detail_url_name = "api-1.0.0:get_action_update"
    write_name = "action_update"

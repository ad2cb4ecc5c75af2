"""iCalendar feeds: a body's meetings and a person's meetings and deadlines, with token auth."""

import datetime

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from bridgework.access.actions import do_create_api_token, do_revoke_api_token
from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.actors.factories import OrganisationFactory, PersonFactory
from bridgework.bodies.choices import ActionStatus
from bridgework.bodies.factories import ActionItemFactory, BodyFactory, MeetingFactory, SeatFactory
from bridgework.web.testing import covers


def events(response) -> dict[str, object]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


def soon(days: int) -> datetime.datetime:
    return timezone.now().replace(microsecond=0) + datetime.timedelta(days=days)


@covers("bodies:body_calendar")
def test_body_feed_lists_its_meetings_for_a_signed_in_reader(tree):
    body = BodyFactory(place=tree.city, name="Peace Committee")
    start = soon(3)
    quarterly_meeting = MeetingFactory(
        body=body, title="Quarterly", starts_at=start, location="Town hall"
    )
    MeetingFactory(body=body, title="Annual", starts_at=soon(40))
    MeetingFactory(
        body=BodyFactory(place=tree.city), title="Another body's meeting", starts_at=soon(2)
    )
    client = Client()
    client.force_login(tree.in_scope)
    found = events(client.get(reverse("bodies:body_calendar", args=[body.pk])))
    assert set(found) == {"Peace Committee: Quarterly", "Peace Committee: Annual"}
    quarterly = found["Peace Committee: Quarterly"]
    assert quarterly.decoded("DTSTART") == start
    assert str(quarterly["LOCATION"]) == "Town hall"
    assert str(quarterly["URL"]).endswith(quarterly_meeting.get_absolute_url())


def test_body_feed_accepts_a_token_and_refuses_strangers(tree):
    body = BodyFactory(place=tree.city)
    MeetingFactory(body=body, title="Open meeting", starts_at=soon(1))
    url = reverse("bodies:body_calendar", args=[body.pk])
    token, secret = do_create_api_token(user=tree.in_scope, name="calendar", purpose="calendar")
    feed = Client().get(f"{url}?token={secret}")
    assert len(events(feed)) == 1
    assert feed["Cache-Control"] == "no-store, private"
    assert Client().get(url).status_code == 401
    assert Client().get(f"{url}?token=bwcal_not-a-token").status_code == 401
    _t, sibling_secret = do_create_api_token(
        user=tree.sibling_user, name="calendar", purpose="calendar"
    )
    assert Client().get(f"{url}?token={sibling_secret}").status_code == 404
    do_revoke_api_token(token, acting_user=tree.in_scope)
    assert Client().get(f"{url}?token={secret}").status_code == 401


@covers("bodies:my_calendar")
def test_my_feed_has_my_bodies_meetings_and_my_deadlines(tree):
    user = UserFactory(label="member")
    RoleAssignmentFactory(user=user, role="partner", place=tree.city)
    org = OrganisationFactory(place=tree.city, name="Youth Network")
    person = PersonFactory(place=tree.city, user=user, post_in=org)
    by_org = BodyFactory(place=tree.city, name="Forum")
    SeatFactory(body=by_org, organisation=org)
    by_person = BodyFactory(place=tree.city, name="Leaders' Table")
    SeatFactory(body=by_person, person=person, constituency="Youth")
    not_mine = BodyFactory(place=tree.city, name="Elsewhere")
    SeatFactory(body=not_mine)
    MeetingFactory(body=by_org, title="Forum meeting", starts_at=soon(5))
    MeetingFactory(body=by_person, title="Table meeting", starts_at=soon(6))
    MeetingFactory(body=not_mine, title="Not my meeting", starts_at=soon(7))
    due = timezone.localdate() + datetime.timedelta(days=10)
    ActionItemFactory(raised_by=by_org, owner=org, title="Send names", due_on=due)
    ActionItemFactory(raised_by=by_org, owner=org, title="No date")
    ActionItemFactory(
        raised_by=by_org, owner=org, title="Done already", due_on=due, status=ActionStatus.DONE
    )

    _token, secret = do_create_api_token(user=user, name="phone", purpose="calendar")
    found = events(Client().get(reverse("bodies:my_calendar") + f"?token={secret}"))
    assert set(found) == {
        "Forum: Forum meeting",
        "Leaders' Table: Table meeting",
        "Due: Send names",
    }
    deadline = found["Due: Send names"]
    assert deadline.decoded("DTSTART") == due  # an all-day event: a date, not a time
    assert deadline.decoded("DTEND") == due + datetime.timedelta(days=1)


def test_my_feed_is_scoped_to_what_the_user_may_see(tree):
    user = UserFactory(label="member")
    RoleAssignmentFactory(user=user, role="partner", place=tree.city)
    org = OrganisationFactory(place=tree.sibling, name="Sibling org")
    PersonFactory(place=tree.city, user=user, post_in=org)
    body = BodyFactory(place=tree.sibling, name="Sibling forum")
    SeatFactory(body=body, organisation=org)
    MeetingFactory(body=body, title="Hidden", starts_at=soon(2))
    client = Client()
    client.force_login(user)
    assert events(client.get(reverse("bodies:my_calendar"))) == {}
    assert Client().get(reverse("bodies:my_calendar")).status_code == 401


def test_a_calendar_token_opens_feeds_only_and_an_api_token_no_feed(tree):
    body = BodyFactory(place=tree.city)
    feed = reverse("bodies:body_calendar", args=[body.pk])
    _c, calendar_secret = do_create_api_token(user=tree.in_scope, name="phone", purpose="calendar")
    _a, api_secret = do_create_api_token(user=tree.in_scope, name="script")
    assert calendar_secret.startswith("bwcal_") and api_secret.startswith("bw_")
    assert Client().get(f"{feed}?token={api_secret}").status_code == 401
    api = Client(headers={"Authorization": f"Bearer {calendar_secret}"})
    assert api.get("/api/me").status_code == 401
    assert (
        Client(headers={"Authorization": f"Bearer {api_secret}"}).get("/api/me").status_code == 200
    )

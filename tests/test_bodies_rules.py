"""Bodies: who holds a seat, which sectors are missing, attendance and quorum, meeting pages."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.actors.choices import OrgLevel, Sector
from bridgework.actors.factories import OrganisationFactory, PersonFactory
from bridgework.bodies import selectors
from bridgework.bodies.factories import BodyFactory, MeetingFactory, SeatFactory
from bridgework.bodies.models import Attendance, Decision, Seat
from bridgework.core.tlp import TLP
from bridgework.web.testing import covers

TODAY = datetime.date(2025, 3, 15)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- seats -------------------------------------------------------------------------------------


def test_a_seat_needs_exactly_one_holder_in_the_database(tree):
    body = BodyFactory(place=tree.city)
    org, person = OrganisationFactory(place=tree.city), PersonFactory(place=tree.city)
    for holders in ({"organisation": org, "person": person}, {}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Seat.objects.create(body=body, role="member", **holders)
    assert Seat.objects.count() == 0


def test_a_seat_needs_exactly_one_holder_in_the_form(tree):
    body = BodyFactory(place=tree.city)
    org, person = OrganisationFactory(place=tree.city), PersonFactory(place=tree.city)
    seat = Seat(body=body, organisation=org, person=person)
    with pytest.raises(ValidationError):
        seat.full_clean()
    response = client_for(tree.in_scope).post(
        reverse("bodies:seat_add"),
        {
            "body": body.pk,
            "organisation": org.pk,
            "person": person.pk,
            "role": "member",
        },
    )
    assert response.status_code == 400
    assert "exactly one" in " ".join(response.context["form"].non_field_errors())
    assert not Seat.objects.exists()


def test_a_seat_lives_at_its_bodys_place(tree):
    seat = SeatFactory(body=BodyFactory(place=tree.ward))
    assert seat.place == tree.ward and seat.place_path == tree.ward.path


# --- the body's table --------------------------------------------------------------------------


def test_members_are_grouped_by_sector_and_level_and_gaps_are_named(tree):
    body = BodyFactory(place=tree.city)
    police = OrganisationFactory(place=tree.country, sector=Sector.POLICE, level=OrgLevel.NATIONAL)
    council = OrganisationFactory(
        place=tree.city, sector=Sector.LOCAL_GOVERNMENT, level=OrgLevel.LOCAL
    )
    SeatFactory(body=body, organisation=police, role="member")
    SeatFactory(body=body, organisation=council, role="chair")
    SeatFactory(body=body, person=PersonFactory(place=tree.city), constituency="Somali community")
    health = OrganisationFactory(place=tree.city, sector=Sector.HEALTH)
    SeatFactory(body=body, organisation=health, ends_on=TODAY - datetime.timedelta(days=1))

    seats = selectors.current_seats(body, tree.in_scope, TODAY)
    groups = selectors.membership_by_sector_and_level(seats)
    missing = selectors.missing_sectors(seats)

    assert [(g.sector, g.level, len(g.seats)) for g in groups] == [
        ("Local government", "Local", 1),
        ("Police", "National", 1),
        ("", "", 1),
    ]
    assert "Health" in missing  # the health seat ended yesterday
    assert "Police" not in missing and "Local government" not in missing
    assert len(missing) == len(Sector.values) - 2


def test_people_speak_for_the_sector_on_their_seat_or_of_their_post(tree):
    """A community leader's seat counts for the sector given on the seat; without one, for
    the sector of the organisation the person works for (a post the reader may see)."""
    body = BodyFactory(place=tree.city)
    faith = PersonFactory(place=tree.city, full_name="Imam Example")
    SeatFactory(body=body, person=faith, constituency="Muslim community", sector=Sector.FAITH_BASED)
    youth_org = OrganisationFactory(place=tree.city, sector=Sector.YOUTH, level=OrgLevel.COMMUNITY)
    youth = PersonFactory(place=tree.city, full_name="Youth Leader", post_in=youth_org)
    SeatFactory(body=body, person=youth, constituency="Young people")
    old_org = OrganisationFactory(place=tree.city, sector=Sector.HEALTH)
    retired = PersonFactory(
        place=tree.city, post_in=old_org, post_in__ends_on=TODAY - datetime.timedelta(days=1)
    )
    SeatFactory(body=body, person=retired)  # their post has ended: nothing to go by
    hidden_org = OrganisationFactory(place=tree.city, sector=Sector.MEDIA, tlp=TLP.AMBER)
    SeatFactory(body=body, person=PersonFactory(place=tree.city, post_in=hidden_org))

    partner = UserFactory(label="partner")
    RoleAssignmentFactory(user=partner, role="partner", place=tree.city)  # reads up to GREEN
    selectors.current_seats(body, partner, TODAY)  # the reader's access, read once
    with CaptureQueriesContext(connection) as queries:
        seats = selectors.current_seats(body, partner, TODAY)
    assert len(queries) == 2  # the seats, then the posts of all their people at once
    missing = selectors.missing_sectors(seats)
    assert "Faith-based" not in missing and "Youth" not in missing
    assert "Health" in missing
    assert "Media" in missing  # an AMBER organisation says nothing to a partner
    assert "Media" not in selectors.missing_sectors(
        selectors.current_seats(body, tree.in_scope, TODAY)  # a national coordinator reads it
    )
    groups = selectors.membership_by_sector_and_level(seats)
    assert [(g.sector, g.level, len(g.seats)) for g in groups] == [
        ("Faith-based", "", 1),
        ("Youth", "Community", 1),
        ("", "", 2),
    ]


def test_an_organisations_seat_takes_no_sector_of_its_own(tree):
    body = BodyFactory(place=tree.city)
    seat = Seat(
        body=body,
        organisation=OrganisationFactory(place=tree.city),
        sector=Sector.YOUTH,
        role="member",
    )
    with pytest.raises(ValidationError) as error:
        seat.full_clean()
    assert "sector" in error.value.message_dict


def test_body_page_shows_members_gaps_children_and_meetings(tree):
    body = BodyFactory(place=tree.city, name="Riverton Peace Committee")
    BodyFactory(place=tree.ward, name="Ward 1 Forum", parent=body)
    SeatFactory(
        body=body,
        organisation=OrganisationFactory(
            place=tree.city, name="Riverton Police", sector=Sector.POLICE
        ),
    )
    MeetingFactory(
        body=body, title="Planning session", starts_at=timezone.now() + datetime.timedelta(days=7)
    )
    response = client_for(tree.in_scope).get(body.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Riverton Police" in page and "Ward 1 Forum" in page and "Planning session" in page
    assert "Faith-based" in response.context["missing_sectors"]


# --- attendance and quorum ---------------------------------------------------------------------


def test_attendance_rate_and_quorum_per_meeting_in_one_query(tree):
    body = BodyFactory(place=tree.city)
    now = timezone.now()
    early = now - datetime.timedelta(days=60)
    late = now - datetime.timedelta(days=5)
    seats = SeatFactory.create_batch(3, body=body)
    # A fourth seat starts after the first meeting: it counts only for the second.
    seats.append(SeatFactory(body=body, starts_on=(now - datetime.timedelta(days=30)).date()))
    first = MeetingFactory(body=body, title="First", starts_at=early)
    second = MeetingFactory(body=body, title="Second", starts_at=late)
    MeetingFactory(body=body, title="Cancelled", starts_at=late, status="cancelled")
    MeetingFactory(body=body, title="Future", starts_at=now + datetime.timedelta(days=3))
    for seat in seats[:2]:
        Attendance.objects.create(meeting=first, seat=seat)
    for seat in seats[:2]:
        Attendance.objects.create(meeting=second, seat=seat)
    guest = OrganisationFactory(place=tree.city)
    Attendance.objects.create(meeting=second, organisation=guest)

    selectors.meetings_of(body, tree.in_scope).exists()  # loads the user's roles once
    with CaptureQueriesContext(connection) as queries:
        trend = {m.title: m for m in selectors.attendance_trend(body, tree.in_scope, now)}
    assert len(queries) == 1
    assert set(trend) == {"First", "Second"}
    assert (trend["First"].present, trend["First"].seats_then) == (2, 3)
    assert trend["First"].quorum is True and round(trend["First"].rate) == 67
    assert (trend["Second"].present, trend["Second"].seats_then) == (2, 4)
    assert trend["Second"].quorum is False and round(trend["Second"].rate) == 50


@covers("bodies:meeting_attendance")
def test_recording_attendance_with_checkboxes(tree):
    body = BodyFactory(place=tree.city)
    police = SeatFactory(
        body=body, organisation=OrganisationFactory(place=tree.city, sector=Sector.POLICE)
    )
    school = SeatFactory(
        body=body, organisation=OrganisationFactory(place=tree.city, sector=Sector.EDUCATION)
    )
    other_body_seat = SeatFactory(body=BodyFactory(place=tree.city))
    meeting = MeetingFactory(body=body)
    client = client_for(tree.in_scope)
    url = reverse("bodies:meeting_attendance", args=[meeting.pk])

    assert client.post(url, {"seats": [police.pk, school.pk]}).status_code == 302
    assert set(meeting.attendances.values_list("seat_id", flat=True)) == {police.pk, school.pk}
    assert selectors.sectors_represented(meeting, tree.in_scope) == ["Police", "Education"]
    created = LogEntry.objects.filter(
        action=LogEntry.Action.CREATE, content_type__model="attendance"
    )
    assert created.count() == 2 and {e.actor_id for e in created} == {tree.in_scope.pk}

    client.post(url, {"seats": [police.pk]})
    assert list(meeting.attendances.values_list("seat_id", flat=True)) == [police.pk]

    client.post(url, {"seats": [police.pk, other_body_seat.pk]})  # not a seat of this body
    assert list(meeting.attendances.values_list("seat_id", flat=True)) == [police.pk]

    page = client.get(meeting.get_absolute_url()).content.decode()
    assert f'value="{police.pk}" id="seat-{police.pk}" checked' in page


def test_partner_cannot_record_attendance_and_sibling_gets_404(tree):
    body = BodyFactory(place=tree.city)
    seat = SeatFactory(body=body)
    meeting = MeetingFactory(body=body)
    partner = UserFactory(label="partner")
    RoleAssignmentFactory(user=partner, role="partner", place=tree.city)
    url = reverse("bodies:meeting_attendance", args=[meeting.pk])
    assert client_for(partner).post(url, {"seats": [seat.pk]}).status_code == 403
    assert client_for(tree.sibling_user).post(url, {"seats": [seat.pk]}).status_code == 404
    assert not Attendance.objects.exists()


@covers("bodies:meeting_minutes", "bodies:meeting_decision")
def test_minutes_and_numbered_decisions_on_the_meeting_page(tree):
    meeting = MeetingFactory(body=BodyFactory(place=tree.city))
    client = client_for(tree.in_scope)
    client.post(
        reverse("bodies:meeting_minutes", args=[meeting.pk]),
        {"minutes": "Opened at 10:00.", "status": "held"},
    )
    meeting.refresh_from_db()
    assert (meeting.minutes, meeting.status) == ("Opened at 10:00.", "held")
    decide = reverse("bodies:meeting_decision", args=[meeting.pk])
    client.post(decide, {"text": "Hold a town hall in May"})
    client.post(decide, {"text": "Invite the youth council"})
    client.post(decide, {"text": ""})  # refused: nothing to record
    assert list(Decision.objects.filter(meeting=meeting).values_list("number", "text")) == [
        (1, "Hold a town hall in May"),
        (2, "Invite the youth council"),
    ]
    assert client_for(tree.sibling_user).post(decide, {"text": "x"}).status_code == 404


# --- parts follow their parent's label -----------------------------------------------------------


def test_seats_of_a_shareable_body_above_are_visible_but_not_of_an_amber_one(tree):
    partner = UserFactory(label="partner")
    RoleAssignmentFactory(user=partner, role="partner", place=tree.city)  # reads up to TLP:GREEN
    green = SeatFactory(body=BodyFactory(place=tree.country, tlp=TLP.GREEN))
    amber = SeatFactory(body=BodyFactory(place=tree.country, tlp=TLP.AMBER))
    mine = SeatFactory(body=BodyFactory(place=tree.city, tlp=TLP.AMBER))
    visible = set(Seat.objects.visible_to(partner).values_list("pk", flat=True))
    assert green.pk in visible
    assert amber.pk not in visible  # the body's label governs its seats
    assert mine.pk not in visible  # AMBER is above a partner's ceiling even at home
    assert mine.pk in set(Seat.objects.visible_to(tree.in_scope).values_list("pk", flat=True))


def test_the_buttons_of_a_body_one_may_read_but_not_write_agree_with_saving(tree):
    """The city's coordinator reads the region's GREEN body (upward) but may write nothing
    there: the body and meeting pages offer none of its writes, "Assign an action" included,
    and assigning one on the body's behalf anyway is refused — even for an owner in the city,
    where the item itself would live."""
    from bridgework.bodies.models import ActionItem

    body = BodyFactory(place=tree.region, tlp=TLP.GREEN, name="Northern Region Forum")
    meeting = MeetingFactory(body=body, tlp=TLP.GREEN)
    client = client_for(tree.in_scope)
    body_page = client.get(body.get_absolute_url())
    meeting_page = client.get(meeting.get_absolute_url())
    assert body_page.status_code == meeting_page.status_code == 200
    for key in ("can_add_seat", "can_add_meeting", "can_add_action"):
        assert body_page.context[key] is False, key
    for key in ("can_record", "can_decide", "can_minute", "can_add_action"):
        assert meeting_page.context[key] is False, key
    assert reverse("bodies:actionitem_add") not in meeting_page.content.decode()
    owner = OrganisationFactory(place=tree.city)
    response = client.post(
        reverse("bodies:actionitem_add"),
        {
            "title": "On their behalf",
            "raised_by": body.pk,
            "owner_organisation": owner.pk,
            "tlp": 1,
        },
    )
    assert response.status_code == 400
    assert "raised_by" in response.context["form"].errors
    assert not ActionItem.objects.filter(title="On their behalf").exists()
    # Their own body: every button, and the item saved.
    own = MeetingFactory(body=BodyFactory(place=tree.city))
    page = client.get(own.get_absolute_url())
    assert all(page.context[k] for k in ("can_record", "can_decide", "can_add_action"))
    assert reverse("bodies:actionitem_add") in page.content.decode()
    response = client.post(
        reverse("bodies:actionitem_add"),
        {"title": "Ours", "raised_by": own.body_id, "owner_organisation": owner.pk, "tlp": 1},
    )
    assert response.status_code == 302

"""The factories make what the tests assume: paths through the place actions, holders and
owners at the body's place, meetings that started yesterday, users who can sign in."""

import ast
import datetime
from pathlib import Path

from django.urls import reverse
from django.utils import timezone

from bridgework.access.factories import TEST_PASSWORD, RoleAssignmentFactory, UserFactory
from bridgework.access.models import Role
from bridgework.actors.choices import OrgLevel, Sector
from bridgework.actors.factories import OrganisationFactory, PersonFactory, PostFactory
from bridgework.bodies.choices import SeatRole
from bridgework.bodies.factories import (
    ActionItemFactory,
    AttendanceFactory,
    BodyFactory,
    DecisionFactory,
    MeetingFactory,
    SeatFactory,
)
from bridgework.places.factories import PlaceFactory


def test_places_get_their_path_from_the_place_actions(tree):
    ward = PlaceFactory(parent=tree.city)
    assert ward.path.startswith(tree.city.path) and ward.depth == tree.city.depth + 1
    assert ward.country_code == "XA"
    assert PlaceFactory().parent == tree.world  # by default under the world


def test_users_sign_in_with_the_test_password_and_hold_roles_by_slug(tree, client):
    user = UserFactory(label="partner")
    assert user.email.startswith("partner") and user.email.endswith("@example.test")
    assert user.check_password(TEST_PASSWORD)
    signed_in = client.post(reverse("login"), {"username": user.email, "password": TEST_PASSWORD})
    assert signed_in.status_code == 302 and client.session.get("_auth_user_id") == str(user.pk)
    held = RoleAssignmentFactory(user=user, role="local_coordinator", place=tree.city)
    assert held.role.slug == "local_coordinator" and held.place_path == tree.city.path
    role = Role.objects.get(slug="partner")
    assert RoleAssignmentFactory(role=role, place=tree.ward).role == role


def test_organisations_people_and_posts(tree):
    org = OrganisationFactory(place=tree.city)
    assert (org.sector, org.level) == (Sector.LOCAL_GOVERNMENT, OrgLevel.LOCAL)
    person = PersonFactory(place=tree.city, post_in=org)
    assert [(p.organisation, p.title) for p in person.posts.all()] == [(org, "Officer")]
    assert not PersonFactory(place=tree.city).posts.exists()
    post = PostFactory(organisation=org)
    assert post.place == post.person.place == tree.city


def test_seats_meetings_attendance_and_decisions_live_at_the_body(tree):
    body = BodyFactory(place=tree.ward)
    seat = SeatFactory(body=body)
    assert seat.role == SeatRole.MEMBER and seat.place == seat.organisation.place == tree.ward
    person = PersonFactory(place=tree.city)
    held = SeatFactory(body=body, person=person)
    assert held.person == person and held.organisation is None
    meeting = MeetingFactory(body=body)
    ago = timezone.now() - meeting.starts_at
    assert datetime.timedelta(hours=23) < ago < datetime.timedelta(days=1, minutes=1)
    came = AttendanceFactory(meeting=meeting)
    assert came.seat.body == body and came.organisation == came.seat.organisation
    guest = AttendanceFactory(meeting=meeting, person=person)
    assert guest.seat is None and guest.place == tree.ward
    first, second = DecisionFactory(meeting=meeting), DecisionFactory(meeting=meeting)
    assert (first.number, second.number) == (1, 2)


def test_action_items_are_owed_by_an_organisation_or_a_person(tree):
    body = BodyFactory(place=tree.city)
    item = ActionItemFactory(raised_by=body)
    assert item.owner_organisation.place == tree.city and item.owner_person is None
    person = PersonFactory(place=tree.ward)
    by_person = ActionItemFactory(raised_by=body, owner=person)
    assert by_person.owner_person == person and by_person.owner_organisation is None
    assert by_person.place == tree.ward  # the deeper of the owner's and the body's places
    org = OrganisationFactory(place=tree.country)
    assert ActionItemFactory(raised_by=body, owner=org).owner_organisation == org
    direct = ActionItemFactory(raised_by=body, owner_person=person)
    assert direct.owner_person == person and direct.owner_organisation is None


def test_only_tests_import_the_factories():
    """factory_boy is a test dependency: the application never imports a factories module;
    only the tests, the generated tests (web/testing/) and other factories do."""
    root = Path(__file__).resolve().parent.parent / "bridgework"
    offenders = []
    for path in root.rglob("*.py"):
        relative = path.relative_to(root)
        if relative.name == "factories.py" or relative.parts[:2] == ("web", "testing"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [alias.name for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            if any(name == "factory" or name.split(".")[-1] == "factories" for name in names):
                offenders.append(str(relative))
    assert offenders == []

"""A home page that says what to do, per role (issue point 7): my overdue and due-soon actions,
my bodies' next meetings and recent decisions, the gaps in my places, three first steps until
put away; residents see only what they can use."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bridgework.access.actions import do_create_api_token
from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.actors.choices import Sector
from bridgework.actors.factories import OrganisationFactory, PersonFactory
from bridgework.actors.models import OrganisationArea
from bridgework.actors.reach import refresh_reach
from bridgework.bodies.choices import MeetingStatus
from bridgework.bodies.factories import (
    ActionItemFactory,
    BodyFactory,
    DecisionFactory,
    MeetingFactory,
    SeatFactory,
)
from bridgework.core.tlp import TLP
from bridgework.web.testing import covers


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def sections(response) -> dict[str, dict]:
    return dict(response.context["sections"])


def step_labels(response) -> list[str]:
    return [str(step.label) for step in response.context["steps"]]


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def at(n: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=n)


@pytest.fixture
def coordinator_world(tree):
    """The city's coordinator works for the city office, which owes three actions."""
    office = OrganisationFactory(place=tree.city, name="City Office", sector=Sector.POLICE)
    OrganisationArea.objects.create(organisation=office, place=tree.city)
    refresh_reach([office.pk])  # written past the actions: the stored 3W roll-up follows here
    PersonFactory(place=tree.city, user=tree.in_scope, post_in=office)
    table = BodyFactory(place=tree.city, name="City Table")
    sibling_table = BodyFactory(place=tree.sibling, name="Hillbury Table")
    ActionItemFactory(raised_by=table, owner=office, title="Late report", due_on=days(-3))
    ActionItemFactory(raised_by=table, owner=office, title="Soon report", due_on=days(5))
    ActionItemFactory(raised_by=table, owner=office, title="Far report", due_on=days(40))
    ActionItemFactory(raised_by=table, title="Someone else's", due_on=days(2))
    MeetingFactory(body=table, title="Next table", starts_at=at(4))
    MeetingFactory(body=table, title="Called off", starts_at=at(2), status=MeetingStatus.CANCELLED)
    MeetingFactory(body=sibling_table, title="Not my table", starts_at=at(3))
    DecisionFactory(meeting=MeetingFactory(body=table, starts_at=at(-10)), text="Fresh decision")
    DecisionFactory(meeting=MeetingFactory(body=table, starts_at=at(-200)), text="Old decision")
    return tree


@covers("home")
def test_a_coordinators_home_says_what_to_do(coordinator_world):
    tree = coordinator_world
    response = client_for(tree.in_scope).get(reverse("home"))
    assert response.status_code == 200
    shown = sections(response)

    actions = shown["bodies/_home_actions.html"]
    assert [item.title for item in actions["overdue"]] == ["Late report"]
    assert [item.title for item in actions["due_soon"]] == ["Soon report"]
    assert actions["overdue_visible"] == 1

    meetings = shown["bodies/_home_meetings.html"]["meetings"]
    assert [m.title for m in meetings] == ["Next table"]

    decisions = shown["bodies/_home_decisions.html"]["decisions"]
    assert [d.text for d in decisions] == ["Fresh decision"]

    [gaps] = shown["actors/_home_gaps.html"]["places"]
    assert gaps["place"] == tree.city
    missing = [str(label) for label in gaps["gaps"]]
    assert "Police" not in missing and "Health" in missing

    assert "bodies/_home_bodies.html" not in shown  # they see meetings: no "bodies near you"
    assert step_labels(response) == [
        "Look at your place",
        "Add the organisations that work in your place",
        "Plan your body's next meeting",
    ]
    text = response.content.decode()
    for words in ("Late report", "Soon report", "Next table", "Fresh decision", "Gaps in"):
        assert words in text
    for words in ("Far report", "Someone else", "Called off", "Not my table", "Old decision"):
        assert words not in text


def test_a_seat_makes_a_body_mine_outside_my_places(tree):
    """A partner at the city who sits on the region's table sees its next meeting."""
    partner = UserFactory(label="partner")
    RoleAssignmentFactory(user=partner, role="partner", place=tree.region)
    regional = BodyFactory(place=tree.region, name="Regional Table")
    PersonFactory(place=tree.city, user=partner)
    SeatFactory(body=regional, person=partner.person)
    MeetingFactory(body=regional, title="Regional meeting", starts_at=at(6))
    response = client_for(partner).get(reverse("home"))
    meetings = sections(response)["bodies/_home_meetings.html"]["meetings"]
    assert [m.title for m in meetings] == ["Regional meeting"]
    assert "actors/_home_gaps.html" not in sections(response)  # partners do not map actors
    assert step_labels(response) == [
        "Look at your place",
        "See who does what where",
        "See what you owe",
    ]


@covers("hide_start_steps")
def test_the_first_steps_stay_until_put_away(tree):
    client = client_for(tree.in_scope)
    assert len(client.get(reverse("home")).context["steps"]) == 3
    response = client.post(reverse("hide_start_steps"))
    assert response.status_code == 302
    tree.in_scope.refresh_from_db()
    assert tree.in_scope.start_steps_hidden_at is not None
    home = client.get(reverse("home"))
    assert home.context["steps"] == []
    assert b"steps to start" not in home.content
    assert client.get(reverse("hide_start_steps")).status_code == 405


def test_no_role_no_steps(tree):
    response = client_for(tree.no_role).get(reverse("home"))
    assert response.context["steps"] == []
    assert b"You have no role yet" in response.content


# --- residents see what they can use -------------------------------------------------------


@pytest.fixture
def resident(tree):
    user = UserFactory(label="resident")
    RoleAssignmentFactory(user=user, role="resident", place=tree.ward)
    BodyFactory(place=tree.city, name="Open Forum", tlp=TLP.CLEAR)
    BodyFactory(place=tree.city, name="Network Table", tlp=TLP.GREEN)
    return user


def test_a_residents_home_holds_only_what_they_can_use(resident):
    response = client_for(resident).get(reverse("home"))
    shown = sections(response)
    for part in ("_home_actions", "_home_meetings", "_home_decisions", "_home_gaps"):
        assert not any(part in template for template in shown)
    bodies = shown["bodies/_home_bodies.html"]["bodies"]
    assert [body.name for body in bodies] == ["Open Forum"]
    assert step_labels(response) == [
        "Look at your place",
        "See who does what where",
        "Find the coordination bodies near you",
    ]
    menu = [str(entry.label) for entry, _current, _badge in response.context["menu"]]
    for hidden in ("My actions", "People", "Access"):
        assert hidden not in menu
    assert "Bodies" in menu and "Home" in menu


def test_residents_have_no_tokens(resident, tree):
    page = client_for(resident).get(reverse("account"))
    assert page.context["may_hold_tokens"] is False
    assert b"Personal tokens" not in page.content
    refused = client_for(resident).post(reverse("token_create"), {"name": "script"})
    assert refused.status_code == 403
    with pytest.raises(PermissionDenied):
        do_create_api_token(user=resident, name="script")

    partner = UserFactory(label="partner")
    RoleAssignmentFactory(user=partner, role="partner", place=tree.city)
    assert client_for(partner).get(reverse("account")).context["may_hold_tokens"] is True
    assert client_for(partner).post(reverse("token_create"), {"name": "script"}).status_code == 200


def labels(rows) -> list[str]:
    return [str(entry.label) for entry, _current, _badge in rows]


def test_a_sections_own_pages_sit_in_its_section_menu_not_the_main_menu(tree):
    client = client_for(tree.in_scope)
    organisations = client.get(reverse("actors:organisation_list"))
    assert "People" not in labels(organisations.context["menu"])
    assert labels(organisations.context["section_menu"]) == ["Organisations", "People"]
    assert 'aria-label="This section"' in organisations.content.decode()

    people = client.get(reverse("actors:person_list"))
    main = {str(entry.label): current for entry, current, _ in people.context["menu"]}
    assert main["Organisations"] == "true" and main["Home"] == ""
    section = {str(entry.label): current for entry, current, _ in people.context["section_menu"]}
    assert section == {"Organisations": "", "People": "page"}

    # A page of a section without pages of its own shows no section menu.
    home = client.get(reverse("home"))
    assert home.context["section_menu"] == []
    # The reader's own pages sit beside their name, the help pages in the footer.
    assert labels(home.context["personal_menu"]) == ["Inbox", "My account"]
    assert labels(home.context["help_menu"]) == ["How work moves"]
    assert not {"Inbox", "My account", "How work moves"} & set(labels(home.context["menu"]))
    assert 'aria-label="Yours"' in home.content.decode()


def test_an_entry_whose_section_is_hidden_takes_its_place_in_the_main_menu(tree, monkeypatch):
    from bridgework.core.modules import NavEntry

    entries = (
        NavEntry("Home", "home", order=0),
        NavEntry(
            "Staff only", "access:roleassignment_list", needs=("no_such_action", "places.place")
        ),
        NavEntry("Mine", "account", within="access:roleassignment_list"),
    )
    monkeypatch.setattr("bridgework.web.context_processors.navigation", lambda: entries)
    response = client_for(tree.in_scope).get(reverse("account"))
    assert labels(response.context["menu"]) == ["Home", "Mine"]
    assert response.context["section_menu"] == []


@pytest.mark.parametrize(
    ("url_name", "section", "here"),
    [
        (
            "funding:pipeline",
            ["Funding", "My applications", "Pipeline", "Where the money goes"],
            "Pipeline",
        ),
        (
            "plans:matrix",
            ["Plans", "Needs", "Places × objectives", "Report indicator values", "Approvals"],
            "Places × objectives",
        ),
        (
            "response:alertrule_list",
            ["Incidents", "Tensions", "Crises", "Alert rules"],
            "Alert rules",
        ),
        (
            "participation:townhall_list",
            ["Proposals", "Follow-up", "Moderation", "Town halls"],
            "Town halls",
        ),
    ],
)
def test_each_modules_pages_are_one_click_apart_in_its_section_menu(tree, url_name, section, here):
    page = client_for(tree.in_scope).get(reverse(url_name))
    rows = page.context["section_menu"]
    assert labels(rows) == section
    assert [str(entry.label) for entry, current, _ in rows if current] == [here]

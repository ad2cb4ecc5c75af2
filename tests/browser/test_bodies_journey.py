"""A national coordinator sets up a body across two levels, holds a meeting and assigns an
action to a district organisation; the district user finds it in "My actions" and completes it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.actors.choices import OrgLevel, Sector
from bridgework.actors.factories import OrganisationFactory, PersonFactory
from bridgework.bodies.models import ActionItem
from bridgework.web.testing import build_tree

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser


def field(page: Page, label: str):
    """A form field by its label (Django's labels end with a colon)."""
    return page.get_by_label(f"{label}:", exact=True)


def submit(page: Page, name: str = "Save") -> None:
    page.get_by_role("button", name=name, exact=True).click()


def test_body_meeting_and_cross_level_action(page: Page, live_server):
    tree = build_tree("national_coordinator")
    OrganisationFactory(
        place=tree.country,
        name="Xanadu Ministry of Interior",
        sector=Sector.NATIONAL_GOVERNMENT,
        level=OrgLevel.NATIONAL,
    )
    district_org = OrganisationFactory(
        place=tree.city,
        name="Riverton District Council",
        sector=Sector.LOCAL_GOVERNMENT,
        level=OrgLevel.LOCAL,
    )
    district_user = UserFactory(label="district")
    RoleAssignmentFactory(user=district_user, role="partner", place=tree.city)
    PersonFactory(
        place=tree.city, full_name="Dana District", user=district_user, post_in=district_org
    )

    # The national coordinator (country level) creates the body.
    sign_in(page, live_server, tree.ancestor.email)
    page.goto(f"{live_server.url}/bodies/")
    assert_accessible(page)
    page.get_by_role("link", name="Add coordination body").click()
    field(page, "Name").fill("Xanadu Prevention Board")
    field(page, "Kind").select_option(label="National coordination centre")
    field(page, "Level").select_option(label="National")
    field(page, "Place").select_option(label="Xanadu")
    field(page, "Mandate").fill("Coordinates prevention across levels.")
    assert_accessible(page)
    submit(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xanadu Prevention Board")

    # Two seats at two levels.
    for org_name, role in (
        ("Xanadu Ministry of Interior", "Chair"),
        ("Riverton District Council", "Member"),
    ):
        page.get_by_role("link", name="Add a seat").click()
        field(page, "Organisation").select_option(label=org_name)
        field(page, "Role").select_option(label=role)
        submit(page)
    members = page.locator("section", has=page.locator("#members-heading"))
    expect(members.get_by_role("link", name="Xanadu Ministry of Interior")).to_be_visible()
    expect(members.get_by_role("link", name="Riverton District Council")).to_be_visible()
    expect(members.locator(".badge", has_text="Police")).to_be_visible()  # a missing sector
    assert_accessible(page)

    # A meeting, with attendance.
    page.get_by_role("link", name="Plan a meeting").click()
    field(page, "Title").fill("First board meeting")
    field(page, "Starts").fill("2025-03-03T10:00")
    field(page, "Status").select_option(label="Held")
    submit(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("First board meeting")
    assert_accessible(page)
    page.get_by_label("Xanadu Ministry of Interior").check()
    page.get_by_label("Riverton District Council").check()
    submit(page, "Record attendance")
    expect(page.get_by_role("heading", name="Attendance: 2 of 2 seats")).to_be_visible()
    expect(page.get_by_text("Sectors at the table:")).to_contain_text("Local government")

    # An action for the district organisation.
    page.get_by_role("link", name="Assign an action").click()
    field(page, "Title").fill("Send the district's prevention plan")
    field(page, "Owner (organisation)").select_option(label="Riverton District Council")
    field(page, "Due").fill("2030-06-30")
    assert_accessible(page)
    submit(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Send the district's prevention plan"
    )
    item = ActionItem.objects.get(title="Send the district's prevention plan")
    assert item.place_id == tree.city.pk and item.meeting is not None

    # The district user signs in, finds it and completes it.
    page.context.clear_cookies()
    sign_in(page, live_server, district_user.email)
    page.goto(f"{live_server.url}/bodies/my-actions/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My actions")
    assert_accessible(page)
    page.get_by_role("link", name="Send the district's prevention plan").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Send the district's prevention plan"
    )
    assert_accessible(page)
    field(page, "What happened").fill("Plan sent to the board.")
    # Only the steps the workflow opens to a partner are offered.
    assert field(page, "Move to").locator("option").all_inner_texts() == [
        "— unchanged —",
        "Start work → In progress",
        "Mark done → Done",
    ]
    field(page, "Move to").select_option(label="Mark done → Done")
    submit(page, "Post update")
    expect(page.get_by_text("Update posted.")).to_be_visible()
    expect(page.locator(".lead")).to_contain_text("Done")
    item.refresh_from_db()
    assert item.status == "done"
    page.goto(f"{live_server.url}/bodies/my-actions/")
    expect(page.get_by_role("region", name="Recently finished")).to_contain_text(
        "Send the district's prevention plan"
    )
    assert_accessible(page)

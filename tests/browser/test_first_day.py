"""A first day on the demo, as the people who stopped cold: forms that never trap (offer only
what may be saved, keep the input, say constraints in words, say why a page is read-only), a
home page that says what to do per role, words instead of internals, the focus on the outcome
after a keyboard submit, and a header that fits a small phone."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from bridgework.access.demo import DEMO_PASSWORD
from bridgework.bodies.models import Body, Meeting

from .conftest import BrowserLog, assert_accessible, choose_language, sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 320, "height": 640}


@pytest.fixture
def demo():
    call_command("load_demo", stdout=StringIO())


def sign_in_as(page: Page, live_server, who: str) -> None:
    sign_in(page, live_server, f"{who}@demo.bridgework.test", DEMO_PASSWORD)


def field(page: Page, label: str):
    return page.get_by_label(f"{label}:", exact=True)


def region(page: Page, name: str):
    return page.get_by_role("region", name=name, exact=True)


def option_labels(page: Page, label: str) -> list[str]:
    return [text.strip() for text in field(page, label).locator("option").all_inner_texts()]


def test_lilongwe_coordinator_is_never_trapped(
    page: Page, live_server, demo, browser_log: BrowserLog
):
    sign_in_as(page, live_server, "local.lilongwe")

    # Home: three steps, what she owes, her bodies' next meetings, the gaps of her city.
    steps = region(page, "3 steps to start")
    expect(steps.get_by_role("link")).to_have_text(
        [
            "Look at your place",
            "Add the organisations that work in your place",
            "Plan your body's next meeting",
        ]
    )
    actions = region(page, "Your actions: overdue and due soon")
    expect(
        actions.get_by_role("link", name="Report on the Mtandire mediation team")
    ).to_be_visible()
    meetings = region(page, "Next meetings of your bodies")
    expect(meetings.get_by_role("link", name="Forum: monthly meeting")).to_be_visible()
    expect(region(page, "Gaps in the places you cover")).to_contain_text("Lilongwe City")
    assert_accessible(page)

    # The district committee above her city: readable, and the page says who changes it.
    committee = Body.objects.get(name="Lilongwe District Peace Committee (demo)")
    page.goto(live_server.url + committee.get_absolute_url())
    expect(page.get_by_text("You can read this coordination body, not change it.")).to_contain_text(
        "It is changed by the Local coordinator or National coordinator for Lilongwe"
    )
    expect(page.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    assert_accessible(page)

    # Add meeting offers only the body she may add meetings to.
    page.goto(f"{live_server.url}/")
    region(page, "3 steps to start").get_by_role(
        "link", name="Plan your body's next meeting"
    ).click()
    assert option_labels(page, "Body")[1:] == ["Lilongwe City Community Policing Forum (demo)"]
    field(page, "Body").select_option(label="Lilongwe City Community Policing Forum (demo)")
    field(page, "Title").fill("Ward walk planning")
    field(page, "Starts").fill("2030-01-10T10:00")
    field(page, "Ends").fill("2030-01-10T09:00")
    field(page, "Agenda").fill("1. Routes\n2. Volunteers")
    assert_accessible(page)

    # Sent with the keyboard; the refusal keeps what was typed and takes the focus to it.
    browser_log.expect_failed_load(f"{live_server.url}/bodies/meetings/add/")
    field(page, "Title").press("Enter")
    expect(page.get_by_text("A meeting cannot end before it starts.")).to_be_visible()
    expect(field(page, "Ends")).to_be_focused()
    expect(field(page, "Title")).to_have_value("Ward walk planning")
    expect(field(page, "Agenda")).to_have_value("1. Routes\n2. Volunteers")
    assert_accessible(page)

    field(page, "Ends").fill("2030-01-10T12:00")
    field(page, "Ends").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ward walk planning")
    outcome = page.get_by_role("status")
    expect(outcome).to_contain_text("Saved Ward walk planning")
    expect(outcome).to_be_focused()
    assert Meeting.objects.filter(title="Ward walk planning").count() == 1
    assert_accessible(page)


def test_malawi_national_coordinator_and_hub_officer_read_words(
    page: Page, live_server, demo, browser_log: BrowserLog
):
    sign_in_as(page, live_server, "national.mw")
    expect(region(page, "Recent decisions")).to_contain_text(
        "Form a mediation team for Mtandire market."
    )
    expect(region(page, "Gaps in the places you cover")).to_contain_text("Malawi")
    assert_accessible(page)

    # Decisions are told apart by their meeting's day; two owners are refused in words.
    page.goto(f"{live_server.url}/bodies/actions/add/")
    decisions = [label for label in option_labels(page, "Decision") if label != "---------"]
    assert decisions and not any(label.startswith("Decision") for label in decisions)
    assert any(" — Form a mediation team for Mtandire market." in label for label in decisions)
    field(page, "Title").fill("Send the mediators' training plan")
    field(page, "Raised by").select_option(label="Lilongwe District Peace Committee (demo)")
    field(page, "Owner (organisation)").select_option(
        label="Lilongwe City Council Cohesion Office (demo)"
    )
    field(page, "Owner (person)").select_option(label="Thoko Sample (demo)")
    browser_log.expect_failed_load(f"{live_server.url}/bodies/actions/add/")
    page.get_by_role("button", name="Save", exact=True).click()
    problem = page.get_by_role("alert")
    expect(problem).to_have_text(
        "An action is owned by an organisation or by a person: choose exactly one."
    )
    expect(problem).to_be_focused()
    expect(page.get_by_text("Constraint")).to_have_count(0)
    expect(field(page, "Title")).to_have_value("Send the mediators' training plan")
    assert_accessible(page)
    field(page, "Owner (person)").select_option(label="---------")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Send the mediators' training plan"
    )
    expect(page.get_by_role("status")).to_be_focused()

    # The East and Southern Africa hub officer reads and reports: gaps across the hub, and
    # steps that look rather than add.
    page.get_by_role("button", name="Sign out").click()
    sign_in_as(page, live_server, "hub.esa")
    expect(region(page, "3 steps to start").get_by_role("link")).to_have_text(
        ["Look at your place", "See who does what where", "See what you owe"]
    )
    expect(region(page, "Gaps in the places you cover").get_by_role("listitem")).to_have_count(3)
    assert_accessible(page)


def test_peel_partner_on_a_small_phone(page: Page, live_server, demo):
    page.set_viewport_size(PHONE)
    # Not signed in yet: the front door says what Bridgework is, fits the phone, and leads in.
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bridgework")
    expect(page.get_by_role("heading", name="What you find inside")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    assert_accessible(page)
    page.get_by_role("link", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    sign_in_as(page, live_server, "partner.peel")

    header = page.locator("header.site-header").bounding_box()
    assert header is not None and header["height"] <= PHONE["height"] / 4, header
    actions = region(page, "Your actions: overdue and due soon")
    expect(actions).to_contain_text("Set up the rumour-control line")
    expect(actions).to_contain_text("overdue since")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    assert_accessible(page)

    # Steps put away with the keyboard: the confirmation takes the focus.
    put_away = page.get_by_role("button", name="Put these steps away")
    put_away.focus()
    page.keyboard.press("Enter")
    outcome = page.get_by_role("status")
    expect(outcome).to_have_text("The first steps are put away.")
    expect(outcome).to_be_focused()
    expect(page.get_by_role("region", name="steps to start")).to_have_count(0)

    # The folded menu, from the keyboard, to the leaders' table she sits at but does not run.
    page.locator("summary", has_text="Menu").focus()
    page.keyboard.press("Enter")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Bodies").click()
    page.get_by_role("link", name="Peel Community Leaders' Table (demo)").click()
    expect(page.get_by_text("You can read this coordination body, not change it.")).to_be_visible()
    header = page.locator("header.site-header").bounding_box()
    assert header is not None and header["height"] <= PHONE["height"] / 4, header
    assert_accessible(page)


def test_chilinde_resident_sees_only_what_she_can_use(page: Page, live_server, demo):
    sign_in_as(page, live_server, "resident.lilongwe")
    nav = page.get_by_role("navigation", name="Main")
    for hidden in ("My actions", "Access", "People"):
        expect(nav.get_by_role("link", name=hidden, exact=True)).to_have_count(0)
    expect(region(page, "Your actions: overdue and due soon")).to_have_count(0)
    near = region(page, "Coordination bodies near you")
    expect(near.get_by_role("link")).to_have_text(["Lilongwe City Community Policing Forum (demo)"])
    assert_accessible(page)

    page.get_by_role("navigation", name="Yours").get_by_role("link", name="My account").click()
    expect(page.get_by_role("heading", name="Personal tokens")).to_have_count(0)
    expect(page.get_by_role("button", name="Create token")).to_have_count(0)
    assert_accessible(page)

    # In French, the activities of the 3W read in French.
    page.goto(f"{live_server.url}/")
    choose_language(page, "fr")
    region(page, "3 étapes pour commencer").get_by_role(
        "link", name="Voir qui fait quoi où"
    ).click()
    matrix = page.get_by_role("table").first
    expect(matrix).to_contain_text("Engagement des jeunes")
    expect(matrix).not_to_contain_text("Youth engagement")
    assert_accessible(page)

"""On the demo: a resident of Chilinde (a Lilongwe ward) posts a proposal, a neighbour supports
it, Lilongwe City's coordinator accepts it into the city's plan and publishes the answer, and
the resident reads it. The public pages pass axe and fit a 320 px screen."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from bridgework.access.demo import DEMO_PASSWORD
from bridgework.participation.models import Proposal
from bridgework.plans.models import PlanAction

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser

TITLE = "Benches and shade at the Chilinde bus stop (test)"


def field(page: Page, label: str):
    return page.get_by_label(f"{label}:", exact=True)


def sign_in_as(page: Page, live_server, email: str) -> None:
    page.context.clear_cookies()
    sign_in(page, live_server, email, DEMO_PASSWORD)


def fits_320(page: Page) -> None:
    page.set_viewport_size({"width": 320, "height": 700})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 321, f"horizontal scroll on {page.url}: {width} px"
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 800})


def test_a_ward_proposal_is_supported_accepted_into_the_city_plan_and_answered(
    page: Page, live_server
):
    call_command("load_demo", stdout=StringIO())

    # The front door leads anyone to the residents' proposals.
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Read residents' proposals").click()
    assert_accessible(page)
    page.get_by_role("link", name="Chilinde", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Proposals for Chilinde")
    fits_320(page)
    page.get_by_text("Past town halls and their minutes").click()
    page.get_by_role("link", name="Chilinde and Kawale town hall on safe streets (demo)").click()
    expect(page.get_by_role("region", name="Minutes")).to_contain_text("84 residents came")
    fits_320(page)
    page.go_back()
    page.get_by_role("link", name="Join as a resident of Chilinde").click()
    expect(page.get_by_label("Public name:")).to_be_visible()
    fits_320(page)

    # A resident of Chilinde posts a proposal.
    sign_in_as(page, live_server, "resident.lilongwe@demo.bridgework.test")
    page.goto(f"{live_server.url}/participation/")
    page.get_by_role("link", name="Post a proposal or a concern").click()
    field(page, "Title").fill(TITLE)
    field(page, "What you propose or what concerns you").fill(
        "People wait in the sun for an hour. Two benches and a tree would do."
    )
    assert_accessible(page)
    page.get_by_role("button", name="Post").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_text("by Rhoda of Chilinde (demo)")).to_be_visible()
    proposal = Proposal.objects.get(title=TITLE)
    assert proposal.place.name == "Chilinde"

    # A neighbour supports it.
    sign_in_as(page, live_server, "chikondi.resident@demo.bridgework.test")
    page.goto(f"{live_server.url}{proposal.get_public_url()}")
    page.get_by_role("button", name="Support this proposal").click()
    expect(page.get_by_text("You support this proposal.").first).to_be_visible()
    assert_accessible(page)

    # The city accepts it, publishes the answer and puts it into its plan.
    sign_in_as(page, live_server, "local.lilongwe@demo.bridgework.test")
    page.goto(f"{live_server.url}/participation/follow-up/")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    assert_accessible(page)
    page.get_by_label("Note (required for some steps)").fill(
        "Accepted: two benches and a tree before the rains."
    )
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("Not public yet.")).to_be_visible()
    page.get_by_role("link", name="Publish the answer").click()
    page.get_by_role("button", name="Publish").click()
    page.get_by_role("link", name="Make it a plan action or a need").click()
    field(page, "It becomes").select_option(label="An action of our local plan")
    field(page, "Under the plan priority").select_option(index=1)
    assert_accessible(page)
    page.get_by_role("button", name="Create it").click()
    expect(page.get_by_text("It became:")).to_be_visible()
    proposal.refresh_from_db()
    assert proposal.status == "accepted" and isinstance(proposal.outcome, PlanAction)
    assert proposal.outcome.plan.place.name == "Lilongwe City"

    # The resident sees the answer on the public page.
    sign_in_as(page, live_server, "resident.lilongwe@demo.bridgework.test")
    page.goto(f"{live_server.url}{proposal.get_public_url()}")
    answer = page.get_by_role("region", name="The answer")
    expect(answer).to_contain_text("two benches and a tree before the rains")
    fits_320(page)

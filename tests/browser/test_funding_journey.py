"""On the demo: Canada's fund staff open a call of the Community Resilience Fund; a Peel
partner applies for a Mississauga organisation and submits; staff assign two reviewers; one
scores, the other declares a conflict and then cannot see the scores; staff approve and award
a grant over three years; the partner reports on the first year; staff accept the report and
release the second tranche."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from bridgework.access.demo import DEMO_PASSWORD
from bridgework.funding.models import Application, Grant, Review

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser


def field(page: Page, label: str):
    return page.get_by_label(f"{label}:", exact=True)


def sign_in_as(page: Page, live_server, who: str) -> None:
    page.context.clear_cookies()
    sign_in(page, live_server, f"{who}@demo.bridgework.test", DEMO_PASSWORD)


def test_call_application_reviews_award_report_and_tranche(page: Page, live_server, browser_log):
    call_command("load_demo", stdout=StringIO())
    today = timezone.localdate()
    next_year = today.year + 1

    # Fund staff open a call on the fund's page.
    sign_in_as(page, live_server, "funds.ca")
    page.get_by_role("link", name="Funding", exact=True).click()
    page.get_by_role("link", name="Community Resilience Fund (demo)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Community Resilience Fund")
    assert_accessible(page)
    page.get_by_role("link", name="Add a call").click()
    field(page, "Title").fill("2027 call for youth projects (test)")
    field(page, "Opens").fill((today - datetime.timedelta(days=1)).strftime("%Y-%m-%dT09:00"))
    field(page, "Closes").fill((today + datetime.timedelta(days=30)).strftime("%Y-%m-%dT17:00"))
    field(page, "Largest grant").fill("300000")
    field(page, "Longest term (years)").fill("5")
    field(page, "Criteria").fill("60 Fit with local needs\n40 Feasibility")
    field(page, "Questions of the application form").fill("Who takes part? *")
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2027 call for youth projects")
    call_url = page.url
    call_id = call_url.rstrip("/").rsplit("/", 1)[-1]

    # A Peel partner applies for a Mississauga organisation and submits.
    sign_in_as(page, live_server, "partner.peel")
    page.goto(call_url)
    page.get_by_role("link", name="Apply to this call").click()
    field(page, "Applicant organisation").select_option(label="Mississauga Youth Peace Hub (demo)")
    field(page, "Project title").fill("Youth peace ambassadors (test)")
    field(page, "Amount asked").fill("150000")
    field(page, "Starts").fill(f"{next_year}-01-01")
    field(page, "Term (years)").fill("3")
    field(page, "Budget by year").fill(
        f"{next_year}: 50000\n{next_year + 1}: 50000\n{next_year + 2}: 40000"
    )
    page.get_by_label("Who takes part?").fill("Sixty secondary school students")
    browser_log.expect_failed_load(f"{live_server.url}/funding/applications/add/?call={call_id}")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("add up to 140000.00, not the 150000.00")).to_be_visible()
    field(page, "Budget by year").fill(
        f"{next_year}: 50000\n{next_year + 1}: 50000\n{next_year + 2}: 50000"
    )
    page.get_by_role("button", name="Save").click()
    assert_accessible(page)
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("Submitted ·")).to_be_visible()
    application = Application.objects.get(title="Youth peace ambassadors (test)")
    assert application.place.name == "Mississauga" and application.status == "submitted"

    # Staff start the review and assign two reviewers.
    sign_in_as(page, live_server, "funds.ca")
    page.goto(f"{live_server.url}{application.get_absolute_url()}")
    page.get_by_role("button", name="Start the review").click()
    for reviewer in ("Robin Reviewer (demo)", "Rene Reviewer (demo)"):
        page.get_by_role("link", name="Assign a reviewer").click()
        field(page, "Reviewer").select_option(label=reviewer)
        page.get_by_role("button", name="Save").click()
        page.goto(f"{live_server.url}{application.get_absolute_url()}")
    first = Review.objects.get(application=application, reviewer__full_name="Robin Reviewer (demo)")
    second = Review.objects.get(application=application, reviewer__full_name="Rene Reviewer (demo)")

    # The first reviewer scores from their queue.
    sign_in_as(page, live_server, "reviewer.ca")
    page.get_by_role("link", name="My reviews").click()
    assert_accessible(page)
    page.get_by_role("link", name="Youth peace ambassadors (test)").click()
    page.get_by_role("link", name="Score").click()
    page.get_by_label("Fit with local needs (weight 60)").fill("5")
    page.get_by_label("Feasibility (weight 40)").fill("4")
    field(page, "Comments").fill("Well rooted in the schools (test)")
    assert_accessible(page)
    page.get_by_role("button", name="Save the scores").click()
    expect(page.get_by_text("4.60")).to_be_visible()

    # The second declares a conflict, and then sees no score.
    sign_in_as(page, live_server, "reviewer2.ca")
    page.goto(f"{live_server.url}{second.get_absolute_url()}")
    page.get_by_label("Note (required for some steps)").fill("I mentor at this hub.")
    page.get_by_role("button", name="Declare a conflict of interest").click()
    expect(page.get_by_text("Conflict of interest: I mentor at this hub.")).to_be_visible()
    page.goto(f"{live_server.url}{application.get_absolute_url()}")
    expect(page.get_by_text("Well rooted in the schools")).to_have_count(0)
    expect(page.get_by_text("4.60")).to_have_count(0)
    page.goto(f"{live_server.url}{first.get_absolute_url()}")
    expect(page.get_by_text("The scores are hidden from you")).to_be_visible()

    # Staff approve and award over three years.
    sign_in_as(page, live_server, "funds.ca")
    page.goto(f"{live_server.url}{application.get_absolute_url()}")
    page.get_by_role("button", name="Approve").click()
    page.get_by_role("link", name="Make the award").click()
    field(page, "Amount awarded").fill("150000")
    field(page, "Starts").fill(f"{next_year}-01-01")
    field(page, "Term (years)").fill("3")
    field(page, "Report every (months)").fill("12")
    field(page, "Tranches").fill(
        f"{next_year}-01-15: 50000\n{next_year + 1}-01-15: 50000\n{next_year + 2}-01-15: 50000"
    )
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("region", name="Tranches")).to_contain_text("Released")
    assert_accessible(page)
    grant = Grant.objects.get(application=application)
    assert list(grant.tranches.values_list("status", flat=True)) == [
        "released",
        "planned",
        "planned",
    ]

    # The partner reports on the first year, unlocking the second tranche.
    sign_in_as(page, live_server, "partner.peel")
    page.goto(f"{live_server.url}{grant.get_absolute_url()}")
    page.get_by_role("link", name="Add a report").click()
    field(page, "From").fill(f"{next_year}-01-01")
    field(page, "Until").fill(f"{next_year}-12-31")
    field(page, "What was done").fill("Sixty ambassadors trained (test)")
    field(page, "Unlocks tranche").select_option(
        label=f"Tranche 2, due {next_year + 1}-01-15: 50000.00"
    )
    page.get_by_role("button", name="Save").click()
    report = grant.reports.get()

    # Staff accept the report and release the second tranche.
    sign_in_as(page, live_server, "funds.ca")
    page.goto(f"{live_server.url}{report.get_absolute_url()}")
    page.get_by_role("button", name="Accept").click()
    second_tranche = grant.tranches.get(number=2)
    page.goto(f"{live_server.url}{second_tranche.get_absolute_url()}")
    page.get_by_role("button", name="Release").click()
    expect(page.get_by_text("Released", exact=True)).to_be_visible()
    second_tranche.refresh_from_db()
    assert second_tranche.status == "released"

"""On the demo: Lilongwe City's coordinator drafts a plan whose action serves a national
objective, adopts it and raises a need; Lilongwe District's coordinator passes the need up;
Malawi's national coordinator answers it with a course; the city sees the answer."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from bridgework.access.demo import DEMO_PASSWORD
from bridgework.plans.models import LocalNeed, LocalPlan

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser


def field(page: Page, label: str):
    return page.get_by_label(f"{label}:", exact=True)


def sign_in_as(page: Page, live_server, who: str) -> None:
    page.context.clear_cookies()
    sign_in(page, live_server, f"{who}@demo.bridgework.test", DEMO_PASSWORD)


def test_plan_need_and_answer_across_three_levels(page: Page, live_server):
    call_command("load_demo", stdout=StringIO())

    # Lilongwe City drafts its plan from the Plans page.
    sign_in_as(page, live_server, "local.lilongwe")
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Plans", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plans and needs — Lilongwe City")
    assert_accessible(page)
    page.get_by_role("link", name="Draft a plan").click()
    field(page, "Title").fill("Lilongwe City plan 2027 (test)")
    field(page, "Owner body").select_option(label="Lilongwe City Community Policing Forum (demo)")
    field(page, "From").fill("2026-01-01")
    field(page, "Until").fill("2027-12-31")
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lilongwe City plan 2027 (test)")

    page.get_by_role("link", name="Add a priority").click()
    field(page, "Number").fill("1")
    field(page, "Title").fill("Mediation in every ward")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Add an action").click()
    field(page, "Title").fill("Train ward mediators")
    page.get_by_label("3.1 Community mediators are trained in every district").check()
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("link", name="3.1", exact=True)).to_be_visible()
    page.get_by_role("button", name="Adopt").click()
    expect(page.get_by_text("Adopted ·")).to_be_visible()
    plan = LocalPlan.objects.get(title="Lilongwe City plan 2027 (test)")
    assert plan.status == "adopted"
    assert plan.actions.get().objectives.get().code == "3.1"

    # ... and raises a need, which goes before Lilongwe District.
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Plans", exact=True
    ).click()
    page.get_by_role("link", name="Raise a need").click()
    field(page, "Need").fill("Mediation trainers for the wards (test)")
    field(page, "Category").select_option(label="Training")
    field(page, "Priority").select_option(label="High")
    field(page, "Evidence").fill("Eleven disputes went to court this year.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Raised — with")).to_be_visible()
    assert_accessible(page)
    need = LocalNeed.objects.get(title="Mediation trainers for the wards (test)")
    assert need.handled_at.name == "Lilongwe"

    # The district passes it up with a note.
    sign_in_as(page, live_server, "district.lilongwe")
    page.goto(f"{live_server.url}{need.get_absolute_url()}")
    assert_accessible(page)
    page.get_by_label("Note (required for some steps)").fill("The district has no trainers.")
    page.get_by_role("button", name="Pass up a level").click()
    expect(page.get_by_text("Passed up — with")).to_be_visible()
    expect(page.get_by_role("region", name="Its way up")).to_contain_text(
        "The district has no trainers."
    )

    # The national coordinator answers it with a course.
    sign_in_as(page, live_server, "national.mw")
    page.goto(f"{live_server.url}{need.get_absolute_url()}")
    page.get_by_role("link", name="Answer").click()
    assert_accessible(page)
    field(page, "Answered with").select_option(label="A course")
    field(page, "Answer").fill("Training of mediation trainers, Lilongwe, March (test)")
    field(page, "What the answer says").fill("Four places are kept for Lilongwe City.")
    page.get_by_role("button", name="Send the answer").click()
    expect(page.get_by_role("heading", name="The answer")).to_be_visible()

    # Lilongwe City sees the answer.
    sign_in_as(page, live_server, "local.lilongwe")
    page.goto(f"{live_server.url}{need.get_absolute_url()}")
    answer = page.get_by_role("region", name="The answer")
    expect(answer).to_contain_text("Training of mediation trainers, Lilongwe, March (test)")
    expect(answer).to_contain_text("Four places are kept for Lilongwe City.")
    assert_accessible(page)
    need.refresh_from_db()
    assert need.status == "answered" and need.answer_kind == "course"

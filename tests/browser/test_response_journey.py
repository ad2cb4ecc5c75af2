"""On the demo, after a global event: a Peel partner reports a hate crime in Mississauga; the
report alerts Peel's community leaders' table; Peel's coordinator sets up two-factor, verifies
the report, raises Mississauga's tension level for the week, opens a crisis, gives a task that
is done, and closes the crisis with an after-action review that creates two action items."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from bridgework.access.demo import DEMO_PASSWORD
from bridgework.access.models import User
from bridgework.notifications.models import Notification
from bridgework.notifications.testing import immediate_tasks
from bridgework.response.demo import PEEL_COORDINATOR
from bridgework.response.models import Crisis, Report
from bridgework.response.testing import current_code

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser


def field(page: Page, label: str):
    return page.get_by_label(f"{label}:", exact=True)


def sign_in_as(page: Page, live_server, email: str) -> None:
    page.context.clear_cookies()
    sign_in(page, live_server, email, DEMO_PASSWORD)


def test_a_partners_report_becomes_a_crisis_and_its_review(page: Page, live_server, settings):
    settings.RESPONSE_REQUIRE_OTP = True
    call_command("load_demo", stdout=StringIO())

    # The partner reports what they saw; they may send it, not read it back.
    sign_in_as(page, live_server, "partner.peel@demo.bridgework.test")
    page.get_by_role("link", name="Incidents", exact=True).click()
    page.get_by_role("link", name="Add incident report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report an incident")
    field(page, "Kind").select_option(label="Hate crime")
    field(page, "Summary").fill("Worshippers pushed outside a mosque (test)")
    field(page, "Where it happened").select_option(label="Mississauga")
    field(page, "Date it happened").fill("2026-12-01")
    field(page, "What happened").fill("After the attack abroad, two men pushed worshippers.")
    page.get_by_label("Bias against Muslims").check()
    field(page, "Severity").select_option("4")
    page.get_by_label("Physical contact or violence").check()
    field(page, "Source").select_option(label="Partner organisation")
    assert_accessible(page)
    with immediate_tasks():
        page.get_by_role("button", name="Send the report").click()
        expect(page.get_by_text("is with the coordinators of Mississauga")).to_be_visible()
    report = Report.objects.get(title="Worshippers pushed outside a mosque (test)")
    assert report.tlp == 2 and report.status == "received"

    # The alert reached the leaders' table: Peel's coordinator sits at it.
    coordinator = User.objects.get(email=PEEL_COORDINATOR)
    alert = Notification.objects.get(kind="response.alert", recipient=coordinator)
    assert alert.subject.startswith("[TLP:AMBER]") and "Mississauga" in alert.subject

    # Peel's coordinator must set up a second factor before reading it.
    sign_in_as(page, live_server, PEEL_COORDINATOR)
    page.goto(f"{live_server.url}/notifications/")
    page.get_by_role("link", name=alert.subject).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    assert_accessible(page)
    device = TOTPDevice.objects.get(user=coordinator, confirmed=False)
    field(page, "Code").fill(current_code(device))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(report.reference)
    assert_accessible(page)
    page.get_by_role("button", name="Verified").click()
    expect(page.get_by_text("Verified", exact=True).first).to_be_visible()

    # The week's tension return for Mississauga: up to Severe, an international trigger.
    page.get_by_role("link", name="Tensions", exact=True).click()
    page.get_by_role("link", name="Add a weekly assessment").click()
    field(page, "Place").select_option(label="Mississauga")
    field(page, "Week (Monday)").fill("2026-12-02")
    field(page, "Level").select_option(label="4 – Severe")
    field(page, "Headline").fill("Tension rises after the attack abroad (test)")
    page.get_by_label("International trigger").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Tensions", exact=True).click()
    expect(page.get_by_role("row", name="2026-W49 4 4.0 1")).to_be_visible()
    assert_accessible(page)

    # A crisis joins the report; the table is convened through a task.
    page.get_by_role("link", name="Crises", exact=True).click()
    page.get_by_role("link", name="Add crisis").click()
    field(page, "Title").fill("Tension after the attack abroad (test)")
    field(page, "Place").select_option(label="Peel Region")
    field(page, "Coordinating body").select_option(label="Peel Community Leaders' Table (demo)")
    field(page, "Started").fill("2026-12-01")
    field(page, "Reports").select_option(label=str(report))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tension after the attack")
    crisis = Crisis.objects.get(title="Tension after the attack abroad (test)")
    page.get_by_role("link", name="Give a task").click()
    field(page, "Title").fill("Patrols near places of worship (test)")
    field(page, "Owner (organisation)").select_option(
        label="Peel Community Policing Liaison (demo)"
    )
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Patrols near places of worship (test)").click()
    field(page, "Move to").select_option(value="done")
    page.get_by_role("button", name="Post update").click()
    assert crisis.tasks.get().status == "done"

    # Closing: the after-action review; its two corrective actions become action items.
    page.goto(f"{live_server.url}{crisis.get_absolute_url()}")
    page.get_by_role("link", name="Close with an after-action review").click()
    field(page, "Strengths").fill("The partner reported within the hour.")
    field(page, "Areas for improvement").fill("The table met a day late.")
    field(page, "Root cause").fill("No standing call list for the table.")
    corrections = page.get_by_role("group", name="Corrective action 1 (leave empty if none)")
    corrections.get_by_label("Title:").fill("Standing call list for the table (test)")
    corrections.get_by_label("Owner (organisation):").select_option(
        label="Peel Community Policing Liaison (demo)"
    )
    second = page.get_by_role("group", name="Corrective action 2 (leave empty if none)")
    second.get_by_label("Title:").fill("Rumour-control messages ready to send (test)")
    second.get_by_label("Owner (organisation):").select_option(
        label="Peel Community Policing Liaison (demo)"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Close the crisis").click()
    expect(page.get_by_role("link", name="Standing call list for the table (test)")).to_be_visible()
    crisis.refresh_from_db()
    assert crisis.status == "closed"
    assert crisis.corrective_actions.count() == 2
    assert_accessible(page)

"""Malawi's national coordinator, on the demo: the action a district committee asked of the
national desk reaches *My actions*, and she answers it there (the loop to the national level)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from bridgework.access.demo import DEMO_PASSWORD
from bridgework.bodies.models import ActionItem

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser


def test_the_ministrys_action_reaches_the_national_coordinator(page: Page, live_server):
    call_command("load_demo", stdout=StringIO())
    item = ActionItem.objects.get(title="Respond on funding for community mediators")
    sign_in(page, live_server, "national.mw@demo.bridgework.test", DEMO_PASSWORD)
    page.get_by_role("link", name="My actions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My actions")
    expect(page.get_by_text("not linked to a person")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("link", name=item.title).click()
    page.get_by_label("What happened:").fill("Funding confirmed for two mediators.")
    page.get_by_label("Move to:").select_option(label="Mark done → Done")
    page.get_by_role("button", name="Post update").click()
    expect(page.get_by_text("Update posted.")).to_be_visible()
    assert_accessible(page)
    item.refresh_from_db()
    assert item.status == "done"

"""On the demo: a visitor who is not signed in searches the knowledge hub as they type,
narrows the results to French, opens an item; the network's administrator then finds a
labelled item the visitor could not."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from bridgework.access.demo import DEMO_PASSWORD
from bridgework.core.tlp import TLP
from bridgework.knowledge.models import KnowledgeItem

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser


def test_search_filter_and_open_an_item(page: Page, live_server):
    call_command("load_demo", stdout=StringIO())
    labelled = KnowledgeItem.objects.filter(is_demo=True, tlp=TLP.AMBER).first()
    assert labelled is not None

    page.goto(f"{live_server.url}/knowledge/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Knowledge hub")
    assert_accessible(page)
    # Results follow the typing (htmx), with no button pressed.
    page.get_by_label("Search:").fill("mentoring")
    expect(page.get_by_role("status")).to_contain_text("match “mentoring”")
    expect(page).to_have_url(re.compile(r"/knowledge/\?q=mentoring"))
    expect(page.locator(".hit mark").first).to_be_visible()
    assert_accessible(page)

    # The language counts narrow the list to French items.
    page.get_by_role("region", name="Language").get_by_role("link", name="French").click()
    expect(page.locator(".hit").first).to_contain_text("French")
    first = page.locator(".hit h3 a").first
    title = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("link", name="Back to the knowledge hub")).to_be_visible()
    assert_accessible(page)

    # The AMBER item is not for visitors (tests/test_knowledge_rules.py); the network's
    # administrator finds it among the items of its place.
    link = page.locator(f'.hit a[href="/knowledge/read/{labelled.pk}/"]')
    expect(link).to_have_count(0)
    sign_in(page, live_server, "admin@demo.bridgework.test", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/knowledge/?q=situation&place={labelled.place_id}")
    expect(link).to_be_visible()
    assert_accessible(page)

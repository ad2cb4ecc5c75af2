"""Regression guards for layout, keyboard and CSP problems found by browsing the app."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from bridgework.web.testing import build_tree

from .conftest import BrowserLog, assert_accessible, choose_language, sign_in

pytestmark = pytest.mark.browser


def test_right_to_left_page_has_no_horizontal_scroll(page: Page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    choose_language(page, "ar")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")

    viewport_width = page.viewport_size["width"]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= viewport_width + 1, f"{scroll_width} px wide in {viewport_width} px"


def test_history_table_is_keyboard_scrollable_on_a_narrow_screen(page: Page, live_server):
    tree = build_tree("national_coordinator")
    sign_in(page, live_server, tree.in_scope.email)
    page.set_viewport_size({"width": 320, "height": 800})
    response = page.goto(f"{live_server.url}/places/{tree.city.pk}/history/")
    assert response is not None and response.ok

    assert_accessible(page)


def test_api_docs_render_under_the_csp(context, live_server):
    # A page of its own, checked here: the watched ``page`` fixture would also fail at teardown.
    page = context.new_page()
    browser_log = BrowserLog()
    browser_log.watch(page)
    response = page.goto(f"{live_server.url}/api/docs")
    assert response is not None and response.ok

    assert browser_log.take_problems() == []
    expect(page.locator("#swagger-ui .swagger-ui")).to_be_visible()

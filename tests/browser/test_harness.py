"""The checks themselves: each must catch the problem it exists for."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from .conftest import BrowserLog, assert_accessible

pytestmark = pytest.mark.browser


def open_login_page(page: Page, live_server) -> None:
    response = page.goto(f"{live_server.url}/accounts/login/")
    assert response is not None and response.ok


def test_axe_check_fails_on_a_serious_violation(page: Page, live_server):
    open_login_page(page, live_server)
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML("
        "'beforeend', '<img src=\"/static/css/bridgework.css\">')"
    )

    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(page)


def test_browser_log_records_a_csp_violation(page: Page, live_server, browser_log: BrowserLog):
    open_login_page(page, live_server)

    with page.expect_console_message(lambda message: message.type == "error"):
        page.evaluate(
            "document.querySelector('main').insertAdjacentHTML("
            "'beforeend', '<p style=\"color: red\">inline style</p>')"
        )

    problems = browser_log.take_problems()
    assert any("Content Security Policy" in problem for problem in problems), problems


def test_browser_log_records_an_uncaught_exception(
    page: Page, live_server, browser_log: BrowserLog
):
    open_login_page(page, live_server)

    with page.expect_event("pageerror"):
        page.evaluate("setTimeout(() => { throw new Error('deliberate') })")

    assert browser_log.take_problems() == ["uncaught exception: deliberate"]

"""Browser fixtures: Debian's Chromium through Playwright, axe-core, and a console watch.

One browser per session, a fresh context (cookies, storage) per test. Every test that takes
``page`` also fails if the browser logged a console error, an uncaught exception or a
Content-Security-Policy violation that the test did not declare as expected.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import ConsoleMessage, Error, Page, expect

# pytest-playwright runs an event loop in the main thread; Django then refuses ORM calls from
# it (test data, live_server setup) unless told that this is deliberate.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "test-password-123"
# Chromium asks for /favicon.ico on its own, whenever it likes; the site has none yet (reported).
BROWSER_INITIATED_PATHS = ("/favicon.ico",)
BLOCKING_IMPACTS = {"serious", "critical"}
_axe = Axe()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        message = f"Browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)."
        if os.environ.get("BROWSER_TESTS_REQUIRED") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url():
    """Tests address pages through ``live_server.url``. This replaces pytest-playwright's
    fallback fixture, a plugin-class method that pytest 9 warns about."""
    return None


@pytest.fixture(autouse=True)
def _live_server_database(transactional_db):
    """live_server reads from another thread: test data must be committed, then flushed."""


# --- console, page errors and CSP ---------------------------------------------------------------


@dataclass
class BrowserLog:
    """Errors the browser reported while a test ran."""

    problems: list[str] = field(default_factory=list)
    expected_failed_loads: set[str] = field(default_factory=set)

    def watch(self, page: Page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)

    def expect_failed_load(self, url: str) -> None:
        """Declare that loading ``url`` answers an error status on purpose (a 404 page)."""
        self.expected_failed_loads.add(url)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "")
        if message.text.startswith("Failed to load resource") and self._may_fail(where):
            return
        self.problems.append(f"console error at {where}: {message.text}")

    def _may_fail(self, url: str) -> bool:
        return url in self.expected_failed_loads or urlsplit(url).path in BROWSER_INITIATED_PATHS

    def _on_page_error(self, error: Error) -> None:
        self.problems.append(f"uncaught exception: {error.message}")

    def take_problems(self) -> list[str]:
        """The problems so far, forgotten: for a test that checks them itself."""
        taken, self.problems = self.problems, []
        return taken

    def assert_clean(self) -> None:
        problems = self.take_problems()
        assert not problems, "The browser reported errors:\n" + "\n".join(problems)


@pytest.fixture
def browser_log() -> BrowserLog:
    return BrowserLog()


@pytest.fixture
def page(page: Page, browser_log: BrowserLog):
    """pytest-playwright's page, watched: console errors and CSP violations fail the test."""
    page.set_default_timeout(10_000)
    browser_log.watch(page)
    yield page
    browser_log.assert_clean()


# --- helpers ------------------------------------------------------------------------------------


def sign_in(
    page: Page, live_server, email: str, password: str = PASSWORD, *, check_login_page=False
) -> None:
    """Sign in through the login form and land on the home page."""
    page.goto(f"{live_server.url}/accounts/login/")
    if check_login_page:
        assert_accessible(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/")


def choose_language(page: Page, code: str) -> None:
    """Switch language with the footer's form, from a page shown in English."""
    footer = page.get_by_role("contentinfo")
    footer.get_by_label("Language").select_option(code)
    footer.get_by_role("button", name="Change").click()


# What a script evaluated in a page that is being replaced by the next one fails with.
_NAVIGATED_AWAY = ("Execution context was destroyed", "reading 'documentElement'")


def assert_accessible(page: Page) -> None:
    """Fail on every axe-core violation of serious or critical impact on the current page."""
    violations = _axe_violations(page)
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"Accessibility violations on {page.url}:\n" + "\n".join(
        _describe(violation) for violation in blocking
    )


def _axe_violations(page: Page, attempts: int = 3) -> list[dict]:
    """Run axe on the page once it has loaded.

    A click on a link returns before the browser has swapped documents, so axe can start on
    the old page and find its document gone mid-run. Then it waits for the new page and runs
    again; any other error is the test's.
    """
    for attempt in range(attempts):
        page.wait_for_load_state("load")
        try:
            return _axe.run(page).response["violations"]
        except Error as error:
            if attempt == attempts - 1 or not any(s in error.message for s in _NAVIGATED_AWAY):
                raise
    raise AssertionError("unreachable")


def _describe(violation: dict) -> str:
    first_node = violation["nodes"][0]["target"] if violation["nodes"] else []
    return (
        f"- {violation['id']} ({violation['impact']}): {violation['help']}"
        f" — first node {first_node}, {len(violation['nodes'])} node(s)"
    )

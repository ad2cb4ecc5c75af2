"""Journeys through the real pages in headless Chromium, checked with axe-core on the way."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from bridgework.places.models import Place
from bridgework.web.testing import build_tree

from .conftest import BrowserLog, assert_accessible, choose_language, sign_in

pytestmark = pytest.mark.browser

MAIN_NAV_LINKS = (
    "Home",
    "Places",
    "Who does what where",
    "Organisations",
    "Bodies",
    "My actions",
    "Access",
)
NARROW_WIDTH = 320
NARROW_HEIGHT = 640
PLACES_ABOVE_RIVERTON = ["World", "Xanadu", "Northern Region"]


def url_of(live_server, place: Place) -> str:
    return live_server.url + place.get_absolute_url()


def breadcrumb(page: Page):
    return page.get_by_role("navigation", name="Breadcrumb")


def places_below(page: Page):
    """The section listing a place's children (its heading names the level, e.g. "City")."""
    return page.locator("section", has=page.locator("#children-heading"))


def visit(page: Page, url: str, *, expected_status: int = 200):
    response = page.goto(url)
    assert response is not None
    assert response.status == expected_status, f"{url} answered {response.status}"
    return response


def test_local_coordinator_reaches_their_city_but_not_a_sibling_city(
    page: Page, live_server, browser_log: BrowserLog
):
    tree = build_tree("local_coordinator")
    sign_in(page, live_server, tree.in_scope.email, check_login_page=True)
    assert_accessible(page)

    your_places = page.get_by_role("region", name="Your places")
    your_places.get_by_role("link", name="Riverton").click()
    expect(page).to_have_url(url_of(live_server, tree.city))
    expect(page.get_by_role("heading", level=1)).to_have_text("Riverton")
    expect(breadcrumb(page).get_by_role("listitem")).to_have_text(
        ["World", "Xanadu", "Northern Region", "Riverton"]
    )
    # Places above one's own are readable (docs/decisions/0001, "Reading upward").
    expect(breadcrumb(page).get_by_role("link")).to_have_text(PLACES_ABOVE_RIVERTON)
    assert_accessible(page)

    places_below(page).get_by_role("link", name="Riverton Ward 1").click()
    expect(page).to_have_url(url_of(live_server, tree.ward))
    expect(page.get_by_role("heading", level=1)).to_have_text("Riverton Ward 1")
    expect(breadcrumb(page).get_by_role("link")).to_have_text([*PLACES_ABOVE_RIVERTON, "Riverton"])
    assert_accessible(page)

    # The region above shows the user's own branch only, never the sibling city.
    breadcrumb(page).get_by_role("link", name="Northern Region").click()
    expect(page).to_have_url(url_of(live_server, tree.region))
    expect(places_below(page).get_by_role("link")).to_have_text(["Riverton"])
    assert_accessible(page)

    sibling_page = url_of(live_server, tree.sibling)
    browser_log.expect_failed_load(sibling_page)
    visit(page, sibling_page, expected_status=404)
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_text("Hillbury")).to_have_count(0)
    assert_accessible(page)

    visit(page, f"{live_server.url}/api/places/{tree.city.pk}")
    sibling_record = f"{live_server.url}/api/places/{tree.sibling.pk}"
    browser_log.expect_failed_load(sibling_record)
    visit(page, sibling_record, expected_status=404)

    visit(page, f"{live_server.url}/places/")
    expect(page.get_by_role("link", name="Riverton", exact=True)).to_be_visible()
    assert_accessible(page)

    visit(page, f"{live_server.url}/places/index/?q=River")
    results = page.get_by_role("main").get_by_role("table")
    expect(results.get_by_role("link", name="Riverton", exact=True)).to_be_visible()
    expect(results.get_by_role("link", name="Riverton Ward 1")).to_be_visible()
    assert_accessible(page)

    visit(page, f"{live_server.url}/account/")
    expect(page.get_by_text(tree.in_scope.email).first).to_be_visible()
    assert_accessible(page)


def test_city_page_fits_a_320_px_screen(page: Page, live_server):
    tree = build_tree("local_coordinator")
    sign_in(page, live_server, tree.in_scope.email)
    page.set_viewport_size({"width": NARROW_WIDTH, "height": NARROW_HEIGHT})
    visit(page, url_of(live_server, tree.city))

    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= NARROW_WIDTH + 1, f"horizontal scroll: {scroll_width} px wide"
    # The header keeps to a quarter of the screen: the menu is folded behind "Menu".
    header = page.locator("header.site-header").bounding_box()
    assert header is not None and header["height"] <= NARROW_HEIGHT / 4, header
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Home", exact=True)).to_be_hidden()
    assert_accessible(page)

    # Opened from the keyboard, every entry is there and inside the screen.
    menu = page.locator("summary", has_text="Menu")
    menu.focus()
    page.keyboard.press("Enter")
    for name in MAIN_NAV_LINKS:
        link = nav.get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= NARROW_WIDTH + 1
    assert_accessible(page)
    page.keyboard.press("Tab")
    expect(nav.get_by_role("link", name="Home", exact=True)).to_be_focused()
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW_WIDTH + 1


def test_the_menu_is_open_on_a_wide_screen(page: Page, live_server):
    tree = build_tree("local_coordinator")
    sign_in(page, live_server, tree.in_scope.email)
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(page.locator("summary", has_text="Menu")).to_be_hidden()
    nav = page.get_by_role("navigation", name="Main")
    for name in MAIN_NAV_LINKS:
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="People", exact=True)).to_have_count(0)
    nav.get_by_role("link", name="Bodies", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Coordination bodies")

    # People sit in the organisations' section menu, one click away.
    nav.get_by_role("link", name="Organisations", exact=True).click()
    section = page.get_by_role("navigation", name="This section")
    section.get_by_role("link", name="People", exact=True).click()
    expect(section.get_by_role("link", name="People", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    expect(nav.get_by_role("link", name="Organisations", exact=True)).to_have_attribute(
        "aria-current", "true"
    )
    assert_accessible(page)


def test_language_switcher_changes_the_page_language(page: Page, live_server):
    login_page = f"{live_server.url}/accounts/login/"
    visit(page, login_page)
    expect(page.locator("html")).to_have_attribute("lang", "en")

    choose_language(page, "fr")

    # Only the language code: the French wording is still being written.
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page).to_have_url(login_page)
    expect(page.locator("#language-select")).to_have_value("fr")


def test_api_token_is_shown_once_works_and_stops_working_when_revoked(
    page: Page, live_server, playwright
):
    tree = build_tree("local_coordinator")
    sign_in(page, live_server, tree.in_scope.email)
    visit(page, f"{live_server.url}/account/")
    page.get_by_label("Token name").fill("Monthly report script")
    page.get_by_role("button", name="Create token").click()

    secret = page.locator("#new-token").inner_text().strip()
    assert secret
    assert_accessible(page)

    # A client of its own: the browser context's session cookie would also sign the call in.
    api = playwright.request.new_context(base_url=live_server.url)
    try:
        as_token_holder = {"Authorization": f"Bearer {secret}"}
        response = api.get("/api/me", headers=as_token_holder)
        assert response.status == 200, response.text()
        assert response.json()["email"] == tree.in_scope.email

        page.get_by_role("button", name="Revoke Monthly report script").click()
        expect(page.get_by_role("button", name="Revoke Monthly report script")).to_have_count(0)
        assert api.get("/api/me", headers=as_token_holder).status == 401
    finally:
        api.dispose()


def test_national_coordinator_adds_a_place_below_their_city(page: Page, live_server):
    tree = build_tree("national_coordinator")
    sign_in(page, live_server, tree.in_scope.email)
    visit(page, url_of(live_server, tree.city))

    page.get_by_role("link", name="Add a place below").click()
    expect(page.get_by_label("Parent")).to_have_value(str(tree.city.pk))
    assert_accessible(page)
    page.get_by_label("Name").fill("Riverton Ward 2")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Riverton Ward 2")
    new_place = Place.objects.get(name="Riverton Ward 2")
    assert new_place.parent_id == tree.city.pk
    expect(page).to_have_url(url_of(live_server, new_place))
    expect(breadcrumb(page).get_by_role("listitem")).to_have_text(
        ["World", "Xanadu", "Northern Region", "Riverton", "Riverton Ward 2"]
    )
    expect(breadcrumb(page).get_by_role("link")).to_have_text([*PLACES_ABOVE_RIVERTON, "Riverton"])


def test_pages_load_their_own_stylesheet_and_script_under_the_csp(page: Page, live_server):
    response = visit(page, f"{live_server.url}/accounts/login/")

    assert "script-src 'self'" in response.headers["content-security-policy"]
    body_min_width = page.evaluate("getComputedStyle(document.body).minWidth")
    assert body_min_width == "320px", "bridgework.css did not apply"
    page.wait_for_function("() => window.htmx !== undefined")

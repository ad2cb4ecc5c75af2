"""Malawi's national coordinator, on the demo, gives Karonga district its boundary from a
GeoJSON file, then finds the maps: Malawi's page draws its regions and a click on one opens
it; the who-does-what-where map leads to a region's own 3W; the Lilongwe peace committee's
page shows where it and the forum under it sit. The maps are no keyboard trap, axe stays
clean, and without JavaScript the pages keep their lists and show no empty map."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Page, expect

from bridgework.access.demo import DEMO_PASSWORD
from bridgework.bodies.models import Body
from bridgework.places.models import Place, PlaceShape

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser

NATIONAL_MW = "national.mw@demo.bridgework.test"


def _square(west: float, south: float, size: float) -> dict:
    ring = [[west, south], [west + size, south], [west + size, south + size]]
    return {"type": "Polygon", "coordinates": [[*ring, [west, south + size], [west, south]]]}


BOUNDARIES = json.dumps(
    {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"ADM2_PCODE": "MW-KR", "ADM2_EN": "Karonga"},
                "geometry": _square(33.6, -10.3, 0.5),
            },
            {
                "type": "Feature",
                "properties": {"ADM2_PCODE": "CA-ON", "ADM2_EN": "Ontario"},
                "geometry": _square(-85.0, 45.0, 5.0),
            },
            {
                "type": "Feature",
                "properties": {"ADM2_PCODE": "MW-RU", "ADM2_EN": "Rumphi"},
                "geometry": {"type": "Point", "coordinates": [33.9, -95.0]},
            },
        ],
    }
).encode()


def _map_paths(page: Page, map_id: str):
    """The places drawn on a map that can be clicked (Leaflet's interactive SVG paths)."""
    return page.locator(f"#{map_id} path.leaflet-interactive")


def _leaves_the_map_by_keyboard(page: Page, map_id: str) -> None:
    page.locator(f"#{map_id}").focus()
    for _ in range(3):  # its two zoom buttons, then out (its places are in the page's list)
        page.keyboard.press("Tab")
    inside = page.evaluate(f"document.getElementById('{map_id}').contains(document.activeElement)")
    assert not inside, "Tab should leave the map after its zoom buttons"


def test_the_malawi_coordinator_imports_a_boundary_and_walks_the_maps(page: Page, live_server):
    call_command("load_demo", stdout=StringIO())
    karonga = Place.objects.get(code="MW-KR")
    assert not PlaceShape.objects.filter(place=karonga).exists()
    sign_in(page, live_server, NATIONAL_MW, DEMO_PASSWORD)

    # The import: one district set; Ontario is no place of hers; a point off the globe.
    page.get_by_role("navigation").get_by_role("link", name="Places").click()
    page.get_by_role("link", name="Import boundaries").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import boundaries")
    assert_accessible(page)
    page.get_by_label("GeoJSON file").set_input_files(
        files=[
            {"name": "mw-adm2.geojson", "mimeType": "application/geo+json", "buffer": BOUNDARIES}
        ]
    )
    page.get_by_label("Property holding the place's code").fill("ADM2_PCODE")
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", name="Imported from mw-adm2.geojson")).to_be_visible()
    rows = page.get_by_role("table").get_by_role("row")
    expect(rows.filter(has_text="MW-KR")).to_contain_text("boundary set")
    expect(rows.filter(has_text="CA-ON")).to_contain_text("no such place")
    expect(rows.filter(has_text="MW-RU")).to_contain_text("outside longitude")
    assert_accessible(page)
    assert PlaceShape.objects.get(place=karonga).geometry["type"] == "Polygon"

    # Malawi's page: its three regions drawn over its outline; a click opens the region.
    malawi = Place.objects.get(code="MW")
    page.goto(f"{live_server.url}{malawi.get_absolute_url()}")
    place_map = page.get_by_role("region", name="Map of Malawi and the places below it")
    expect(place_map).to_be_visible()
    expect(_map_paths(page, "place-map")).to_have_count(3)
    expect(page.get_by_role("list").filter(has_text="Central Region").first).to_be_visible()
    assert_accessible(page)
    _leaves_the_map_by_keyboard(page, "place-map")
    central = Place.objects.get(code="MW-C")
    _map_paths(page, "place-map").first.click()  # drawn in the order listed: Central first
    expect(page).to_have_url(f"{live_server.url}{central.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Central Region")

    # Northern Region's page now draws Karonga beside Mzimba.
    northern = Place.objects.get(code="MW-N")
    page.goto(f"{live_server.url}{northern.get_absolute_url()}")
    expect(_map_paths(page, "place-map")).to_have_count(2)

    # Who does what where in Malawi: regions shaded by organisations, each to its own 3W.
    page.goto(f"{live_server.url}{reverse('actors:three_w')}?place=MW")
    three_w_map = page.get_by_role("region", name="Map of organisations working in Malawi")
    expect(three_w_map).to_be_visible()
    expect(_map_paths(page, "three-w-map")).to_have_count(3)
    assert_accessible(page)
    _map_paths(page, "three-w-map").first.click()
    expect(page).to_have_url(f"{live_server.url}{reverse('actors:three_w')}?place=MW-C")

    # A body's page: the district peace committee's outline and the city forum under it.
    committee = Body.objects.get(name="Lilongwe District Peace Committee (demo)")
    page.goto(f"{live_server.url}{committee.get_absolute_url()}")
    expect(page.locator("#body-map")).to_have_attribute("data-map-drawn", "2")
    expect(_map_paths(page, "body-map")).to_have_count(1)
    assert_accessible(page)


def test_without_javascript_the_place_page_keeps_its_list_and_shows_no_map(browser, live_server):
    call_command("load_demo", stdout=StringIO())
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_server, NATIONAL_MW, DEMO_PASSWORD)
        malawi = Place.objects.get(code="MW")
        page.goto(f"{live_server.url}{malawi.get_absolute_url()}")
        expect(page.get_by_role("link", name="Central Region")).to_be_visible()
        expect(page.get_by_role("heading", name="Map")).to_be_hidden()
        assert page.locator("#place-map-data").count() == 1  # the data is there, unused
    finally:
        context.close()

"""Finding who does what where, on the demo, as the people who asked:

* Lilongwe's local coordinator types "Chilinde" into the 3W's place box and exports it;
* she asks the header search "who works in Chilinde on youth?";
* Malawi's national coordinator looks for the districts lacking sectors;
* the East and Southern Africa hub officer looks at the whole hub;
* Peel's partner reads which sectors are missing from the leaders' table.
"""

from __future__ import annotations

import csv
import io
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from bridgework.access.demo import DEMO_PASSWORD

from .conftest import BrowserLog, assert_accessible, sign_in

pytestmark = pytest.mark.browser

NARROW_WIDTH = 320


@pytest.fixture
def demo():
    call_command("load_demo", stdout=StringIO())


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def no_internal_number_in(url: str) -> bool:
    return not re.search(r"[?&](place|works_in|subtree)=\d", url)


def test_local_coordinator_types_chilinde_into_the_3w_and_exports_it(
    page: Page, live_server, demo, browser_log: BrowserLog
):
    sign_in(page, live_server, "local.lilongwe@demo.bridgework.test", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Who does what where"
    ).click()
    expect(heading(page)).to_have_text("Who does what where — Lilongwe City")
    assert_accessible(page)

    page.get_by_label("Place:", exact=True).fill("Chilinde")
    match = page.get_by_role("radio", name=re.compile(r"^Chilinde \(Lilongwe City"))
    match.check()
    page.get_by_role("button", name="Apply").click()
    expect(heading(page)).to_have_text("Who does what where — Chilinde")
    assert "place=Chilinde" in page.url and no_internal_number_in(page.url)
    expect(page.get_by_text("2 organisations work in this area.")).to_be_visible()
    # The place chosen is the one the box now shows, named, with nothing to retype.
    expect(page.get_by_role("radio", name=re.compile(r"^Chilinde"))).to_be_checked()
    for link in page.get_by_role("link").all():
        assert no_internal_number_in(link.get_attribute("href") or ""), link
    assert_accessible(page)

    with page.expect_download() as info:
        page.get_by_role("link", name="HXL CSV").click()
    download = info.value
    assert download.suggested_filename == "3w-chilinde.csv"
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text("utf-8-sig"))))
    tags = rows[1]
    assert "#loc+code" in tags and "#loc+id" not in tags
    records = [dict(zip(tags, row, strict=True)) for row in rows[2:]]
    assert {r["#org+name"] for r in records} == {
        "Chilinde Women for Peace Circle (demo)",
        "Lilongwe Youth Peace Forum (demo)",
    }
    # No invented codes: the city and the ward have none, so their names say where.
    assert {(r["#adm3+name"], r["#adm4+name"], r["#adm2+code"]) for r in records} == {
        ("Lilongwe City", "Chilinde", "MW-LI")
    }
    with page.expect_download() as info:
        page.get_by_role("link", name="Popolo JSON").click()
    assert info.value.suggested_filename == "popolo-chilinde.json"

    # A place nobody has is said so, instead of quietly showing another place.
    page.get_by_label("Place:", exact=True).fill("Nowhere")
    expect(page.get_by_text("No matching place you may use here.")).to_be_visible()
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing is shown")
    expect(page.get_by_text("Select a valid choice")).to_be_visible()
    expect(page.get_by_role("heading", name="Missing sectors")).to_have_count(0)
    assert all("400" in problem for problem in browser_log.take_problems())
    assert_accessible(page)


def test_who_works_in_chilinde_on_youth(page: Page, live_server, demo):
    sign_in(page, live_server, "local.lilongwe@demo.bridgework.test", DEMO_PASSWORD)
    box = page.get_by_label("Search organisations, people, bodies, meetings and places")
    box.fill("Who works in Chilinde on youth?")
    box.press("Enter")
    expect(heading(page)).to_have_text("Search")
    answer = page.locator("section.answer")
    expect(answer.get_by_role("heading", name="In Chilinde", exact=True)).to_be_visible()
    expect(answer.get_by_role("heading", level=3)).to_contain_text(
        "Organisations working in Chilinde — activity: Youth engagement"
    )
    expect(answer.get_by_role("link", name="Lilongwe Youth Peace Forum (demo)")).to_be_visible()
    expect(page.get_by_text("Chilinde Women for Peace Circle (demo)")).to_have_count(0)
    assert_accessible(page)

    answer.get_by_role("link", name="See it in the list of organisations").click()
    expect(heading(page)).to_have_text("Organisations")
    assert "works_in=Chilinde" in page.url and "theme=youth-engagement" in page.url
    table = page.locator("#object-table")
    expect(table.get_by_role("link", name="Lilongwe Youth Peace Forum (demo)")).to_be_visible()
    expect(table.get_by_role("row")).to_have_count(2)  # the header and the forum
    assert_accessible(page)

    # The search page follows the typing (htmx), grouped by kind, each with its count.
    page.goto(f"{live_server.url}/search/")
    page.get_by_label("Search:", exact=True).fill("peace")
    results = page.locator("#search-results")
    expect(
        results.get_by_role("heading", name=re.compile(r"^Organisations \(\d+\)"))
    ).to_be_visible()
    expect(results.get_by_role("heading", name=re.compile(r"^Meetings \(\d+\)"))).to_be_visible()
    assert "q=peace" in page.url
    assert_accessible(page)

    # The ward's own page lists who works there.
    page.get_by_label("Search:", exact=True).fill("Chilinde")
    results.get_by_role("link", name="The page of Chilinde").click()
    expect(heading(page)).to_have_text("Chilinde")
    expect(
        page.get_by_role("heading", name="Organisations working in Chilinde (2)")
    ).to_be_visible()
    assert_accessible(page)


def test_national_coordinator_sees_which_districts_lack_which_sectors(
    page: Page, live_server, demo
):
    sign_in(page, live_server, "national.mw@demo.bridgework.test", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Who does what where"
    ).click()
    expect(heading(page)).to_have_text("Who does what where — Malawi")
    page.get_by_role("link", name="Sectors by place below").click()
    expect(heading(page)).to_have_text("Sectors by place — Malawi")
    expect(page.get_by_role("columnheader", name="Region")).to_be_visible()
    page.get_by_label("Rows:").select_option(label="District")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text(re.compile(r"^28 places \(District\) × sectors"))).to_be_visible()
    assert "place=MW" in page.url and "below=2" in page.url
    lilongwe = page.get_by_role("row", name=re.compile(r"^Lilongwe MW-LI"))
    cells = lilongwe.get_by_role("cell")
    sectors = page.locator("thead th").all_inner_texts()[1:]
    youth = cells.nth(sectors.index("Youth"))
    health = cells.nth(sectors.index("Health"))
    expect(youth).to_have_text("1")
    expect(health).to_have_text("0")
    expect(health).to_have_class("gap")
    assert_accessible(page)

    with page.expect_download() as info:
        page.get_by_role("link", name="CSV").click()
    assert info.value.suggested_filename == "sectors-by-place-MW-2.csv"

    # Readable on a phone: the table scrolls in its own box, the page does not.
    page.set_viewport_size({"width": NARROW_WIDTH, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW_WIDTH + 1, f"horizontal scroll: {width} px wide"

    # A district leads to the places below it.
    page.set_viewport_size({"width": 1280, "height": 800})
    lilongwe.get_by_role("link", name="Lilongwe", exact=True).click()
    expect(heading(page)).to_have_text("Sectors by place — Lilongwe")
    expect(page.get_by_role("rowheader", name="Lilongwe City")).to_be_visible()
    assert_accessible(page)


def test_hub_officer_sees_the_whole_hub(page: Page, live_server, demo):
    sign_in(page, live_server, "hub.esa@demo.bridgework.test", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Who does what where"
    ).click()
    expect(heading(page)).to_have_text("Who does what where — East and Southern Africa")
    lead = page.locator("p.lead")
    expect(lead).to_have_text(re.compile(r"^\d+ organisations work in this area\.$"))
    count = int(lead.inner_text().split()[0])
    assert count >= 10  # Malawi's and South Africa's, never Kenya's zero
    gaps = page.get_by_role("region", name="Missing sectors")
    expect(gaps).not_to_contain_text("Youth")
    expect(gaps).not_to_contain_text("Academia")  # South Africa's research institute
    assert_accessible(page)

    page.get_by_role("link", name="Sectors by country").click()
    expect(heading(page)).to_have_text("Sectors by place — East and Southern Africa")
    for country in ("Kenya", "Malawi", "South Africa", "Tanzania", "Uganda", "Zambia"):
        expect(page.get_by_role("rowheader", name=re.compile(f"^{country}"))).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="XLSX").click()
    assert info.value.suggested_filename == "sectors-by-place-east-southern-africa-1.xlsx"


def test_peel_partner_sees_the_leaders_table_holds_faith_youth_and_women(
    page: Page, live_server, demo
):
    sign_in(page, live_server, "partner.peel@demo.bridgework.test", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Bodies").click()
    page.get_by_role("link", name="Peel Community Leaders' Table (demo)").click()
    expect(heading(page)).to_contain_text("Peel Community Leaders' Table (demo)")
    missing = page.locator("ul[aria-labelledby=missing-heading]")
    expect(missing).to_contain_text("Health")
    for sector in ("Faith-based", "Youth", "Women's groups", "Civil society"):
        expect(missing).not_to_contain_text(sector)
    members = page.get_by_role("table", name="Members by sector and level")
    faith = members.get_by_role("row", name=re.compile(r"^Faith-based"))
    expect(faith).to_contain_text("Muslim community")
    expect(members.get_by_role("rowheader", name="Individuals")).to_have_count(0)
    assert_accessible(page)

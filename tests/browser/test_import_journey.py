"""Lilongwe City's local coordinator, on the demo, imports organisations from a spreadsheet:
the preview shows each row's sector, level, activities and place; a near-duplicate of the
Youth Peace Forum is merged instead of being created again; a mistyped code is named as
unknown with the nearest places offered; the good rows are imported and the bad ones come
back as a file to fix."""

from __future__ import annotations

import csv
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from bridgework.access.demo import DEMO_PASSWORD
from bridgework.actors.models import Organisation

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser

ROWS = (
    "name,short_name,sector,level,place,areas,themes,website,tlp\n"
    "Lilongwe Youth Peace Forum,LYPF,Youth,Local,Lilongwe City,Mchesi,"
    "Training and capacity building,https://lypf.example.org,GREEN\n"
    "Kawale Market Traders Peace Group (demo),,Private sector,Community,Kawale,,"
    "Social cohesion;Early warning,,\n"
    "Karonga Peace Club (demo),,Youth,Community,MW-KA,,,,\n"
    "Mchesi Listeners Club (demo),,Media,Community,Mchesi,,,http://x,\n"
    "Lilongwe District Elders (demo),,Civil society,Local,MW-LI,,,,\n"
)


def test_the_lilongwe_coordinator_merges_a_duplicate_and_gets_the_bad_rows_back(
    page: Page, live_server
):
    call_command("load_demo", stdout=StringIO())
    forum = Organisation.objects.get(name="Lilongwe Youth Peace Forum (demo)")
    assert not forum.website and not forum.areas.filter(place__name="Mchesi").exists()
    before = Organisation.objects.count()

    sign_in(page, live_server, "local.lilongwe@demo.bridgework.test", DEMO_PASSWORD)
    page.get_by_role("navigation").get_by_role("link", name="Organisations").click()
    page.get_by_role("link", name="Import", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import organisations or people")
    expect(page.get_by_text("place numbers")).to_have_count(0)
    assert_accessible(page)

    page.get_by_label("What the file holds").select_option(label="Organisations")
    page.get_by_label("CSV or XLSX file").set_input_files(
        files=[{"name": "lilongwe.csv", "mimeType": "text/csv", "buffer": ROWS.encode()}]
    )
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Preview of lilongwe.csv")).to_be_visible()
    assert_accessible(page)

    table = page.get_by_role("table")
    for header in ("Sector", "Level", "Activities", "Place", "Possible duplicates", "Action"):
        expect(table.get_by_role("columnheader", name=header)).to_be_visible()
    traders = table.get_by_role("row").filter(has_text="Kawale Market Traders")
    expect(traders).to_contain_text("Private sector")
    expect(traders).to_contain_text("Community")
    expect(traders).to_contain_text("Social cohesion, Early warning")
    expect(page.get_by_label("What to do with row 3")).to_have_value("create")
    # The mistyped code: unknown, with the nearest place where she may add records.
    karonga = table.get_by_role("row").filter(has_text="Karonga Peace Club")
    expect(karonga).to_contain_text("MW-KA is not a known place code. Did you mean: Kawale?")
    # The district's code (MW-LI, Lilongwe District): a place she knows, not hers to add to.
    elders = table.get_by_role("row").filter(has_text="Lilongwe District Elders")
    expect(elders).to_contain_text(
        "MW-LI (Lilongwe) is outside the places where you may add records."
    )
    listeners = table.get_by_role("row").filter(has_text="Mchesi Listeners Club")
    expect(listeners).to_contain_text("website: Enter a valid URL.")

    # The near-duplicate is skipped unless she chooses; merging fills, it overwrites nothing.
    decision = page.get_by_label("What to do with row 2")
    expect(decision).to_have_value("skip")
    youth = table.get_by_role("row").filter(has_text="Lilongwe Youth Peace Forum (demo)")
    expect(youth).to_contain_text("sets website to “https://lypf.example.org”")
    expect(youth).to_contain_text("adds areas: Mchesi")
    decision.select_option(label="Merge into Lilongwe Youth Peace Forum (demo)")

    with page.expect_download() as download:
        page.get_by_role("link", name="rows to fix (CSV)").click()
    with open(download.value.path(), encoding="utf-8-sig", newline="") as file:
        to_fix = list(csv.DictReader(file))
    assert [row["name"] for row in to_fix] == [
        "Karonga Peace Club (demo)",
        "Mchesi Listeners Club (demo)",
        "Lilongwe District Elders (demo)",
    ]
    assert to_fix[0]["place"] == "MW-KA" and "not a known place code" in to_fix[0]["errors"]

    page.get_by_role("button", name="Import the 2 good rows").click()
    expect(
        page.get_by_text("Imported: 1 created, 1 merged, 0 skipped; 3 rows with problems")
    ).to_be_visible()
    expect(page.get_by_text("3 rows of lilongwe.csv were not imported.")).to_be_visible()
    assert_accessible(page)

    assert Organisation.objects.count() == before + 1
    traders = Organisation.objects.get(name="Kawale Market Traders Peace Group (demo)")
    assert traders.place.name == "Kawale" and traders.sector == "private_sector"
    forum.refresh_from_db()
    assert forum.website == "https://lypf.example.org" and forum.short_name == "LYPF"
    assert forum.areas.filter(place__name="Mchesi").exists()
    assert forum.themes.filter(slug="training-capacity").exists()

"""The picker of several places, with JavaScript: matches ticked in one search stay chosen
through the next, and the form saves them all."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from bridgework.bodies.factories import BodyFactory
from bridgework.funding.models import Fund
from bridgework.places.actions import do_create_place
from bridgework.places.models import Place
from bridgework.web.testing import build_tree

from .conftest import assert_accessible, sign_in


def test_a_fund_is_made_eligible_in_places_chosen_from_two_searches(page: Page, live_server):
    tree = build_tree("national_coordinator")
    for n in range(55):  # more than a list of choices should hold: the picker is used
        do_create_place(Place(name=f"Block {n}", parent=tree.ward))
    BodyFactory(place=tree.city, name="Riverton Fund Board")
    sign_in(page, live_server, tree.in_scope.email)
    page.goto(f"{live_server.url}/funding/funds/add/")
    page.get_by_label("Name:", exact=True).fill("Riverton Neighbourhood Fund")
    page.get_by_label("Owner body:").select_option(label="Riverton Fund Board")
    page.get_by_label("Budget by year:").fill("2027: 50000")

    search = page.get_by_role("searchbox", name="Eligible places:")
    chosen = page.get_by_role("group", name="Chosen places")
    matches = page.get_by_role("group", name="Matching places")
    search.fill("Block 12")
    matches.get_by_role("checkbox", name="Block 12").check()
    expect(chosen.get_by_role("checkbox", name="Block 12")).to_be_checked()
    search.fill("Block 33")
    matches.get_by_role("checkbox", name="Block 33").check()
    expect(chosen.get_by_role("checkbox")).to_have_count(2)
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Riverton Neighbourhood Fund")
    fund = Fund.objects.get(name="Riverton Neighbourhood Fund")
    assert sorted(p.name for p in fund.eligible_places.all()) == ["Block 12", "Block 33"]

    # Editing shows them ticked; unticking one removes it.
    page.goto(f"{live_server.url}/funding/funds/{fund.pk}/edit/")
    page.get_by_role("group", name="Chosen places").get_by_role(
        "checkbox", name="Block 12"
    ).uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Riverton Neighbourhood Fund")
    assert [p.name for p in fund.eligible_places.all()] == ["Block 33"]

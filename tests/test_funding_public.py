"""Open calls for everyone: the calls open now of TLP:CLEAR funds, on a page and in the API,
without an account; never a GREEN or AMBER fund's call, never a closed or future one."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bridgework.bodies.factories import BodyFactory
from bridgework.core.tlp import TLP
from bridgework.funding.factories import CallFactory, FundFactory
from bridgework.web.testing import covers

from .test_funding_rules import ca  # noqa: F401 (fixture)


def _fund(ca, name, tlp):  # noqa: F811
    fund = FundFactory(
        name=name, owner=BodyFactory(place=ca.country), tlp=tlp, time_zone="America/Toronto"
    )
    fund.eligible_places.set([ca.peel])
    return fund


def _calls(ca):  # noqa: F811
    now = timezone.now()
    day = datetime.timedelta(days=1)
    clear = _fund(ca, "Clear Fund (demo)", TLP.CLEAR)
    closes = datetime.datetime(2099, 3, 31, 17, tzinfo=clear.zone)
    CallFactory(fund=clear, title="Open clear call", closes_at=closes, max_amount=Decimal("1500"))
    CallFactory(fund=clear, title="Closed clear call", opens_at=now - 9 * day, closes_at=now - day)
    CallFactory(fund=clear, title="Future clear call", opens_at=now + day, closes_at=now + 9 * day)
    for tlp in (TLP.GREEN, TLP.AMBER):
        CallFactory(fund=_fund(ca, f"{tlp.label} Fund", tlp), title=f"Open {tlp.label} call")


@covers("funding:open_calls")
def test_anyone_reads_the_open_calls_of_clear_funds_only(ca):  # noqa: F811
    _calls(ca)
    response = Client().get(reverse("funding:open_calls"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Open clear call" in page and "Clear Fund (demo)" in page
    assert "Peel Region" in page
    assert "2099-03-31 17:00 (America/Toronto)" in page  # the fund's clock, not UTC
    assert "1,500 CAD" in page
    for hidden in ("Closed clear call", "Future clear call", "TLP:GREEN", "TLP:AMBER"):
        assert hidden not in page


@covers("api-1.0.0:public_calls")
def test_the_public_calls_api_answers_without_an_account(ca):  # noqa: F811
    _calls(ca)
    response = Client().get(reverse("api-1.0.0:public_calls"))
    assert response.status_code == 200
    rows = response.json()["items"]
    assert [row["title"] for row in rows] == ["Open clear call"]
    row = rows[0]
    assert row["fund"] == "Clear Fund (demo)"
    assert row["places"] == ["Peel Region"]
    assert row["closes_local"] == "2099-03-31T17:00:00-04:00"
    assert row["time_zone"] == "America/Toronto"
    assert Decimal(row["max_amount"]) == Decimal("1500")
    assert "Sign in" in row["how_to_apply"]


def test_a_fund_without_eligible_places_names_its_own_place(ca):  # noqa: F811
    fund = FundFactory(owner=BodyFactory(place=ca.country), tlp=TLP.CLEAR)
    CallFactory(fund=fund, title="Country-wide call")
    rows = Client().get(reverse("api-1.0.0:public_calls")).json()["items"]
    assert rows[0]["places"] == ["Canada"]


def test_the_welcome_page_links_to_the_open_calls(db):
    page = Client().get(reverse("home")).content.decode()
    assert f'href="{reverse("funding:open_calls")}"' in page

"""The funding lists fund staff read at scale (issue 9: Hypha's staff list sends 18 queries a
row) send as many queries for one application as for a full page of 50: the application list
page, its API list and the fund pipeline. ``make bench`` (bench/funding_run.py) times them."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bridgework.access.actions import do_create_api_token
from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.actors.factories import OrganisationFactory
from bridgework.bodies.factories import BodyFactory
from bridgework.funding.choices import ApplicationStatus
from bridgework.funding.factories import (
    ApplicationFactory,
    CallFactory,
    FundFactory,
    GrantFactory,
    ReportFactory,
    ReviewFactory,
    TrancheFactory,
)
from bridgework.places.factories import PlaceFactory

PAGE = "/funding/applications/"
API = "/api/applications?limit=50"
PIPELINE = "/funding/pipeline/"


class Fund:
    """A national fund's staff, two calls, and applications from organisations at the
    country's cities; every fifth approved with a grant (an overdue report period, tranches
    to pay, an accepted report) and every application reviewed."""

    def __init__(self):
        from bridgework.access.policy import sync_default_policy

        sync_default_policy()
        self.country = PlaceFactory(name="Canada")
        self.cities = [PlaceFactory(name=f"City {n}", parent=self.country) for n in range(4)]
        self.staff = UserFactory(label="staff")
        RoleAssignmentFactory(user=self.staff, role="national_coordinator", place=self.country)
        self.reviewer = UserFactory(label="reviewer")
        fund = FundFactory(owner=BodyFactory(place=self.country))
        self.calls = [CallFactory(fund=fund), CallFactory(fund=fund)]
        self.count = 0

    def add(self, how_many: int) -> None:
        for _ in range(how_many):
            n = self.count
            self.count += 1
            city = self.cities[n % len(self.cities)]
            approved = n % 5 == 0
            application = ApplicationFactory(
                call=self.calls[n % 2],
                organisation=OrganisationFactory(place=city),
                status=ApplicationStatus.APPROVED if approved else ApplicationStatus.SUBMITTED,
            )
            ReviewFactory(application=application, reviewer=self.reviewer)
            if approved:
                grant = GrantFactory(
                    application=application,
                    amount=Decimal("90000.00"),
                    starts_on=datetime.date(2022, 1, 1),
                    years=3,
                )
                TrancheFactory(grant=grant, number=1)
                TrancheFactory(grant=grant, number=2)
                ReportFactory(
                    grant=grant,
                    period_start=datetime.date(2022, 1, 1),
                    period_end=datetime.date(2022, 12, 31),
                )


@pytest.fixture
def fund(db):
    return Fund()


def _queries(client: Client, path: str, rows: int | None = None) -> int:
    response = client.get(path)  # warm: the user's access is cached after the first request
    assert response.status_code == 200
    with CaptureQueriesContext(connection) as sent:
        response = client.get(path)
    assert response.status_code == 200
    if rows is not None and path.startswith("/api/"):
        assert len(response.json()["items"]) == rows
    elif rows is not None:
        body = response.content.decode().split("<tbody", 1)[1].split("</tbody>", 1)[0]
        assert body.count("<tr") == rows
    return len(sent)


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(user) -> Client:
    _token, secret = do_create_api_token(user=user, name="perf")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_the_application_list_page_sends_as_many_queries_for_50_rows_as_for_1(fund):
    client = _signed_in(fund.staff)
    fund.add(1)
    one = _queries(client, PAGE, rows=1)
    fund.add(49)
    assert _queries(client, PAGE, rows=50) == one


def test_the_applications_api_list_sends_as_many_queries_for_50_rows_as_for_1(fund):
    client = _api(fund.staff)
    fund.add(1)
    one = _queries(client, API, rows=1)
    fund.add(49)
    assert _queries(client, API, rows=50) == one


def test_the_fund_pipeline_sends_as_many_queries_for_50_applications_as_for_1(fund):
    client = _signed_in(fund.staff)
    fund.add(1)
    one = _queries(client, PIPELINE)
    fund.add(49)
    response = client.get(PIPELINE)
    assert response.content.decode().count("/funding/tranches/") >= 10  # ten grants to pay
    assert _queries(client, PIPELINE) == one


def test_the_applications_api_list_joins_no_related_record(fund):
    """Its answer names the call, organisation and place by id only (ApplicationOut's
    ``list_related``): the page's statement reads the applications alone."""
    client = _api(fund.staff)
    fund.add(3)
    client.get(API)
    with CaptureQueriesContext(connection) as sent:
        response = client.get(API)
    assert len(response.json()["items"]) == 3
    (page,) = [q["sql"] for q in sent if q["sql"].startswith('SELECT "funding_application"."id"')]
    assert " JOIN " not in page.split(" WHERE ")[0], page

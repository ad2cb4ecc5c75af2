"""The funding section of the home page: an applicant's reports due, drafts and calls closing
soon; fund staff's pipeline counts and overdue reports; in a fixed number of queries."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bridgework.core.actions import do_create_record
from bridgework.funding.actions import do_update_grant
from bridgework.funding.factories import CallFactory, post_for

from .test_funding_rules import _award, _client, ca  # noqa: F401 (fixture)

SECTION = "funding/_home_funding.html"


def _section(user):
    response = _client(user).get(reverse("home"))
    assert response.status_code == 200
    return dict(response.context["sections"]).get(SECTION), response.content.decode()


def _past_grant(ca):  # noqa: F811
    """A grant whose first yearly period ended long ago, with no report: overdue."""
    grant = _award(ca)
    grant.starts_on = datetime.date(2020, 1, 1)
    return do_update_grant(grant, acting_user=ca.staff)


def test_an_applicant_sees_reports_due_drafts_and_calls_closing_soon(ca):  # noqa: F811
    _past_grant(ca)
    CallFactory(
        fund=ca.fund,
        title="Closing soon call",
        closes_at=timezone.now() + datetime.timedelta(days=3),
    )
    CallFactory(fund=ca.fund, title="Closing later call")  # closes in a month
    do_create_record(
        ca.application(call=ca.call, title="Unsent draft", amount=Decimal("90000")),
        acting_user=ca.partner,
    )
    section, page = _section(ca.partner)
    assert section["staff"] is None
    applicant = section["applicant"]
    assert applicant["due"] and all(item.overdue for item in applicant["due"][:1])
    assert [a.title for a in applicant["drafts"]] == ["Unsent draft"]
    assert [c.title for c in applicant["closing"]] == ["Closing soon call"]
    assert "Closing later call" not in page
    assert "Unsent draft" in page and "overdue" in page


def test_staff_see_the_pipeline_counts_and_overdue_reports(ca):  # noqa: F811
    grant = _past_grant(ca)
    section, page = _section(ca.staff)
    staff = section["staff"]
    assert dict((str(label), n) for label, n in staff["pipeline"]) == {"Approved": 1}
    assert staff["overdue_count"] >= 1
    assert staff["overdue"][0].grant == grant
    assert grant.application.title in page


def test_nothing_to_show_leaves_the_section_out(ca):  # noqa: F811
    section, _page = _section(ca.brampton_user)
    assert section is None


def _home_queries(user) -> int:
    client = _client(user)
    client.get(reverse("home"))  # warm the per-user caches
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("home"))
    return len(queries)


def test_the_section_costs_the_same_queries_for_one_record_or_many(ca):  # noqa: F811
    _past_grant(ca)
    few_staff, few_partner = _home_queries(ca.staff), _home_queries(ca.partner)
    for n in range(4):
        organisation = ca.organisation.__class__.objects.create(
            name=f"Peel applicant {n} (demo)", place=ca.mississauga
        )
        post_for(ca.partner, organisation)
        do_create_record(
            ca.application(organisation=organisation, title=f"Draft {n}"), acting_user=ca.partner
        )
        CallFactory(fund=ca.fund, closes_at=timezone.now() + datetime.timedelta(days=2))
    assert _home_queries(ca.staff) == few_staff
    assert _home_queries(ca.partner) == few_partner

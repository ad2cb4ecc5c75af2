"""A grant's next report period, stored (issue 9): every grant keeps the end of its earliest
report period with no report filed, so the overdue and due reports are an index range, not
every grant's periods worked out. These tests hold the stored date and the lists read from
it to the computation they replace (every period of every grant against the reports filed),
on generated data and on the edge cases: returned reports, a later period reported before an
earlier one, monthly to yearly reports, ten-year grants, closed grants, grants starting
today, a schedule changed after reports, and the demo."""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from decimal import Decimal

import pytest
from django.apps import apps as global_apps
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bridgework.access.actions import do_create_api_token
from bridgework.access.models import User
from bridgework.activity.workflows import do_transition
from bridgework.actors.factories import OrganisationFactory
from bridgework.funding import selectors
from bridgework.funding.actions import (
    do_delete_report,
    do_remind_overdue_reports,
    do_submit_report,
    do_update_grant,
    do_update_report,
    refresh_next_report,
)
from bridgework.funding.factories import ApplicationFactory
from bridgework.funding.models import Application, Grant, Report

from .test_funding_rules import _award, _client, ca  # noqa: F401 (fixture)

GRACE = datetime.timedelta(days=30)
ONE_DAY = datetime.timedelta(days=1)


# --- the computation replaced (as it was before the date was stored) ----------------------------


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return datetime.date(year, month, min(day.day, 28))


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def old_periods(grant) -> list[tuple[datetime.date, datetime.date]]:
    ends_on = _add_years(grant.starts_on, grant.years) - ONE_DAY
    periods, start = [], grant.starts_on
    while start <= ends_on:
        end = min(_add_months(start, grant.report_every_months), ends_on + ONE_DAY)
        periods.append((start, end - ONE_DAY))
        start = end
    return periods


def _covered(grant_ids) -> dict[int, set[datetime.date]]:
    covered = defaultdict(set)
    for grant_id, end in (
        Report.objects.filter(grant_id__in=list(grant_ids))
        .exclude(status="returned")
        .values_list("grant_id", "period_end")
    ):
        covered[grant_id].add(end)
    return covered


def old_due(grants, today: datetime.date, *, only_overdue: bool) -> list[tuple]:
    """Every period of every grant not closed, against the reports filed."""
    grants = [g for g in grants if g.status != "closed"]
    covered = _covered(g.pk for g in grants)
    due = []
    for grant in grants:
        for start, end in old_periods(grant):
            if end in covered[grant.pk] or end >= today:
                continue
            overdue = today > end + GRACE
            if overdue or not only_overdue:
                due.append((grant.pk, start, end, end + GRACE, overdue))
    return sorted(due, key=lambda d: (d[3], d[0]))


def rows(items) -> list[tuple]:
    return [(d.grant.pk, d.period_start, d.period_end, d.due_on, d.overdue) for d in items]


def expected_next(grant) -> datetime.date | None:
    covered = _covered([grant.pk])[grant.pk]
    return next((end for _start, end in old_periods(grant) if end not in covered), None)


def assert_stored_right() -> None:
    """Every grant's stored date is what its periods and reports give now."""
    for grant in Grant.objects.order_by("pk"):
        assert grant.next_report_period_end == expected_next(grant), grant.pk


def assert_same_lists(user, days) -> None:
    visible = list(Grant.objects.visible_to(user))
    for today in days:
        assert rows(selectors.overdue_reports(user, today)) == old_due(
            visible, today, only_overdue=True
        ), today
        mine = list(
            Grant.objects.filter(application__in=Application.objects.visible_to(user, "change"))
        )
        assert rows(selectors.due_reports(user, today)) == old_due(
            mine, today, only_overdue=False
        ), today
        assert rows(selectors.overdue_in(Grant.objects.all(), today)) == old_due(
            Grant.objects.all(), today, only_overdue=True
        ), today
        assert_same_summaries(user, today)


def assert_same_summaries(user, today) -> None:
    """What the home page and the pipeline show: the first periods of the whole list, soonest
    due first, and the whole list's length."""
    overdue = selectors.overdue_reports(user, today)
    due = selectors.due_reports(user, today)
    for shown in (1, 3, 5, 200):
        summary = selectors.overdue_summary(user, shown, today)
        assert rows(summary.first) == rows(overdue[:shown]), (today, shown)
        assert summary.count == len(overdue), today
        summary = selectors.due_summary(user, shown, today)
        assert rows(summary.first) == rows(due[:shown]), (today, shown)
        assert summary.count == len(due), today


# --- what the actions keep ------------------------------------------------------------------------


def _long_call(ca):  # noqa: F811
    ca.call.max_years = 10
    ca.call.save()


def _report(ca, grant, start, end, **fields):  # noqa: F811
    return do_submit_report(
        Report(grant=grant, period_start=start, period_end=end, text="Done", **fields),
        acting_user=ca.partner,
    )


def _stored(grant) -> datetime.date | None:
    return Grant.objects.values_list("next_report_period_end", flat=True).get(pk=grant.pk)


def test_the_award_stores_the_first_period_and_reports_move_it_on(ca):  # noqa: F811
    grant = _award(ca)  # 2027 to 2029, yearly
    assert _stored(grant) == grant.next_report_period_end == datetime.date(2027, 12, 31)
    # A later period reported before the earlier one: the earlier one is still next.
    second = _report(ca, grant, datetime.date(2028, 1, 1), datetime.date(2028, 12, 31))
    assert _stored(grant) == datetime.date(2027, 12, 31)
    first = _report(ca, grant, datetime.date(2027, 1, 1), datetime.date(2027, 12, 31))
    assert _stored(grant) == datetime.date(2029, 12, 31)  # both reported: the third is next
    # Returned for changes: the period is owed again; sent again, it is not.
    do_transition(first, "return", acting_user=ca.staff, note="Add the attendance figures")
    assert _stored(grant) == datetime.date(2027, 12, 31)
    do_transition(first, "resubmit", acting_user=ca.partner)
    assert _stored(grant) == datetime.date(2029, 12, 31)
    do_transition(first, "accept", acting_user=ca.staff)  # accepted: still filed
    assert _stored(grant) == datetime.date(2029, 12, 31)
    # Deleted: owed again.
    do_delete_report(second, acting_user=ca.staff)
    assert _stored(grant) == datetime.date(2028, 12, 31)
    # Corrected onto another period: the one it left is owed, the one it names is covered.
    first.period_start, first.period_end = datetime.date(2028, 1, 1), datetime.date(2028, 12, 31)
    do_update_report(first, acting_user=ca.partner)
    assert _stored(grant) == datetime.date(2027, 12, 31)
    _report(ca, grant, datetime.date(2027, 1, 1), datetime.date(2027, 12, 31))
    _report(ca, grant, datetime.date(2029, 1, 1), datetime.date(2029, 12, 31))
    assert _stored(grant) is None  # every period reported
    assert_stored_right()


def test_a_report_that_matches_no_period_covers_none(ca):  # noqa: F811
    grant = _award(ca)
    _report(ca, grant, datetime.date(2027, 1, 1), datetime.date(2027, 12, 30))
    assert _stored(grant) == datetime.date(2027, 12, 31)


@pytest.mark.parametrize(
    ("every", "first_end", "count"),
    [
        (1, datetime.date(2027, 1, 31), 120),  # monthly: the start day is kept at most the 28th
        (3, datetime.date(2027, 3, 31), 40),
        (6, datetime.date(2027, 6, 30), 20),
        (12, datetime.date(2027, 12, 31), 10),
        (24, datetime.date(2028, 12, 31), 5),
    ],
)
def test_every_frequency_over_ten_years(ca, every, first_end, count):  # noqa: F811
    _long_call(ca)
    grant = _award(ca)
    grant.years, grant.report_every_months = 10, every
    do_update_grant(grant, acting_user=ca.staff)
    assert _stored(grant) == first_end
    periods = grant.report_periods()
    assert len(periods) == count and periods == old_periods(grant)
    # Every period but the last reported, in reverse order: only then is the last one next.
    for start, end in reversed(periods[:-1]):
        _report(ca, grant, start, end)
        assert _stored(grant) == (periods[0][1] if start != periods[0][0] else periods[-1][1])
    assert_stored_right()


def test_a_schedule_changed_after_reports(ca):  # noqa: F811
    grant = _award(ca)
    _report(ca, grant, datetime.date(2027, 1, 1), datetime.date(2027, 12, 31))
    assert _stored(grant) == datetime.date(2028, 12, 31)
    # Every six months: the report still covers the period ending on 31 December 2027, not
    # the one ending on 30 June.
    grant.report_every_months = 6
    do_update_grant(grant, acting_user=ca.staff)
    assert _stored(grant) == grant.next_report_period_end == datetime.date(2027, 6, 30)
    # Moved a month later: no period ends when the report does any more.
    grant.report_every_months, grant.starts_on = 12, datetime.date(2027, 2, 1)
    do_update_grant(grant, acting_user=ca.staff)
    assert _stored(grant) == datetime.date(2028, 1, 31)
    # Back, and one year shorter: the report covers the first year again.
    grant.starts_on, grant.years = datetime.date(2027, 1, 1), 2
    do_update_grant(grant, acting_user=ca.staff)
    assert _stored(grant) == datetime.date(2028, 12, 31)
    assert_stored_right()


def test_a_grant_starting_today_owes_nothing_yet(ca):  # noqa: F811
    today = datetime.date(2026, 12, 4)
    grant = _award(ca)
    grant.starts_on = today
    do_update_grant(grant, acting_user=ca.staff)
    assert _stored(grant) == datetime.date(2027, 12, 3)
    for day in (today, datetime.date(2027, 12, 3)):  # its first period has not ended
        assert selectors.due_reports(ca.partner, day) == []
    assert rows(selectors.due_reports(ca.partner, datetime.date(2027, 12, 4))) == [
        (grant.pk, today, datetime.date(2027, 12, 3), datetime.date(2028, 1, 2), False)
    ]
    assert selectors.overdue_reports(ca.staff, datetime.date(2028, 1, 2)) == []
    assert len(selectors.overdue_reports(ca.staff, datetime.date(2028, 1, 3))) == 1


def test_closing_and_closed_grants(ca):  # noqa: F811
    grant = _award(ca)
    grant.starts_on = datetime.date(2020, 1, 1)
    do_update_grant(grant, acting_user=ca.staff)
    today = datetime.date(2026, 12, 4)
    assert [d.period_end for d in selectors.overdue_reports(ca.staff, today)] == [
        datetime.date(2020, 12, 31),
        datetime.date(2021, 12, 31),
        datetime.date(2022, 12, 31),
    ]
    do_transition(grant, "start_closing", acting_user=ca.staff, note="Final report due")
    assert len(selectors.overdue_reports(ca.staff, today)) == 3  # closing: still owed
    do_transition(grant, "close", acting_user=ca.staff)
    assert selectors.overdue_reports(ca.staff, today) == []
    assert selectors.due_reports(ca.partner, today) == []
    assert do_remind_overdue_reports(today=today) == []
    assert_stored_right()


def test_pages_and_api_keep_it_when_reports_are_filed_changed_and_deleted(ca):  # noqa: F811
    grant = _award(ca)
    page = _client(ca.partner)
    response = page.post(
        reverse("funding:report_add"),
        {
            "grant": grant.pk,
            "kind": "progress",
            "period_start": "2027-01-01",
            "period_end": "2027-12-31",
            "text": "Sessions held",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _stored(grant) == datetime.date(2028, 12, 31)
    report = Report.objects.get(grant=grant)
    _token, secret = do_create_api_token(user=ca.partner, name="reports")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    changed = api.patch(
        reverse("api-1.0.0:update_grant_report", args=[report.pk]),
        {"period_start": "2028-01-01", "period_end": "2028-12-31"},
        content_type="application/json",
    )
    assert changed.status_code == 200, changed.content
    assert _stored(grant) == datetime.date(2027, 12, 31)
    created = api.post(
        reverse("api-1.0.0:create_grant_report"),
        {
            "grant": grant.pk,
            "kind": "progress",
            "period_start": "2027-01-01",
            "period_end": "2027-12-31",
            "text": "Sessions held",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert _stored(grant) == datetime.date(2029, 12, 31)
    staff = _client(ca.staff)
    returned = staff.post(
        reverse("funding:report_transition", args=[report.pk]),
        {"transition": "return", "note": "Say who came"},
    )
    assert returned.status_code in (200, 302)
    assert _stored(grant) == datetime.date(2028, 12, 31)
    _token, secret = do_create_api_token(user=ca.staff, name="reports")
    staff_api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    deleting = reverse("api-1.0.0:delete_grant_report", args=[report.pk])
    assert staff_api.delete(deleting).status_code == 204
    assert _stored(grant) == datetime.date(2028, 12, 31)
    deleted = staff.post(reverse("funding:report_delete", args=[created.json()["id"]]))
    assert deleted.status_code == 302
    assert _stored(grant) == datetime.date(2027, 12, 31)
    grant_form = staff.post(
        reverse("funding:grant_edit", args=[grant.pk]),
        {
            "application": grant.application_id,
            "amount": "90000",
            "starts_on": "2027-01-01",
            "years": 3,
            "report_every_months": 3,
        },
    )
    assert grant_form.status_code == 302, grant_form.content.decode()[:2000]
    assert _stored(grant) == datetime.date(2027, 3, 31)


# --- generated data -------------------------------------------------------------------------------

STARTS = [datetime.date(2019, 1, 31), datetime.date(2020, 2, 29), datetime.date(2023, 7, 15)]
DAYS = [
    datetime.date(2020, 3, 1),
    datetime.date(2024, 1, 30),
    datetime.date(2024, 1, 31),
    datetime.date(2025, 6, 1),
    datetime.date(2026, 12, 4),
    datetime.date(2031, 1, 1),
]


def _generated(ca, rng, count: int) -> list[Grant]:  # noqa: F811
    """``count`` grants at the fund's places (start, term, frequency and status drawn), each
    with some periods reported, returned or reported with an end no period has; made
    directly, as older data was, without the stored date."""
    grants = []
    for n in range(count):
        place = (ca.mississauga, ca.brampton)[n % 2]
        starts_on = rng.choice(
            [*STARTS, datetime.date(2018, 1, 1) + datetime.timedelta(days=rng.randrange(3000))]
        )
        years = rng.choice([1, 2, 3, 5, 10])
        application = ApplicationFactory(
            call=ca.call,
            organisation=OrganisationFactory(place=place),
            status="approved",
            starts_on=starts_on,
            years=years,
        )
        grant = Grant.objects.create(
            application=application,
            amount=Decimal("50000"),
            starts_on=starts_on,
            years=years,
            report_every_months=rng.choice([1, 3, 6, 12, 12, 24, rng.randint(1, 24)]),
            status=rng.choice(["active", "active", "active", "closing", "closed"]),
        )
        for start, end in grant.report_periods():
            draw = rng.random()
            if draw < 0.45:
                status = rng.choice(["submitted", "accepted", "accepted", "returned"])
                Report.objects.create(
                    grant=grant, period_start=start, period_end=end, text="x", status=status
                )
            elif draw < 0.5:  # an end that matches no period
                Report.objects.create(
                    grant=grant, period_start=start, period_end=end - ONE_DAY, text="x"
                )
        grants.append(grant)
    return grants


def test_the_migration_fills_existing_grants_and_the_lists_are_the_same(ca):  # noqa: F811
    from importlib import import_module

    fill = import_module("bridgework.funding.migrations.0006_fill_next_report_period_end").fill
    _long_call(ca)
    _generated(ca, random.Random(9), 40)
    assert not Grant.objects.filter(next_report_period_end__isnull=False).exists()
    fill(global_apps, None)
    assert_stored_right()
    assert Grant.objects.filter(next_report_period_end__isnull=True).exists()  # all reported
    assert_same_lists(ca.staff, DAYS)
    assert_same_lists(ca.partner, DAYS[-2:])
    # The bulk refresh the bench generator uses gives the same dates.
    Grant.objects.update(next_report_period_end=None)
    refresh_next_report(Grant.objects.values_list("pk", flat=True))
    assert_stored_right()


def test_random_changes_through_the_actions_keep_it_right(ca):  # noqa: F811
    _long_call(ca)
    rng = random.Random(90)
    grants = _generated(ca, rng, 12)
    refresh_next_report([g.pk for g in grants])
    applicant = ca._user("local_coordinator", ca.peel)  # sends returned reports again
    for _step in range(60):
        grant = Grant.objects.get(pk=rng.choice(grants).pk)
        reports = list(Report.objects.filter(grant=grant).order_by("pk"))
        periods = grant.report_periods()
        choice = rng.random()
        if choice < 0.3 or not reports:
            start, end = rng.choice(periods)
            do_submit_report(
                Report(grant=grant, period_start=start, period_end=end, text="x"),
                acting_user=ca.staff,
            )
        elif choice < 0.45:
            report = rng.choice(reports)
            step = {"submitted": "return", "returned": "resubmit", "accepted": None}[report.status]
            if step:
                actor = ca.staff if step == "return" else applicant
                do_transition(report, step, acting_user=actor, note="Why")
        elif choice < 0.6:
            do_delete_report(rng.choice(reports), acting_user=ca.staff)
        elif choice < 0.75:
            report = rng.choice(reports)
            report.period_start, report.period_end = rng.choice(periods)
            if rng.random() < 0.3:  # filed on the wrong grant, corrected
                report.grant = Grant.objects.get(pk=rng.choice(grants).pk)
                report.unlocks = None
            do_update_report(report, acting_user=ca.staff)
        elif grant.status != "closed":
            grant.starts_on = grant.starts_on + datetime.timedelta(days=rng.choice([-31, 0, 1]))
            grant.report_every_months = rng.choice([1, 3, 6, 12, 24])
            grant.years = rng.choice([1, 2, 3, 10])
            do_update_grant(grant, acting_user=ca.staff)
        assert_stored_right()
    assert_same_lists(ca.staff, DAYS)


# --- the demo -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_overdue_list_is_what_every_period_gives():
    call_command("load_demo")
    staff = User.objects.get(email="funds.ca@demo.bridgework.test")
    assert_stored_right()
    today = datetime.date(2026, 12, 4)
    overdue = rows(selectors.overdue_reports(staff, today))
    assert overdue and overdue == old_due(
        list(Grant.objects.visible_to(staff)), today, only_overdue=True
    )
    assert_same_lists(staff, DAYS)


# --- the query -----------------------------------------------------------------------------------


def test_the_reminder_finds_its_grants_through_the_index(ca):  # noqa: F811
    grant = _award(ca)
    grant.starts_on = datetime.date(2020, 1, 1)
    do_update_grant(grant, acting_user=ca.staff)
    with CaptureQueriesContext(connection) as sent:
        found = selectors.overdue_in(Grant.objects.all(), datetime.date(2026, 12, 4))
    assert [d.period_end.year for d in found] == [2020, 2021, 2022]
    query = next(q["sql"] for q in sent.captured_queries if "next_report_period_end" in q["sql"])
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + query)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "grant_next_report" in plan, plan
        else:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + query)
            plan = " ".join(row[0] for row in cursor.fetchall())
            assert "grant_next_report" in plan, plan


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite locks the whole file; no row locks"
)
def test_a_grant_locks_its_reports_and_tranches_before_itself(ca):  # noqa: F811
    """A report's workflow step locks the report, then its grant (refresh_next_report): a
    grant saved first and its reports after could deadlock with it on PostgreSQL."""
    grant = _award(ca)
    _report(ca, grant, datetime.date(2027, 1, 1), datetime.date(2027, 12, 31))
    grant.report_every_months = 6
    with CaptureQueriesContext(connection) as captured:
        do_update_grant(grant, acting_user=ca.staff)
    statements = [query["sql"] for query in captured.captured_queries]

    def first(test) -> int:
        return next(n for n, sql in enumerate(statements) if test(sql))

    grant_written = first(lambda sql: sql.startswith('UPDATE "funding_grant"'))
    for table in ("funding_report", "funding_tranche"):
        locked = first(lambda sql, t=table: f'FROM "{t}"' in sql and "FOR UPDATE" in sql)
        assert locked < grant_written, table

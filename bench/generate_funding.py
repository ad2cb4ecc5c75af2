"""The funding benchmark's data: funds, calls, applications, reviews, grants, tranches and
reports at a scale factor, on the place tree and organisations of :mod:`bench.generate`.

At scale 1: 20,000 applications to the calls of three national funds owned by a body of the
measured coordinator's country (so the fund staff see every one, as Hypha's staff list
does), from that country's organisations, at their places (regions, districts, cities and
wards). Non-draft applications have two reviews; approved ones a grant with a tranche per
year (the first released) and, for grants past their first year, an accepted report.

Rows go in with ``bulk_create`` in one transaction; the fields ``save()`` derives (the place,
its path, a part's application) are set here from the parent, as ``save()`` would.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from bridgework.access.models import RoleAssignment, User
from bridgework.actors.models import Organisation
from bridgework.bodies.choices import BodyKind
from bridgework.bodies.models import Body
from bridgework.funding.actions import refresh_next_report
from bridgework.funding.choices import (
    ApplicationStatus,
    GrantStatus,
    ReportKind,
    ReportStatus,
    ReviewStatus,
    TrancheStatus,
)
from bridgework.funding.models import Application, Call, Fund, Grant, Report, Review, Tranche
from bridgework.places.models import Place

__all__ = ["APPLICATIONS_AT_SF1", "FundingCounts", "generate_funding"]

APPLICATIONS_AT_SF1 = 20_000
MINIMUM = 120  # more than two pages of the list at any scale
BATCH = 2_000
SEED = 9  # issue 9
FUND_NAMES = (
    "Community Resilience Fund (bench)",
    "Youth Futures Fund (bench)",
    "Local Prevention Partnerships Fund (bench)",
)
CALLS_PER_FUND = 4
# Out of every 20 applications, by state (a realistic mix of a fund's history).
STATUS_MIX = (
    [ApplicationStatus.DRAFT] * 2
    + [ApplicationStatus.SUBMITTED] * 4
    + [ApplicationStatus.UNDER_REVIEW] * 4
    + [ApplicationStatus.MORE_INFO] * 1
    + [ApplicationStatus.APPROVED] * 3
    + [ApplicationStatus.DECLINED] * 5
    + [ApplicationStatus.WITHDRAWN] * 1
)
REVIEWED = {
    ApplicationStatus.UNDER_REVIEW,
    ApplicationStatus.MORE_INFO,
    ApplicationStatus.APPROVED,
    ApplicationStatus.DECLINED,
}
CRITERIA = [
    {"key": "fit", "name": "Fit with local needs", "weight": 40},
    {"key": "feasibility", "name": "Feasibility", "weight": 30},
    {"key": "value", "name": "Value for money", "weight": 30},
]
QUESTIONS = [{"key": "who", "label": "Who takes part?", "required": True}]
TODAY = datetime.date(2026, 6, 1)  # fixed, so every run makes the same data


@dataclass
class FundingCounts:
    funds: int
    calls: int
    applications: int
    by_status: dict[str, int]
    reviews: int
    grants: int
    tranches: int
    reports: int
    places: int  # distinct places of the applications


@contextmanager
def _keeping_created_at(*models):
    """Let ``bulk_create`` keep the ``created_at`` given (spread over years, as real data is)
    instead of stamping every row with now."""
    fields = [model._meta.get_field("created_at") for model in models]
    try:
        for field in fields:
            field.auto_now_add = False
        yield
    finally:
        for field in fields:
            field.auto_now_add = True


def _budget(amount: Decimal, first_year: int, years: int) -> dict[str, str]:
    share = (amount / years).quantize(Decimal("0.01"))
    lines = {str(first_year + n): share for n in range(years)}
    lines[str(first_year + years - 1)] += amount - share * years  # the rounding, in the last
    return {year: str(value) for year, value in lines.items()}


def _funds_and_calls(country: Place, count_calls: int) -> list[Call]:
    owner = Body.objects.create(
        name=f"National Prevention Centre of {country.name} (bench)",
        kind=BodyKind.NATIONAL_CENTRE,
        level="national",
        place=country,
    )
    calls = []
    per_fund = max(CALLS_PER_FUND, -(-count_calls // len(FUND_NAMES)))
    for index, name in enumerate(FUND_NAMES):
        fund = Fund.objects.create(
            name=name,
            owner=owner,
            currency="CAD",
            time_zone="America/Toronto",
            budget={str(year): "5000000.00" for year in range(2023, 2031)},
        )
        for number in range(per_fund):
            opens = timezone.make_aware(datetime.datetime(2023 + number % 4, 1 + index * 3, 1))
            calls.append(
                Call.objects.create(
                    fund=fund,
                    title=f"{name.removesuffix(' (bench)')}: round {number + 1} (bench)",
                    opens_at=opens,
                    closes_at=opens + datetime.timedelta(days=60),
                    max_amount=Decimal("250000.00"),
                    max_years=5,
                    criteria=CRITERIA,
                    questions=QUESTIONS,
                )
            )
    return calls


def _applications(rng, calls, organisations, count: int) -> list[Application]:
    """``count`` applications, each (call, organisation) pair once (one live application per
    call), states from :data:`STATUS_MIX`."""
    pairs = [(call, org) for call in calls for org in organisations]
    chosen = rng.sample(pairs, count)
    statuses = [STATUS_MIX[n % len(STATUS_MIX)] for n in range(count)]
    rng.shuffle(statuses)
    rows = []
    for n, ((call, org), status) in enumerate(zip(chosen, statuses, strict=True)):
        years = rng.randint(1, 5)
        amount = Decimal(rng.randrange(10_000, 250_000, 500))
        created = call.opens_at + datetime.timedelta(minutes=rng.randrange(0, 60 * 24 * 55))
        starts_on = datetime.date(created.year + 1, 1, 1)
        rows.append(
            Application(
                call_id=call.pk,
                organisation_id=org.pk,
                place_id=org.place_id,
                place_path=org.place_path,
                title=f"Project {n + 1}: dialogue and mentoring in {org.name} (bench)"[:200],
                summary="Youth mentoring, family support and dialogue sessions.",
                amount=amount,
                starts_on=starts_on,
                years=years,
                budget=_budget(amount, starts_on.year, years),
                answers={"who": "Young people, parents and youth workers"},
                status=status,
                submitted_at=None if status == ApplicationStatus.DRAFT else created,
                created_at=created,
            )
        )
    with _keeping_created_at(Application):
        return Application.objects.bulk_create(rows, batch_size=BATCH)


def _reviews(rng, applications, reviewers: list[int]) -> list[Review]:
    rows = []
    for application in applications:
        if application.status not in REVIEWED:
            continue
        for number, reviewer in enumerate(rng.sample(reviewers, 2)):
            scores = {c["key"]: rng.randint(1, 5) for c in CRITERIA}
            conflicted = number == 1 and rng.random() < 0.05
            rows.append(
                Review(
                    application_id=application.pk,
                    reviewer_id=reviewer,
                    place_id=application.place_id,
                    place_path=application.place_path,
                    status=ReviewStatus.CONFLICTED if conflicted else ReviewStatus.SUBMITTED,
                    scores={} if conflicted else scores,
                    conflict_note="Board member of the applicant" if conflicted else "",
                    score=None
                    if conflicted
                    else (
                        Decimal(sum(scores[c["key"]] * c["weight"] for c in CRITERIA)) / 100
                    ).quantize(Decimal("0.01")),
                )
            )
    return Review.objects.bulk_create(rows, batch_size=BATCH)


def _grants(applications) -> list[Grant]:
    rows = [
        Grant(
            application_id=a.pk,
            place_id=a.place_id,
            place_path=a.place_path,
            amount=a.amount,
            starts_on=a.starts_on,
            years=a.years,
            report_every_months=12,
            status=GrantStatus.ACTIVE,
            awarded_on=a.starts_on - datetime.timedelta(days=30),
        )
        for a in applications
        if a.status == ApplicationStatus.APPROVED
    ]
    return Grant.objects.bulk_create(rows, batch_size=BATCH)


def _tranches_and_reports(grants) -> tuple[list[Tranche], list[Report]]:
    tranches = []
    for grant in grants:
        share = (grant.amount / grant.years).quantize(Decimal("0.01"))
        for number in range(1, grant.years + 1):
            due = grant.starts_on.replace(year=grant.starts_on.year + number - 1)
            tranches.append(
                Tranche(
                    grant_id=grant.pk,
                    application_id=grant.application_id,
                    place_id=grant.place_id,
                    place_path=grant.place_path,
                    number=number,
                    due_on=due,
                    amount=share
                    if number < grant.years
                    else grant.amount - share * (grant.years - 1),
                    status=TrancheStatus.RELEASED if number == 1 else TrancheStatus.PLANNED,
                    released_on=due if number == 1 else None,
                )
            )
    tranches = Tranche.objects.bulk_create(tranches, batch_size=BATCH)
    second = {t.grant_id: t for t in tranches if t.number == 2}
    reports = []
    for grant in grants:
        end = grant.starts_on.replace(year=grant.starts_on.year + 1) - datetime.timedelta(days=1)
        if end >= TODAY:
            continue  # its first period is not over: nothing to report yet
        unlocks = second.get(grant.pk)
        reports.append(
            Report(
                grant_id=grant.pk,
                application_id=grant.application_id,
                place_id=grant.place_id,
                place_path=grant.place_path,
                kind=ReportKind.PROGRESS,
                period_start=grant.starts_on,
                period_end=end,
                text="Twelve dialogue sessions held; forty young people mentored.",
                unlocks_id=unlocks.pk if unlocks else None,
                status=ReportStatus.ACCEPTED,
            )
        )
    return tranches, Report.objects.bulk_create(reports, batch_size=BATCH)


def _reviewers(country: Place) -> list[int]:
    ids = list(
        RoleAssignment.objects.filter(
            role__slug="reviewer", place_path__startswith=country.path
        ).values_list("user_id", flat=True)
    )
    if len(ids) < 2:  # a tiny scale: any two users will do as reviewers
        ids = list(User.objects.order_by("pk").values_list("pk", flat=True)[:10])
    return ids


@transaction.atomic
def generate_funding(country: Place, scale: float) -> FundingCounts:
    """Fill the funding tables for the fund staff of ``country`` (the tree and organisations
    of :func:`bench.generate.generate` must exist)."""
    rng = random.Random(SEED)
    organisations = list(
        Organisation.objects.filter(place_path__startswith=country.path)
        .exclude(place_id=country.pk)  # applicants are local: regions down to wards
        .only("pk", "name", "place_id", "place_path")
        .order_by("pk")
    )
    if not organisations:
        raise RuntimeError(f"no organisation below {country} to apply")
    count = max(MINIMUM, round(APPLICATIONS_AT_SF1 * scale))
    calls = _funds_and_calls(country, count_calls=-(-count * 2 // len(organisations)))
    applications = _applications(rng, calls, organisations, count)
    reviews = _reviews(rng, applications, _reviewers(country))
    grants = _grants(applications)
    tranches, reports = _tranches_and_reports(grants)
    # What the funding actions keep on each grant (the end of its next report period).
    refresh_next_report([grant.pk for grant in grants])
    return FundingCounts(
        funds=len(FUND_NAMES),
        calls=len(calls),
        applications=len(applications),
        by_status=dict(Counter(str(a.status) for a in applications)),
        reviews=len(reviews),
        grants=len(grants),
        tranches=len(tranches),
        reports=len(reports),
        places=len({a.place_id for a in applications}),
    )

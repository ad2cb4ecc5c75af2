"""Demo funds: a Community Resilience Fund for Canada with a closed call and a dozen projects
at every stage (declined, withdrawn, under review, more information asked, and grants under
way, with reports accepted and tranches released, closing and closed), and a youth fund in
Malawi with an open call. Funds, organisations and people are fictional and marked "(demo)";
the places are real.

Idempotent: running it again changes nothing.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from bridgework.access.models import Role, RoleAssignment, User
from bridgework.actors.choices import OrgLevel, Sector
from bridgework.actors.models import Organisation, Person, Post
from bridgework.bodies.models import Body
from bridgework.places.models import Place
from bridgework.plans.models import Indicator, LocalNeed, Objective

from .actions import refresh_next_report
from .budgets import add_years, weighted_score
from .choices import (
    ApplicationStatus,
    GrantStatus,
    ReportKind,
    ReportStatus,
    ReviewStatus,
    TrancheStatus,
)
from .models import (
    Application,
    Call,
    Fund,
    Grant,
    GrantIndicator,
    Report,
    Result,
    Review,
    Tranche,
)

__all__ = ["FUNDING_USERS", "load", "summary"]

FUNDING_USERS = [
    (
        "funds.ca@demo.bridgework.test",
        "Farah Funds (demo)",
        "national_coordinator",
        "CA",
        "fund staff and approver, Canada",
    ),
    (
        "reviewer2.ca@demo.bridgework.test",
        "Rene Reviewer (demo)",
        "reviewer",
        "CA",
        "second fund reviewer, Canada",
    ),
]

CRITERIA = [
    {"key": "fit-with-local-needs", "name": "Fit with local needs", "weight": 40},
    {"key": "community-leadership", "name": "Community leadership", "weight": 30},
    {"key": "feasibility-and-value", "name": "Feasibility and value", "weight": 30},
]
QUESTIONS = [
    {
        "key": "who-takes-part",
        "label": "Who takes part and how are they reached?",
        "required": True,
    },
    {"key": "local-partners", "label": "Local partners and their roles", "required": True},
    {"key": "risks", "label": "Risks and how you will manage them", "required": False},
]

# (organisation, place, title, amount, years, stage)
PROJECTS = [
    (
        "Mississauga Youth Peace Hub (demo)",
        "Mississauga",
        "Youth dialogue circles in secondary schools",
        240000,
        3,
        "reported",
    ),
    (
        "Brampton Family Wellbeing Clinic (demo)",
        "Brampton",
        "Family support after online radicalisation",
        360000,
        4,
        "awarded",
    ),
    (
        "Peel Community Safety Partners (demo)",
        "Peel Region",
        "Situation table for early referrals",
        480000,
        5,
        "reported",
    ),
    (
        "Peel Youth Leaders Collective (demo)",
        "Peel Region",
        "Peer mentors against online hate",
        150000,
        2,
        "closing",
    ),
    (
        "Peel Newcomers and Refugees Network (demo)",
        "Peel Region",
        "Welcome and belonging for newcomers",
        200000,
        3,
        "awarded",
    ),
    (
        "Peel Women's Community Alliance (demo)",
        "Peel Region",
        "Women's voices in community safety",
        90000,
        2,
        "closed",
    ),
    (
        "Peel Muslim Community Association (demo)",
        "Peel Region",
        "Interfaith visits for schools",
        60000,
        1,
        "awarded",
    ),
    (
        "Peel South Asian Community Council (demo)",
        "Peel Region",
        "Community radio on living together",
        120000,
        2,
        "under_review",
    ),
    (
        "Peel Black Community Forum (demo)",
        "Peel Region",
        "Youth and police listening sessions",
        180000,
        3,
        "more_info",
    ),
    (
        "Peel Caribbean Community Network (demo)",
        "Peel Region",
        "Sports for cohesion",
        75000,
        2,
        "declined",
    ),
    (
        "Peel Filipino Community Association (demo)",
        "Peel Region",
        "Care workers' wellbeing network",
        50000,
        1,
        "declined",
    ),
    (
        "Peel Sikh Community Council (demo)",
        "Peel Region",
        "Langar conversations",
        40000,
        1,
        "withdrawn",
    ),
]


def _place(spec: str) -> Place:
    return Place.objects.filter(code=spec).first() or Place.objects.get(name=spec, is_demo=True)


def _user(email, name, role, where) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        from bridgework.access.demo import DEMO_PASSWORD

        user = User.objects.create_user(email, DEMO_PASSWORD, full_name=name, is_demo=True)
    RoleAssignment.objects.get_or_create(
        user=user, role=Role.objects.get(slug=role), place=_place(where), hub=None
    )
    return user


def _organisation(name: str, place: str) -> Organisation:
    organisation = Organisation.objects.filter(name=name).first()
    if organisation is None:
        organisation = Organisation.objects.create(
            name=name,
            sector=Sector.CIVIL_SOCIETY,
            level=OrgLevel.LOCAL,
            place=_place(place),
            is_demo=True,
        )
    return organisation


def _budget(amount: int, first_year: int, years: int) -> dict[str, str]:
    share = Decimal(amount) / years
    lines = {str(first_year + n): share.quantize(Decimal("0.01")) for n in range(years)}
    last = str(first_year + years - 1)
    lines[last] += Decimal(amount) - sum(lines.values())
    return {year: str(value) for year, value in lines.items()}


def _canada(staff: User, reviewers: list[User]) -> None:
    fund, created = Fund.objects.get_or_create(
        name="Community Resilience Fund (demo)",
        defaults={
            "owner": Body.objects.get(name="Federal-Provincial Prevention Network (demo)"),
            "description": "Locally led projects that prevent radicalisation to violence, "
            "with grants of up to ten years.",
            "currency": "CAD",
            "time_zone": "America/Toronto",
            "budget": {"2025": "7000000.00", "2026": "7000000.00", "2027": "7000000.00"},
            "sectors": [Sector.CIVIL_SOCIETY, Sector.YOUTH, Sector.FAITH_BASED],
            "tlp": 1,
            "is_demo": True,
        },
    )
    if not created:
        return
    fund.eligible_places.set([_place("CA")])
    fund.objectives.set(Objective.objects.filter(strategy__place__code="CA")[:4])
    call = Call.objects.create(
        fund=fund,
        title="2025 call for locally led projects (demo)",
        description="Projects led by community organisations, one to ten years.",
        opens_at=datetime.datetime(2025, 1, 15, 9, tzinfo=fund.zone),
        closes_at=datetime.datetime(2025, 3, 31, 17, tzinfo=fund.zone),
        max_amount=Decimal("500000"),
        max_years=10,
        criteria=CRITERIA,
        questions=QUESTIONS,
    )
    objectives = list(Objective.objects.filter(strategy__place__code="CA")[:3])
    needs = list(LocalNeed.objects.filter(place__path__startswith=_place("Peel Region").path)[:3])
    today = timezone.localdate()
    for n, (org_name, place, title, amount, years, stage) in enumerate(PROJECTS):
        organisation = _organisation(org_name, place)
        starts = datetime.date(2025, 7, 1)
        status = {
            "under_review": ApplicationStatus.UNDER_REVIEW,
            "more_info": ApplicationStatus.MORE_INFO,
            "declined": ApplicationStatus.DECLINED,
            "withdrawn": ApplicationStatus.WITHDRAWN,
        }.get(stage, ApplicationStatus.APPROVED)
        application = Application.objects.create(
            call=call,
            organisation=organisation,
            title=title,
            summary=f"{title}, led by {org_name}.",
            amount=Decimal(amount),
            starts_on=starts,
            years=years,
            budget=_budget(amount, starts.year, years),
            answers={
                "who-takes-part": "Young people and families across the neighbourhood.",
                "local-partners": "Schools, the regional police liaison and faith groups.",
            },
            status=status,
            submitted_at=datetime.datetime(2025, 3, 20, 12, tzinfo=fund.zone),
            decision_note={
                ApplicationStatus.DECLINED: "Ranked below the funding line this round.",
                ApplicationStatus.MORE_INFO: "Please say who will run the sessions.",
            }.get(status, ""),
            is_demo=True,
        )
        application.objectives.set(objectives[: 1 + n % 3])
        if needs:
            application.needs.set([needs[n % len(needs)]])
        _reviews(application, reviewers, n)
        if status == ApplicationStatus.APPROVED:
            _grant(application, stage, today)


def _reviews(application: Application, reviewers: list[User], n: int) -> None:
    for k, reviewer in enumerate(reviewers):
        if n == 0 and k == 1:  # the second reviewer chairs a partner of the first project
            Review.objects.create(
                application=application,
                reviewer=reviewer,
                status=ReviewStatus.CONFLICTED,
                conflict_note="I sit on the board of a partner organisation.",
            )
            continue
        scores = {c["key"]: (3 + (n + k + i) % 3) for i, c in enumerate(CRITERIA)}
        if application.status in (ApplicationStatus.DECLINED,):
            scores = {c["key"]: 1 + (k + i) % 2 for i, c in enumerate(CRITERIA)}
        Review.objects.create(
            application=application,
            reviewer=reviewer,
            status=ReviewStatus.SUBMITTED,
            scores=scores,
            score=weighted_score(CRITERIA, scores),
            comment="Clear plan with local partners." if k == 0 else "Solid; watch the costs.",
        )


def _grant(application: Application, stage: str, today: datetime.date) -> None:
    grant = Grant.objects.create(
        application=application,
        amount=application.amount,
        starts_on=application.starts_on,
        years=application.years,
        report_every_months=12,
        status={"closing": GrantStatus.CLOSING, "closed": GrantStatus.CLOSED}.get(
            stage, GrantStatus.ACTIVE
        ),
        awarded_on=datetime.date(2025, 6, 1),
    )
    share = (application.amount / application.years).quantize(Decimal("0.01"))
    tranches = []
    for year in range(application.years):
        amount = share if year < application.years - 1 else application.amount - share * year
        due = add_years(application.starts_on, year) + datetime.timedelta(days=14)
        released = (
            year == 0 or stage == "closed" or (stage in ("reported", "closing") and year == 1)
        )
        tranches.append(
            Tranche.objects.create(
                grant=grant,
                number=year + 1,
                due_on=due,
                amount=amount,
                status=TrancheStatus.RELEASED if released else TrancheStatus.PLANNED,
                released_on=due if released and due <= today else (today if released else None),
            )
        )
    if stage in ("reported", "closing", "closed") and len(tranches) > 1:
        first_year_end = add_years(application.starts_on, 1) - datetime.timedelta(days=1)
        progress = Report.objects.create(
            grant=grant,
            kind=ReportKind.PROGRESS,
            period_start=application.starts_on,
            period_end=first_year_end,
            text="Sessions held as planned; attendance grew each term.",
            unlocks=tranches[1],
            status=ReportStatus.ACCEPTED,
        )
        Report.objects.create(
            grant=grant,
            kind=ReportKind.FINANCIAL,
            period_start=application.starts_on,
            period_end=first_year_end,
            text="Facilitators, venues and materials.",
            spent=tranches[0].amount,
            status=ReportStatus.ACCEPTED,
        )
        _results(grant, progress)
    # Made directly (fixed past dates), so what the actions keep on a grant is set here too.
    refresh_next_report([grant.pk])


def _results(grant: Grant, report: Report) -> None:
    """The grant reports against the first national indicators, with a first year's values."""
    indicators = Indicator.objects.filter(strategy__place__code="CA").order_by("pk")[:2]
    for n, indicator in enumerate(indicators):
        target = Decimal(200 if n == 0 else 12)
        GrantIndicator.objects.create(grant=grant, indicator=indicator, target=target)
        Result.objects.create(report=report, indicator=indicator, value=target * 2 / 5)


def _malawi() -> None:
    fund, created = Fund.objects.get_or_create(
        name="Youth Peace Empowerment Fund (demo)",
        defaults={
            "owner": Body.objects.get(name="National Peace and Unity Council (demo)"),
            "description": "Reaches young people through the cities: small grants for youth-led "
            "peace and livelihood projects.",
            "currency": "MWK",
            "time_zone": "Africa/Blantyre",
            "budget": {"2026": "900000000.00", "2027": "900000000.00"},
            "sectors": [Sector.YOUTH],
            "tlp": 0,  # TLP:CLEAR: its calls are on the public open calls page
            "is_demo": True,
        },
    )
    if not created:
        return
    fund.eligible_places.set(
        [_place("Lilongwe City"), _place("Blantyre City"), _place("Mzuzu City")]
    )
    now = timezone.now()
    call = Call.objects.create(
        fund=fund,
        title="Youth-led projects in the cities (demo)",
        description="Grants of up to two years for youth groups in Lilongwe, Blantyre and Mzuzu.",
        opens_at=now - datetime.timedelta(days=20),
        closes_at=now + datetime.timedelta(days=60),
        max_amount=Decimal("25000000"),
        max_years=2,
        criteria=CRITERIA,
        questions=QUESTIONS,
    )
    forum = Organisation.objects.get(name="Lilongwe Youth Peace Forum (demo)")
    Application.objects.create(
        call=call,
        organisation=forum,
        title="Chilinde youth peace clubs",
        summary="Peace clubs and savings groups for young people in Chilinde and Kawale.",
        amount=Decimal("18000000"),
        starts_on=datetime.date(2027, 3, 1),
        years=2,
        budget={"2027": "9000000.00", "2028": "9000000.00"},
        answers={"who-takes-part": "Young people aged 15 to 30 in two wards."},
        status=ApplicationStatus.DRAFT,
        is_demo=True,
    )


# The demo Peel partner works for two of the applicants, so they see (only) those
# organisations' applications, grants and reports.
PARTNER_ORGANISATIONS = (
    ("Mississauga Youth Peace Hub (demo)", "Mississauga"),
    ("Peel Community Safety Partners (demo)", "Peel Region"),
)


def _partner_posts() -> None:
    user = User.objects.filter(email="partner.peel@demo.bridgework.test").first()
    if user is None:
        return
    person = Person.objects.filter(user=user).first()
    if person is None:
        person = Person.objects.create(
            full_name="Casey Placeholder (demo)",
            place=_place("Peel Region"),
            user=user,
            is_demo=True,
        )
    for name, place in PARTNER_ORGANISATIONS:
        organisation = _organisation(name, place)
        Post.objects.get_or_create(
            person=person,
            organisation=organisation,
            defaults={"title": "Project lead", "place": organisation.place},
        )


def load() -> None:
    staff = _user(*FUNDING_USERS[0][:4])
    second = _user(*FUNDING_USERS[1][:4])
    first = User.objects.get(email="reviewer.ca@demo.bridgework.test")
    _canada(staff, [first, second])
    _partner_posts()
    _malawi()


def summary() -> list[str]:
    return [f"  {email:<42} {description}" for email, _n, _r, _w, description in FUNDING_USERS]

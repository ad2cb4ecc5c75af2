"""Reads of the funding module that are more than a filter, each for the acting user: a
call's ranking, reviewers' queues and workload, the staff pipeline, what an applicant owes,
money by place, objective and need, and grants in the 360Giving shape."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone

from bridgework.access.policy import holds_role_at, sight_for
from bridgework.places.models import Place
from bridgework.plans.choices import OPEN_NEED_STATUSES
from bridgework.plans.models import LocalNeed

from .budgets import report_periods
from .choices import (
    OPEN_GRANT_STATUSES,
    ApplicationStatus,
    ReportStatus,
    ReviewStatus,
    TrancheStatus,
)
from .models import Application, Call, Grant, Report, Review, Tranche
from .workflows import STAFF

__all__ = [
    "RankedApplication",
    "DueSummary",
    "due_reports",
    "due_summary",
    "grants_360",
    "money_by_need",
    "money_by_objective",
    "money_by_place",
    "my_queue",
    "overdue_in",
    "overdue_reports",
    "overdue_summary",
    "pipeline",
    "places_with_needs_and_no_funding",
    "ranking",
    "scores_visible",
    "upcoming_tranches",
    "workload",
]

# A report is overdue this long after its period ends.
REPORT_GRACE = datetime.timedelta(days=30)
# What a due report's grant needs: its periods, its link and its application's title.
DUE_FIELDS = ("starts_on", "years", "report_every_months", "application__title")


# --- reviews -------------------------------------------------------------------------------------


def is_fund_staff(user, application: Application) -> bool:
    return holds_role_at(user, STAFF, application.place_path)


def scores_visible(review: Review, user, own: Review | None = None) -> bool:
    """Whether ``user`` may read ``review``'s scores: fund staff, its own reviewer, and another
    reviewer of the same application once they have scored it themselves. A reviewer who
    declared a conflict never sees the others' scores."""
    if review.reviewer_id == user.pk:
        return True
    if is_fund_staff(user, review.application):
        return True
    if own is None:
        own = Review.objects.filter(application_id=review.application_id, reviewer=user).first()
    return own is not None and own.status == ReviewStatus.SUBMITTED


def my_queue(user):
    """The reviews waiting for ``user``: assigned to them, neither scored nor declined."""
    return (
        Review.objects.visible_to(user)
        .filter(reviewer=user, status=ReviewStatus.ASSIGNED)
        .select_related("application", "application__call")
        .order_by("application__call__closes_at", "pk")
    )


def workload(user) -> list[dict[str, Any]]:
    """Per reviewer, how many reviews are waiting, scored and declined for a conflict."""
    rows = (
        Review.objects.visible_to(user)
        .values("reviewer_id", "reviewer__full_name")
        .annotate(
            waiting=Count("pk", filter=Q(status=ReviewStatus.ASSIGNED)),
            scored=Count("pk", filter=Q(status=ReviewStatus.SUBMITTED)),
            conflicted=Count("pk", filter=Q(status=ReviewStatus.CONFLICTED)),
            total=Count("pk"),
        )
        .order_by("-waiting", "reviewer__full_name")
    )
    return list(rows)


@dataclass
class RankedApplication:
    application: Application
    score: Decimal | None
    scored: int
    conflicted: int
    waiting: int
    rank: int = 0


def ranking(call: Call, user) -> list[RankedApplication]:
    """The call's applications that ``user`` may see, by the mean of their reviewers' weighted
    scores (unscored ones last)."""
    applications = (
        Application.objects.visible_to(user)
        .filter(call=call)
        .exclude(status__in=(ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN))
        .select_related("organisation")
        .order_by("pk")
    )
    reviews = defaultdict(list)
    for review in Review.objects.filter(application__in=applications).only(
        "application_id", "status", "score"
    ):
        reviews[review.application_id].append(review)
    ranked = []
    for application in applications:
        mine = reviews[application.pk]
        scores = [
            r.score for r in mine if r.status == ReviewStatus.SUBMITTED and r.score is not None
        ]
        ranked.append(
            RankedApplication(
                application,
                (sum(scores) / len(scores)).quantize(Decimal("0.01")) if scores else None,
                len(scores),
                sum(r.status == ReviewStatus.CONFLICTED for r in mine),
                sum(r.status == ReviewStatus.ASSIGNED for r in mine),
            )
        )
    ranked.sort(key=lambda r: (r.score is None, -(r.score or 0), r.application.pk))
    for n, row in enumerate(ranked, 1):
        row.rank = n
    return ranked


# --- staff and applicants ------------------------------------------------------------------------


def pipeline(user) -> list[dict[str, Any]]:
    """Applications ``user`` may see, counted by call and state, with the amounts asked."""
    # Grouped on the application table alone (an index holds every column it reads), the
    # calls' titles asked apart: joining each of 20,000 rows to its call was most of the time.
    rows = (
        Application.objects.visible_to(user)
        .values("call_id", "status")
        .annotate(count=Count("pk"), asked=Sum("amount"))
        .order_by()
    )
    by_call: dict[int, dict[str, Any]] = {}
    for row in rows:
        entry = by_call.setdefault(
            row["call_id"], {"call_id": row["call_id"], "title": "", "states": {}, "total": 0}
        )
        entry["states"][row["status"]] = {"count": row["count"], "asked": row["asked"]}
        entry["total"] += row["count"]
    for pk, title in Call.objects.filter(pk__in=list(by_call)).values_list("pk", "title"):
        by_call[pk]["title"] = title
    return sorted(by_call.values(), key=lambda entry: (entry["title"], entry["call_id"]))


@dataclass
class DueReport:
    grant: Grant
    period_start: datetime.date
    period_end: datetime.date
    due_on: datetime.date
    overdue: bool = field(default=False)


def _cutoff(today: datetime.date, only_overdue: bool) -> datetime.date:
    """Grants whose earliest unreported period ended before this owe something."""
    return today - REPORT_GRACE if only_overdue else today


def _covered(grants) -> defaultdict[int, set[datetime.date]]:
    """The period ends ``grants`` (a list or a queryset) have a report for (returned ones
    owe theirs again)."""
    covered: defaultdict[int, set[datetime.date]] = defaultdict(set)
    for grant_id, end in (
        Report.objects.filter(grant__in=grants)
        .exclude(status=ReportStatus.RETURNED)
        .values_list("grant_id", "period_end")
    ):
        covered[grant_id].add(end)
    return covered


def _owed_ends(periods, covered: set[datetime.date], today: datetime.date, only_overdue: bool):
    """The ends of the periods among ``periods`` owed as of ``today``."""
    for start, end in periods:
        if end in covered or end >= today:
            continue
        if not only_overdue or today > end + REPORT_GRACE:
            yield start, end


def _due(grants, today: datetime.date, *, only_overdue: bool) -> list[DueReport]:
    """The unreported periods of ``grants`` (a queryset) that ended before ``today`` (only
    those past their grace, with ``only_overdue``).

    Each grant stores the end of its earliest unreported period, so the grants concerned are
    an index range (status, that date); only theirs are worked out period by period (a grant
    may owe several)."""
    owing = grants.filter(next_report_period_end__lt=_cutoff(today, only_overdue))
    return _periods_owed(list(owing.order_by()), today, only_overdue)  # sorted there


def _periods_owed(grants: list[Grant], today: datetime.date, only_overdue: bool):
    covered = _covered(grants)
    due = [
        DueReport(grant, start, end, end + REPORT_GRACE, today > end + REPORT_GRACE)
        for grant in grants
        for start, end in _owed_ends(grant.report_periods(), covered[grant.pk], today, only_overdue)
    ]
    return sorted(due, key=lambda d: (d.due_on, d.grant.pk))


@dataclass
class DueSummary:
    """The first ``shown`` owed periods (soonest due first) and how many are owed in all."""

    first: list[DueReport]
    count: int


def _due_summary(grants, today: datetime.date, *, only_overdue: bool, shown: int) -> DueSummary:
    """What a home section or a page shows of :func:`_due`'s answer, without building a grant
    for each of the hundreds owing: the count from plain values, the first periods from the
    ``shown`` grants whose earliest unreported period ended first (a grant's other periods end
    later, so the soonest due are all theirs)."""
    owing = grants.filter(next_report_period_end__lt=_cutoff(today, only_overdue))
    covered = _covered(owing.values("pk"))
    count = sum(
        1
        for pk, starts_on, years, every in owing.order_by().values_list(
            "pk", "starts_on", "years", "report_every_months"
        )
        for _owed in _owed_ends(
            report_periods(starts_on, years, every), covered[pk], today, only_overdue
        )
    )
    first = list(owing.order_by("next_report_period_end", "pk")[:shown])
    return DueSummary(_periods_owed(first, today, only_overdue)[:shown], count)


def overdue_in(grants, today: datetime.date) -> list[DueReport]:
    """The overdue report periods of ``grants``, a queryset (no user: for the reminder job)."""
    return _due(grants.filter(status__in=OPEN_GRANT_STATUSES), today, only_overdue=True)


def _overseen_grants(user):
    return (
        Grant.objects.visible_to(user)
        .filter(status__in=OPEN_GRANT_STATUSES)
        .select_related("application")
        # Thousands of grants at a national fund: only what the periods and the page need.
        .only(*DUE_FIELDS)
    )


def _reported_on_grants(user):
    return Grant.objects.filter(
        application__in=Application.objects.visible_to(user, "change"),
        status__in=OPEN_GRANT_STATUSES,
    ).select_related("application")


def overdue_reports(user, today: datetime.date | None = None) -> list[DueReport]:
    """Periods of grants under way that ended more than a month ago without a report."""
    return _due(_overseen_grants(user), today or timezone.localdate(), only_overdue=True)


def overdue_summary(user, shown: int, today: datetime.date | None = None) -> DueSummary:
    """The first ``shown`` of :func:`overdue_reports` and their number."""
    today = today or timezone.localdate()
    return _due_summary(_overseen_grants(user), today, only_overdue=True, shown=shown)


def due_reports(user, today: datetime.date | None = None) -> list[DueReport]:
    """The reports the applicant owes on the grants they may report on."""
    return _due(_reported_on_grants(user), today or timezone.localdate(), only_overdue=False)


def due_summary(user, shown: int, today: datetime.date | None = None) -> DueSummary:
    """The first ``shown`` of :func:`due_reports` and their number."""
    today = today or timezone.localdate()
    return _due_summary(_reported_on_grants(user), today, only_overdue=False, shown=shown)


def upcoming_tranches(user, limit: int = 100):
    """The disbursement schedule: tranches not yet released, by due date."""
    return (
        Tranche.objects.visible_to(user)
        .filter(status=TrancheStatus.PLANNED)
        .select_related("grant", "grant__application")
        .only("number", "due_on", "amount", "grant__application__title")
        .order_by("due_on", "pk")[:limit]
    )


# --- money ---------------------------------------------------------------------------------------


def money_by_place(user, place: Place) -> list[dict[str, Any]]:
    """Grants ``user`` may see at ``place`` and below, added up per place one level below it
    (and at the place itself): an index range on the path, grouped in the database."""
    rows = (
        Grant.objects.visible_to(user)
        .filter(place_path__gte=place.path, place_path__lt=place.path + "\uffff")
        .values("place_path")
        .annotate(amount=Sum("amount"), count=Count("pk"))
    )
    below = len(place.path.strip("/").split("/")) + 1  # segments of a child's path
    totals: dict[str, dict[str, Any]] = {}
    for row in rows:
        segments = row["place_path"].strip("/").split("/")
        key = "/" + "/".join(segments[:below]) + "/"
        entry = totals.setdefault(key, {"amount": Decimal("0"), "count": 0})
        entry["amount"] += row["amount"]
        entry["count"] += row["count"]
    places = {p.path: p for p in Place.objects.filter(path__in=list(totals))}
    return sorted(
        ({"place": places.get(path), "path": path, **values} for path, values in totals.items()),
        key=lambda r: -r["amount"],
    )


def money_by_objective(user) -> list[dict[str, Any]]:
    """Grants ``user`` may see, added up by the national objectives their applications serve
    (a grant serving two objectives counts for each)."""
    rows = (
        Grant.objects.visible_to(user)
        .filter(application__objectives__isnull=False)
        .values(
            "application__objectives",
            "application__objectives__code",
            "application__objectives__title",
        )
        .annotate(amount=Sum("amount"), count=Count("pk"))
        .order_by("application__objectives__code")
    )
    from bridgework.plans.models import Objective

    shown = {
        o.pk
        for o in Objective.objects.visible_to(user).filter(
            pk__in=[r["application__objectives"] for r in rows]
        )
    }
    return [
        {
            "code": r["application__objectives__code"],
            "title": r["application__objectives__title"],
            "amount": r["amount"],
            "count": r["count"],
        }
        for r in rows
        if r["application__objectives"] in shown
    ]


def money_by_need(user) -> list[dict[str, Any]]:
    """Grants ``user`` may see, added up by the category of the local needs they answer."""
    rows = (
        Grant.objects.visible_to(user)
        .filter(application__needs__in=LocalNeed.objects.visible_to(user))
        .values("application__needs__category")
        .annotate(amount=Sum("amount"), count=Count("pk", distinct=True))
        .order_by("-amount")
    )
    from bridgework.plans.choices import NeedCategory

    labels = dict(NeedCategory.choices)
    return [
        {
            "category": labels.get(
                r["application__needs__category"], r["application__needs__category"]
            ),
            "amount": r["amount"],
            "count": r["count"],
        }
        for r in rows
    ]


def places_with_needs_and_no_funding(user, limit: int = 200) -> list[dict[str, Any]]:
    """Places with open needs ``user`` may see and no grant ``user`` may see at them."""
    funded = Grant.objects.visible_to(user).values("place_id")
    rows = (
        LocalNeed.objects.visible_to(user)
        .filter(status__in=OPEN_NEED_STATUSES)
        .exclude(place_id__in=funded)
        .values("place_id", "place__name")
        .annotate(needs=Count("pk"))
        .order_by("-needs", "place__name")[:limit]
    )
    return list(rows)


# --- 360Giving -----------------------------------------------------------------------------------

GRANT_PREFIX = "360G-bridgework-"


def grant_360(grant: Grant, sight) -> dict[str, Any]:
    """One grant in the 360Giving Data Standard's shape (its JSON field names)."""
    application = grant.application
    fund = application.call.fund
    organisation = application.organisation
    recipient = (
        {"id": f"{GRANT_PREFIX}org-{organisation.pk}", "name": organisation.name}
        if sight.sees(organisation)
        else {"id": "", "name": str(sight.shown(organisation))}
    )
    return {
        "id": f"{GRANT_PREFIX}{grant.pk}",
        "title": application.title,
        "description": application.summary,
        "currency": fund.currency,
        "amountAwarded": float(grant.amount),
        "amountAppliedFor": float(application.amount),
        "awardDate": grant.awarded_on.isoformat(),
        "plannedDates": [
            {
                "startDate": grant.starts_on.isoformat(),
                "endDate": grant.ends_on.isoformat(),
                "duration": grant.years * 12,
            }
        ],
        "recipientOrganization": [recipient],
        "fundingOrganization": [
            {"id": f"{GRANT_PREFIX}body-{fund.owner_id}", "name": sight.name(fund.owner)}
        ],
        "grantProgramme": [
            {"code": f"{GRANT_PREFIX}call-{application.call_id}", "title": application.call.title}
        ],
        "beneficiaryLocation": [
            {"name": grant.place.name, "geoCode": grant.place.pcode or grant.place.code}
        ],
        "dateModified": grant.updated_at.isoformat(timespec="seconds"),
        "url": settings.SITE_URL + grant.get_absolute_url(),
    }


def grants_360(user, queryset=None) -> dict[str, Any]:
    grants = (
        (queryset if queryset is not None else Grant.objects.visible_to(user, "export"))
        .select_related(
            "place",
            "application",
            "application__organisation",
            "application__call",
            "application__call__fund",
            "application__call__fund__owner",
        )
        .order_by("pk")
    )
    sight = sight_for(user)
    grants = list(grants)
    sight.preload(
        [g.application.organisation for g in grants]
        + [g.application.call.fund.owner for g in grants]
    )
    return {"grants": [grant_360(grant, sight) for grant in grants]}


GRANT_CSV_COLUMNS = (
    "Identifier",
    "Title",
    "Description",
    "Currency",
    "Amount Awarded",
    "Award Date",
    "Planned Dates:Start Date",
    "Planned Dates:End Date",
    "Planned Dates:Duration (months)",
    "Recipient Org:Identifier",
    "Recipient Org:Name",
    "Funding Org:Identifier",
    "Funding Org:Name",
    "Grant Programme:Title",
    "Beneficiary Location:Name",
    "Beneficiary Location:Geographic Code",
    "Last modified",
)


def grant_csv_row(grant: dict[str, Any]) -> list[Any]:
    dates = grant["plannedDates"][0]
    recipient = grant["recipientOrganization"][0]
    funder = grant["fundingOrganization"][0]
    location = grant["beneficiaryLocation"][0]
    return [
        grant["id"],
        grant["title"],
        grant["description"],
        grant["currency"],
        grant["amountAwarded"],
        grant["awardDate"],
        dates["startDate"],
        dates["endDate"],
        dates["duration"],
        recipient["id"],
        recipient["name"],
        funder["id"],
        funder["name"],
        grant["grantProgramme"][0]["title"],
        location["name"],
        location["geoCode"],
        grant["dateModified"],
    ]

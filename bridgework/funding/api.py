"""Funding API: funds, calls, applications, reviews, grants, tranches and reports, each
scoped exactly as the pages are and written through the pages' forms and actions (workflow
steps through ``POST …/{id}/transitions``), a call's ranking and grants in 360Giving JSON."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from ninja import Field, Router
from ninja.pagination import paginate

from bridgework.access.policy import access_record, can, sight_for
from bridgework.web.api import (
    ERROR_RESPONSES,
    KeysetPagination,
    add_form_endpoints,
    add_read_endpoints,
)
from bridgework.web.api_rows import RecordOut

from . import selectors
from .choices import (
    ApplicationStatus,
    GrantStatus,
    ReportKind,
    ReportStatus,
    ReviewStatus,
    TrancheStatus,
)
from .models import Call
from .views import (
    ApplicationViewSet,
    CallViewSet,
    FundViewSet,
    GrantIndicatorViewSet,
    GrantViewSet,
    ReportViewSet,
    ResultViewSet,
    ReviewViewSet,
    TrancheViewSet,
)

__all__ = ["router"]

router = Router(tags=["funding"])


class _WithUrl(RecordOut):
    url: str

    @staticmethod
    def resolve_url(obj) -> str:
        return obj.get_absolute_url()


class FundOut(_WithUrl):
    id: int
    name: str
    owner_id: int
    place_id: int
    description: str
    currency: str
    time_zone: str
    budget: dict[str, str] = Field(description="Amount by year")
    sectors: list[str]
    tlp: int


class CallOut(_WithUrl):
    id: int
    fund_id: int
    title: str
    description: str
    opens_at: datetime
    closes_at: datetime
    max_amount: Decimal
    max_years: int
    criteria: list[dict[str, Any]] = Field(description="key, name and weight of each criterion")
    questions: list[dict[str, Any]] = Field(description="key, label and required of each question")


class ApplicationOut(_WithUrl):
    # Related records as ids only: the list joins none of them (see add_read_endpoints).
    list_related: ClassVar[tuple[str, ...]] = ()

    id: int
    call_id: int
    organisation_id: int
    place_id: int
    title: str
    summary: str
    amount: Decimal
    starts_on: date
    years: int
    budget: dict[str, str]
    answers: dict[str, str]
    status: ApplicationStatus
    submitted_at: datetime | None
    decision_note: str
    tlp: int


class ReviewOut(_WithUrl):
    id: int
    application_id: int
    reviewer_id: int
    status: ReviewStatus
    scores: dict[str, int] | None = Field(
        description="Per criterion, 0–5; null where you may not see them (a conflicted reviewer)"
    )
    score: Decimal | None
    comment: str | None

    @staticmethod
    def resolve_scores(obj, context) -> dict[str, int] | None:
        return obj.scores if selectors.scores_visible(obj, context["request"].user) else None

    @staticmethod
    def resolve_score(obj, context) -> Decimal | None:
        return obj.score if selectors.scores_visible(obj, context["request"].user) else None

    @staticmethod
    def resolve_comment(obj, context) -> str | None:
        return obj.comment if selectors.scores_visible(obj, context["request"].user) else None


class GrantOut(_WithUrl):
    id: int
    application_id: int
    place_id: int
    amount: Decimal
    starts_on: date
    years: int
    report_every_months: int
    plan_action_ids: list[int] = Field(description="Local plan actions it funds (those you see)")
    status: GrantStatus
    awarded_on: date

    @staticmethod
    def resolve_plan_action_ids(obj, context) -> list[int]:
        sight = sight_for(context["request"].user)
        return [action.pk for action in obj.plan_actions.all() if sight.sees(action)]


class TrancheOut(_WithUrl):
    id: int
    grant_id: int
    number: int
    due_on: date
    amount: Decimal
    status: TrancheStatus
    released_on: date | None


class ReportOut(_WithUrl):
    id: int
    grant_id: int
    kind: ReportKind
    period_start: date
    period_end: date
    text: str
    spent: Decimal | None
    unlocks_id: int | None
    status: ReportStatus


class GrantIndicatorOut(_WithUrl):
    id: int
    grant_id: int
    indicator_id: int
    target: Decimal
    unit: str = Field(description="The indicator's unit")

    @staticmethod
    def resolve_unit(obj) -> str:
        return obj.indicator.unit


class ResultOut(_WithUrl):
    id: int
    report_id: int
    grant_id: int
    indicator_id: int
    value: Decimal
    note: str


ENDPOINTS = (
    (FundViewSet, "/funds", FundOut, "funds", "fund"),
    (CallViewSet, "/calls", CallOut, "calls", "call"),
    (ApplicationViewSet, "/applications", ApplicationOut, "applications", "application"),
    (ReviewViewSet, "/reviews", ReviewOut, "reviews", "review"),
    (GrantViewSet, "/grants", GrantOut, "grants", "grant"),
    (TrancheViewSet, "/tranches", TrancheOut, "tranches", "tranche"),
    (ReportViewSet, "/grant-reports", ReportOut, "grant_reports", "grant_report"),
    (
        GrantIndicatorViewSet,
        "/grant-indicators",
        GrantIndicatorOut,
        "grant_indicators",
        "grant_indicator",
    ),
    (ResultViewSet, "/grant-results", ResultOut, "grant_results", "grant_result"),
)

for _viewset, _path, _out, _plural, _name in ENDPOINTS:
    _read = add_read_endpoints(
        router,
        viewset=_viewset,
        path=_path,
        out=_out,
        list_name=f"list_{_plural}",
        detail_name=f"get_{_name}",
    )
    add_form_endpoints(router, viewset=_viewset, path=_path, out=_out, name=_name, read=_read)


class RankedOut(RecordOut):
    rank: int
    application_id: int
    title: str
    score: Decimal | None = Field(description="Mean of the reviewers' weighted scores (0–5)")
    scored: int
    conflicted: int
    waiting: int


@router.get(
    "/calls/{record_id}/ranking",
    response={200: list[RankedOut], **ERROR_RESPONSES},
    url_name="call_ranking",
)
def call_ranking(request, record_id: int):
    """The call's applications you may see, ranked by weighted score."""
    call = access_record(request.user, Call, record_id, channel="api")
    return [
        {
            "rank": row.rank,
            "application_id": row.application.pk,
            "title": row.application.title,
            "score": row.score,
            "scored": row.scored,
            "conflicted": row.conflicted,
            "waiting": row.waiting,
        }
        for row in selectors.ranking(call, request.user)
    ]


@router.get(
    "/grants-360giving",
    response={200: dict[str, Any], **ERROR_RESPONSES},
    url_name="grants_360giving",
)
def grants_360giving(request):
    """The grants you may export, in the 360Giving Data Standard's JSON shape."""
    if not can(request.user, "export", GrantViewSet.model):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    return selectors.grants_360(request.user)


# --- the public read -----------------------------------------------------------------------------


class PublicCallOut(RecordOut):
    """What anyone may read of a call open now of a TLP:CLEAR fund."""

    id: int
    title: str
    description: str
    fund: str = Field(description="The fund's name")
    currency: str
    places: list[str] = Field(description="The places eligible (organisations there and below)")
    opens_at: datetime
    closes_at: datetime
    closes_local: str = Field(description="The deadline on the fund's clock, with its offset")
    time_zone: str
    max_amount: Decimal
    max_years: int
    how_to_apply: str

    @staticmethod
    def resolve_fund(obj) -> str:
        return obj.fund.name

    @staticmethod
    def resolve_currency(obj) -> str:
        return obj.fund.currency

    @staticmethod
    def resolve_places(obj) -> list[str]:
        from .public import public_row

        return public_row(obj).places

    @staticmethod
    def resolve_closes_local(obj) -> str:
        return obj.local(obj.closes_at).isoformat()

    @staticmethod
    def resolve_time_zone(obj) -> str:
        return obj.fund.time_zone

    @staticmethod
    def resolve_how_to_apply(obj, context) -> str:
        from django.utils.translation import gettext as _

        return _(
            "Sign in to Bridgework and apply from the call's page: %(url)s. Accounts are "
            "opened by your coordination centre or your city's coordinator."
        ) % {"url": context["request"].build_absolute_uri(obj.get_absolute_url())}


@router.get(
    "/public/calls",
    response={200: list[PublicCallOut], **ERROR_RESPONSES},
    url_name="public_calls",
    auth=None,
    summary="Calls open now of TLP:CLEAR funds, without an account",
)
@paginate(KeysetPagination, ordering=("closes_at", "pk"))
def public_calls(request):
    from .public import open_public_calls

    return open_public_calls()

"""Plans API: strategies and their parts, local plans, needs, indicator values and approvals
(each scoped exactly as the pages are, written through the pages' forms and actions), an
indicator's roll-up at a place, and a place's alignment."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Field, Router, Schema

from bridgework.access.policy import access_record, can, places_for, sight_for
from bridgework.places.models import Place
from bridgework.web.api import (
    ERROR_RESPONSES,
    add_form_endpoints,
    add_read_endpoints,
    shown_name,
)
from bridgework.web.api_rows import RecordOut

from . import selectors
from .actions import do_unlock_period
from .choices import Aggregation, AnswerKind, NeedCategory, NeedStatus, Periodicity, Priority
from .models import Approval, Indicator, IndicatorValue
from .periods import parse_period
from .rollups import OWN, rollup, rollup_by_child
from .views import (
    ApprovalViewSet,
    IndicatorValueViewSet,
    IndicatorViewSet,
    LocalNeedViewSet,
    LocalPlanViewSet,
    NeedReferralViewSet,
    NeedSupportViewSet,
    ObjectiveViewSet,
    PillarViewSet,
    PlanActionViewSet,
    PlanPriorityViewSet,
    StrategyViewSet,
)

__all__ = ["router"]

router = Router(tags=["plans"])


class _WithUrl(RecordOut):
    url: str

    @staticmethod
    def resolve_url(obj) -> str:
        return obj.get_absolute_url()


class StrategyOut(_WithUrl):
    id: int
    title: str
    owner_id: int
    place_id: int
    summary: str
    starts_on: date
    ends_on: date | None
    version: int
    previous_id: int | None
    status: str
    tlp: int


class PillarOut(_WithUrl):
    id: int
    strategy_id: int
    number: int
    title: str
    description: str


class ObjectiveOut(_WithUrl):
    id: int
    strategy_id: int
    pillar_id: int
    code: str
    title: str
    description: str
    lineage_id: int | None = Field(description="The objective of the revised version it continues")


class IndicatorOut(_WithUrl):
    id: int
    strategy_id: int
    objective_id: int
    code: str
    name: str
    unit: str
    periodicity: Periodicity
    aggregation: Aggregation
    lineage_id: int | None


class LocalPlanOut(_WithUrl):
    id: int
    title: str
    place_id: int
    owner_id: int
    summary: str
    starts_on: date
    ends_on: date
    status: str
    tlp: int


class PlanPriorityOut(_WithUrl):
    id: int
    plan_id: int
    number: int
    title: str
    description: str


class PlanActionOut(_WithUrl):
    id: int
    plan_id: int
    priority_id: int
    title: str
    description: str
    objective_ids: list[int] = Field(description="National objectives it serves (those you see)")
    organisation_ids: list[int] = Field(description="Organisations carrying it out (those you see)")
    starts_on: date | None
    due_on: date | None
    status: str

    @staticmethod
    def resolve_objective_ids(obj, context) -> list[int]:
        sight = sight_for(context["request"].user)
        return [o.pk for o in obj.objectives.all() if sight.sees(o)]

    @staticmethod
    def resolve_organisation_ids(obj, context) -> list[int]:
        sight = sight_for(context["request"].user)
        return [o.pk for o in obj.organisations.all() if sight.sees(o)]


class LocalNeedOut(_WithUrl):
    id: int
    title: str
    place_id: int
    category: NeedCategory
    priority: Priority
    description: str
    evidence: str
    status: NeedStatus
    handled_at_id: int = Field(description="The place (level) the need is with now")
    handled_at: str
    answer_kind: AnswerKind | None
    answer_title: str
    answer_url: str
    answer_text: str
    closed_on: date | None
    support_count: int
    created_at: datetime
    tlp: int

    @staticmethod
    def resolve_handled_at(obj, context) -> str:
        return shown_name(obj.handled_at, context)

    @staticmethod
    def resolve_answer_kind(obj) -> str | None:
        return obj.answer_kind or None


class NeedSupportOut(_WithUrl):
    id: int
    need_id: int
    place_id: int
    note: str


class NeedReferralOut(_WithUrl):
    id: int
    need_id: int
    from_place_id: int
    to_place_id: int
    note: str
    created_at: datetime


class IndicatorValueOut(_WithUrl):
    id: int
    indicator_id: int
    place_id: int
    period: str = Field(description="2025, 2025Q2 or 202504")
    value: Decimal
    note: str

    @staticmethod
    def resolve_period(obj) -> str:
        return obj.period.code


class ApprovalOut(_WithUrl):
    id: int
    strategy_id: int
    place_id: int
    period: str

    @staticmethod
    def resolve_period(obj) -> str:
        return obj.period.code

    approved_by_id: int | None
    note: str
    created_at: datetime


ENDPOINTS = (
    (StrategyViewSet, "/strategies", StrategyOut, "strategies", "strategy"),
    (PillarViewSet, "/pillars", PillarOut, "pillars", "pillar"),
    (ObjectiveViewSet, "/objectives", ObjectiveOut, "objectives", "objective"),
    (IndicatorViewSet, "/indicators", IndicatorOut, "indicators", "indicator"),
    (LocalPlanViewSet, "/local-plans", LocalPlanOut, "local_plans", "local_plan"),
    (PlanPriorityViewSet, "/plan-priorities", PlanPriorityOut, "plan_priorities", "plan_priority"),
    (PlanActionViewSet, "/plan-actions", PlanActionOut, "plan_actions", "plan_action"),
    (LocalNeedViewSet, "/needs", LocalNeedOut, "needs", "need"),
    (NeedSupportViewSet, "/need-supports", NeedSupportOut, "need_supports", "need_support"),
    (NeedReferralViewSet, "/need-referrals", NeedReferralOut, "need_referrals", "need_referral"),
    (IndicatorValueViewSet, "/values", IndicatorValueOut, "values", "value"),
    (ApprovalViewSet, "/approvals", ApprovalOut, "approvals", "approval"),
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
    if _viewset is not ApprovalViewSet:  # approvals are withdrawn with a reason (below)
        add_form_endpoints(router, viewset=_viewset, path=_path, out=_out, name=_name, read=_read)


# --- approvals: approve, and unlock with a reason ------------------------------------------------


class UnlockIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000, description="Why values must change")


def _read_approval(request, record_id: int):
    return access_record(request.user, Approval, record_id, channel="api")


add_form_endpoints(
    router,
    viewset=type("ApprovalWrites", (ApprovalViewSet,), {"pages": ("add",)}),
    path="/approvals",
    out=ApprovalOut,
    name="approval",
    read=_read_approval,
)


@router.post(
    "/approvals/{record_id}/unlock",
    response={204: None, **ERROR_RESPONSES},
    url_name="unlock_approval",
    summary="Withdraw an approval (unlocks the values below it)",
)
def unlock_approval(request, record_id: int, payload: UnlockIn):
    approval = access_record(request.user, Approval, record_id, "delete")
    do_unlock_period(approval, reason=payload.reason, acting_user=request.user)
    return 204, None


# --- roll-ups and alignment ---------------------------------------------------------------------


class RollupPart(Schema):
    place_id: int | None = Field(description="The child place; null for the place's own values")
    place: str
    value: Decimal | None
    values_counted: int
    places_reporting: int


class RollupOut(RecordOut):
    indicator_id: int
    place_id: int
    period: str
    aggregation: Aggregation
    value: Decimal | None
    values_counted: int
    places_reporting: int
    by_child: list[RollupPart]


@router.get(
    "/indicators/{record_id}/rollup",
    response={200: RollupOut, **ERROR_RESPONSES},
    url_name="indicator_rollup",
    summary="An indicator's value at a place for a period, and each child's",
)
def indicator_rollup(request, record_id: int, place: int, period: str):
    indicator = access_record(request.user, Indicator, record_id, channel="api")
    where = places_for(request.user, "view", IndicatorValue).filter(pk=place).first()
    if where is None:
        raise Http404
    try:
        span = parse_period(period)
    except ValueError as exc:
        raise ValidationError({"period": str(exc)}) from exc
    values = IndicatorValue.objects.visible_to(request.user)
    total = rollup(indicator, where, span, values)
    parts = rollup_by_child(indicator, where, span, values)
    children = {
        p.path: p for p in Place.objects.visible_to(request.user).filter(path__in=list(parts))
    }
    by_child = [
        RollupPart(
            place_id=None if key == OWN else children[key].pk,
            place="" if key == OWN else children[key].name,
            value=part.value,
            values_counted=part.count,
            places_reporting=part.places,
        )
        for key, part in parts.items()
        if key == OWN or key in children
    ]
    return RollupOut(
        indicator_id=indicator.pk,
        place_id=where.pk,
        period=span.code,
        aggregation=indicator.aggregation,
        value=total.value,
        values_counted=total.count,
        places_reporting=total.places,
        by_child=by_child,
    )


class ObjectiveRef(Schema):
    id: int
    code: str
    title: str


class AlignmentOut(RecordOut):
    place_id: int
    strategy_id: int | None
    current_plan_ids: list[int]
    objectives_without_action: list[ObjectiveRef]
    actions_without_objective: list[int]
    open_need_ids: list[int]


@router.get(
    "/alignment",
    response={200: AlignmentOut, **ERROR_RESPONSES},
    url_name="alignment",
    summary="How a place's current plan lines up with the national strategy in force",
)
def alignment(request, place: int):
    from .models import LocalPlan

    if not can(request.user, "view", LocalPlan):
        raise Http404
    where = places_for(request.user, "view", LocalPlan).filter(pk=place).first()
    if where is None:
        raise Http404
    result = selectors.place_alignment(where, request.user)
    return AlignmentOut(
        place_id=where.pk,
        strategy_id=result.strategy.pk if result.strategy else None,
        current_plan_ids=[p.pk for p in result.plans],
        objectives_without_action=[
            ObjectiveRef(id=o.pk, code=o.code, title=o.title)
            for o in result.objectives_without_action
        ],
        actions_without_objective=[a.pk for a in result.actions_without_objective],
        open_need_ids=[n.pk for n in result.open_needs],
    )

"""Generated page, API and workflow tests for every scoped model of the plans module."""

from bridgework.bodies.factories import BodyFactory
from bridgework.places.factories import PlaceFactory
from bridgework.plans.factories import (
    ApprovalFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    LocalNeedFactory,
    LocalPlanFactory,
    NeedReferralFactory,
    NeedSupportFactory,
    ObjectiveFactory,
    PillarFactory,
    PlanActionFactory,
    PlanPriorityFactory,
    StrategyFactory,
)
from bridgework.plans.models import (
    Approval,
    Indicator,
    IndicatorValue,
    LocalNeed,
    LocalPlan,
    NeedReferral,
    NeedSupport,
    Objective,
    Pillar,
    PlanAction,
    PlanPriority,
    Strategy,
)
from bridgework.plans.views import (
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
from bridgework.plans.workflows import LOCAL_NEED, LOCAL_PLAN, PLAN_ACTION, STRATEGY
from bridgework.web.testing import ScopedApiTests, ScopedViewTests, WorkflowTests


def _strategy(place, **fields):
    return StrategyFactory(owner=BodyFactory(place=place), **fields)


def _objective(place):
    return ObjectiveFactory(pillar=PillarFactory(strategy=_strategy(place)))


def _indicator(place):
    return IndicatorFactory(objective=_objective(place))


def _need_before(place, **fields):
    """A need raised just below ``place``, so that ``place`` is the level it is before."""
    return LocalNeedFactory(place=PlaceFactory(parent=place), **fields)


def _neighbours_need(place):
    """A need raised by a new place beside ``place`` and put before their common parent, where
    ``place`` reads it and may share it."""
    return LocalNeedFactory(place=PlaceFactory(parent=place.parent))


# --- national strategies -------------------------------------------------------------------------


class StrategyRecords:
    model = Strategy

    def make_record(self, place, **fields):
        return _strategy(place, **fields)

    def form_data(self, place):
        return {
            "title": "National Strategy on Countering Radicalization to Violence",
            "owner": BodyFactory(place=place).pk,
            "summary": "Prevention, resilience, capacity and coordination",
            "starts_on": "2024-01-01",
            "ends_on": "2028-12-31",
            "tlp": 1,
        }


class TestStrategyPages(StrategyRecords, ScopedViewTests):
    viewset = StrategyViewSet


class TestStrategyApi(StrategyRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_strategies"
    detail_url_name = "api-1.0.0:get_strategy"
    write_name = "strategy"


class PillarRecords:
    model = Pillar

    def make_record(self, place, **fields):
        return PillarFactory(strategy=_strategy(place), **fields)

    def form_data(self, place):
        return {
            "strategy": _strategy(place).pk,
            "number": 2,
            "title": "Community resilience",
            "description": "Communities that hold together",
        }


class TestPillarPages(PillarRecords, ScopedViewTests):
    viewset = PillarViewSet


class TestPillarApi(PillarRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_pillars"
    detail_url_name = "api-1.0.0:get_pillar"
    write_name = "pillar"


class ObjectiveRecords:
    model = Objective

    def make_record(self, place, **fields):
        return ObjectiveFactory(pillar=PillarFactory(strategy=_strategy(place)), **fields)

    def form_data(self, place):
        return {
            "pillar": PillarFactory(strategy=_strategy(place)).pk,
            "code": "2.1",
            "title": "Every district has a peace committee that meets",
            "description": "",
        }


class TestObjectivePages(ObjectiveRecords, ScopedViewTests):
    viewset = ObjectiveViewSet


class TestObjectiveApi(ObjectiveRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_objectives"
    detail_url_name = "api-1.0.0:get_objective"
    write_name = "objective"


class IndicatorRecords:
    model = Indicator

    def make_record(self, place, **fields):
        return IndicatorFactory(objective=_objective(place), **fields)

    def form_data(self, place):
        return {
            "objective": _objective(place).pk,
            "code": "2.1.a",
            "name": "Frontline workers trained",
            "unit": "people",
            "periodicity": "quarterly",
            "aggregation": "sum",
            "description": "",
        }


class TestIndicatorPages(IndicatorRecords, ScopedViewTests):
    viewset = IndicatorViewSet


class TestIndicatorApi(IndicatorRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_indicators"
    detail_url_name = "api-1.0.0:get_indicator"
    write_name = "indicator"


# --- local plans ---------------------------------------------------------------------------------


class LocalPlanRecords:
    model = LocalPlan

    def make_record(self, place, **fields):
        return LocalPlanFactory(place=place, **fields)

    def form_data(self, place):
        return {
            "title": "Prevention plan 2025–2027",
            "place": place.pk,
            "owner": BodyFactory(place=place).pk,
            "summary": "What the city will do",
            "starts_on": "2025-01-01",
            "ends_on": "2027-12-31",
            "tlp": 1,
        }


class TestLocalPlanPages(LocalPlanRecords, ScopedViewTests):
    viewset = LocalPlanViewSet


class TestLocalPlanApi(LocalPlanRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_local_plans"
    detail_url_name = "api-1.0.0:get_local_plan"
    write_name = "local_plan"


class PlanPriorityRecords:
    model = PlanPriority

    def make_record(self, place, **fields):
        return PlanPriorityFactory(plan=LocalPlanFactory(place=place), **fields)

    def form_data(self, place):
        return {
            "plan": LocalPlanFactory(place=place).pk,
            "number": 1,
            "title": "Young people",
            "description": "",
        }


class TestPlanPriorityPages(PlanPriorityRecords, ScopedViewTests):
    viewset = PlanPriorityViewSet


class TestPlanPriorityApi(PlanPriorityRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_plan_priorities"
    detail_url_name = "api-1.0.0:get_plan_priority"
    write_name = "plan_priority"


class PlanActionRecords:
    model = PlanAction

    def make_record(self, place, **fields):
        return PlanActionFactory(priority=PlanPriorityFactory(plan=LocalPlanFactory(place=place)))

    def form_data(self, place):
        return {
            "priority": PlanPriorityFactory(plan=LocalPlanFactory(place=place)).pk,
            "title": "Train youth workers in dialogue",
            "description": "",
            "objectives": [],
            "organisations": [],
            "starts_on": "2025-03-01",
            "due_on": "2025-12-31",
        }


class TestPlanActionPages(PlanActionRecords, ScopedViewTests):
    viewset = PlanActionViewSet


class TestPlanActionApi(PlanActionRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_plan_actions"
    detail_url_name = "api-1.0.0:get_plan_action"
    write_name = "plan_action"


# --- local needs ---------------------------------------------------------------------------------


class LocalNeedRecords:
    model = LocalNeed

    def make_record(self, place, **fields):
        # Put before ``place`` itself: a need the sibling city raised and put before the region
        # is read by the region's cities by design (tests/test_plans_needs.py).
        return LocalNeedFactory(place=place, handled_at=place, **fields)

    def form_data(self, place):
        return {
            "title": "Training for community mediators",
            "place": place.pk,
            "category": "training",
            "priority": "high",
            "description": "Mediators asked for it after the market incidents",
            "evidence": "12 requests in 2025",
            "tlp": 1,
        }


class TestLocalNeedPages(LocalNeedRecords, ScopedViewTests):
    viewset = LocalNeedViewSet


class TestLocalNeedApi(LocalNeedRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_needs"
    detail_url_name = "api-1.0.0:get_need"
    write_name = "need"


class NeedSupportRecords:
    model = NeedSupport

    def make_record(self, place, **fields):
        return NeedSupportFactory(need=_neighbours_need(place), place=place, **fields)

    def form_data(self, place):
        return {"need": _neighbours_need(place).pk, "place": place.pk, "note": "Same here"}


class TestNeedSupportPages(NeedSupportRecords, ScopedViewTests):
    viewset = NeedSupportViewSet


class TestNeedSupportApi(NeedSupportRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_need_supports"
    detail_url_name = "api-1.0.0:get_need_support"
    write_name = "need_support"


class NeedReferralRecords:
    model = NeedReferral

    def make_record(self, place, **fields):
        return NeedReferralFactory(need=_need_before(place), **fields)


class TestNeedReferralPages(NeedReferralRecords, ScopedViewTests):
    viewset = NeedReferralViewSet


class TestNeedReferralApi(NeedReferralRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_need_referrals"
    detail_url_name = "api-1.0.0:get_need_referral"


# --- indicator values and approvals --------------------------------------------------------------


class IndicatorValueRecords:
    model = IndicatorValue

    def make_record(self, place, **fields):
        return IndicatorValueFactory(indicator=_indicator(place), place=place, **fields)

    def form_data(self, place):
        return {
            "indicator": _indicator(place).pk,
            "place": place.pk,
            "period": "2025Q2",
            "value": "12.5",
            "note": "From the training register",
        }


class TestIndicatorValuePages(IndicatorValueRecords, ScopedViewTests):
    viewset = IndicatorValueViewSet


class TestIndicatorValueApi(IndicatorValueRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_values"
    detail_url_name = "api-1.0.0:get_value"
    write_name = "value"


class ApprovalRecords:
    model = Approval

    def make_record(self, place, **fields):
        return ApprovalFactory(strategy=_strategy(place), place=place, **fields)

    def form_data(self, place):
        return {"strategy": _strategy(place).pk, "place": place.pk, "period": "2025Q1"}


class TestApprovalPages(ApprovalRecords, ScopedViewTests):
    viewset = ApprovalViewSet
    delete_data = {"reason": "A district total was entered twice"}


class TestApprovalApi(ApprovalRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_approvals"
    detail_url_name = "api-1.0.0:get_approval"


# --- workflows -----------------------------------------------------------------------------------


class TestStrategyWorkflow(WorkflowTests):
    workflow = STRATEGY

    def make_record(self, place, state):
        return _strategy(place, status=state)


class TestLocalPlanWorkflow(WorkflowTests):
    workflow = LOCAL_PLAN

    def make_record(self, place, state):
        return LocalPlanFactory(place=place, status=state)


class TestPlanActionWorkflow(WorkflowTests):
    workflow = PLAN_ACTION

    def make_record(self, place, state):
        return PlanActionFactory(
            priority=PlanPriorityFactory(plan=LocalPlanFactory(place=place)), status=state
        )


class TestLocalNeedWorkflow(WorkflowTests):
    workflow = LOCAL_NEED

    def make_record(self, place, state):
        return _need_before(place, status=state)

    def changes_for(self, transition):
        if transition.name == "answer":
            return {"answer_kind": "course", "answer_title": "Mediation for community leaders"}
        return {}

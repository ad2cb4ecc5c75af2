"""Filters of the plans module's lists (one FilterSet per list: page, export and API)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from bridgework.bodies.models import Body
from bridgework.web.filtering import OnlyFilter, ScopedFilterSet, SearchFilter, SubtreeFilter

from .choices import (
    OPEN_NEED_STATUSES,
    NeedCategory,
    NeedStatus,
    PlanActionStatus,
    PlanStatus,
    Priority,
    StrategyStatus,
)
from .models import (
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

__all__ = [
    "ApprovalFilterSet",
    "IndicatorFilterSet",
    "IndicatorValueFilterSet",
    "LocalNeedFilterSet",
    "LocalPlanFilterSet",
    "NeedReferralFilterSet",
    "NeedSupportFilterSet",
    "ObjectiveFilterSet",
    "PillarFilterSet",
    "PlanActionFilterSet",
    "PlanPriorityFilterSet",
    "StrategyFilterSet",
]


def _strategy_filter():
    return django_filters.ModelChoiceFilter(queryset=Strategy.objects.all(), label=_("Strategy"))


def _plan_filter():
    return django_filters.ModelChoiceFilter(queryset=LocalPlan.objects.all(), label=_("Plan"))


def _need_filter():
    return django_filters.ModelChoiceFilter(queryset=LocalNeed.objects.all(), label=_("Need"))


class StrategyFilterSet(ScopedFilterSet):
    q = SearchFilter("title", "owner__name", label=_("Title"))
    status = django_filters.ChoiceFilter(
        choices=StrategyStatus.choices, label=_("Status"), empty_label=_("Any status")
    )
    subtree = SubtreeFilter(help_text=_("Only strategies of this place or below it"))
    owner = django_filters.ModelChoiceFilter(queryset=Body.objects.all(), label=_("Owner body"))

    class Meta:
        model = Strategy
        fields: list[str] = []


class PillarFilterSet(ScopedFilterSet):
    q = SearchFilter("title", "description")
    strategy = _strategy_filter()

    class Meta:
        model = Pillar
        fields: list[str] = []


class ObjectiveFilterSet(ScopedFilterSet):
    q = SearchFilter("title", "code:exact", "description")
    strategy = _strategy_filter()
    pillar = django_filters.ModelChoiceFilter(queryset=Pillar.objects.all(), label=_("Pillar"))

    class Meta:
        model = Objective
        fields: list[str] = []


class IndicatorFilterSet(ScopedFilterSet):
    q = SearchFilter("name", "code:exact")
    strategy = _strategy_filter()
    objective = django_filters.ModelChoiceFilter(
        queryset=Objective.objects.all(), label=_("Objective")
    )

    class Meta:
        model = Indicator
        fields: list[str] = []


class LocalPlanFilterSet(ScopedFilterSet):
    q = SearchFilter("title", "owner__name", "place__name", label=_("Title"))
    status = django_filters.ChoiceFilter(
        choices=PlanStatus.choices, label=_("Status"), empty_label=_("Any status")
    )
    subtree = SubtreeFilter(help_text=_("Only plans of this place or below it"))
    owner = django_filters.ModelChoiceFilter(queryset=Body.objects.all(), label=_("Owner body"))

    class Meta:
        model = LocalPlan
        fields: list[str] = []


class PlanPriorityFilterSet(ScopedFilterSet):
    q = SearchFilter("title", "description")
    plan = _plan_filter()

    class Meta:
        model = PlanPriority
        fields: list[str] = []


class PlanActionFilterSet(ScopedFilterSet):
    q = SearchFilter("title", "description", "plan__title")
    plan = _plan_filter()
    status = django_filters.ChoiceFilter(
        choices=PlanActionStatus.choices, label=_("Status"), empty_label=_("Any status")
    )
    objective = django_filters.ModelChoiceFilter(
        field_name="objectives",
        queryset=Objective.objects.all(),
        label=_("National objective"),
        help_text=_("Only actions serving this objective"),
    )
    unaligned = OnlyFilter(
        field_name="objectives",
        lookup_expr="isnull",
        label=_("Serving no national objective only"),
    )
    subtree = SubtreeFilter(help_text=_("Only actions of plans of this place or below it"))

    class Meta:
        model = PlanAction
        fields: list[str] = []


class LocalNeedFilterSet(ScopedFilterSet):
    q = SearchFilter("title", "description", "place__name", label=_("Need"))
    category = django_filters.ChoiceFilter(
        choices=NeedCategory.choices, label=_("Category"), empty_label=_("Any category")
    )
    status = django_filters.ChoiceFilter(
        choices=NeedStatus.choices, label=_("Status"), empty_label=_("Any status")
    )
    priority = django_filters.ChoiceFilter(
        choices=Priority.choices, label=_("Priority"), empty_label=_("Any priority")
    )
    subtree = SubtreeFilter(help_text=_("Only needs raised at this place or below it"))
    handler = SubtreeFilter(
        field_name="handled_path",
        label=_("With"),
        help_text=_("Only needs before this level or a level below it"),
    )
    open = OnlyFilter(method="still_open", label=_("Open only"), help_text=_("Not yet answered"))

    class Meta:
        model = LocalNeed
        fields: list[str] = []

    def still_open(self, queryset, name, value):
        return queryset.filter(status__in=OPEN_NEED_STATUSES) if value else queryset


class NeedSupportFilterSet(ScopedFilterSet):
    need = _need_filter()
    subtree = SubtreeFilter(help_text=_("Only supports of places at or below this place"))

    class Meta:
        model = NeedSupport
        fields: list[str] = []


class NeedReferralFilterSet(ScopedFilterSet):
    need = _need_filter()

    class Meta:
        model = NeedReferral
        fields: list[str] = []


class IndicatorValueFilterSet(ScopedFilterSet):
    indicator = django_filters.ModelChoiceFilter(
        queryset=Indicator.objects.all(), label=_("Indicator")
    )
    strategy = django_filters.ModelChoiceFilter(
        field_name="indicator__strategy", queryset=Strategy.objects.all(), label=_("Strategy")
    )
    subtree = SubtreeFilter(help_text=_("Only values reported at this place or below it"))
    period_from = django_filters.DateFilter(
        field_name="period_start", lookup_expr="gte", label=_("Periods from")
    )
    period_to = django_filters.DateFilter(
        field_name="period_start", lookup_expr="lte", label=_("Periods starting until")
    )

    class Meta:
        model = IndicatorValue
        fields: list[str] = []


class ApprovalFilterSet(ScopedFilterSet):
    strategy = _strategy_filter()
    subtree = SubtreeFilter(help_text=_("Only approvals at this place or below it"))

    class Meta:
        model = Approval
        fields: list[str] = []

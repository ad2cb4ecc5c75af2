"""Filters of the response module's lists (one FilterSet per list: page, export and API)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from bridgework.web.filtering import OnlyFilter, ScopedFilterSet, SearchFilter, SubtreeFilter

from .choices import (
    OPEN_REPORT_STATUSES,
    CrisisStatus,
    EvidenceType,
    ReportKind,
    ReportStatus,
    UpdateKind,
)
from .models import (
    AlertRule,
    BiasCategory,
    Crisis,
    CrisisUpdate,
    Report,
    TensionAssessment,
    TensionLevel,
)

__all__ = [
    "AlertRuleFilterSet",
    "CrisisFilterSet",
    "CrisisUpdateFilterSet",
    "ReportFilterSet",
    "TensionAssessmentFilterSet",
]


class ReportFilterSet(ScopedFilterSet):
    q = SearchFilter("title", "description", label=_("Search"))
    kind = django_filters.ChoiceFilter(
        choices=ReportKind.choices, label=_("Kind"), empty_label=_("Any kind")
    )
    status = django_filters.ChoiceFilter(
        choices=ReportStatus.choices, label=_("Status"), empty_label=_("Any status")
    )
    open = OnlyFilter(label=_("Open reports only"), method="only_open")
    subtree = SubtreeFilter(help_text=_("Only reports at this place or below it"))
    bias = django_filters.ModelChoiceFilter(
        field_name="bias_categories",
        queryset=BiasCategory.objects.all(),
        label=_("Bias motivation"),
    )
    min_severity = django_filters.NumberFilter(
        field_name="severity", lookup_expr="gte", label=_("From severity")
    )
    evidence = django_filters.ChoiceFilter(
        choices=EvidenceType.choices, label=_("Evidence"), empty_label=_("Any evidence")
    )
    occurred_after = django_filters.DateFilter(
        field_name="occurred_on", lookup_expr="gte", label=_("From")
    )
    occurred_before = django_filters.DateFilter(
        field_name="occurred_on", lookup_expr="lte", label=_("Until")
    )

    class Meta:
        model = Report
        fields: list[str] = []

    def only_open(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(status__in=OPEN_REPORT_STATUSES)


class TensionAssessmentFilterSet(ScopedFilterSet):
    q = SearchFilter("title", "evidence", "triggers")
    subtree = SubtreeFilter(help_text=_("Only assessments of this place or below it"))
    level = django_filters.ModelChoiceFilter(queryset=TensionLevel.objects.all(), label=_("Level"))
    week_from = django_filters.DateFilter(
        field_name="week_start", lookup_expr="gte", label=_("From week")
    )
    international = OnlyFilter(
        field_name="trigger_international", label=_("International trigger only")
    )

    class Meta:
        model = TensionAssessment
        fields: list[str] = []


class AlertRuleFilterSet(ScopedFilterSet):
    q = SearchFilter("name")
    subtree = SubtreeFilter(help_text=_("Only rules at this place or below it"))

    class Meta:
        model = AlertRule
        fields: list[str] = []


class CrisisFilterSet(ScopedFilterSet):
    q = SearchFilter("title", "trigger")
    status = django_filters.ChoiceFilter(
        choices=CrisisStatus.choices, label=_("Status"), empty_label=_("Any status")
    )
    subtree = SubtreeFilter(help_text=_("Only crises at this place or below it"))

    class Meta:
        model = Crisis
        fields: list[str] = []


class CrisisUpdateFilterSet(ScopedFilterSet):
    q = SearchFilter("text")
    crisis = django_filters.ModelChoiceFilter(queryset=Crisis.objects.all(), label=_("Crisis"))
    kind = django_filters.ChoiceFilter(
        choices=UpdateKind.choices, label=_("Kind"), empty_label=_("Any kind")
    )

    class Meta:
        model = CrisisUpdate
        fields: list[str] = []

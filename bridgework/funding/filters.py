"""Filters of the funding module's lists (one FilterSet per list: page, export and API)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from bridgework.bodies.models import Body
from bridgework.web.filtering import ScopedFilterSet, SearchFilter, SubtreeFilter

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

__all__ = [
    "ApplicationFilterSet",
    "CallFilterSet",
    "FundFilterSet",
    "GrantFilterSet",
    "GrantIndicatorFilterSet",
    "ReportFilterSet",
    "ResultFilterSet",
    "ReviewFilterSet",
    "TrancheFilterSet",
]


def _status(choices):
    return django_filters.ChoiceFilter(
        choices=choices, label=_("Status"), empty_label=_("Any status")
    )


class FundFilterSet(ScopedFilterSet):
    q = SearchFilter("name", "description", label=_("Name"))
    owner = django_filters.ModelChoiceFilter(queryset=Body.objects.all(), label=_("Owner body"))
    subtree = SubtreeFilter(help_text=_("Only funds of this place or below it"))

    class Meta:
        model = Fund
        fields: list[str] = []


class CallFilterSet(ScopedFilterSet):
    q = SearchFilter("title", "description", label=_("Title"))
    fund = django_filters.ModelChoiceFilter(queryset=Fund.objects.all(), label=_("Fund"))

    class Meta:
        model = Call
        fields: list[str] = []


class ApplicationFilterSet(ScopedFilterSet):
    q = SearchFilter("title", "organisation__name", label=_("Title or organisation"))
    status = _status(ApplicationStatus.choices)
    call = django_filters.ModelChoiceFilter(queryset=Call.objects.all(), label=_("Call"))
    subtree = SubtreeFilter(help_text=_("Only applications from this place or below it"))

    class Meta:
        model = Application
        fields: list[str] = []


class ReviewFilterSet(ScopedFilterSet):
    status = _status(ReviewStatus.choices)
    application = django_filters.ModelChoiceFilter(
        queryset=Application.objects.all(), label=_("Application")
    )

    class Meta:
        model = Review
        fields: list[str] = []


class GrantFilterSet(ScopedFilterSet):
    q = SearchFilter("application__title", "application__organisation__name", label=_("Search"))
    status = _status(GrantStatus.choices)
    subtree = SubtreeFilter(help_text=_("Only grants to this place or below it"))

    class Meta:
        model = Grant
        fields: list[str] = []


class TrancheFilterSet(ScopedFilterSet):
    status = _status(TrancheStatus.choices)
    grant = django_filters.ModelChoiceFilter(queryset=Grant.objects.all(), label=_("Grant"))

    class Meta:
        model = Tranche
        fields: list[str] = []


class ReportFilterSet(ScopedFilterSet):
    status = _status(ReportStatus.choices)
    kind = django_filters.ChoiceFilter(
        choices=ReportKind.choices, label=_("Kind"), empty_label=_("Any kind")
    )
    grant = django_filters.ModelChoiceFilter(queryset=Grant.objects.all(), label=_("Grant"))

    class Meta:
        model = Report
        fields: list[str] = []


class GrantIndicatorFilterSet(ScopedFilterSet):
    grant = django_filters.ModelChoiceFilter(queryset=Grant.objects.all(), label=_("Grant"))

    class Meta:
        model = GrantIndicator
        fields: list[str] = []


class ResultFilterSet(ScopedFilterSet):
    grant = django_filters.ModelChoiceFilter(queryset=Grant.objects.all(), label=_("Grant"))
    report = django_filters.ModelChoiceFilter(queryset=Report.objects.all(), label=_("Report"))

    class Meta:
        model = Result
        fields: list[str] = []

"""Filters of the participation module's lists (one per list: page, export and API)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from bridgework.web.filtering import OnlyFilter, ScopedFilterSet, SearchFilter, SubtreeFilter

from .choices import OPEN_STATUSES, Moderation, ProposalKind, ProposalStatus
from .models import Proposal, SupportThreshold, TownHall

__all__ = ["ProposalFilterSet", "SupportThresholdFilterSet", "TownHallFilterSet"]


class ProposalFilterSet(ScopedFilterSet):
    q = SearchFilter("title", "body", "place__name", label=_("Proposal"))
    kind = django_filters.ChoiceFilter(
        choices=ProposalKind.choices, label=_("Kind"), empty_label=_("Any kind")
    )
    status = django_filters.ChoiceFilter(
        choices=ProposalStatus.choices, label=_("Status"), empty_label=_("Any status")
    )
    moderation = django_filters.ChoiceFilter(
        choices=Moderation.choices, label=_("Moderation"), empty_label=_("Any")
    )
    subtree = SubtreeFilter(help_text=_("Only proposals for this place or below it"))
    handler = SubtreeFilter(
        field_name="handled_path",
        label=_("Before"),
        help_text=_("Only proposals before this level or a level below it"),
    )
    open = OnlyFilter(method="still_open", label=_("Open only"), help_text=_("Not yet answered"))

    class Meta:
        model = Proposal
        fields: list[str] = []

    def still_open(self, queryset, name, value):
        return queryset.filter(status__in=OPEN_STATUSES) if value else queryset


class SupportThresholdFilterSet(ScopedFilterSet):
    subtree = SubtreeFilter(help_text=_("Only thresholds set at this place or below it"))

    class Meta:
        model = SupportThreshold
        fields: list[str] = []


class TownHallFilterSet(ScopedFilterSet):
    q = SearchFilter("title", "agenda", "location", label=_("Town hall"))
    subtree = SubtreeFilter(help_text=_("Only town halls at this place or below it"))

    class Meta:
        model = TownHall
        fields: list[str] = []

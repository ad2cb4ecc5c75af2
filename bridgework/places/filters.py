"""Filters of the places lists: the page, its export and the API read these."""

import django_filters
from django.utils.translation import gettext_lazy as _

from bridgework.web.filtering import OnlyFilter, ScopedFilterSet, SearchFilter, SubtreeFilter

from .models import Network, NetworkMembership, Place

__all__ = ["NetworkMembershipFilterSet", "PlaceFilterSet"]


class PlaceFilterSet(ScopedFilterSet):
    q = SearchFilter(
        "name", "code:exact", "pcode:exact", help_text=_("Name contains, or exact code")
    )
    subtree = SubtreeFilter("path", help_text=_("Only this place and those below it"))
    level = django_filters.NumberFilter(
        field_name="depth",
        label=_("Depth"),
        min_value=0,
        max_value=10,
        help_text=_("Only places at this depth (0 the world, 1 countries…)"),
    )
    country = django_filters.CharFilter(
        field_name="country_code",
        lookup_expr="iexact",
        label=_("Country"),
        min_length=2,
        max_length=2,
        help_text=_("ISO 3166-1 alpha-2 code"),
    )

    class Meta:
        model = Place
        fields: list[str] = []


class NetworkMembershipFilterSet(ScopedFilterSet):
    q = SearchFilter("place__name", "network__name")
    network = django_filters.ModelChoiceFilter(
        queryset=Network.objects.order_by("name"), label=_("Network"), empty_label=_("Any network")
    )
    place = SubtreeFilter()
    current = OnlyFilter(
        field_name="left_on", lookup_expr="isnull", label=_("Current members only")
    )

    class Meta:
        model = NetworkMembership
        fields: list[str] = []

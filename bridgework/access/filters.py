"""Filters of the role-assignment list."""

import django_filters
from django.utils.translation import gettext_lazy as _

from bridgework.web.filtering import ScopedFilterSet, SearchFilter, SubtreeFilter

from .models import Role, RoleAssignment

__all__ = ["RoleAssignmentFilterSet"]


class RoleAssignmentFilterSet(ScopedFilterSet):
    q = SearchFilter("user__email", "user__full_name", "place__name", "role__name")
    role = django_filters.ModelChoiceFilter(
        queryset=Role.objects.order_by("-rank"),
        to_field_name="slug",
        label=_("Role"),
        empty_label=_("Any role"),
    )
    place = SubtreeFilter()

    class Meta:
        model = RoleAssignment
        fields: list[str] = []

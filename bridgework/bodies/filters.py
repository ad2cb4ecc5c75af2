"""Filters of the bodies module's lists."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridgework.actors.choices import OrgLevel
from bridgework.actors.models import Organisation, Person
from bridgework.web.filtering import OnlyFilter, ScopedFilterSet, SearchFilter, SubtreeFilter

from .choices import ActionStatus, BodyKind, MeetingStatus
from .models import ActionItem, ActionUpdate, Attendance, Body, Decision, Meeting, Seat

__all__ = [
    "ActionItemFilterSet",
    "ActionUpdateFilterSet",
    "AttendanceFilterSet",
    "BodyFilterSet",
    "DecisionFilterSet",
    "MeetingFilterSet",
    "SeatFilterSet",
]


def _today():
    return timezone.localdate()


class BodyFilterSet(ScopedFilterSet):
    q = SearchFilter("name", "place__name", label=_("Name"))
    kind = django_filters.ChoiceFilter(
        choices=BodyKind.choices, label=_("Kind"), empty_label=_("All kinds")
    )
    level = django_filters.ChoiceFilter(
        choices=OrgLevel.choices, label=_("Level"), empty_label=_("All levels")
    )
    subtree = SubtreeFilter(help_text=_("Only bodies at this place or below it"))
    parent = django_filters.ModelChoiceFilter(
        queryset=Body.objects.all(), label=_("Parent body"), help_text=_("Only bodies under it")
    )

    class Meta:
        model = Body
        fields: list[str] = []


class SeatFilterSet(ScopedFilterSet):
    q = SearchFilter("body__name", "organisation__name", "person__full_name", "constituency")
    body = django_filters.ModelChoiceFilter(queryset=Body.objects.all(), label=_("Body"))
    organisation = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.all(), label=_("Organisation")
    )
    person = django_filters.ModelChoiceFilter(queryset=Person.objects.all(), label=_("Person"))
    current = OnlyFilter(
        method="held_today", label=_("Current seats only"), help_text=_("Only seats held today")
    )

    class Meta:
        model = Seat
        fields: list[str] = []

    def held_today(self, queryset, name, value):
        return queryset.current_on(_today()) if value else queryset


class MeetingFilterSet(ScopedFilterSet):
    q = SearchFilter("title", "body__name", "location")
    body = django_filters.ModelChoiceFilter(queryset=Body.objects.all(), label=_("Body"))
    subtree = SubtreeFilter(help_text=_("Only meetings of bodies at this place or below it"))
    status = django_filters.ChoiceFilter(
        choices=MeetingStatus.choices, label=_("Status"), empty_label=_("Any status")
    )
    starts_after = django_filters.IsoDateTimeFilter(
        field_name="starts_at",
        lookup_expr="gte",
        label=_("Starts on or after"),
        help_text=_("Only meetings starting at or after this time"),
    )
    starts_before = django_filters.IsoDateTimeFilter(
        field_name="starts_at",
        lookup_expr="lt",
        label=_("Starts before"),
        help_text=_("Only meetings starting before this time"),
    )

    class Meta:
        model = Meeting
        fields: list[str] = []


class AttendanceFilterSet(ScopedFilterSet):
    q = SearchFilter("meeting__title", "organisation__name", "person__full_name")
    meeting = django_filters.ModelChoiceFilter(queryset=Meeting.objects.all(), label=_("Meeting"))

    class Meta:
        model = Attendance
        fields: list[str] = []


class DecisionFilterSet(ScopedFilterSet):
    q = SearchFilter("text", "meeting__title")
    meeting = django_filters.ModelChoiceFilter(queryset=Meeting.objects.all(), label=_("Meeting"))

    class Meta:
        model = Decision
        fields: list[str] = []


class ActionItemFilterSet(ScopedFilterSet):
    q = SearchFilter(
        "title", "raised_by__name", "owner_organisation__name", "owner_person__full_name"
    )
    status = django_filters.ChoiceFilter(
        choices=ActionStatus.choices, label=_("Status"), empty_label=_("Any status")
    )
    body = django_filters.ModelChoiceFilter(
        field_name="raised_by",
        queryset=Body.objects.all(),
        label=_("Raised by"),
        help_text=_("Only items raised by this body"),
    )
    owner_organisation = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.all(), label=_("Owner (organisation)")
    )
    owner_person = django_filters.ModelChoiceFilter(
        queryset=Person.objects.all(), label=_("Owner (person)")
    )
    subtree = SubtreeFilter(help_text=_("Only items at this place or below it"))
    open = OnlyFilter(
        method="not_finished",
        label=_("Open only"),
        help_text=_("Only items not done or cancelled"),
    )
    overdue = OnlyFilter(
        method="past_due",
        label=_("Overdue only"),
        help_text=_("Only items past due and not finished"),
    )
    mine = OnlyFilter(
        method="owned_by_me",
        label=_("Mine only"),
        help_text=_("Only items owned by me or my organisations"),
    )

    class Meta:
        model = ActionItem
        fields: list[str] = []

    def not_finished(self, queryset, name, value):
        return queryset.unfinished() if value else queryset

    def past_due(self, queryset, name, value):
        return queryset.overdue_on(_today()) if value else queryset

    def owned_by_me(self, queryset, name, value):
        from .selectors import owned_by_user_q

        return queryset.filter(owned_by_user_q(self.user, _today())) if value else queryset


class ActionUpdateFilterSet(ScopedFilterSet):
    q = SearchFilter("text", "item__title")
    item = django_filters.ModelChoiceFilter(
        queryset=ActionItem.objects.all(), label=_("Action item")
    )

    class Meta:
        model = ActionUpdate
        fields: list[str] = []

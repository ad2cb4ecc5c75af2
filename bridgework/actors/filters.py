"""Filters of organisations, people and posts; the 3W view filters organisations too."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from bridgework.core.paths import subtree_bounds, subtree_q, subtrees_q
from bridgework.places.models import Hub
from bridgework.places.selectors import default_hub_for, hubs_for, sees_any_hub, top_places_for
from bridgework.web.filtering import OnlyFilter, ScopedFilterSet, SearchFilter, SubtreeFilter

from .choices import OrgLevel, Sector
from .models import Organisation, OrganisationArea, Person, Post, Theme
from .selectors import OrgFilters

__all__ = [
    "OrganisationFilterSet",
    "PersonFilterSet",
    "PostFilterSet",
    "SectorMatrixFilterSet",
    "ThreeWFilterSet",
]


class WorksInFilter(SubtreeFilter):
    """Organisations working at a place or anywhere below it (their areas of work, which
    always hold their home place): one index range on the areas' paths."""

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        areas = OrganisationArea.objects.filter(subtree_q("place_path", value.path))
        return qs.filter(pk__in=areas.values("organisation_id"))


class ThreeWForm(forms.Form):
    """The 3W filters' form: a place chosen beside a hub must lie in it (it narrows the hub's
    picture)."""

    def clean(self):
        data = super().clean() or {}
        place, hub = data.get("place"), data.get("hub")
        if place is not None and hub is not None and not _in_hub(place, hub):
            self.add_error("place", _("This place is not in the hub you chose."))
        return data


class ThreeWFilterSet(ScopedFilterSet):
    """Who works below a place: the 3W view, its exports and Popolo (the user's highest place
    when none is given). The directory adds a name search to the same filters."""

    sector = django_filters.ChoiceFilter(
        choices=Sector.choices, label=_("Sector"), empty_label=_("All sectors")
    )
    level = django_filters.ChoiceFilter(
        choices=OrgLevel.choices, label=_("Level"), empty_label=_("All levels")
    )
    theme = django_filters.ModelChoiceFilter(
        queryset=Theme.objects.order_by("name"),
        to_field_name="slug",
        field_name="themes",
        label=_("Activity"),
        empty_label=_("All activities"),
        help_text=_("A theme's short name"),
    )
    place = SubtreeFilter(
        help_text=_("A place's ISO code, P-code or name, and every place below it")
    )
    hub = django_filters.ModelChoiceFilter(
        queryset=Hub.objects.order_by("name"),
        to_field_name="slug",
        method="based_in_hub",
        label=_("Regional hub"),
        empty_label=_("No hub"),
        help_text=_("A hub's short name: every place of the hub, and every place below them"),
    )

    class Meta:
        model = Organisation
        fields: list[str] = []
        form = ThreeWForm

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        if not getattr(self.user, "is_authenticated", False):
            # No reader (the API schema is built from a bare filterset): no hub, no query.
            self.filters["hub"].queryset = Hub.objects.none()
            return
        given = data.get("hub") if data is not None else None
        if not given and not sees_any_hub(self.user):
            del self.filters["hub"]  # nobody offered an empty choice of hubs
        else:
            self.filters["hub"].queryset = hubs_for(self.user)

    def based_in_hub(self, queryset, name, hub):
        if hub is None:
            return queryset
        return queryset.filter(subtrees_q("place_path", hub.places.values_list("path", flat=True)))

    def org_filters(self) -> OrgFilters | None:
        """The selectors' filters from the valid form: below the chosen place, else below the
        places of the chosen hub, else the user's own hub (a hub officer's countries), else
        below the user's highest place (None when they see no place at all, or the form is
        not valid: its errors are the answer)."""
        if self.is_bound and not self.form.is_valid():
            return None
        data = self.form.cleaned_data if self.is_bound else {}
        place = data.get("place")
        hub = None if place is not None else data.get("hub") or default_hub_for(self.user)
        if place is None and hub is None:
            place = top_places_for(self.user).first()
            if place is None:
                return None
        return OrgFilters(
            place=place,  # a place chosen beside a hub narrows the hub's picture
            hub=hub,
            sector=data.get("sector") or "",
            level=data.get("level") or "",
            theme=data.get("theme"),
        )


def _in_hub(place, hub: Hub) -> bool:
    for path in hub.places.values_list("path", flat=True):
        low, high = subtree_bounds(path)
        if low <= place.path < high:
            return True
    return False


class OrganisationFilterSet(ThreeWFilterSet):
    q = SearchFilter("name", "short_name:exact", label=_("Name"))
    works_in = WorksInFilter(
        label=_("Works in"),
        help_text=_("Organisations working at this place or below it (their areas of work)"),
    )
    place = SubtreeFilter(
        label=_("Based in"),
        help_text=_("Organisations based at this place or below it (a code, P-code or name)"),
    )

    class Meta(ThreeWFilterSet.Meta):
        fields = ["q", "sector", "level", "theme", "works_in", "place"]


class SectorMatrixFilterSet(ThreeWFilterSet):
    """Places below × sectors: the 3W's filters but the sector (the sectors are the columns),
    and how far below the place the rows lie."""

    sector = None  # type: ignore[assignment]
    below = django_filters.NumberFilter(
        method="rows_only",
        label=_("Rows"),
        min_value=1,
        max_value=4,
        help_text=_("How many levels below the place the rows lie (1: the places just below)"),
        widget=forms.Select(choices=[(n, n) for n in range(1, 5)]),
    )

    class Meta(ThreeWFilterSet.Meta):
        pass

    def rows_only(self, queryset, name, value):
        return queryset  # it shapes the matrix, not which organisations count

    def rows_below(self) -> int:
        data = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
        return int(data.get("below") or 1)


class PersonFilterSet(ScopedFilterSet):
    q = SearchFilter("full_name", label=_("Name"))  # never contacts: a search would reveal them
    place = SubtreeFilter(help_text=_("Only people in this place or below it"))
    organisation = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.all(),
        method="with_post_in",
        label=_("Organisation"),
        help_text=_("Only people with a post in this organisation"),
    )

    class Meta:
        model = Person
        fields: list[str] = []

    def with_post_in(self, queryset, name, organisation):
        if organisation is None:
            return queryset
        posts = Post.objects.visible_to(self.user, "view").filter(organisation=organisation)
        return queryset.filter(pk__in=posts.values("person_id"))


class PostFilterSet(ScopedFilterSet):
    q = SearchFilter("title", "person__full_name", "organisation__name")
    place = SubtreeFilter(help_text=_("Only posts in this place or below it"))
    organisation = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.all(), label=_("Organisation")
    )
    person = django_filters.ModelChoiceFilter(queryset=Person.objects.all(), label=_("Person"))
    current = OnlyFilter(
        field_name="ends_on",
        lookup_expr="isnull",
        label=_("Current posts only"),
        help_text=_("Only posts with no end date"),
    )

    class Meta:
        model = Post
        fields: list[str] = []

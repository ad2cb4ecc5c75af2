"""Filters of organisations, people and posts; the 3W view filters organisations too."""

import django_filters
from django.utils.translation import gettext_lazy as _

from bridgework.places.selectors import top_places_for
from bridgework.web.filtering import OnlyFilter, ScopedFilterSet, SearchFilter, SubtreeFilter

from .choices import OrgLevel, Sector
from .models import Organisation, Person, Post, Theme
from .selectors import OrgFilters

__all__ = ["OrganisationFilterSet", "PersonFilterSet", "PostFilterSet", "ThreeWFilterSet"]


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
        help_text=_("A place's ISO code, P-code or number, and every place below it")
    )

    class Meta:
        model = Organisation
        fields: list[str] = []

    def org_filters(self) -> OrgFilters | None:
        """The selectors' filters from the valid form: below the chosen place, else below the
        user's highest place (None when they see no place at all)."""
        data = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
        place = data.get("place") or top_places_for(self.user).first()
        if place is None:
            return None
        return OrgFilters(
            place=place,
            sector=data.get("sector") or "",
            level=data.get("level") or "",
            theme=data.get("theme"),
        )


class OrganisationFilterSet(ThreeWFilterSet):
    q = SearchFilter("name", "short_name:exact", label=_("Name"))

    class Meta:
        model = Organisation
        fields = ["q", "sector", "level", "theme", "place"]


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

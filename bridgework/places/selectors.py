"""Reads of the place tree that are more than a filter. All take the acting user."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from bridgework.core.paths import collapse_nested, subtree_q
from bridgework.core.scoping import scope_for

from .models import DEPTH_NAMES, Hub, NetworkMembership, Place, PlaceLevel

__all__ = [
    "Crumb",
    "breadcrumb",
    "children_of",
    "hubs_of",
    "level_name",
    "level_names",
    "memberships_of",
    "successors_of",
    "top_places_for",
]


@dataclass(frozen=True)
class Crumb:
    place: Place
    visible: bool


def top_places_for(user) -> QuerySet[Place]:
    """The highest places the user can see: where browsing starts."""
    roots = collapse_nested({grant.path for grant in scope_for(user, "view", Place).grants})
    return (
        Place.objects.visible_to(user, "view")
        .filter(path__in=roots)
        .annotate(child_count=Count("children"))
        .order_by("path")
    )


def breadcrumb(place: Place, user) -> list[Crumb]:
    """Ancestors root first; those outside the user's scope are shown as plain names."""
    ancestors = list(place.ancestors())
    visible = set(
        Place.objects.visible_to(user, "view")
        .filter(path__in=[a.path for a in ancestors])
        .values_list("pk", flat=True)
    )
    return [Crumb(ancestor, ancestor.pk in visible) for ancestor in ancestors]


def children_of(place: Place, user) -> QuerySet[Place]:
    return (
        Place.objects.visible_to(user, "view")
        .filter(parent=place)
        .annotate(child_count=Count("children"))
        .order_by("name")
    )


def level_names(country_code: str) -> dict[int, str]:
    names = {depth: str(name) for depth, name in DEPTH_NAMES.items()}
    names.update(PlaceLevel.objects.filter(country_code=country_code).values_list("depth", "name"))
    return names


def level_name(place: Place, names: dict[int, str] | None = None) -> str:
    names = names if names is not None else level_names(place.country_code)
    return names.get(place.depth, str(DEPTH_NAMES.get(place.depth, "")))


def successors_of(place: Place, user) -> QuerySet[Place]:
    """The places that replaced ``place`` after a boundary change, those the user may see."""
    return Place.objects.visible_to(user, "view").filter(succeeds=place).order_by("name")


def hubs_of(place: Place) -> QuerySet[Hub]:
    """Hubs that hold this place or one of its ancestors."""
    return Hub.objects.filter(places__path__in=[*place.ancestor_paths, place.path]).distinct()


def memberships_of(place: Place, user) -> QuerySet[NetworkMembership]:
    return (
        NetworkMembership.objects.visible_to(user, "view")
        .filter(subtree_q("place_path", place.path))
        .select_related("network", "place")
        .order_by("place_path", "-joined_on")
    )

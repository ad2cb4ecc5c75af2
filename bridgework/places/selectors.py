"""Reads of the place tree that are more than a filter. All take the acting user."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.text import slugify

from bridgework.core.fixed_reads import FixedRead
from bridgework.core.paths import ancestor_paths, collapse_nested, subtree_q
from bridgework.core.scoping import scope_for

from .models import DEPTH_NAMES, Hub, NetworkMembership, Place, PlaceLevel

__all__ = [
    "Crumb",
    "breadcrumb",
    "children_of",
    "default_hub_for",
    "file_name_part",
    "find_place",
    "hubs_for",
    "hubs_of",
    "level_name",
    "level_names",
    "memberships_of",
    "place_contexts",
    "place_reference",
    "place_references",
    "sees_any_hub",
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


# --- naming a place without its internal number -------------------------------------------------


def place_reference(place: Place) -> str:
    """How URLs, file names and exports name a place (never by its internal number): its ISO
    3166 code, else its P-code, else its name — followed by the names of the places above it
    when another place has the same name ("Chilinde, Lilongwe City")."""
    return place_references([place])[place.pk]


def place_references(places: Iterable[Place]) -> dict[int, str]:
    """:func:`place_reference` of many places in at most two queries (one when every place has
    a code or a name of its own)."""
    places = list(places)
    refs = {place.pk: place.code or place.pcode for place in places if place.code or place.pcode}
    named = [place for place in places if place.pk not in refs]
    if not named:
        return refs
    namesakes: dict[str, list[str]] = {}
    for name, path in Place.objects.filter(name__in={p.name for p in named}).values_list(
        "name", "path"
    ):
        namesakes.setdefault(name, []).append(path)
    shared = {p.name for p in named if len(namesakes.get(p.name, ())) > 1}
    above: dict[str, str] = {}
    if shared:
        wanted = {a for name in shared for path in namesakes[name] for a in ancestor_paths(path)}
        above = dict(Place.objects.filter(path__in=wanted, depth__gt=0).values_list("path", "name"))

    def chain(path: str) -> list[str]:
        """Names of the places above, nearest first (the root of the tree says nothing)."""
        return [above[a] for a in reversed(ancestor_paths(path)) if a in above]

    for place in named:
        if place.name not in shared:
            refs[place.pk] = place.name
            continue
        own = chain(place.path)
        others = [chain(path) for path in namesakes[place.name] if path != place.path]
        needed = next(
            (n for n in range(1, len(own) + 1) if all(other[:n] != own[:n] for other in others)),
            len(own),
        )
        refs[place.pk] = ", ".join([place.name, *own[:needed]])
    return refs


def file_name_part(place: Place, reference: str | None = None) -> str:
    """A place in a download's file name: its code as it is (``MW-LI``), else its reference
    made safe (``chilinde``, ``chilinde-lilongwe-city``)."""
    return place.code or place.pcode or slugify(reference or place_reference(place)) or "place"


def find_place(places: QuerySet[Place], text: str) -> Place | None:
    """The one place of ``places`` that ``text`` names: its number, its ISO code or P-code, its
    name when no other place of ``places`` has it, or a reference qualified by the names of the
    places above ("Chilinde, Lilongwe City"). None when there is none, or more than one."""
    text = str(text).strip()
    if not text:
        return None
    if text.isdigit():
        return places.filter(pk=text).first()
    by_code = _by_code(places, text)
    if by_code is not None:
        return by_code
    named = list(places.filter(name__iexact=text)[:2])
    if named:
        return named[0] if len(named) == 1 else None
    name, *chain = [part.strip() for part in text.split(",")]
    if not chain or not all(chain):
        return None
    condition = Q(name__iexact=name)
    for depth, above in enumerate(chain, start=1):
        condition &= Q(**{"parent__" * depth + "name__iexact": above})
    found = list(places.filter(condition)[:2])
    return found[0] if len(found) == 1 else None


def _by_code(places: QuerySet[Place], text: str) -> Place | None:
    """The place of ``places`` whose ISO code or P-code is ``text``, in any case.

    Codes are kept in upper case (the forms and importers write them so). The places with
    that code or P-code (two at most: each is unique) are found from their indexes first,
    then kept only if ``places`` holds them. Asked together, the database would read every
    place of the reader's subtree and compare each code without regard to case (5,600
    places for a country at ten times the bench's scale). A code in another case is looked
    for that way, when the first finds nothing."""
    upper = text.upper()
    coded = places.model._base_manager.filter(Q(code=upper) | Q(pcode=upper))
    keys = list(coded.values_list("pk", flat=True))
    found = places.filter(pk__in=keys).first() if keys else None
    if found is None:
        found = places.filter(Q(code__iexact=text) | Q(pcode__iexact=text)).first()
    return found


def place_contexts(places: Iterable[Place], user) -> dict[int, str]:
    """Each place's "where": the names of the places above it that ``user`` may see, nearest
    first ("Lilongwe City, Lilongwe, Central Region, Malawi"), in one query; the root of the
    tree ("World") says nothing."""
    places = list(places)
    above = {path for place in places for path in ancestor_paths(place.path)}
    names = dict(
        Place.objects.visible_to(user, "view")
        .filter(path__in=above, depth__gt=0)
        .values_list("path", "name")
    )
    return {
        place.pk: ", ".join(
            names[path] for path in reversed(ancestor_paths(place.path)) if path in names
        )
        for place in places
    }


# --- regional hubs ------------------------------------------------------------------------------


def hubs_for(user) -> QuerySet[Hub]:
    """Hubs holding a place inside the subtrees the user may view (not merely above them):
    the hubs whose picture they can give, at least in part."""
    reach = Place.objects.filter(scope_for(user, "view", Place).as_q("path", None))
    return Hub.objects.filter(places__in=reach).distinct().order_by("name")


# The paths of every hub's places: a network's hubs hold a few countries or regions each.
_HUB_PLACE_PATHS = FixedRead(
    Hub.places.through,
    lambda _values: Hub.places.through.objects.values_list("place__path"),
    ({}, {}),
)


def sees_any_hub(user) -> bool:
    """Whether :func:`hubs_for` holds any hub for ``user``: the same rule, decided from the
    hubs' place paths and the user's scope. The 3W and directory filters ask it on every
    page, and the ORM spent five times the database's time on the joined, distinct query."""
    scope = scope_for(user, "view", Place)
    return any(scope.admits(path, None, has_tlp=False) for (path,) in _HUB_PLACE_PATHS.rows())


def default_hub_for(user) -> Hub | None:
    """The hub whose places are the highest places the user may see, when there are several
    of them (a hub officer's countries): their natural starting point, rather than the first
    of those countries."""
    tops = list(top_places_for(user).values_list("pk", flat=True))
    if len(tops) < 2:
        return None
    return (
        Hub.objects.filter(places__in=tops)
        .annotate(held=Count("places", distinct=True))
        .filter(held=len(tops))
        .order_by("name")
        .first()
    )

"""What a page's map shows: the places it lists that have a boundary or point, as GeoJSON.

The page decides which places it lists and what to say of each (a name, a count, a link),
from the scoped selectors it already uses; :func:`map_of` draws only those of them the reader
may see, so a map never tells more than the page's list does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from bridgework.core.paths import subtrees_q

from .geometry import compact_for_map
from .models import Place, PlaceShape

__all__ = ["MapEntry", "PlaceMap", "any_shape_within", "map_of"]


@dataclass(frozen=True)
class MapEntry:
    """One place as a page's map shows it."""

    label: str  # what the place is called here ("Kawale: 3 organisations")
    url: str = ""  # where clicking it leads ("" for the page's own place)
    count: int | None = None  # shades the place, relative to the others (3W counts)
    focus: bool = False  # the place the page is about, drawn as an outline under the others


@dataclass(frozen=True)
class PlaceMap:
    """A map for a template (``places/_map.html``): its element id, its accessible name, a
    sentence under it, and the features."""

    dom_id: str
    label: str
    caption: str
    collection: dict[str, Any] = field(repr=False)
    tile_url: str = field(default_factory=lambda: settings.MAP_TILE_URL)
    tile_attribution: str = field(default_factory=lambda: settings.MAP_TILE_ATTRIBUTION)

    @property
    def data_id(self) -> str:
        return f"{self.dom_id}-data"


def any_shape_within(paths: list[str]) -> bool:
    """Whether any place in these subtrees has a boundary or point: a page whose map would be
    empty skips the reads that would label it (one index range on the places' paths)."""
    return PlaceShape.objects.filter(subtrees_q("place__path", paths)).exists()


def map_of(
    user, entries: dict[int, MapEntry], *, dom_id: str, label: str, caption: str
) -> PlaceMap | None:
    """A map of the places in ``entries`` (place pk → what to show) that ``user`` may see
    and that have a boundary or a point; None when none of them has (the page shows no map).
    The page's own place comes first, so the others are drawn over it and can be clicked."""
    if not entries:
        return None
    visible = Place.objects.visible_to(user, "view").filter(pk__in=list(entries))
    rows = sorted(
        PlaceShape.objects.filter(place__in=visible).values_list("place_id", "geometry"),
        key=lambda row: (not entries[row[0]].focus, entries[row[0]].label),
    )
    if not rows:
        return None
    geometries = compact_for_map(geometry for _pk, geometry in rows)
    features = []
    for (pk, _geometry), geometry in zip(rows, geometries, strict=True):
        entry = entries[pk]
        properties: dict[str, Any] = {"label": entry.label, "url": entry.url}
        if entry.count is not None:
            properties["count"] = entry.count
        if entry.focus:
            properties["focus"] = True
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return PlaceMap(dom_id, label, caption, {"type": "FeatureCollection", "features": features})

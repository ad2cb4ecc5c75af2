"""Place boundaries and points as GeoJSON geometries (RFC 7946: WGS 84 longitude, latitude).

Bridgework draws maps, it is not a GIS: a boundary is kept simplified to what a map of
districts needs (about 100 m), and simplified again for each map to the scale it is drawn at,
so that a page showing two hundred districts stays small. Shapely does the geometry.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import shapely
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

__all__ = [
    "GEOMETRY_TYPES",
    "MAX_STORED_POSITIONS",
    "compact_for_map",
    "count_positions",
    "prepare_geometry",
    "validate_geometry",
]

GEOMETRY_TYPES = ("Point", "Polygon", "MultiPolygon")
# What one place may keep once simplified: a district is a few hundred points at 100 m.
MAX_STORED_POSITIONS = 5_000
# What one feature of an import may bring before simplification.
MAX_GIVEN_POSITIONS = 500_000
STORED_TOLERANCE = 0.001  # degrees, about 100 m at the equator
STORED_GRID = 0.0001  # coordinates kept to 4 decimals (about 11 m)
# A map is drawn about this many pixels wide: detail finer than one pixel is left out.
MAP_PIXELS = 800


def count_positions(coordinates: Any) -> int:
    """How many positions nested ``coordinates`` hold (a position is a list of numbers)."""
    if isinstance(coordinates, list | tuple) and coordinates:
        if not isinstance(coordinates[0], list | tuple):
            return 1
        return sum(count_positions(part) for part in coordinates)
    return 0


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _position_problem(position: Any) -> str | None:
    if not isinstance(position, list | tuple) or not 2 <= len(position) <= 3:
        return _("A position must be a pair of numbers: longitude, latitude.")
    if not all(_is_number(n) for n in position):
        return _("A position must be a pair of numbers: longitude, latitude.")
    longitude, latitude = position[0], position[1]
    if not -180 <= longitude <= 180 or not -90 <= latitude <= 90:
        return _(
            "The position %(position)s lies outside longitude −180…180, latitude −90…90 "
            "(GeoJSON gives longitude first, in degrees)."
        ) % {"position": f"[{longitude}, {latitude}]"}
    return None


def _ring_problem(ring: Any) -> str | None:
    if not isinstance(ring, list) or len(ring) < 4:
        return _("A polygon's ring needs at least four positions.")
    for position in ring:
        problem = _position_problem(position)
        if problem:
            return problem
    if list(ring[0][:2]) != list(ring[-1][:2]):
        return _("A polygon's ring must end where it starts.")
    return None


def _polygon_problem(rings: Any) -> str | None:
    if not isinstance(rings, list) or not rings:
        return _("A polygon needs at least one ring.")
    for ring in rings:
        problem = _ring_problem(ring)
        if problem:
            return problem
    return None


def _structure_problem(value: Any, max_positions: int) -> str | None:
    """What is wrong with the shape of the JSON itself, before any geometry is built."""
    if not isinstance(value, dict):
        return _("A geometry must be a GeoJSON object.")
    kind = value.get("type")
    if kind not in GEOMETRY_TYPES:
        return _("The geometry type must be Point, Polygon or MultiPolygon, not %(type)s.") % {
            "type": kind if isinstance(kind, str) else "-"
        }
    coordinates = value.get("coordinates")
    if kind == "Point":
        return _position_problem(coordinates)
    # The nesting is checked level by level before anything is counted.
    if kind == "Polygon":
        problem = _polygon_problem(coordinates)
    elif not isinstance(coordinates, list) or not coordinates:
        problem = _("A multipolygon needs at least one polygon.")
    else:
        problem = next(filter(None, map(_polygon_problem, coordinates)), None)
    if problem is None and count_positions(coordinates) > max_positions:
        problem = _("The geometry has more than %(limit)s positions.") % {"limit": max_positions}
    return problem


def _validity_problem(geometry: BaseGeometry) -> str | None:
    if geometry.is_empty:
        return _("The geometry is empty.")
    if not geometry.is_valid:
        return _("The boundary is not a valid polygon: %(reason)s.") % {
            "reason": shapely.is_valid_reason(geometry)
        }
    return None


def validate_geometry(value: Any) -> None:
    """A stored geometry: a Point, Polygon or MultiPolygon within the world's coordinates, a
    valid polygon (no self-intersection), at most :data:`MAX_STORED_POSITIONS` positions."""
    problem = _structure_problem(value, MAX_STORED_POSITIONS)
    if problem is None:
        problem = _validity_problem(shape(value))
    if problem:
        raise ValidationError(problem, code="invalid_geometry")


def _polygonal(geometry: BaseGeometry) -> BaseGeometry:
    """The polygons of a repaired geometry (make_valid may leave stray lines and points)."""
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [
        part
        for part in getattr(geometry, "geoms", [])
        if part.geom_type in ("Polygon", "MultiPolygon")
    ]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _as_geojson(geometry: BaseGeometry, digits: int) -> dict[str, Any]:
    """GeoJSON with each number rounded: the grid already placed them, this only drops the
    float noise (33.787000000000006) from the text."""

    def rounded(value: Any) -> Any:
        if isinstance(value, list | tuple):
            return [rounded(part) for part in value]
        return round(value, digits)

    data = mapping(geometry)
    return {"type": data["type"], "coordinates": rounded(data["coordinates"])}


def prepare_geometry(value: Any) -> dict[str, Any]:
    """A geometry as given (an import's feature) made ready to keep: checked, a self-touching
    boundary repaired, simplified to about 100 m, coordinates on a 4-decimal grid. Raises
    ValidationError saying what is wrong."""
    problem = _structure_problem(value, MAX_GIVEN_POSITIONS)
    if problem:
        raise ValidationError(problem, code="invalid_geometry")
    geometry = shape(value)
    if geometry.geom_type != "Point":
        if not geometry.is_valid:
            geometry = _polygonal(shapely.make_valid(geometry))
        geometry = geometry.simplify(STORED_TOLERANCE, preserve_topology=True)
        geometry = _polygonal(shapely.set_precision(geometry, STORED_GRID))
    else:
        geometry = shapely.set_precision(geometry, STORED_GRID)
    if geometry.is_empty:
        raise ValidationError(_("The boundary is too small to draw."), code="invalid_geometry")
    prepared = _as_geojson(geometry, 4)
    validate_geometry(prepared)
    return prepared


def compact_for_map(geometries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The geometries simplified for one map of all of them: detail below one pixel of a map
    :data:`MAP_PIXELS` wide showing their whole extent is left out, and coordinates are
    rounded to that precision. Points stay points."""
    shapes = [shape(geometry) for geometry in geometries]
    if not shapes:
        return []
    west, south, east, north = shapely.total_bounds(shapes)
    pixel = max(east - west, north - south) / MAP_PIXELS
    if pixel <= STORED_GRID:  # one small place: as kept
        return [_as_geojson(geometry, 4) for geometry in shapes]
    digits = min(4, max(0, -math.floor(math.log10(pixel))))
    compact = []
    for geometry in shapes:
        if geometry.geom_type != "Point":
            simpler = geometry.simplify(pixel, preserve_topology=True)
            # Too small to see at this scale: draw it as kept rather than not at all.
            geometry = simpler if not simpler.is_empty else geometry
        compact.append(_as_geojson(geometry, digits))
    return compact

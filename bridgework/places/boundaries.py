"""GeoJSON boundary import, beside the COD gazetteer: a FeatureCollection whose features name
the place they draw by its P-code or ISO 3166 code in one of their properties.

Only places already in the tree are given boundaries (the gazetteer import creates places);
a feature naming no place the importer may see is reported as unknown, one naming a place they
may see but not change is reported as refused, a broken geometry as invalid. The good ones are
saved together, each audited as the importer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .actions import do_set_place_shape
from .geometry import prepare_geometry
from .models import Place, PlaceShape

__all__ = [
    "CODE_PROPERTIES",
    "MAX_FEATURES",
    "MAX_FILE_BYTES",
    "BoundaryFileError",
    "BoundaryImport",
    "FeatureOutcome",
    "import_boundaries",
    "read_features",
]

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_FEATURES = 5_000
# Where the place's code is looked for when the importer names no property: the usual names
# in COD boundary files (deepest level first), geoBoundaries, and plain ones.
CODE_PROPERTIES = (
    "pcode",
    "PCODE",
    "code",
    "ADM4_PCODE",
    "ADM3_PCODE",
    "ADM2_PCODE",
    "ADM1_PCODE",
    "ADM0_PCODE",
    "shapeISO",
    "iso_3166_2",
    "ISO",
)

STATUS_LABELS = {
    "set": gettext_lazy("boundary set"),
    "unchanged": gettext_lazy("unchanged"),
    "unknown": gettext_lazy("no such place"),
    "refused": gettext_lazy("not yours to change"),
    "invalid": gettext_lazy("invalid"),
}


class BoundaryFileError(Exception):
    """The file as a whole cannot be read as GeoJSON features; nothing was saved."""


@dataclass
class FeatureOutcome:
    number: int  # 1-based, in the file's order
    code: str
    status: str  # a key of STATUS_LABELS
    place: Place | None = None
    message: str = ""

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


@dataclass
class BoundaryImport:
    outcomes: list[FeatureOutcome] = field(default_factory=list)
    dry_run: bool = False

    def count(self, status: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def counts(self) -> dict[str, int]:
        return {status: self.count(status) for status in STATUS_LABELS}

    @property
    def problems(self) -> list[FeatureOutcome]:
        return [o for o in self.outcomes if o.status in ("unknown", "refused", "invalid")]

    def __str__(self) -> str:
        return (
            _(
                "%(set)s set, %(unchanged)s unchanged, %(unknown)s unknown, "
                "%(refused)s refused, %(invalid)s invalid"
            )
            % self.counts
        )


def read_features(data: bytes | str) -> list[dict[str, Any]]:
    """The features of a GeoJSON FeatureCollection (or of a single Feature)."""
    if len(data) > MAX_FILE_BYTES:
        raise BoundaryFileError(
            _("The file is larger than %(size)s MB.") % {"size": MAX_FILE_BYTES // (1024 * 1024)}
        )
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise BoundaryFileError(_("The file is not JSON: %(reason)s.") % {"reason": exc}) from exc
    if isinstance(document, dict) and document.get("type") == "Feature":
        document = {"type": "FeatureCollection", "features": [document]}
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise BoundaryFileError(_("The file is not a GeoJSON FeatureCollection."))
    features = document.get("features")
    if not isinstance(features, list) or not features:
        raise BoundaryFileError(_("The file has no features."))
    if len(features) > MAX_FEATURES:
        raise BoundaryFileError(
            _("The file has more than %(limit)s features.") % {"limit": MAX_FEATURES}
        )
    return features


def _properties(feature: Any) -> dict[str, Any]:
    if isinstance(feature, dict) and isinstance(feature.get("properties"), dict):
        return feature["properties"]
    return {}


def _code_of(feature: Any, code_property: str) -> str:
    properties = _properties(feature)
    names = (code_property,) if code_property else CODE_PROPERTIES
    for name in names:
        value = properties.get(name)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            return str(value).strip().upper()
    return ""


def _places_by_code(codes: set[str], user, action: str) -> dict[str, Place]:
    """The places having one of ``codes`` as P-code or ISO code, among those ``user`` may do
    ``action`` on (all of them for an import run without a user)."""
    places = Place.objects.visible_to(user, action) if user is not None else Place.objects.all()
    found: dict[str, Place] = {}
    for place in places.filter(Q(pcode__in=codes) | Q(code__in=codes)):
        for code in (place.pcode, place.code):
            if code in codes:
                found.setdefault(code, place)
    return found


@transaction.atomic
def import_boundaries(
    data: bytes | str,
    *,
    code_property: str = "",
    source: str = "",
    acting_user=None,
    dry_run: bool = False,
) -> BoundaryImport:
    """Give the places named in a GeoJSON file their boundaries (or points). ``acting_user``
    is None for the management command, which may change every place. Raises
    :class:`BoundaryFileError` for a file that cannot be read; bad features are reported in
    the result, the good ones saved (none when ``dry_run``)."""
    features = read_features(data)
    codes = {_code_of(feature, code_property) for feature in features} - {""}
    changeable = _places_by_code(codes, acting_user, "change")
    visible = _places_by_code(codes, acting_user, "view") if acting_user is not None else {}
    result = BoundaryImport(dry_run=dry_run)
    done: dict[int, int] = {}  # place pk -> the feature that gave its boundary
    for number, feature in enumerate(features, start=1):
        code = _code_of(feature, code_property)
        outcome = FeatureOutcome(number, code, "invalid")
        result.outcomes.append(outcome)
        if not code:
            outcome.message = (
                _("No property %(name)s.") % {"name": code_property}
                if code_property
                else _("No property naming the place's code (pcode, code, ADM2_PCODE…).")
            )
            continue
        place = changeable.get(code)
        if place is None:
            # A place the importer may not even see is reported exactly as a missing one.
            outcome.status = "refused" if code in visible else "unknown"
            continue
        outcome.place = place
        if place.pk in done:
            outcome.message = _("Feature %(number)s already gave this place its boundary.") % {
                "number": done[place.pk]
            }
            continue
        try:
            geometry = prepare_geometry(feature.get("geometry"))
        except ValidationError as exc:
            outcome.message = " ".join(exc.messages)
            continue
        done[place.pk] = number
        if dry_run:
            kept = PlaceShape.objects.filter(place=place).values_list("geometry", flat=True)
            changed = kept.first() != geometry
        else:
            changed = do_set_place_shape(place, geometry, source=source, acting_user=acting_user)
        outcome.status = "set" if changed else "unchanged"
    return result

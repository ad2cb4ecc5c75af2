"""Gazetteer imports: ISO 3166-2 subdivisions (from pycountry) and OCHA COD tables.

Both are idempotent (a second run changes nothing) and atomic (a bad file saves nothing).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import groupby
from operator import attrgetter
from pathlib import Path
from typing import Any

import pycountry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bridgework.core.audit import log_bulk_created
from bridgework.core.paths import child_path, decode_segment, depth_of
from bridgework.core.tabular import read_table

from .models import Place, PlaceLevel

depth_key = attrgetter("depth")

__all__ = [
    "CodImportError",
    "ImportSummary",
    "RowError",
    "import_cod",
    "import_iso3166",
    "world",
]

WORLD_NAME = "World"
MAX_ADMIN_LEVEL = 4


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    levels: int = 0

    def __str__(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.levels} level names set"
        )


class _Tree:
    """In-memory view of the tree used by imports: allocates child paths without a query each."""

    def __init__(self) -> None:
        self.pending: list[Place] = []  # created with defer=True, not yet saved
        self._load()

    def _load(self) -> None:
        self.by_code: dict[str, Place] = {}
        self.by_pcode: dict[str, Place] = {}
        self.next_child: dict[str, int] = defaultdict(lambda: 1)
        self.children_by_name: dict[tuple[int, str], Place] = {}
        for place in Place.objects.all().only(
            "pk",
            "name",
            "code",
            "pcode",
            "path",
            "parent_id",
            "depth",
            "country_code",
            "opened_on",
        ):
            self._remember(place)

    def _remember(self, place: Place) -> None:
        if place.code:
            self.by_code[place.code] = place
        if place.pcode:
            self.by_pcode[place.pcode] = place
        segments = place.path.strip("/").split("/")
        parent_path = "/" + "/".join(segments[:-1]) + "/" if len(segments) > 1 else "/"
        number = decode_segment(segments[-1])
        self.next_child[parent_path] = max(self.next_child[parent_path], number + 1)
        if place.parent_id:  # not yet for a place whose parent is still pending
            self.children_by_name[(place.parent_id, place.name.casefold())] = place

    def create(
        self, *, parent: Place | None, summary: ImportSummary, defer: bool = False, **fields
    ) -> Place:
        """A new place under ``parent``, saved now, or with ``defer`` kept for
        :meth:`save_pending` (thousands of places in a few INSERTs instead of one each)."""
        parent_path = parent.path if parent else "/"
        path = child_path(parent_path, self.next_child[parent_path])
        place = Place(parent=parent, path=path, depth=depth_of(path), **fields)
        if parent is not None and parent.country_code:
            place.country_code = parent.country_code
        _check_fields(place)
        if defer:
            self.pending.append(place)
        else:
            place.save()
        self._remember(place)
        summary.created += 1
        return place

    def save_pending(self) -> None:
        """Insert the places created with ``defer``, each level before the one below it (a
        child needs its parent's id), and write each one's audit entry."""
        pending, self.pending = self.pending, []
        for _depth, level in groupby(sorted(pending, key=depth_key), key=depth_key):
            Place.objects.bulk_create(list(level), batch_size=500)
        for place in pending:
            self._remember(place)
        log_bulk_created(pending)

    def update(self, place: Place, summary: ImportSummary, **fields) -> Place:
        changed = {
            key: value
            for key, value in fields.items()
            if (
                place.parent_id != (value.pk if value else None)
                if key == "parent"
                else getattr(place, key) != value
            )
        }
        if not changed:
            summary.unchanged += 1
            return place
        if "parent" in changed:
            # A moved subdivision: delegate to the action that keeps the subtree consistent.
            self.save_pending()  # its new parent may be one of them
            from .actions import do_update_place

            for key, value in changed.items():
                setattr(place, key, value)
            do_update_place(place)
            self._load()  # paths below it changed
        else:
            for key, value in changed.items():
                setattr(place, key, value)
            _check_fields(place)
            place.save(update_fields=list(changed))
        summary.updated += 1
        return place

    def child_named(self, parent: Place, name: str) -> Place | None:
        """A child of that name not yet given a P-code (e.g. one imported from ISO 3166-2)."""
        place = self.children_by_name.get((parent.pk, name.casefold()))
        return place if place is not None and not place.pcode else None


def _check_fields(place: Place) -> None:
    """The model's own rules for a place's values (lengths, NUL, dates), as a form would apply
    them. The parent and uniqueness are the tree's to guarantee (it finds a place by code and
    P-code before creating one), which spares a query per place."""
    place.full_clean(
        exclude=["parent", "succeeds"], validate_unique=False, validate_constraints=False
    )


def world(tree: _Tree | None = None, summary: ImportSummary | None = None) -> Place:
    """The single root of the tree, created on first use."""
    root = Place.objects.filter(parent__isnull=True, depth=0).order_by("path").first()
    if root is not None:
        return root
    tree = tree or _Tree()
    return tree.create(parent=None, summary=summary or ImportSummary(), name=WORLD_NAME)


def _set_level(country_code: str, depth: int, name: str, summary: ImportSummary) -> None:
    name = name[:200]
    level, created = PlaceLevel.objects.get_or_create(
        country_code=country_code, depth=depth, defaults={"name": name}
    )
    if created or level.name != name:
        level.name = name
        level.save()
        summary.levels += 1


# --- ISO 3166 -------------------------------------------------------------------------------


def _parent_code(subdivision) -> str | None:
    parent = getattr(subdivision, "parent_code", None)
    if not parent:
        return None
    # Older pycountry data gives the parent without the country prefix.
    return parent if "-" in parent else f"{subdivision.country_code}-{parent}"


def _ordered_subdivisions(subdivisions: list) -> Iterator:
    """Parents before their children."""
    by_code = {s.code: s for s in subdivisions}
    done: set[str] = set()

    def visit(sub, trail=()):
        if sub.code in done or sub.code in trail:
            return
        parent = _parent_code(sub)
        if parent in by_code:
            yield from visit(by_code[parent], (*trail, sub.code))
        done.add(sub.code)
        yield sub

    for sub in sorted(subdivisions, key=lambda s: s.code):
        yield from visit(sub)


@transaction.atomic
def import_iso3166(country_codes: Iterable[str] | None = None) -> ImportSummary:
    """Every country (or those named) and its ISO 3166-2 subdivisions, with parent links."""
    summary = ImportSummary()
    tree = _Tree()
    root = world(tree, summary)
    wanted = {code.upper() for code in country_codes} if country_codes else None
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        if wanted is not None and country.alpha_2 not in wanted:
            continue
        name = getattr(country, "common_name", None) or country.name
        place = tree.by_code.get(country.alpha_2)
        if place is None:
            place = tree.create(
                parent=root,
                summary=summary,
                name=name,
                code=country.alpha_2,
                country_code=country.alpha_2,
            )
        else:
            tree.update(place, summary, name=name)
        _set_level(country.alpha_2, 1, "Country", summary)
        _import_subdivisions(country.alpha_2, place, tree, summary)
    if wanted:
        unknown = wanted - {c.alpha_2 for c in pycountry.countries}
        if unknown:
            raise ValueError(_("Unknown country codes: %s") % ", ".join(sorted(unknown)))
    return summary


def _import_subdivisions(alpha_2: str, country: Place, tree: _Tree, summary: ImportSummary):
    subdivisions = list(pycountry.subdivisions.get(country_code=alpha_2) or [])
    types_by_depth: dict[int, Counter] = defaultdict(Counter)
    for sub in _ordered_subdivisions(subdivisions):
        parent_code = _parent_code(sub)
        parent = tree.by_code.get(parent_code) if parent_code else None
        if parent is None or not parent.path.startswith(country.path):
            parent = country
        place = tree.by_code.get(sub.code)
        if place is None:
            place = tree.create(
                parent=parent, summary=summary, name=sub.name, code=sub.code, defer=True
            )
        else:
            place = tree.update(place, summary, name=sub.name, parent=parent)
        types_by_depth[place.depth][sub.type] += 1
    tree.save_pending()
    for depth, types in types_by_depth.items():
        _set_level(alpha_2, depth, " / ".join(sorted(types)), summary)


# --- OCHA COD gazetteer ---------------------------------------------------------------------

PCODE_RE = re.compile(r"^[A-Z]{2,3}[A-Z0-9]*$")


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("Row %(row)s, column %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class CodImportError(Exception):
    errors: list[RowError] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)


@dataclass(frozen=True)
class _Unit:
    level: int
    pcode: str
    name: str
    parent_pcode: str | None
    row: int


def _refused_values(row: int, level: int, **values: str) -> list[RowError]:
    """What the place model refuses in a unit's name and P-code (the messages a form gives),
    as the row's ``ADMn_EN`` and ``ADMn_PCODE`` columns."""
    columns = {"name": f"ADM{level}_EN", "pcode": f"ADM{level}_PCODE"}
    others = [f.name for f in Place._meta.fields if f.name not in values]
    try:
        Place(**values).clean_fields(exclude=others)
    except ValidationError as exc:
        return [
            RowError(row, columns.get(name, "-"), message)
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return []


def _validate_cod(rows: list[dict[str, str]]) -> tuple[list[_Unit], list[RowError]]:
    errors: list[RowError] = []
    if not rows:
        return [], [RowError(1, "-", _("The file has no data rows."))]
    columns = set(rows[0])
    if "ADM0_PCODE" not in columns:
        errors.append(RowError(1, "ADM0_PCODE", _("This column is required.")))
    levels = [n for n in range(1, MAX_ADMIN_LEVEL + 1) if f"ADM{n}_PCODE" in columns]
    for n in levels:
        if f"ADM{n}_EN" not in columns:
            errors.append(
                RowError(
                    1, f"ADM{n}_EN", _("This column is required with ADM%(n)s_PCODE.") % {"n": n}
                )
            )
    if errors:
        return [], errors

    seen: dict[str, _Unit] = {}
    units: list[_Unit] = []
    for index, row in enumerate(rows, start=2):  # row 1 is the header
        adm0 = row.get("ADM0_PCODE", "").upper()
        if not adm0:
            errors.append(RowError(index, "ADM0_PCODE", _("Missing country code.")))
        elif pycountry.countries.get(alpha_2=adm0) is None:
            errors.append(
                RowError(index, "ADM0_PCODE", _("'%s' is not an ISO 3166-1 alpha-2 code.") % adm0)
            )
        parent = adm0
        deepest_seen = True
        for n in levels:
            pcode = row.get(f"ADM{n}_PCODE", "").upper()
            name = row.get(f"ADM{n}_EN", "")
            if not pcode and not name:
                deepest_seen = False
                continue
            if not deepest_seen:
                errors.append(
                    RowError(index, f"ADM{n}_PCODE", _("A level is filled below an empty level."))
                )
            if not pcode:
                errors.append(
                    RowError(index, f"ADM{n}_PCODE", _("Missing P-code for '%s'.") % name)
                )
                continue
            if not PCODE_RE.match(pcode):
                errors.append(
                    RowError(index, f"ADM{n}_PCODE", _("'%s' is not a valid P-code.") % pcode)
                )
                continue
            if not name:
                errors.append(RowError(index, f"ADM{n}_EN", _("Missing name for %s.") % pcode))
                continue
            refused = _refused_values(index, n, name=name, pcode=pcode)
            if refused:
                errors += refused
                continue
            unit = _Unit(n, pcode, name, parent, index)
            known = seen.get(pcode)
            if known is None:
                seen[pcode] = unit
                units.append(unit)
            elif (known.level, known.name, known.parent_pcode) != (n, name, parent):
                errors.append(
                    RowError(
                        index,
                        f"ADM{n}_PCODE",
                        _("%(pcode)s was '%(name)s' under %(parent)s on row %(row)s.")
                        % {
                            "pcode": pcode,
                            "name": known.name,
                            "parent": known.parent_pcode,
                            "row": known.row,
                        },
                    )
                )
            parent = pcode
    return units, errors


@transaction.atomic
def import_cod(
    source: str | Path | bytes,
    *,
    filename: str = "",
    level_names: list[str] | None = None,
) -> ImportSummary:
    """Import a COD administrative-boundary table. Raises :class:`CodImportError` with one
    message per bad row and column, having saved nothing."""
    rows = read_table(source, filename)
    units, errors = _validate_cod(rows)
    countries = {row.get("ADM0_PCODE", "").upper() for row in rows} - {""}
    tree = _Tree()
    summary = ImportSummary()
    for unit in units:
        existing = tree.by_pcode.get(unit.pcode)
        if (
            existing is not None
            and existing.country_code
            and existing.country_code not in countries
        ):
            errors.append(
                RowError(
                    unit.row,
                    f"ADM{unit.level}_PCODE",
                    _("%s already belongs to another country.") % unit.pcode,
                )
            )
    if errors:
        raise CodImportError(errors)

    root = world(tree, summary)
    for alpha_2 in sorted(countries):
        if alpha_2 not in tree.by_code:
            country: Any = pycountry.countries.get(alpha_2=alpha_2)
            tree.create(
                parent=root,
                summary=summary,
                code=alpha_2,
                country_code=alpha_2,
                name=getattr(country, "common_name", None) or country.name,
            )
    depth_by_level: dict[tuple[str, int], int] = {}
    for unit in units:
        parent_code = unit.parent_pcode or ""
        parent = tree.by_pcode.get(parent_code) or tree.by_code[parent_code]
        place = tree.by_pcode.get(unit.pcode) or tree.child_named(parent, unit.name)
        if place is None:
            place = tree.create(parent=parent, summary=summary, name=unit.name, pcode=unit.pcode)
        else:
            place = tree.update(place, summary, name=unit.name, pcode=unit.pcode, parent=parent)
            tree.by_pcode[unit.pcode] = place
        depth_by_level[(place.country_code, unit.level)] = place.depth
    if level_names:
        for (alpha_2, level), depth in depth_by_level.items():
            if level <= len(level_names) and level_names[level - 1].strip():
                _set_level(alpha_2, depth, level_names[level - 1].strip(), summary)
    return summary

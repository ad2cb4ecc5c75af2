"""The stored 3W roll-up (:class:`~bridgework.actors.models.OrganisationReach`): built from the
organisations, their areas of work and their themes, and kept in step with them.

An organisation's rows are always rewritten whole (deleted, then inserted from its current
areas and themes): after any write that may touch them the actors' actions call
:func:`refresh_reach` with the organisations concerned, inside the write's transaction. An
organisation's delete removes its rows by cascade; a theme's delete too, and its holders' rows
are then rewritten (``ActorsConfig``'s signals). :func:`rebuild_reach` writes the whole
table again from the source rows (``bridgework rebuild_3w``, the data migration, the bench
generator's bulk inserts); :func:`follow_subtree_move` answers a place moving in the tree.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.db import models

from bridgework.core.paths import ancestor_paths, subtree_q

__all__ = [
    "REACH_COLUMNS",
    "ReachModels",
    "follow_subtree_move",
    "rebuild_reach",
    "refresh_reach",
    "reach_rows",
]

CHUNK = 2_000  # organisations read per round; rows go in by ``BATCH``
BATCH = 2_000


# Every column of a roll-up row: what a rebuild's check and the tests compare.
REACH_COLUMNS = (
    "place_id",
    "place_path",
    "organisation_id",
    "theme_id",
    "sector",
    "level",
    "tlp",
    "org_path",
    "first",
    "works_here",
)


@dataclass(frozen=True)
class ReachModels:
    """The models the roll-up is built from and into: the current ones, or a migration's
    historical ones (a data migration may not import the current models)."""

    organisation: Any
    area: Any
    place: Any
    reach: Any

    @classmethod
    def current(cls) -> ReachModels:
        from bridgework.places.models import Place

        from .models import Organisation, OrganisationArea, OrganisationReach

        return cls(Organisation, OrganisationArea, Place, OrganisationReach)

    @property
    def theme_link(self) -> Any:
        return self.organisation.themes.through


def reach_rows(
    org_ids: Iterable[int], m: ReachModels, place_ids: dict[str, int] | None = None
) -> Iterator[Any]:
    """The roll-up rows of the organisations ``org_ids`` (unsaved), from their current areas
    and themes. ``place_ids`` (path → place id) is a cache shared across calls."""
    ids = list(org_ids)
    if place_ids is None:
        place_ids = {}
    orgs = m.organisation.objects.filter(pk__in=ids).values_list(
        "pk", "sector", "level", "tlp", "place_path"
    )
    areas: dict[int, dict[str, int]] = {}
    for org_id, place_id, path in m.area.objects.filter(organisation_id__in=ids).values_list(
        "organisation_id", "place_id", "place_path"
    ):
        areas.setdefault(org_id, {})[path] = place_id
        place_ids[path] = place_id
    themes: dict[int, list[int]] = {}
    for org_id, theme_id in m.theme_link.objects.filter(organisation_id__in=ids).values_list(
        "organisation_id", "theme_id"
    ):
        themes.setdefault(org_id, []).append(theme_id)
    above = {a for where in areas.values() for p in where for a in ancestor_paths(p)}
    missing = above - place_ids.keys()
    if missing:
        place_ids.update(m.place.objects.filter(path__in=missing).values_list("path", "id"))
    for org_id, sector, level, tlp, org_path in orgs:
        where = areas.get(org_id, {})
        reached = {a for p in where for a in ancestor_paths(p)} | where.keys()
        org_themes: list[int | None] = [*sorted(themes.get(org_id, []))] or [None]
        for path in sorted(reached):
            place_id = place_ids.get(path)
            if place_id is None:  # a path with no place (cannot happen in a sound tree)
                continue
            for n, theme_id in enumerate(org_themes):
                yield m.reach(
                    place_id=place_id,
                    place_path=path,
                    organisation_id=org_id,
                    theme_id=theme_id,
                    sector=sector,
                    level=level,
                    tlp=tlp,
                    org_path=org_path,
                    first=n == 0,
                    works_here=path in where,
                )


def _insert(rows: Iterator[Any], m: ReachModels) -> int:
    written = 0
    while batch := list(islice(rows, BATCH)):
        m.reach.objects.bulk_create(batch)
        written += len(batch)
    return written


def refresh_reach(org_ids: Iterable[int], m: ReachModels | None = None) -> int:
    """Rewrite the roll-up rows of the organisations ``org_ids`` from their areas and themes
    (none for an organisation that no longer exists). Returns the rows written."""
    m = m or ReachModels.current()
    ids = sorted(set(org_ids))
    written = 0
    place_ids: dict[str, int] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        m.reach.objects.filter(organisation_id__in=chunk).delete()
        written += _insert(reach_rows(chunk, m, place_ids), m)
    return written


def rebuild_reach(m: ReachModels | None = None) -> int:
    """Write the whole roll-up again from the organisations, areas and themes. Returns the
    rows written. Run it inside a transaction (readers then never see it half built)."""
    m = m or ReachModels.current()
    m.reach.objects.all().delete()
    ids = m.organisation.objects.order_by("pk").values_list("pk", flat=True)
    place_ids: dict[str, int] = {}
    written = 0
    last = 0
    while chunk := list(ids.filter(pk__gt=last)[:CHUNK]):
        written += _insert(reach_rows(chunk, m, place_ids), m)
        last = chunk[-1]
    return written


def follow_subtree_move(old_prefix: str, new_prefix: str) -> int:
    """A place moved from ``old_prefix`` to ``new_prefix`` (with its subtree, whose records'
    paths have been rewritten): the areas of work under it take their new paths, and every
    organisation with a row under the old path or an area or home under the new one gets
    its rows rewritten. Returns the organisations refreshed."""
    from django.db.models.functions import Concat, Substr

    m = ReachModels.current()
    m.area.objects.filter(subtree_q("place_path", old_prefix)).update(
        place_path=Concat(models.Value(new_prefix), Substr("place_path", len(old_prefix) + 1))
    )
    touched = (
        set(
            m.reach.objects.filter(subtree_q("place_path", old_prefix)).values_list(
                "organisation_id", flat=True
            )
        )
        | set(
            m.area.objects.filter(subtree_q("place_path", new_prefix)).values_list(
                "organisation_id", flat=True
            )
        )
        | set(
            m.organisation.objects.filter(subtree_q("place_path", new_prefix)).values_list(
                "pk", flat=True
            )
        )
    )
    refresh_reach(touched, m)
    return len(touched)

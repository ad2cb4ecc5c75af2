"""Reads of the who-does-what-where map. Every function takes the acting user and returns only
what that user may see; aggregates run in SQL so they stay cheap at national scale."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from itertools import islice
from typing import TYPE_CHECKING, Any, NamedTuple, TypedDict

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import Substr

from bridgework.access.policy import Sight, sight_for
from bridgework.activity.selectors import shown_changes
from bridgework.core.paths import ancestor_paths, prefix_length, subtree_bounds, subtrees_q
from bridgework.core.plain_reads import (
    instances_by_pk,
    linked_values,
    record_loader,
)
from bridgework.core.scoping import Scope, ScopedQuerySet, scope_for
from bridgework.core.statements import Statement, compile_statement
from bridgework.places.models import Hub, Place
from bridgework.places.selectors import place_references

from .choices import OrgLevel, Sector
from .models import Organisation, OrganisationArea, OrganisationReach, Person, Post, Theme

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


__all__ = [
    "HXL_COLUMNS",
    "attach_places",
    "theme_links",
    "MATRIX_ROW_LIMIT",
    "MatrixRow",
    "OrgFilters",
    "SectorMatrix",
    "ThreeW",
    "filter_organisations",
    "hxl_rows",
    "organisations_for",
    "people_for",
    "personal_data",
    "place_code",
    "popolo",
    "register_personal_data",
    "sector_matrix",
    "three_w",
    "with_contact_flag",
]


# --- what a page of organisations shows of their related records ---------------------------------


def attach_places(orgs: list[Organisation]) -> None:
    """Each organisation's place (name and path, what a row shows and the sight reads), in one
    query for all of them."""
    wanted = {org.place_id for org in orgs}
    if not wanted:
        return
    places = instances_by_pk(Place, ("name", "path", "depth"), wanted)
    for org in orgs:
        org.place = places[org.place_id]  # type: ignore[assignment]


def theme_links(orgs: list[Organisation], column: str) -> dict[int, list[str]]:
    """Each organisation's themes (``column`` of the theme: "name" or "slug"), by theme name:
    one statement, plain values rather than a related manager per row."""
    found: dict[int, list[str]] = {org.pk: [] for org in orgs}
    if not found:
        return found
    for org_id, value in linked_values(Organisation.themes, column, found, order_by="name"):
        found[org_id].append(value)
    return found


# --- people and their contact details ------------------------------------------------------------


class ContactFlag(TypedDict):
    """What :func:`with_contact_flag` adds to each person."""

    can_see_contacts: bool


def with_contact_flag(
    people: QuerySet[Person], user
) -> QuerySet[WithAnnotations[Person, ContactFlag]]:
    """Annotate ``can_see_contacts``: whether ``user`` holds ``view_contacts`` for that person.
    One SQL expression, so a list costs the same for 1 or 50 rows."""
    allowed = Person.objects.visible_to(user, "view_contacts").values("pk")
    return people.annotate(
        can_see_contacts=ExpressionWrapper(Q(pk__in=allowed), output_field=BooleanField())
    )


def people_for(user, action: str = "view") -> QuerySet[WithAnnotations[Person, ContactFlag]]:
    return with_contact_flag(Person.objects.visible_to(user, action), user)


# --- organisations -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrgFilters:
    """What the 3W selectors look at, built from the one ``ThreeWFilterSet``
    (``actors.filters``) that also drives the 3W page form and the API's parameters: below a
    place, or below every place of a regional hub."""

    place: Place | None = None
    sector: str = ""
    level: str = ""
    theme: Theme | None = None
    hub: Hub | None = None

    def __post_init__(self) -> None:
        if (self.place is None) == (self.hub is None):
            raise ValueError("3W filters look below a place or below a hub, not both")

    @cached_property
    def paths(self) -> list[str]:
        """The subtrees looked at: the place's, or those of the hub's places."""
        if self.place is not None:
            return [self.place.path]
        assert self.hub is not None
        return sorted(self.hub.places.values_list("path", flat=True))

    @property
    def area_name(self) -> str:
        return self.place.name if self.place is not None else str(self.hub)

    def within(self, q_field: str) -> Q:
        """Rows whose ``q_field`` (a path) lies in the area looked at: index ranges."""
        return subtrees_q(q_field, self.paths)

    def but(self, **changes: Any) -> OrgFilters:
        return replace(self, **changes)


def filter_organisations(orgs: QuerySet[Organisation], filters: OrgFilters) -> QuerySet:
    orgs = orgs.filter(filters.within("place_path"))
    if filters.sector:
        orgs = orgs.filter(sector=filters.sector)
    if filters.level:
        orgs = orgs.filter(level=filters.level)
    if filters.theme is not None:
        orgs = orgs.filter(themes=filters.theme)
    return orgs


def organisations_for(user, filters: OrgFilters, action: str = "view"):
    return filter_organisations(Organisation.objects.visible_to(user, action), filters)


# --- the 3W view ---------------------------------------------------------------------------------


@dataclass
class ThreeW:
    """Who does what where below one place (or below the places of a hub)."""

    filters: OrgFilters
    total: int
    sector_counts: list[tuple[str, Any, int]]
    gaps: list[tuple[str, Any]]
    themes: list[Theme]
    matrix: list[tuple[str, Any, list[int], int]]  # sector, label, count per theme, no theme
    overlaps: list[dict[str, Any]] = field(default_factory=list)

    @property
    def place(self) -> Place | None:
        return self.filters.place

    @property
    def hub(self) -> Hub | None:
        return self.filters.hub

    @property
    def area_name(self) -> str:
        return self.filters.area_name


def _areas(user, filters: OrgFilters, action: str = "view") -> QuerySet[OrganisationArea]:
    """Areas of work inside the subtree, of the organisations ``user`` may see.

    An organisation's home place is always one of its areas (see actions), so this single
    index range holds every "where" of the 3W."""
    # The user's scope is applied to the joined organisation rather than as an
    # ``organisation IN (visible organisations)`` subquery: that lets the database start from the
    # area path index range (a city's 15 areas) instead of every visible organisation.
    visible = scope_for(user, action, Organisation).as_q(
        "organisation__place_path",
        "organisation__tlp",
        with_ancestors=Organisation.scope_reads_ancestors,
    )
    areas = OrganisationArea.objects.filter(filters.within("place_path")).filter(visible)
    if filters.sector:
        areas = areas.filter(organisation__sector=filters.sector)
    if filters.level:
        areas = areas.filter(organisation__level=filters.level)
    if filters.theme is not None:
        # A subquery, not a join: the theme join is reused by the sector × theme counts.
        areas = areas.filter(organisation__in=filters.theme.organisations.values("pk"))
    return areas


def three_w(user, filters: OrgFilters, *, overlap_limit: int = 50) -> ThreeW:
    """Counts of distinct organisations by sector × theme, the missing sectors and the crowded
    (place, theme) pairs.

    Below one place the answer is read from the stored roll-up (``OrganisationReach``: two
    grouped statements on one table, whatever the size of the subtree), through statements
    compiled once per reader's scope and filter shape (:func:`_reach_statements`); below a
    hub, or if the organisations' visibility ever stops being a rule on their path and label
    alone, from the organisations themselves (:func:`_three_w_live`, three grouped
    statements)."""
    if filters.place is None or not _reach_rule_is_plain():
        return _three_w_live(user, filters, overlap_limit=overlap_limit)
    scope = scope_for(user, "view", Organisation)
    alias = router.db_for_read(OrganisationReach)
    shape = _ReachShape(
        bool(filters.level), filters.theme is not None, bool(filters.sector), overlap_limit > 0
    )
    statements = _reach_statements(alias, scope, _reach_reads_ancestors(), shape)
    if statements is None:
        return _three_w_reach_orm(user, filters, overlap_limit=overlap_limit)
    counted, crowded_statement = statements
    values = _reach_values(filters, overlap_limit)
    by_sector: dict[str, int] = {}
    counts: dict[tuple[str, int | None], int] = {}
    themes: dict[int, Theme] = {}
    crowded: dict[tuple[int, int], int] = {}
    places: dict[int, Place] = {}
    load_theme = record_loader(Theme, alias, _THEME_FIELDS)
    load_place = record_loader(Place, alias, _PLACE_FIELDS)
    with connections[alias].cursor() as cursor:
        cursor.execute(counted.sql, counted.bind(values))
        # Ordered by theme name, as the themes are shown.
        for row in cursor.fetchall():
            sector, theme, pairs, organisations = row[:4]
            n = pairs if filters.theme is not None else organisations
            by_sector[sector] = by_sector.get(sector, 0) + n
            if not filters.sector or sector == filters.sector:
                counts[(sector, theme)] = pairs
                if theme is not None and theme not in themes:
                    themes[theme] = load_theme(row[4:])
        if crowded_statement is not None:
            cursor.execute(crowded_statement.sql, crowded_statement.bind(values))
            for row in cursor.fetchall():
                place_id, theme, n = row[:3]
                crowded[(place_id, theme)] = n
                if place_id not in places:
                    places[place_id] = load_place(row[3:])
    return _three_w_answer(
        filters, by_sector, counts, crowded, overlap_limit, list(themes.values()), places
    )


def _three_w_reach_orm(user, filters: OrgFilters, *, overlap_limit: int = 50) -> ThreeW:
    """The 3W below one place from the stored roll-up, every statement built by the ORM on
    each call: what the compiled statements of :func:`three_w` give (tested), and their
    stand-in when a statement's layout cannot be told (:func:`_reach_statements`)."""
    assert filters.place is not None
    visible = scope_for(user, "view", Organisation).as_q(
        "org_path", "tlp", with_ancestors=_reach_reads_ancestors()
    )
    values = _reach_values(filters, overlap_limit)
    by_sector: dict[str, int] = {}
    counts: dict[tuple[str, int | None], int] = {}
    for sector, theme, pairs, organisations in _reach_counts(visible, values):
        n = pairs if filters.theme is not None else organisations
        by_sector[sector] = by_sector.get(sector, 0) + n
        if not filters.sector or sector == filters.sector:
            counts[(sector, theme)] = pairs
    crowded = _reach_crowded(visible, values).order_by("-n")
    return _three_w_answer(
        filters, by_sector, counts, _most_crowded(crowded, overlap_limit), overlap_limit
    )


def _reach_values(filters: OrgFilters, overlap_limit: int) -> dict[str, Any]:
    """The filters as :func:`_reach_counts` and :func:`_reach_crowded` take them (a key only
    for a filter that is set), with the end of the place's range and the overlap limit that
    their compiled statements (:func:`_reach_statements`) are also bound to."""
    assert filters.place is not None
    path = filters.place.path
    values: dict[str, Any] = {
        "place": filters.place.pk,
        "path": path,
        "path_end": subtree_bounds(path)[1],
        "limit": overlap_limit,
    }
    if filters.level:
        values["level"] = filters.level
    if filters.theme is not None:
        values["theme"] = filters.theme.pk
    if filters.sector:
        values["sector"] = filters.sector
    return values


def _reach_rows(visible: Q, values: Mapping[str, Any]) -> QuerySet[OrganisationReach]:
    rows = OrganisationReach.objects.filter(visible)
    if "level" in values:
        rows = rows.filter(level=values["level"])
    if "theme" in values:
        rows = rows.filter(theme=values["theme"])
    return rows


def _reach_counts(visible: Q, values: Mapping[str, Any]) -> QuerySet:
    """(sector, theme, pairs, organisations) at the place. The place's own rows are the
    organisations working at it or below: one per organisation and theme, so all rows count
    (organisation, theme) pairs and the ``first`` rows count organisations (with a theme
    filter, each is one row anyway). Not narrowed by sector: the per-sector counts are of
    every sector."""
    return (
        _reach_rows(visible, values)
        .filter(place=values["place"])
        .values_list("sector", "theme")
        .annotate(pairs=Count("*"), organisations=Count("first", filter=Q(first=True)))
        .order_by()
    )


def _reach_crowded(visible: Q, values: Mapping[str, Any]) -> QuerySet:
    """(place path, place, theme, n) of the crowded pairs: the rows of the areas of work
    themselves, in the subtree, two or more organisations to a place and theme."""
    areas = _reach_rows(visible, values).filter(
        subtrees_q("place_path", [values["path"]]), works_here=True, theme__isnull=False
    )
    if "sector" in values:
        areas = areas.filter(sector=values["sector"])
    return (
        areas.values_list("place_path", "place", "theme")
        .annotate(n=Count("*"))
        .filter(n__gte=2)
        .order_by()
    )


# --- the roll-up's statements, compiled once per scope and shape ---------------------------------


class _ReachShape(NamedTuple):
    """Which filters are set (their values are parameters), and whether overlaps are asked."""

    level: bool
    theme: bool
    sector: bool
    crowded: bool


# The sectors in their order, with their (lazy) labels: ``Sector.choices`` builds this list anew
# on every access.
_SECTORS = tuple(Sector.choices)
# What each 3W reads of a theme (all of it: the answer's themes are whole records) and of a
# crowded place (what the overlaps name it by), in the models' field order (``from_db``'s).
_THEME_COLUMNS = {f.attname: f.column for f in Theme._meta.concrete_fields}
_PLACE_COLUMNS = {
    f.attname: f.column
    for f in Place._meta.concrete_fields
    if f.attname in {"id", "name", "code", "pcode", "path"}
}
_THEME_FIELDS, _PLACE_FIELDS = list(_THEME_COLUMNS), list(_PLACE_COLUMNS)


def _samples(shape: _ReachShape) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two sets of slot values no real row or filter has (negative ids, a path under no root,
    a level and a sector of no choice), different from each other and from any constant."""
    samples = []
    for n, tag in ((1, "a"), (2, "b")):
        path = f"/\uffff{tag}/"
        sample: dict[str, Any] = {
            "place": -n * 1_000_001,
            "path": path,
            "path_end": subtree_bounds(path)[1],
        }
        if shape.level:
            sample["level"] = f"\uffff level {tag}"
        if shape.theme:
            sample["theme"] = -n * 1_000_003
        if shape.sector:
            sample["sector"] = f"\uffff sector {tag}"
        if shape.crowded:
            sample["limit"] = -n * 1_000_007
        samples.append(sample)
    return samples[0], samples[1]


@functools.lru_cache(maxsize=512)
def _reach_statements(
    alias: str, scope: Scope, with_ancestors: bool, shape: _ReachShape
) -> tuple[Statement, Statement | None] | None:
    """The 3W's two statements on the roll-up for one reader's scope and one filter shape, as
    SQL text and parameter layout (:func:`bridgework.core.statements.compile_statement`): the
    ORM's :func:`_reach_counts` and :func:`_reach_crowded`, built with ``scope.as_q`` — the
    rule ``visible_to`` applies — wrapped so that the counts bring their themes' records (one
    row per group, joined after grouping) and the crowded pairs are cut to those that can make
    the overlap list (``RANK() <= limit``: the first ``limit`` and those tied with the last,
    as :func:`_most_crowded` reads them) with their places' names and codes.

    Keyed by the scope's *value* (its subtrees and TLP ceilings): a reader whose access changes
    (their assignments, a role's rules, a place moving: the access epoch) has another scope,
    hence other statements; readers with equal scopes share them. Only SQL and constants are
    kept, a bounded number of them; the counts are read from the database on every call.
    None when a statement's layout cannot be told for certain (or the scope admits nothing):
    :func:`_three_w_reach_orm` answers then."""
    visible = scope.as_q("org_path", "tlp", with_ancestors=with_ancestors)
    samples = _samples(shape)
    try:
        counts = compile_statement(lambda v: _counts_sql(alias, visible, v), samples)
        overlaps = (
            compile_statement(lambda v: _crowded_sql(alias, visible, v), samples)
            if shape.crowded
            else None
        )
    except EmptyResultSet:  # a scope that admits nothing: no statement is sent at all
        return None
    if counts is None or (shape.crowded and overlaps is None):
        return None
    return counts, overlaps


def _counts_sql(alias: str, visible: Q, values: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """:func:`_reach_counts` with each group's theme record, joined after grouping, by name."""
    qn = connections[alias].ops.quote_name
    inner, params = _reach_counts(visible, values).query.get_compiler(alias).as_sql()
    theme = f"g.{qn('theme')}"
    columns = ", ".join(f"t.{qn(column)}" for column in _THEME_COLUMNS.values())
    # Names come from the models and the ORM's own statement; every value is a parameter.
    sql = (
        f"SELECT g.{qn('sector')}, {theme}, g.{qn('pairs')}, g.{qn('organisations')}, "  # noqa: S608
        f"{columns} FROM ({inner}) g LEFT JOIN {qn(Theme._meta.db_table)} t "
        f"ON t.{qn(Theme._meta.pk.column)} = {theme} "
        f"ORDER BY t.{qn(_THEME_COLUMNS['name'])}"
    )
    return sql, list(params)


def _crowded_sql(alias: str, visible: Q, values: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """:func:`_reach_crowded` cut to the pairs ranked ``limit`` or better (ties share a rank),
    with their places' names and codes."""
    qn = connections[alias].ops.quote_name
    inner, params = _reach_crowded(visible, values).query.get_compiler(alias).as_sql()
    n, rank, place = qn("n"), qn("overlap_rank"), f"c.{qn('place')}"
    columns = ", ".join(f"p.{qn(column)}" for column in _PLACE_COLUMNS.values())
    sql = (
        f"SELECT {place}, c.{qn('theme')}, c.{n}, {columns} FROM "  # noqa: S608
        f"(SELECT i.*, RANK() OVER (ORDER BY i.{n} DESC) AS {rank} FROM ({inner}) i) c "
        f"JOIN {qn(Place._meta.db_table)} p ON p.{qn(Place._meta.pk.column)} = {place} "
        f"WHERE c.{rank} <= %s"
    )
    return sql, [*params, values["limit"]]


def _reach_rule_is_plain() -> bool:
    """Whether the organisations' visibility is ``visible_to``'s own rule on their path and
    label alone, which the roll-up rows copy (as ``org_path`` and ``tlp``). When it reads
    anything else (a model setting the roll-up does not copy) the caller falls back to the
    organisations themselves."""
    queryset = Organisation._default_manager._queryset_class  # type: ignore[attr-defined]
    return not (
        queryset.visible_to is not ScopedQuerySet.visible_to
        or Organisation.scope_path_field != "place_path"
        or getattr(Organisation, "scope_tlp_field", None) != "tlp"
        or getattr(Organisation, "scope_shared_path_field", None)
    )


def _reach_reads_ancestors() -> bool:
    return getattr(Organisation, "scope_reads_ancestors", False)


def _most_crowded(crowded: QuerySet, limit: int) -> dict[tuple[int, int], int]:
    """The crowded pairs (most first) that can make the overlap list: the first ``limit`` and
    those tied with the last of them. A country has thousands of crowded pairs; only these
    are read into Python."""
    kept: dict[tuple[int, int], int] = {}
    if limit <= 0:
        return kept
    floor = None
    for _path, place, theme, n in crowded.iterator(chunk_size=limit + 1):
        if floor is not None and n < floor:
            break
        kept[(place, theme)] = n
        if len(kept) == limit:
            floor = n
    return kept


def _three_w_live(user, filters: OrgFilters, *, overlap_limit: int = 50) -> ThreeW:
    """The 3W read from the organisations, their areas and themes (no roll-up): below a hub's
    places, and the reference the stored roll-up is tested against.

    The counts read organisations (``id IN`` the subtree's areas of work) rather than areas:
    an organisation is then one row, or one per theme, so plain ``COUNT`` is the distinct count
    and the total is the sum of the per-sector counts (an organisation has one sector).
    The overlaps group (area of work, theme) rows, unique too."""
    orgs = _working_in(user, filters.but(sector=""))
    by_sector = dict(orgs.values_list("sector").annotate(n=Count("pk")).order_by())
    chosen = orgs.filter(sector=filters.sector) if filters.sector else orgs
    pairs = chosen.values_list("sector", "themes").annotate(n=Count("pk")).order_by()
    counts: dict[tuple[str, int | None], int] = {(s, t): n for s, t, n in pairs}
    return _three_w_answer(filters, by_sector, counts, _crowded(user, filters), overlap_limit)


def _three_w_answer(
    filters: OrgFilters,
    by_sector: dict[str, int],
    counts: dict[tuple[str, int | None], int],
    crowded: dict[tuple[int, int], int],
    overlap_limit: int,
    themes: list[Theme] | None = None,
    places: dict[int, Place] | None = None,
) -> ThreeW:
    """The answer from its counts: organisations per sector (whatever the sector filter),
    per (sector, theme) of the chosen sector (theme None: organisations without one), and the
    crowded (place, theme) pairs. ``themes`` (those of the counts, by name) and ``places``
    (those of the crowded pairs, with their names and codes), when already read, spare their
    queries."""
    total = by_sector.get(filters.sector, 0) if filters.sector else sum(by_sector.values())
    sectors = _SECTORS
    sector_counts = [(value, label, by_sector.get(value, 0)) for value, label in sectors]
    if themes is None:
        used_themes = {t for _s, t in counts if t is not None}
        if filters.theme is not None:
            used_themes &= {filters.theme.pk}
        themes = list(Theme.objects.filter(pk__in=used_themes).order_by("name"))
    theme_names = {t.pk: t.name for t in themes}  # in the themes' order
    counted = {s for s, _t in counts}
    matrix = [
        (
            value,
            label,
            [counts.get((value, t), 0) for t in theme_names],
            counts.get((value, None), 0),
        )
        for value, label in sectors
        if value in counted
    ]
    return ThreeW(
        filters,
        total,
        sector_counts,
        [(value, label) for value, label, n in sector_counts if n == 0],
        themes,
        matrix,
        _overlaps(crowded, theme_names, overlap_limit, places),
    )


def _working_in(user, filters: OrgFilters) -> QuerySet[Organisation]:
    """The organisations ``user`` may see that work in the subtree (one of their areas lies
    there), after the level, theme and sector filters."""
    areas = OrganisationArea.objects.filter(filters.within("place_path")).values("organisation")
    orgs = Organisation.objects.visible_to(user, "view").filter(pk__in=areas)
    if filters.sector:
        orgs = orgs.filter(sector=filters.sector)
    if filters.level:
        orgs = orgs.filter(level=filters.level)
    if filters.theme is not None:
        # A subquery, not a join: the theme join is the one the sector × theme counts group by.
        orgs = orgs.filter(pk__in=filters.theme.organisations.values("pk"))
    return orgs


def _crowded(user, filters: OrgFilters) -> dict[tuple[int, int], int]:
    """(place, theme) -> organisations, where two or more work on that theme at that place.
    An organisation works once at a place and has a theme once: ``COUNT`` is distinct."""
    rows = _areas(user, filters).annotate(theme_id=F("organisation__themes"))
    rows = rows.filter(theme_id=filters.theme.pk) if filters.theme else rows.exclude(theme_id=None)
    grouped = rows.values_list("place_id", "theme_id").annotate(n=Count("pk")).filter(n__gte=2)
    return {(place, theme): n for place, theme, n in grouped.order_by()}


def _overlaps(
    crowded: dict[tuple[int, int], int],
    theme_names: dict[int, str],
    limit: int,
    places: dict[int, Place] | None = None,
) -> list[dict[str, Any]]:
    """Places where two or more organisations work on the same theme, most crowded first (then
    by place name). Only the places that can make the list are read: those whose count reaches
    the ``limit``-th highest."""
    if not crowded or limit <= 0:
        return []
    counts = sorted(crowded.values(), reverse=True)
    floor = counts[min(limit, len(counts)) - 1]
    candidates = {key: n for key, n in crowded.items() if n >= floor}
    if places is None:
        places = {
            place.pk: place
            for place in Place.objects.filter(pk__in={p for p, _t in candidates}).only(
                "pk", "name", "code", "pcode", "path"
            )
        }
    ranked = sorted(
        candidates.items(), key=lambda item: (-item[1], places[item[0][0]].name, item[0][1])
    )[:limit]
    refs = place_references(places[place] for (place, _theme), _n in ranked)
    return [
        {
            "place_id": place,
            "place": places[place].name,
            "place_ref": refs.get(place, ""),
            "theme_id": theme,
            "theme": theme_names[theme],
            "count": n,
        }
        for (place, theme), n in ranked
    ]


# --- gaps at a glance: places × sectors ---------------------------------------------------------

MATRIX_ROW_LIMIT = 500


@dataclass
class MatrixRow:
    place: Place
    reference: str
    cells: list[tuple[str, int]]  # (sector, organisations), in the order of ``Sector``

    @property
    def counts(self) -> list[int]:
        return [n for _sector, n in self.cells]

    @property
    def total(self) -> int:
        # An organisation has one sector: the sum counts each organisation once.
        return sum(self.counts)

    @property
    def missing(self) -> int:
        return sum(1 for n in self.counts if n == 0)


@dataclass
class SectorMatrix:
    """Which places below lack which sectors: rows are places, columns sectors, cells the
    number of organisations (that the reader may see) working there."""

    filters: OrgFilters
    depths: list[int]
    rows: list[MatrixRow]
    sectors: list[tuple[str, Any]]
    truncated: bool = False

    @property
    def places_without(self) -> list[int]:
        """Per sector, how many rows have none of it."""
        return [sum(1 for row in self.rows if row.counts[i] == 0) for i in range(len(self.sectors))]


def sector_matrix(
    user, filters: OrgFilters, *, below: int = 1, limit: int = MATRIX_ROW_LIMIT
) -> SectorMatrix:
    """The places ``below`` levels under the place (under a hub: ``below=1`` is the hub's own
    places) × the sectors, counting the organisations working in each place or below it.

    One aggregate query per depth of rows (a hub's places may lie at several depths): the
    areas of work inside the subtree (an index range on ``place_path``), grouped by the
    ancestor at the row's depth (a prefix of the path) and the organisation's sector."""
    if filters.place is not None:
        depths = [filters.place.depth + below]
    else:
        assert filters.hub is not None
        depths = sorted({p.depth + below - 1 for p in filters.hub.places.all()})
    places = list(
        Place.objects.visible_to(user, "view")
        .filter(filters.within("path"), depth__in=depths)
        .order_by("name", "pk")[: limit + 1]
    )
    truncated = len(places) > limit
    places = places[:limit]
    areas = _areas(user, filters.but(sector=""))
    counts: dict[tuple[str, str], int] = {}
    for depth in depths:
        grouped = (
            areas.annotate(row=Substr("place_path", 1, prefix_length(depth)))
            .values_list("row", "organisation__sector")
            .annotate(n=Count("organisation", distinct=True))
            .order_by()
        )
        counts.update({(row, sector): n for row, sector, n in grouped})
    refs = place_references(places)
    sectors = list(Sector.choices)
    return SectorMatrix(
        filters,
        depths,
        [
            MatrixRow(
                place, refs[place.pk], [(s, counts.get((place.path, s), 0)) for s, _l in sectors]
            )
            for place in places
        ],
        sectors,
        truncated,
    )


# --- HXL export ----------------------------------------------------------------------------------

HXL_COLUMNS: list[tuple[str, str]] = [
    ("Organisation", "#org+name"),
    ("Organisation ID", "#org+id"),
    ("Short name", "#org+acronym"),
    ("Sector", "#sector"),
    ("Level", "#org+level"),
    ("Activity", "#activity"),
    ("Country code", "#country+code"),
    ("Country", "#country+name"),
    ("Admin 1 code", "#adm1+code"),
    ("Admin 1", "#adm1+name"),
    ("Admin 2 code", "#adm2+code"),
    ("Admin 2", "#adm2+name"),
    ("Admin 3 code", "#adm3+code"),
    ("Admin 3", "#adm3+name"),
    ("Admin 4 code", "#adm4+code"),
    ("Admin 4", "#adm4+name"),
    ("Location", "#loc+name"),
    ("Location code", "#loc+code"),
]
_ADMIN_DEPTHS = range(1, 6)  # country, adm1 … adm4


def place_code(place: Place | None) -> str:
    """The code a humanitarian dataset would use: the P-code, else the ISO code."""
    if place is None:
        return ""
    return place.pcode or place.code


def hxl_rows(
    user, filters: OrgFilters, *, action: str = "export", chunk: int = 1000
) -> Iterator[list[str]]:
    """One row per organisation × activity × place (the 3W grain), places resolved to their
    country and admin levels. Streams in chunks: one query for areas, one for themes and one
    for missing ancestors per chunk."""
    sectors, levels = dict(Sector.choices), dict(OrgLevel.choices)
    areas = (
        _areas(user, filters, action)
        .select_related("organisation", "place")
        .order_by("place_path", "organisation__name", "pk")
    )
    theme_filter = filters.theme.pk if filters.theme is not None else None
    places: dict[str, Place] = {}
    iterator = areas.iterator(chunk_size=chunk)
    while batch := list(islice(iterator, chunk)):
        _load_ancestors(places, {a.place_path for a in batch})
        themes = _themes_of({a.organisation_id for a in batch})
        for area in batch:
            org = area.organisation
            chain = [places.get(p) for p in ancestor_paths(area.place_path)] + [area.place]
            admin = {p.depth: p for p in chain if p is not None}
            org_themes: list[Theme | None] = [
                t for t in themes.get(org.pk, []) if theme_filter in (None, t.pk)
            ]
            for theme in org_themes or [None]:
                row = [
                    org.name,
                    str(org.pk),
                    org.short_name,
                    str(sectors.get(org.sector, "")),
                    str(levels.get(org.level, "")),
                    theme.name if theme else "",
                ]
                for depth in _ADMIN_DEPTHS:
                    row += [
                        place_code(admin.get(depth)),
                        admin[depth].name if depth in admin else "",
                    ]
                row += [area.place.name, place_code(area.place)]
                yield row


def _load_ancestors(places: dict[str, Place], paths: set[str]) -> None:
    wanted = {a for p in paths for a in ancestor_paths(p)} - places.keys()
    if wanted:
        for place in Place.objects.filter(path__in=wanted).only(
            "pk", "name", "code", "pcode", "path", "depth"
        ):
            places[place.path] = place


def _themes_of(org_ids: set[int]) -> dict[int, list[Theme]]:
    through = Organisation.themes.through
    out: dict[int, list[Theme]] = {}
    for link in through.objects.filter(organisation_id__in=org_ids).select_related("theme"):
        out.setdefault(link.organisation_id, []).append(link.theme)
    for themes in out.values():
        themes.sort(key=lambda t: t.name)
    return out


# --- Popolo --------------------------------------------------------------------------------------


def popolo(user, filters: OrgFilters, action: str = "export") -> dict[str, list[dict[str, Any]]]:
    """Organisations based in the subtree, their posts and the people holding them, shaped as
    Popolo (https://www.popoloproject.com/specs/). Contacts only where the user may see them."""
    orgs = (
        organisations_for(user, filters, action).prefetch_related("themes").order_by("name", "pk")
    )
    org_ids = orgs.values("pk")
    posts = (
        Post.objects.visible_to(user, action)
        .filter(organisation__in=org_ids)
        .order_by("organisation_id", "pk")
    )
    people = with_contact_flag(
        Person.objects.visible_to(user, action)
        .filter(filters.within("place_path") | Q(posts__in=posts.values("pk")))
        .distinct(),
        user,
    ).order_by("full_name", "pk")
    person_ids = set()
    persons = []
    for person in people:
        person_ids.add(person.pk)
        persons.append(_popolo_person(person))
    post_rows = list(
        posts.values("pk", "person_id", "organisation_id", "title", "starts_on", "ends_on")
    )
    return {
        "organizations": [_popolo_org(org) for org in orgs],
        "persons": persons,
        "posts": [
            {
                "id": f"post-{p['pk']}",
                "label": p["title"],
                "organization_id": f"org-{p['organisation_id']}",
                "start_date": _iso(p["starts_on"]),
                "end_date": _iso(p["ends_on"]),
            }
            for p in post_rows
        ],
        "memberships": [
            {
                "id": f"membership-{p['pk']}",
                "person_id": f"person-{p['person_id']}",
                "organization_id": f"org-{p['organisation_id']}",
                "post_id": f"post-{p['pk']}",
                "role": p["title"],
                "start_date": _iso(p["starts_on"]),
                "end_date": _iso(p["ends_on"]),
            }
            for p in post_rows
            if p["person_id"] in person_ids
        ],
    }


def _iso(day) -> str | None:
    return day.isoformat() if day else None


def _popolo_org(org: Organisation) -> dict[str, Any]:
    return {
        "id": f"org-{org.pk}",
        "name": org.name,
        "other_names": [{"name": org.short_name, "note": "short name"}] if org.short_name else [],
        "classification": org.sector,
        "parent_id": f"org-{org.parent_id}" if org.parent_id else None,
        "area_id": f"place-{org.place_id}",
        "links": [{"url": org.website, "note": "website"}] if org.website else [],
        "level": org.level,
        "themes": [t.slug for t in org.themes.all()],
    }


def _popolo_person(person: WithAnnotations[Person, ContactFlag]) -> dict[str, Any]:
    data: dict[str, Any] = {"id": f"person-{person.pk}", "name": person.full_name}
    if person.can_see_contacts:
        if person.email:
            data["email"] = person.email
        if person.phone:
            data["contact_details"] = [{"type": "voice", "value": person.phone}]
    return data


# --- personal data -------------------------------------------------------------------------------


PersonalDataReader = Callable[[Person, Any], list[dict[str, Any]]]
_personal_data_readers: dict[str, PersonalDataReader] = {}


def register_personal_data(section: str, reader: PersonalDataReader) -> None:
    """Let another module add a section to the personal-data export (its records about a
    person). ``reader(person, user)`` returns only what ``user`` may see."""
    _personal_data_readers[section] = reader


def personal_data(person: Person, user) -> dict[str, Any]:
    """Everything held on one person that ``user`` may see (a data-protection export). The
    caller has checked the ``export_personal`` action on this person."""
    posts = list(
        Post.objects.visible_to(user, "view")
        .filter(person=person)
        .select_related("organisation", "place")
        .order_by("pk")
    )
    # A post may be visible while its organisation is not (a RED one, or one out of the
    # reader's places): related records are named, and their ids given, only when seen.
    sight = sight_for(user)
    sight.preload([person.place, *(p.organisation for p in posts), *(p.place for p in posts)])
    return {
        "person": {
            "id": person.pk,
            "full_name": person.full_name,
            "email": person.email,
            "phone": person.phone,
            "notes": person.notes,
            **_related("place", person.place, sight),
            "tlp": person.get_tlp_display(),
            "platform_account": (
                person.user.email if person.user_id and person.user is not None else None
            ),
            "created_at": person.created_at.isoformat(),
            "updated_at": person.updated_at.isoformat(),
            "erased_at": person.erased_at.isoformat() if person.erased_at else None,
        },
        "posts": [
            {
                "id": p.pk,
                "title": p.title,
                **_related("organisation", p.organisation, sight),
                **_related("place", p.place, sight),
                "starts_on": _iso(p.starts_on),
                "ends_on": _iso(p.ends_on),
            }
            for p in posts
        ],
        **{section: read(person, user) for section, read in _personal_data_readers.items()},
        "history": _history_of(person, [p.pk for p in posts], user),
    }


def _related(key: str, obj, sight: Sight) -> dict[str, Any]:
    """``key`` (the record's name) and ``key_id`` for a related record the reader may see;
    "a record you cannot see" and no id for one they may not."""
    return {key: sight.name(obj), f"{key}_id": sight.ident(obj)}


def _history_of(person: Person, post_ids: list[int], user) -> list[dict[str, Any]]:
    """The audit entries about the person and their posts; a changed related record (a
    post's organisation) named only when ``user`` may see it."""
    about = Q(content_type=ContentType.objects.get_for_model(Person), object_pk=str(person.pk))
    if post_ids:
        about |= Q(
            content_type=ContentType.objects.get_for_model(Post),
            object_pk__in=[str(pk) for pk in post_ids],
        )
    entries = (
        LogEntry.objects.filter(about).select_related("content_type").order_by("timestamp", "pk")
    )
    return [
        {
            "timestamp": e.timestamp.isoformat(),
            "action": e.get_action_display(),
            "record": e.object_repr,
            "model": e.content_type.model,
            "changes": {str(f): [str(v) for v in values] for f, values in changes.items()},
            "actor_id": e.actor_id,
        }
        for e, changes in shown_changes(entries, user)
    ]

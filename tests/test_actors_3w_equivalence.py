"""The 3W selector reads its whole answer in one statement and derives the counts in Python.
On generated organisations (sectors, levels, TLP labels, themes, areas of work anywhere in the
tree), for readers of different scopes and every kind of filter, it gives exactly the answer of
the straightforward implementation it replaced — one grouped statement per question — kept here
as the reference."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Count, F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridgework.actors.choices import OrgLevel, Sector
from bridgework.actors.models import Organisation, OrganisationArea, Theme
from bridgework.actors.reach import rebuild_reach
from bridgework.actors.selectors import OrgFilters, ThreeW, _areas, three_w
from bridgework.core.tlp import TLP
from bridgework.places.models import Place
from bridgework.places.selectors import place_references

# --- the reference: the selector as it was, five aggregate statements ----------------------------


def reference_three_w(user, filters: OrgFilters, *, overlap_limit: int = 50) -> ThreeW:
    areas = _areas(user, filters)
    total = areas.aggregate(n=Count("organisation", distinct=True))["n"]
    all_sectors = _areas(user, filters.but(sector=""))
    by_sector = dict(
        all_sectors.values_list("organisation__sector")
        .annotate(n=Count("organisation", distinct=True))
        .order_by()
    )
    sector_counts = [(value, label, by_sector.get(value, 0)) for value, label in Sector.choices]
    gaps = [(value, label) for value, label, n in sector_counts if n == 0]
    pairs = (
        areas.values_list("organisation__sector", "organisation__themes")
        .annotate(n=Count("organisation", distinct=True))
        .order_by()
    )
    counts: dict[tuple[str, int | None], int] = {(s, t): n for s, t, n in pairs}
    used_themes = {t for _s, t in counts if t is not None}
    if filters.theme is not None:
        used_themes &= {filters.theme.pk}
    themes = list(Theme.objects.filter(pk__in=used_themes).order_by("name"))
    matrix = [
        (value, label, [counts.get((value, t.pk), 0) for t in themes], counts.get((value, None), 0))
        for value, label in Sector.choices
        if any(s == value for s, _t in counts)
    ]
    overlaps = _reference_overlaps(areas, filters, overlap_limit)
    return ThreeW(filters, total, sector_counts, gaps, themes, matrix, overlaps)


def _reference_overlaps(areas, filters: OrgFilters, limit: int) -> list[dict[str, Any]]:
    rows = areas.annotate(theme_id=F("organisation__themes")).filter(theme_id__isnull=False)
    if filters.theme is not None:
        rows = rows.filter(theme_id=filters.theme.pk)
    rows = list(
        rows.values("place_id", "place__name", "theme_id", "organisation__themes__name")
        .annotate(n=Count("organisation", distinct=True))
        .filter(n__gte=2)
        .order_by("-n", "place__name", "theme_id")[:limit]
    )
    places = Place.objects.filter(pk__in={r["place_id"] for r in rows}).only(
        "pk", "name", "code", "pcode", "path"
    )
    refs = place_references(places) if rows else {}
    return [
        {
            "place_id": r["place_id"],
            "place": r["place__name"],
            "place_ref": refs.get(r["place_id"], ""),
            "theme_id": r["theme_id"],
            "theme": r["organisation__themes__name"],
            "count": r["n"],
        }
        for r in rows
    ]


# --- generated data ------------------------------------------------------------------------------

PLACES = 7  # the standard tree: world, country, region, city, ward, sibling city, other country

organisation_strategy = st.tuples(
    st.integers(0, PLACES - 1),  # home place
    st.sampled_from(Sector.values),
    st.sampled_from(OrgLevel.values),
    st.sampled_from(TLP.values),
    st.sets(st.integers(0, PLACES - 1), max_size=3),  # more places of work
    st.sets(st.integers(0, 4), max_size=3),  # themes, among the first five
)

filters_strategy = st.tuples(
    st.integers(0, PLACES - 1),  # the place looked below
    st.one_of(st.just(""), st.sampled_from(Sector.values)),
    st.one_of(st.just(""), st.sampled_from(OrgLevel.values)),
    st.one_of(st.none(), st.integers(0, 4)),  # theme
    st.sampled_from([1, 2, 3, 50]),  # overlap limit: ties at the cut are ranked by place name
)


def _places(tree) -> list[Place]:
    return [tree.world, tree.country, tree.region, tree.city, tree.ward, tree.sibling]


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    organisations=st.lists(organisation_strategy, max_size=25),
    looks=st.lists(filters_strategy, min_size=1, max_size=4),
)
def test_three_w_gives_the_reference_answer(tree, organisations, looks):
    places = [*_places(tree), tree.other_country]
    themes = list(Theme.objects.order_by("pk")[:5])
    Organisation.objects.all().delete()
    for n, (home, sector, level, tlp, more, theme_ids) in enumerate(organisations):
        organisation = Organisation.objects.create(
            name=f"Generated {n}", sector=sector, level=level, tlp=tlp, place=places[home]
        )
        for where in {home, *more}:
            OrganisationArea.objects.create(organisation=organisation, place=places[where])
        organisation.themes.set([themes[t] for t in theme_ids])
    rebuild_reach()  # the rows above were written past the actions

    for user in (tree.in_scope, tree.ancestor, tree.sibling_user):
        for where, sector, level, theme, limit in looks:
            filters = OrgFilters(
                place=places[where],
                sector=sector,
                level=level,
                theme=themes[theme] if theme is not None else None,
            )
            expected = reference_three_w(user, filters, overlap_limit=limit)
            assert three_w(user, filters, overlap_limit=limit) == expected, (user, filters)

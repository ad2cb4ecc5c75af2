"""What is measured on the plans module: an indicator's roll-up page at a country, a region and
a district, its selector, and the hand-written SQL of the same aggregation, in process."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.test import Client

from bridgework.core.paths import subtree_bounds
from bridgework.core.scoping import scope_for
from bridgework.places.models import Place
from bridgework.plans.choices import Aggregation
from bridgework.plans.models import Indicator, IndicatorValue
from bridgework.plans.periods import Period, parse_period
from bridgework.plans.rollups import rollup_by_child

from .actor_scenarios import PageTiming, _getter, _timed_pages
from .generate_plans import PlansData
from .measure import Timings, time_calls

__all__ = ["RollupLevel", "by_child_sql", "measure_rollups", "rollup_levels"]


@dataclass
class RollupLevel:
    """One indicator for one year below one place: the page, the selector, the raw SQL."""

    level: str
    place: Place
    reporting_places: int  # places below that reported in the year
    values: int  # values the aggregation reads
    page: PageTiming
    selector: Timings
    raw: Timings
    raw_sql: str

    @property
    def ratio(self) -> float:
        return self.selector.p50 / self.raw.p50


def rollup_levels(three_w_places: dict[str, Place]) -> dict[str, Place]:
    """The country and region the 3W is measured at, and the district above its city."""
    city = three_w_places["city"]
    return {
        "country": three_w_places["country"],
        "region": three_w_places["region"],
        "district": Place.objects.get(pk=city.parent_id),
    }


def by_child_sql(user, indicator: Indicator, place: Place, period: Period) -> tuple[str, list]:
    """The values of ``indicator`` in ``period`` below ``place``, added up per child place,
    among those ``user`` may see, as one would write it by hand."""
    scope = scope_for(user, "view", IndicatorValue)
    visible, params = [], []
    for grant in scope.grants:
        visible.append("(place_path >= %s AND place_path < %s)")
        params += list(subtree_bounds(grant.path))
    child, own = f"ancestor_{place.depth + 1}", f"ancestor_{place.depth}"
    table = IndicatorValue._meta.db_table
    # The table and column names come from the model and the place's depth; values are params.
    sql = (
        f"SELECT {child}, SUM(value), COUNT(*), COUNT(DISTINCT place_id) "  # noqa: S608
        f"FROM {table} WHERE series = %s AND periodicity = %s AND {own} = %s "
        f"AND period_start >= %s AND period_start < %s AND ({' OR '.join(visible) or '0'}) "
        f"GROUP BY {child}"
    )
    head = [indicator.series_id, indicator.periodicity, place.path, period.start, period.end]
    return sql, [*head, *params]


def _run(sql: str, params: list) -> Callable[[], list]:
    def run() -> list:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


def _same_answer(selector: dict, raw: list, place: Place) -> bool:
    """Does the raw statement add up as the selector does (child path → total, count, places)?"""
    from_raw = {row[0]: (Decimal(str(row[1])), row[2], row[3]) for row in raw}
    from_selector = {
        path: (part.total, part.count, part.places) for path, part in selector.items() if path
    }
    return from_raw == from_selector and place.path not in from_raw


def _level(user, client: Client, level: str, place: Place, data: PlansData, iterations: int):
    indicator = data.indicator(Aggregation.SUM)
    year = parse_period(str(data.first_year + 4))  # the last full year of values
    values = IndicatorValue.objects.visible_to(user)
    selected = rollup_by_child(indicator, place, year, values)
    sql, params = by_child_sql(user, indicator, place, year)
    raw = _run(sql, params)
    if not _same_answer(selected, raw(), place):
        raise RuntimeError(f"the hand-written SQL does not add up {place} as the selector does")
    path = f"{indicator.get_absolute_url()}?place={place.pk}&period={year.code}"
    page = _timed_pages(
        {"page": (path, _getter(client, path, lambda body: b"places reporting" in body))},
        iterations,
    )["page"]
    timings = time_calls(
        {
            "selector": lambda: rollup_by_child(
                indicator, place, year, IndicatorValue.objects.visible_to(user)
            ),
            "raw": raw,
        },
        iterations,
    )
    written = sql
    for value in params:
        written = written.replace("%s", f"'{value}'", 1)
    return RollupLevel(
        level=level,
        place=place,
        reporting_places=sum(part.places for part in selected.values()),
        values=sum(part.count for part in selected.values()),
        page=page,
        selector=timings["selector"],
        raw=timings["raw"],
        raw_sql=written,
    )


def measure_rollups(
    user, places: dict[str, Place], data: PlansData, iterations: int
) -> list[RollupLevel]:
    """The roll-up at each level, for ``user`` (a national coordinator of the country)."""
    client = Client()
    client.force_login(user)
    return [_level(user, client, level, place, data, iterations) for level, place in places.items()]

"""Indicator roll-ups: a place's value for a period, from every value reported in its subtree.

Each value stores the path of its place's ancestor at every depth
(:class:`~bridgework.places.models.RolledUpModel`), so the total of a district is an
equality on ``ancestor_<its depth>`` and its split by city a ``GROUP BY ancestor_<depth + 1>``:
one index seek, never a walk of the tree.

How values add up (the indicator's ``aggregation``), over places and over the periods inside
the one asked for:

* **sum** — every value in the subtree and the period, added;
* **average** — the mean of every value in the subtree and the period (so a parent's average
  is its children's sums over their counts, not the mean of their means);
* **latest** — each reporting place's most recent value inside the period, added over places
  (a place that did not report its last month counts with the month before, if it lies in
  the period).

Missing values are not zeros: a place that reported nothing for the period is left out, and
:attr:`Rollup.places` says how many places did report. Every rule composes: a place's roll-up
equals the combination of its own values and its children's roll-ups (tested).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, OuterRef, QuerySet, Subquery, Sum

from bridgework.core.paths import SEGMENT_WIDTH, subtree_q
from bridgework.places.models import ROLLUP_DEPTHS, Place

from .choices import Aggregation
from .models import Indicator, IndicatorValue
from .periods import Period

__all__ = ["Rollup", "combine", "rollup", "rollup_by_child", "rollup_over_time"]

OWN = ""  # the group of the values reported by the place itself


@dataclass(frozen=True)
class Rollup:
    """``total`` (sum of the values counted), ``count`` (values counted) and ``places``
    (places that reported); ``value`` applies the rule."""

    aggregation: str
    total: Decimal = Decimal(0)
    count: int = 0
    places: int = 0

    @property
    def value(self) -> Decimal | None:
        if not self.count:
            return None
        if self.aggregation == Aggregation.AVERAGE:
            return self.total / self.count
        return self.total


def combine(aggregation: str, parts: Iterable[Rollup]) -> Rollup:
    """The roll-up of disjoint parts (a place's own values and each child's subtree)."""
    total, count, places = Decimal(0), 0, 0
    for part in parts:
        total += part.total
        count += part.count
        places += part.places
    return Rollup(aggregation, total, count, places)


def _subtree(values: QuerySet, place: Place) -> QuerySet:
    """Values at ``place`` and below: an equality on its stored ancestor column."""
    if place.depth == 0:
        return values
    if place.depth in ROLLUP_DEPTHS:
        return values.filter(**{f"ancestor_{place.depth}": place.path})
    return values.filter(subtree_q("place_path", place.path))


def _child_column(place: Place) -> str:
    """The column that names the child of ``place`` each value lies under."""
    depth = place.depth + 1
    return f"ancestor_{depth}" if depth in ROLLUP_DEPTHS else "place_path"


def _counted(indicator: Indicator, values: QuerySet, period: Period) -> QuerySet:
    """The values of the indicator's series that count for ``period`` (for *latest*, only
    each place's most recent value in it)."""
    values = values.filter(
        series=indicator.series_id,
        periodicity=indicator.periodicity,
        period_start__gte=period.start,
        period_start__lt=period.end,
    )
    if indicator.aggregation != Aggregation.LATEST:
        return values
    latest = (
        IndicatorValue.objects.filter(
            series=indicator.series_id,
            periodicity=indicator.periodicity,
            place_id=OuterRef("place_id"),
            period_start__gte=period.start,
            period_start__lt=period.end,
        )
        .order_by()
        .values("place_id")
        .annotate(latest=Max("period_start"))
        .values("latest")
    )
    return values.filter(period_start=Subquery(latest))


def _totals(values: QuerySet, *group: str) -> QuerySet:
    return (
        values.order_by()
        .values(*group)
        .annotate(total=Sum("value"), count=Count("pk"), places=Count("place_id", distinct=True))
    )


def _as_rollup(indicator: Indicator, row: dict) -> Rollup:
    return Rollup(indicator.aggregation, row["total"] or Decimal(0), row["count"], row["places"])


def rollup(indicator: Indicator, place: Place, period: Period, values: QuerySet) -> Rollup:
    """The value of ``indicator`` at ``place`` for ``period``, from ``values`` (the reader's
    scoped queryset of indicator values)."""
    counted = _counted(indicator, _subtree(values, place), period)
    row = counted.order_by().aggregate(
        total=Sum("value"), count=Count("pk"), places=Count("place_id", distinct=True)
    )
    return _as_rollup(indicator, row)


def rollup_by_child(
    indicator: Indicator, place: Place, period: Period, values: QuerySet
) -> dict[str, Rollup]:
    """The roll-up of each child subtree of ``place`` (keyed by the child's path) and of the
    place's own values (key :data:`OWN`), for ``period``."""
    column = _child_column(place)
    counted = _counted(indicator, _subtree(values, place), period)
    found: dict[str, Rollup] = {}
    for row in _totals(counted, column):
        key = _child_key(place, row[column])
        found[key] = combine(
            indicator.aggregation,
            [found.get(key, Rollup(indicator.aggregation)), _as_rollup(indicator, row)],
        )
    return found


def _child_key(place: Place, grouped: str) -> str:
    """The child path a grouped value names: the stored ancestor itself ("" for the place's
    own values), or, below the stored depths, the first segment of the path under the place."""
    if not grouped or grouped == place.path:
        return OWN
    return grouped[: len(place.path) + SEGMENT_WIDTH + 1]


def rollup_over_time(
    indicator: Indicator, place: Place, periods: list[Period], values: QuerySet
) -> list[tuple[Period, Rollup]]:
    """The value at ``place`` for each of ``periods`` (the indicator's own periodicity)."""
    if not periods:
        return []
    counted = _subtree(values, place).filter(
        series=indicator.series_id,
        periodicity=indicator.periodicity,
        period_start__gte=periods[0].start,
        period_start__lt=periods[-1].end,
    )
    by_start = {row["period_start"]: row for row in _totals(counted, "period_start")}
    return [
        (
            period,
            _as_rollup(indicator, by_start[period.start])
            if period.start in by_start
            else Rollup(indicator.aggregation),
        )
        for period in periods
    ]

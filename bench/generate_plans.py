"""Bulk data for the plans roll-up benchmark: one national strategy with 20 indicators, and
five years of monthly values for each of them reported by every city of the tree.

At scale factor 1 that is 3,000 cities × 20 indicators × 60 months = 3.6 million values. They
go in through the database cursor's ``executemany`` (the ORM's ``bulk_create`` would take
minutes), their ancestor columns derived from the path alone, as the model's ``save`` does.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from bridgework.actors.choices import OrgLevel
from bridgework.bodies.choices import BodyKind
from bridgework.bodies.models import Body
from bridgework.places.models import Place, ancestor_columns
from bridgework.plans.choices import Aggregation, Periodicity, StrategyStatus
from bridgework.plans.models import Indicator, IndicatorValue, Objective, Pillar, Strategy

__all__ = ["INDICATORS", "PlansData", "YEARS", "generate_plans"]

INDICATORS = 20
YEARS = 5
REPORTING_DEPTH = 4  # the cities report; districts, regions and countries add up
ROWS_PER_STATEMENT = 20_000
# Most indicators add up; a few are averages (a satisfaction score) or stocks (latest).
RULES = [Aggregation.SUM] * 14 + [Aggregation.AVERAGE] * 3 + [Aggregation.LATEST] * 3


@dataclass
class PlansData:
    strategy: Strategy
    indicators: list[Indicator]
    values: int
    reporting_places: int
    first_year: int

    def indicator(self, aggregation: str) -> Indicator:
        return next(i for i in self.indicators if i.aggregation == aggregation)


def _months(first_year: int) -> list[datetime.date]:
    return [
        datetime.date(year, month, 1)
        for year in range(first_year, first_year + YEARS)
        for month in range(1, 13)
    ]


def _strategy(country: Place, first_year: int) -> tuple[Strategy, list[Indicator]]:
    owner = Body.objects.create(
        name=f"{country.name} Bench Coordination Board",
        kind=BodyKind.NATIONAL_CENTRE,
        level=OrgLevel.NATIONAL,
        place=country,
    )
    strategy = Strategy.objects.create(
        title=f"{country.name} Bench Prevention Strategy",
        owner=owner,
        starts_on=datetime.date(first_year, 1, 1),
        status=StrategyStatus.CURRENT,
    )
    pillar = Pillar.objects.create(strategy=strategy, number=1, title="Prevention")
    objective = Objective.objects.create(
        strategy=strategy, pillar=pillar, code="1.1", title="Fewer incidents"
    )
    indicators = [
        Indicator.objects.create(
            strategy=strategy,
            objective=objective,
            code=f"1.1.{number}",
            name=f"Bench indicator {number}",
            periodicity=Periodicity.MONTHLY,
            aggregation=rule,
        )
        for number, rule in enumerate(RULES, start=1)
    ]
    return strategy, indicators


def _value_rows(indicators: list[Indicator], cities, months, now):
    """One tuple per value, in the column order of :data:`_COLUMNS`."""
    rng = random.Random(8)
    for indicator in indicators:
        for place_id, path in cities:
            ancestors = ancestor_columns(path)
            for month in months:
                yield (
                    now,
                    now,
                    place_id,
                    path,
                    *(ancestors[f"ancestor_{depth}"] for depth in range(1, 6)),
                    indicator.pk,
                    indicator.series_id,
                    month,
                    indicator.periodicity,
                    Decimal(rng.randint(0, 400)),
                    "",
                )


_COLUMNS = [
    "created_at",
    "updated_at",
    "place_id",
    "place_path",
    "ancestor_1",
    "ancestor_2",
    "ancestor_3",
    "ancestor_4",
    "ancestor_5",
    "indicator_id",
    "series",
    "period_start",
    "periodicity",
    "value",
    "note",
]


def _insert(rows) -> int:
    table = connection.ops.quote_name(IndicatorValue._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _COLUMNS)
    marks = ", ".join(["%s"] * len(_COLUMNS))
    # The table and column names come from the model; every value is a parameter.
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
    count, batch = 0, []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(row)
            if len(batch) == ROWS_PER_STATEMENT:
                cursor.executemany(sql, batch)
                count, batch = count + len(batch), []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _without_indexes(insert):
    """Run ``insert`` with the value table's secondary indexes dropped, then build them
    again: one sort per index instead of millions of index updates (the usual bulk load).
    The unique constraint stays: SQLite would rebuild the whole table to add it back."""
    indexes = IndicatorValue._meta.indexes
    with connection.schema_editor() as editor:
        for index in indexes:
            editor.remove_index(IndicatorValue, index)
    count = insert()
    with connection.schema_editor() as editor:
        for index in indexes:
            editor.add_index(IndicatorValue, index)
    return count


def generate_plans(country: Place) -> PlansData:
    """A strategy owned at ``country`` and the values of every city of the tree (the other
    countries' cities report too: their rows sit in the same indexes the roll-ups read)."""
    first_year = timezone.now().year - YEARS
    with transaction.atomic():
        strategy, indicators = _strategy(country, first_year)
    cities = list(
        Place.objects.filter(depth=REPORTING_DEPTH).order_by("path").values_list("pk", "path")
    )
    rows = _value_rows(indicators, cities, _months(first_year), timezone.now())
    values = _without_indexes(lambda: transaction.atomic(_insert)(rows))
    return PlansData(strategy, indicators, values, len(cities), first_year)

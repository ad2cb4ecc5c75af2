"""A grant's results against the indicators it tracks: per indicator its target, the value
each progress report gave for its period, and the latest value against the target."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from bridgework.access.policy import sight_for

from .models import Grant, GrantIndicator, Result

__all__ = ["IndicatorResults", "grant_results"]


@dataclass
class IndicatorResults:
    tracked: GrantIndicator
    indicator: Any  # the indicator, or a placeholder where the reader may not see it
    # The value per reporting period (by the period's first day); None: not reported.
    values: list[Decimal | None] = field(default_factory=list)

    @property
    def latest(self) -> Decimal | None:
        return next((value for value in reversed(self.values) if value is not None), None)

    @property
    def share_of_target(self) -> int | None:
        """The latest value as a whole percentage of the target (None without both)."""
        if self.latest is None or not self.tracked.target:
            return None
        return round(self.latest * 100 / self.tracked.target)


def grant_results(
    grant: Grant, user
) -> tuple[list[tuple[datetime.date, datetime.date]], list[IndicatorResults]]:
    """The periods reported on and one row per tracked indicator ``user`` sees, in three
    queries (and the sight's) whatever the number of indicators and reports."""
    tracked = list(
        GrantIndicator.objects.visible_to(user)
        .filter(grant=grant)
        .select_related("indicator")
        .order_by("indicator__code", "pk")
    )
    results = list(
        Result.objects.visible_to(user)
        .filter(grant=grant, indicator__in=[row.indicator_id for row in tracked])
        .select_related("report")
        .order_by("report__period_start", "pk")
    )
    periods = sorted({(r.report.period_start, r.report.period_end) for r in results})
    column = {period: index for index, period in enumerate(periods)}
    sight = sight_for(user)
    sight.preload(row.indicator for row in tracked)
    rows = {
        row.indicator_id: IndicatorResults(row, sight.shown(row.indicator), [None] * len(periods))
        for row in tracked
    }
    for result in results:
        rows[result.indicator_id].values[
            column[(result.report.period_start, result.report.period_end)]
        ] = result.value
    return periods, list(rows.values())

"""Reporting periods, named as DHIS2 names them: ``2025`` (a year), ``2025Q2`` (a quarter),
``202504`` (a month). A period is stored as its first day and its kind; these helpers turn
one into the other and answer which periods lie inside which."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .choices import Periodicity

__all__ = ["Period", "parse_period"]

_MONTHS_IN = {Periodicity.MONTHLY: 1, Periodicity.QUARTERLY: 3, Periodicity.YEARLY: 12}
_PATTERNS = (
    (re.compile(r"^(\d{4})$"), Periodicity.YEARLY),
    (re.compile(r"^(\d{4})Q([1-4])$"), Periodicity.QUARTERLY),
    (re.compile(r"^(\d{4})(0[1-9]|1[0-2])$"), Periodicity.MONTHLY),
)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, order=True)
class Period:
    start: datetime.date
    kind: str

    @classmethod
    def containing(cls, day: datetime.date, kind: str) -> Period:
        """The period of ``kind`` that holds ``day``."""
        if kind == Periodicity.YEARLY:
            return cls(datetime.date(day.year, 1, 1), kind)
        if kind == Periodicity.QUARTERLY:
            return cls(datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1), kind)
        return cls(datetime.date(day.year, day.month, 1), Periodicity.MONTHLY)

    @property
    def months(self) -> int:
        return _MONTHS_IN[Periodicity(self.kind)]

    @property
    def end(self) -> datetime.date:
        """The first day after the period."""
        return _add_months(self.start, self.months)

    @property
    def code(self) -> str:
        if self.kind == Periodicity.YEARLY:
            return f"{self.start.year}"
        if self.kind == Periodicity.QUARTERLY:
            return f"{self.start.year}Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}{self.start.month:02d}"

    @property
    def label(self) -> str:
        if self.kind == Periodicity.YEARLY:
            return self.code
        if self.kind == Periodicity.QUARTERLY:
            return f"{self.start.year} Q{(self.start.month - 1) // 3 + 1}"
        return self.start.strftime("%Y-%m")

    def __str__(self) -> str:
        return self.label

    def contains(self, other: Period) -> bool:
        return self.start <= other.start and other.end <= self.end

    def next(self) -> Period:
        return Period(self.end, self.kind)

    def previous(self) -> Period:
        return Period(_add_months(self.start, -self.months), self.kind)

    def split(self, kind: str) -> list[Period]:
        """The periods of ``kind`` (no longer than this one) that make it up."""
        parts, current = [], Period(self.start, kind)
        while current.start < self.end:
            parts.append(current)
            current = current.next()
        return parts

    def last(self, count: int) -> list[Period]:
        """This period and the ``count - 1`` before it, oldest first."""
        periods = [self]
        while len(periods) < count:
            periods.insert(0, periods[0].previous())
        return periods


def parse_period(code: str) -> Period:
    """``"2025Q2"`` → the second quarter of 2025; ValueError with a readable message."""
    text = (code or "").strip().upper()
    for pattern, kind in _PATTERNS:
        match = pattern.match(text)
        if match:
            year = int(match.group(1))
            if not 1900 <= year <= 2200:
                break
            if kind == Periodicity.YEARLY:
                return Period(datetime.date(year, 1, 1), kind)
            if kind == Periodicity.QUARTERLY:
                return Period(datetime.date(year, (int(match.group(2)) - 1) * 3 + 1, 1), kind)
            return Period(datetime.date(year, int(match.group(2)), 1), kind)
    raise ValueError(
        _("“%(code)s” is not a period: write 2025, 2025Q2 or 202504.") % {"code": code}
    )

"""Budgets by year, weighted criteria, application fields and tranche schedules as typed in a
form: one line each, parsed into plain JSON-ready values and checked, with messages that say
which line is wrong. Pure functions (no database), so property tests can throw anything at
them."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext as _

__all__ = [
    "MAX_YEARS",
    "budget_lines",
    "budget_text",
    "budget_total",
    "check_budget",
    "check_schedule",
    "criteria_text",
    "fields_text",
    "first_unreported_period_end",
    "parse_amount",
    "parse_budget",
    "parse_criteria",
    "parse_fields",
    "parse_schedule",
    "report_periods",
    "schedule_text",
    "weighted_score",
]

MAX_YEARS = 10
MAX_AMOUNT = Decimal("999999999999.99")
_SEPARATOR = re.compile(r"\s*[:=\t ]\s*")


def _lines(text: str) -> list[tuple[int, str]]:
    return [(n, line.strip()) for n, line in enumerate(str(text).splitlines(), 1) if line.strip()]


def parse_amount(raw: str, *, line: int | None = None) -> Decimal:
    """A positive amount of money with at most two decimals (spaces and commas as thousands
    separators are allowed: "12 500", "12,500.50")."""
    cleaned = str(raw).replace(",", "").replace(" ", "").replace("\u00a0", "")
    where = _("Line %(n)s: ") % {"n": line} if line else ""
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValidationError(where + _("“%(raw)s” is not an amount.") % {"raw": raw}) from None
    if not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT:
        raise ValidationError(where + _("An amount is a positive number."))
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(where + _("An amount has at most two decimals."))
    return amount.quantize(Decimal("0.01"))


def parse_budget(text: str) -> dict[str, str]:
    """``"2026: 40000\\n2027: 35000"`` → ``{"2026": "40000.00", "2027": "35000.00"}``."""
    budget: dict[str, str] = {}
    for n, line in _lines(text):
        parts = _SEPARATOR.split(line, maxsplit=1)
        if len(parts) != 2 or not re.fullmatch(r"\d{4}", parts[0]):
            raise ValidationError(
                _("Line %(n)s: write a year and an amount, like “2026: 40000”.") % {"n": n}
            )
        year = parts[0]
        if year in budget:
            raise ValidationError(
                _("Line %(n)s: %(year)s is there twice.") % {"n": n, "year": year}
            )
        if not 1900 <= int(year) <= 2200:
            raise ValidationError(_("Line %(n)s: %(year)s is not a year.") % {"n": n, "year": year})
        budget[year] = str(parse_amount(parts[1], line=n))
    return dict(sorted(budget.items()))


def budget_lines(budget: dict | None) -> list[tuple[int, Decimal]]:
    return sorted((int(year), Decimal(amount)) for year, amount in (budget or {}).items())


def budget_total(budget: dict | None) -> Decimal:
    return sum((amount for _year, amount in budget_lines(budget)), Decimal("0.00"))


def budget_text(budget: dict | None) -> str:
    return "\n".join(f"{year}: {amount}" for year, amount in budget_lines(budget))


def check_budget(budget: dict | None, *, amount: Decimal, first_year: int, years: int) -> None:
    """The yearly lines add up to ``amount`` and lie within the ``years`` from ``first_year``."""
    lines = budget_lines(budget)
    if not lines:
        raise ValidationError(_("Give the budget year by year."))
    last_year = first_year + years - 1
    outside = [year for year, _amount in lines if not first_year <= year <= last_year]
    if outside:
        raise ValidationError(
            _("The budget has lines for %(years)s, outside the project (%(first)s–%(last)s).")
            % {"years": ", ".join(map(str, outside)), "first": first_year, "last": last_year}
        )
    total = budget_total(budget)
    if total != amount:
        raise ValidationError(
            _("The budget lines add up to %(total)s, not the %(amount)s asked for.")
            % {"total": total, "amount": _cents(amount)}
        )


def parse_criteria(text: str) -> list[dict]:
    """``"40 Fit with local needs"`` per line → ``[{"key", "name", "weight"}]``."""
    criteria: list[dict] = []
    for n, line in _lines(text):
        match = re.fullmatch(r"(\d{1,3})\s*%?\s+(.+)", line)
        if not match or int(match[1]) <= 0:
            raise ValidationError(
                _("Line %(n)s: write a weight and a name, like “40 Fit with local needs”.")
                % {"n": n}
            )
        key = slugify(match[2])[:40] or f"criterion-{n}"
        if any(c["key"] == key for c in criteria):
            raise ValidationError(_("Line %(n)s: this criterion is there twice.") % {"n": n})
        criteria.append({"key": key, "name": match[2][:200], "weight": int(match[1])})
    return criteria


def criteria_text(criteria: list[dict] | None) -> str:
    return "\n".join(f"{c['weight']} {c['name']}" for c in criteria or [])


def parse_fields(text: str) -> list[dict]:
    """The questions of a call's application form, one per line; a trailing ``*`` makes one
    required at submission: ``"Who takes part? *"`` → ``[{"key", "label", "required"}]``."""
    fields: list[dict] = []
    for n, line in _lines(text):
        required = line.endswith("*")
        label = line.rstrip("*").strip()[:200]
        key = slugify(label)[:40]
        if not key:
            raise ValidationError(_("Line %(n)s: a question needs words.") % {"n": n})
        if any(f["key"] == key for f in fields):
            raise ValidationError(_("Line %(n)s: this question is there twice.") % {"n": n})
        fields.append({"key": key, "label": label, "required": required})
    return fields


def fields_text(fields: list[dict] | None) -> str:
    return "\n".join(f["label"] + (" *" if f.get("required") else "") for f in fields or [])


def weighted_score(criteria: list[dict], scores: dict) -> Decimal | None:
    """The weighted mean of one reviewer's scores (0–5 per criterion), or None unscored."""
    weights = {c["key"]: c["weight"] for c in criteria}
    total_weight = sum(weights.values())
    if not total_weight or not scores:
        return None
    total = sum(Decimal(str(scores.get(key, 0))) * weight for key, weight in weights.items())
    return (total / total_weight).quantize(Decimal("0.01"))


def parse_schedule(text: str) -> list[tuple[datetime.date, Decimal]]:
    """Tranches as ``"2027-01-15: 30000"`` per line, in date order."""
    tranches = []
    for n, line in _lines(text):
        parts = _SEPARATOR.split(line, maxsplit=1)
        try:
            due = datetime.date.fromisoformat(parts[0])
        except ValueError:
            raise ValidationError(
                _("Line %(n)s: write a date and an amount, like “2027-01-15: 30000”.") % {"n": n}
            ) from None
        if len(parts) != 2:
            raise ValidationError(_("Line %(n)s: the amount is missing.") % {"n": n})
        tranches.append((due, parse_amount(parts[1], line=n)))
    return sorted(tranches)


def schedule_text(tranches) -> str:
    return "\n".join(f"{due.isoformat()}: {amount}" for due, amount in tranches)


def check_schedule(
    tranches: list[tuple[datetime.date, Decimal]],
    *,
    amount: Decimal,
    starts_on: datetime.date,
    years: int,
) -> None:
    """The tranches add up to the award and fall within its years."""
    if not tranches:
        raise ValidationError(_("Give at least one tranche."))
    ends_on = add_years(starts_on, years)
    outside = [due for due, _amount in tranches if not starts_on <= due < ends_on]
    if outside:
        raise ValidationError(
            _("Tranches must fall within the grant (%(start)s to %(end)s): %(dates)s.")
            % {
                "start": starts_on.isoformat(),
                "end": (ends_on - datetime.timedelta(days=1)).isoformat(),
                "dates": ", ".join(d.isoformat() for d in outside),
            }
        )
    total = sum((a for _due, a in tranches), Decimal("0.00"))
    if total != amount:
        raise ValidationError(
            _("The tranches add up to %(total)s, not the %(amount)s awarded.")
            % {"total": total, "amount": _cents(amount)}
        )


def _cents(amount) -> Decimal:
    return Decimal(amount).quantize(Decimal("0.01"))


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same day ``years`` later (28 February for 29 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


_ONE_DAY = datetime.timedelta(days=1)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return datetime.date(year, month, min(day.day, 28))


def report_periods(
    starts_on: datetime.date, years: int, every_months: int
) -> list[tuple[datetime.date, datetime.date]]:
    """The reporting periods (first and last day) of a grant starting on ``starts_on`` for
    ``years``, one every ``every_months`` months; the last one stops at the grant's end."""
    ends_on = add_years(starts_on, years) - _ONE_DAY
    periods, start = [], starts_on
    while start <= ends_on:
        end = min(_add_months(start, every_months), ends_on + _ONE_DAY)
        periods.append((start, end - _ONE_DAY))
        start = end
    return periods


def first_unreported_period_end(
    periods: list[tuple[datetime.date, datetime.date]], reported_ends
) -> datetime.date | None:
    """The last day of the earliest of ``periods`` that no report covers (a report covers the
    period ending on its own last day); None when every period has one."""
    reported = set(reported_ends)
    for _start, end in periods:
        if end not in reported:
            return end
    return None

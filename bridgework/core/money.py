"""Amounts of money that know their currency.

A :class:`Money` is a ``Decimal``: exports, sums and comparisons see the number. Pages write it
for people, grouped and with two decimals in the reader's language, and with its currency
("64,000.00 CAD", "64 000,00 MWK"): a staff list mixes funds in Canadian dollars and in
kwacha.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from django.template.defaultfilters import floatformat
from django.utils.formats import get_format
from django.utils.translation import get_language

__all__ = ["Money"]

_CENT = Decimal("0.01")


class Money(Decimal):
    currency: str

    def __new__(cls, amount, currency: str) -> Money:
        money = super().__new__(cls, amount)
        money.currency = currency
        return money

    def shown(self, language: str | None = None) -> str:
        """As a page writes it: ``64,000.00 CAD`` (in ``language``, by default the active
        one: a list of fifty amounts asks for it once)."""
        return f"{grouped(Decimal(self), language)} {self.currency}".strip()

    def __repr__(self) -> str:
        return f"Money('{Decimal(self)}', {self.currency!r})"


def grouped(amount: Decimal, language: str | None = None) -> str:
    """``{{ amount|floatformat:"2g" }}`` (rounded half up to two decimals, grouped by
    thousands in the reader's language), written without looking the language's separators up
    again for every amount of a list. ``language`` is the active one, when the caller already
    knows it."""
    if language is None:
        language = get_language() or ""
    decimal_separator, grouping, thousand_separator = _separators(language)
    if grouping != 3:  # another grouping (Indian lakhs, none…): Django's own way
        return str(floatformat(amount, "2g"))
    rounded = amount.quantize(_CENT, rounding=ROUND_HALF_UP)
    text = f"{rounded or abs(rounded):,.2f}"  # never "-0.00"
    return text.replace(",", "\0").replace(".", decimal_separator).replace("\0", thousand_separator)


@cache
def _separators(language: str) -> tuple[str, object, str]:
    """(decimal separator, grouping, thousand separator) of ``language``."""
    code = language or None
    return (
        str(get_format("DECIMAL_SEPARATOR", code)),
        get_format("NUMBER_GROUPING", code),
        str(get_format("THOUSAND_SEPARATOR", code)),
    )

"""Amounts of money that know their currency.

A :class:`Money` is a ``Decimal``: exports, sums and comparisons see the number. Pages write it
for people, grouped and with two decimals in the reader's language, and with its currency
("64,000.00 CAD", "64 000,00 MWK"): a staff list mixes funds in Canadian dollars and in
kwacha.
"""

from __future__ import annotations

from decimal import Decimal

from django.template.defaultfilters import floatformat

__all__ = ["Money"]


class Money(Decimal):
    currency: str

    def __new__(cls, amount, currency: str) -> Money:
        money = super().__new__(cls, amount)
        money.currency = currency
        return money

    def shown(self) -> str:
        """As a page writes it: ``64,000.00 CAD``."""
        return f"{floatformat(Decimal(self), '2g')} {self.currency}".strip()

    def __repr__(self) -> str:
        return f"Money('{Decimal(self)}', {self.currency!r})"

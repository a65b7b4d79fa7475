"""Amounts in integer minor units of a currency, formatted by Babel for the visitor's locale."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, get_currency_precision


@dataclass(frozen=True)
class Money:
    minor: int
    currency: str

    @property
    def amount(self) -> Decimal:
        """The amount in major units, exact (a Decimal built from integers, never a float)."""
        return Decimal(self.minor).scaleb(-get_currency_precision(self.currency))

    def formatted(self, locale: str) -> str:
        return format_currency(self.amount, self.currency, locale=visitor_locale(locale))


def visitor_locale(locale: str, default: str = "en") -> str:
    """A locale Babel knows (`fr_CH`, `de-DE`); anything else falls back to `default`."""
    try:
        return str(Locale.parse(locale.replace("-", "_")))
    except (UnknownLocaleError, ValueError, TypeError):
        return default

"""Numbers, money, percentages and dates in the reader's locale: through Babel only."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel import Locale, dates, numbers

from comptoir.money import Money, visitor_locale


def money(amount: Money, locale: str) -> str:
    return amount.formatted(locale)


def number(value: int | Decimal, locale: str) -> str:
    return numbers.format_decimal(value, locale=visitor_locale(locale))


def percent(ratio: Decimal, locale: str, *, decimals: int = 0) -> str:
    """`ratio` 0.2 -> "20 %" in French (the locale's own pattern), rounded by Babel to `decimals` places."""
    babel_locale = Locale.parse(visitor_locale(locale))
    pattern = babel_locale.percent_formats[None].pattern
    if decimals:
        last_zero = pattern.rindex("0") + 1
        pattern = pattern[:last_zero] + "." + "0" * decimals + pattern[last_zero:]
    return numbers.format_percent(ratio, format=pattern, locale=babel_locale)


def day(value: date, locale: str, *, style: str = "medium") -> str:
    return dates.format_date(value, format=style, locale=visitor_locale(locale))


def moment(value: datetime, locale: str, *, timezone: str = "UTC", style: str = "medium") -> str:
    return dates.format_datetime(value, format=style, tzinfo=dates.get_timezone(timezone),
                                 locale=visitor_locale(locale))

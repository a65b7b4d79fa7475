"""Money, numbers, percentages and dates through Babel, in the reader's locale."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from comptoir.i18n import formatting
from comptoir.money import Money


@pytest.fixture(autouse=True)
def clean_tables() -> Iterator[None]:
    """No database here."""
    yield


def _plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\xa0", " ")


@pytest.mark.parametrize(("locale", "expected"), [
    ("en", "€1,234.50"), ("fr", "1 234,50 €"), ("de", "1.234,50 €"), ("es", "1.234,50 €"), ("ru", "1 234,50 €")])
def test_money_takes_the_readers_separators_and_symbol_place(locale, expected):
    assert _plain(formatting.money(Money(123450, "EUR"), locale)) == expected


def test_numbers_percentages_and_dates():
    assert _plain(formatting.number(Decimal("1234567.891"), "fr")) == "1 234 567,891"
    assert _plain(formatting.percent(Decimal("0.2"), "fr")) == "20 %"
    assert formatting.percent(Decimal("0.075"), "de", decimals=1) == "7,5\xa0%"
    assert _plain(formatting.day(date(2026, 11, 30), "ru")) == "30 нояб. 2026 г."
    assert formatting.day(date(2026, 11, 30), "es", style="long") == "30 de noviembre de 2026"
    assert _plain(formatting.moment(datetime(2026, 11, 30, 23, 30, tzinfo=UTC), "de",
                                    timezone="Europe/Berlin")) == "01.12.2026, 00:30:00"

"""Invoice numbering formats (SPEC §9.2), pure: which counter a number comes from and how it reads.

- SEQ: 1, 2, 3 … (one counter for ever)
- YEAR-ID: 2026-1234 — the issue year, then a counter that never restarts
- YEAR-SEQ: 2026-1 — a counter restarting each calendar year
- VATYEAR-SEQ: 2026-1 — a counter restarting at the seller's fiscal-year start month; the label is the
  calendar year in which that fiscal year began (April 2026 – March 2027 reads 2026)
Every counter starts at the seller's starting number. Credit notes have their own counters and read
"CN-" before the same format.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date


class NumberingFormat(enum.Enum):
    SEQ = "SEQ"
    YEAR_ID = "YEAR-ID"
    YEAR_SEQ = "YEAR-SEQ"
    VATYEAR_SEQ = "VATYEAR-SEQ"


class Series(enum.Enum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


PREFIX = {Series.INVOICE: "", Series.CREDIT_NOTE: "CN-"}


@dataclass(frozen=True)
class Counter:
    """Which counter row a number is taken from: the series and the period it restarts with ('' never)."""

    series: Series
    period: str


def fiscal_year(day: date, start_month: int) -> int:
    """The calendar year in which the fiscal year holding `day` began."""
    return day.year if day.month >= start_month else day.year - 1


def counter_for(fmt: NumberingFormat, series: Series, issue_date: date, *, fiscal_start_month: int = 1) -> Counter:
    if fmt is NumberingFormat.YEAR_SEQ:
        return Counter(series, str(issue_date.year))
    if fmt is NumberingFormat.VATYEAR_SEQ:
        return Counter(series, f"FY{fiscal_year(issue_date, fiscal_start_month)}")
    return Counter(series, "")


def format_number(fmt: NumberingFormat, series: Series, issue_date: date, value: int, *,
                  fiscal_start_month: int = 1) -> str:
    if fmt is NumberingFormat.SEQ:
        body = str(value)
    elif fmt is NumberingFormat.VATYEAR_SEQ:
        body = f"{fiscal_year(issue_date, fiscal_start_month)}-{value}"
    else:
        body = f"{issue_date.year}-{value}"
    return PREFIX[series] + body

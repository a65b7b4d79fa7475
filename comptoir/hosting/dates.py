"""Calendar arithmetic for validity periods."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from comptoir.hosting.plan_values import ValidityUnit


def add_months(start: date, months: int) -> date:
    """Same day `months` later; the 29th–31st fall back to the last day of shorter months."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def add_period(start: date, count: int, unit: ValidityUnit) -> date:
    if unit is ValidityUnit.DAYS:
        return start + timedelta(days=count)
    if unit is ValidityUnit.MONTHS:
        return add_months(start, count)
    return add_months(start, 12 * count)

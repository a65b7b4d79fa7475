"""Billing calendar rules (SPEC §9.1), pure: cycles, anchors, periods, proration, invoice dates.

A period is half-open, [start, end): `end` is the next renewal date. Invoice lines show the inclusive
end (end − 1 day). Anniversary anchors clamp to the month's end and come back to their own day.
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from comptoir.storefront.rules import MONTHS, Cycle

__all__ = ["Cycle", "MONTHS", "BillingMode", "ServiceKind", "Period", "LineKind", "add_months", "renewal_date",
           "days_in_month", "prorated_minor", "ServiceTerms", "periods", "first_periods", "invoice_date",
           "period_months", "DEFAULT_LEAD_DAYS", "unused_minor"]


class BillingMode(enum.Enum):
    ANNIVERSARY = "anniversary"
    MONTHLY = "monthly"


class ServiceKind(enum.Enum):
    HOSTING = "hosting"
    DOMAIN = "domain"
    CERTIFICATE = "certificate"


DEFAULT_LEAD_DAYS = {ServiceKind.HOSTING: 10, ServiceKind.DOMAIN: 30, ServiceKind.CERTIFICATE: 30}


class LineKind(enum.Enum):
    RECURRING = "recurring"
    SETUP = "setup"
    PRORATION = "proration"
    ONE_OFF = "one_off"
    CREDIT = "credit"
    DISCOUNT = "discount"
    OVERAGE = "overage"


# Lines that cover a period of a service: what generation compares with what should have been billed.
PERIOD_KINDS = frozenset({LineKind.RECURRING.value, LineKind.PRORATION.value})


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date  # exclusive: the next renewal date
    kind: LineKind = LineKind.RECURRING
    amount_minor: int = 0

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)


def days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def add_months(day: date, months: int, *, anchor_day: int | None = None) -> date:
    """`day` moved by `months`, on `anchor_day` (default: its own day) clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    wanted = anchor_day if anchor_day is not None else day.day
    return date(year, month + 1, min(wanted, days_in_month(year, month + 1)))


def period_months(cycle: Cycle) -> int:
    return MONTHS[cycle]


def renewal_date(started_on: date, anchor_day: int, cycle: Cycle, n: int) -> date:
    """The n-th renewal of an anniversary service: computed from the start, so a clamped month (Feb 28)
    never drags the anchor (Jan 31 → Feb 28 → Mar 31)."""
    return add_months(started_on, n * MONTHS[cycle], anchor_day=anchor_day)


def prorated_minor(price_minor: int, day: date, *, cycle_months: int = 1) -> int:
    """Price × (days from `day` to the month's end, both included) ÷ (days in the month), half-up to the
    minor unit. A cycle longer than a month prorates its monthly share (price ÷ months)."""
    total = days_in_month(day.year, day.month)
    remaining = total - day.day + 1
    exact = Decimal(price_minor) * remaining / (Decimal(total) * cycle_months)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class ServiceTerms:
    """What the calendar of one billed service depends on."""

    started_on: date
    cycle: Cycle
    price_minor: int
    mode: BillingMode = BillingMode.ANNIVERSARY
    prorate: bool = True
    anchor_day: int | None = None  # None: the day of started_on
    threshold_day: int = 20

    @property
    def follows_monthly(self) -> bool:
        """Monthly mode applies to prorated plans only; others follow anniversary rules (SPEC §9.1)."""
        return self.mode is BillingMode.MONTHLY and self.prorate

    @property
    def anchor(self) -> int:
        return self.anchor_day or self.started_on.day


def first_periods(terms: ServiceTerms) -> list[Period]:
    """What the first invoice (at order time) covers. Monthly mode: the rest of the month prorated, plus
    the first full cycle when the sign-up is on or after the threshold day; a sign-up on the 1st pays a
    full cycle. Anniversary: the first cycle."""
    start = terms.started_on
    if not terms.follows_monthly:
        return [Period(start, renewal_date(start, terms.anchor, terms.cycle, 1), amount_minor=terms.price_minor)]
    if start.day == 1:
        return [Period(start, add_months(start, MONTHS[terms.cycle]), amount_minor=terms.price_minor)]
    first_of_next = add_months(start.replace(day=1), 1)
    rest = Period(start, first_of_next, LineKind.PRORATION,
                  prorated_minor(terms.price_minor, start, cycle_months=MONTHS[terms.cycle]))
    if start.day < terms.threshold_day:
        return [rest]
    return [rest, Period(first_of_next, add_months(first_of_next, MONTHS[terms.cycle]),
                         amount_minor=terms.price_minor)]


def periods(terms: ServiceTerms) -> Iterator[Period]:
    """Every period of the service from its start, in order, without end (callers stop)."""
    first = first_periods(terms)
    yield from first
    start = first[-1].end
    if terms.follows_monthly:
        while True:
            end = add_months(start, MONTHS[terms.cycle])
            yield Period(start, end, amount_minor=terms.price_minor)
            start = end
    n = 1
    while True:
        end = renewal_date(terms.started_on, terms.anchor, terms.cycle, n + 1)
        yield Period(start, end, amount_minor=terms.price_minor)
        start, n = end, n + 1


def invoice_date(period: Period, *, lead_days: int, started_on: date) -> date:
    """When a period is invoiced: `lead_days` before it starts, never before the service itself started
    (the first invoice is issued at order time)."""
    return max(period.start - timedelta(days=lead_days), started_on)


def due_periods(terms: ServiceTerms, *, today: date, lead_days: int, until: date | None = None) -> list[Period]:
    """The periods that should have been invoiced by `today` (each `lead_days` ahead of its start),
    stopping before `until` (exclusive, e.g. the end of a cancelled service)."""
    due = []
    for period in periods(terms):
        if until is not None and period.start >= until:
            break
        if invoice_date(period, lead_days=lead_days, started_on=terms.started_on) > today:
            break
        due.append(period)
    return due


def unused_minor(price_minor: int, period: Period, on: date) -> int:
    """The part of a period's price for the days from `on` to its end (`on` included), half-up: what a
    plan change or an immediate cancellation on `on` gives back (Stripe's proration by days)."""
    if on <= period.start:
        return price_minor
    if on >= period.end:
        return 0
    left, whole = (period.end - on).days, (period.end - period.start).days
    return int((Decimal(price_minor) * left / whole).quantize(Decimal(1), rounding=ROUND_HALF_UP))

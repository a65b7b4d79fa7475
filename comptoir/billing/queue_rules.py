"""Pure rules of the payment queue (SPEC §6): which invoices enter a queue on a day, in which order a
customer's invoices are tried, and whether a failed attempt may be tried again."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class QueueSettings:
    process_new: bool = True
    retry_declined: bool = True
    retry_errored: bool = True
    retry_delay_days: int = 3
    due_date_only: bool = False
    clear_first: bool = True
    try_lower_amounts: bool = True
    card_action: str = "capture"
    days_before_due: int = 1


@dataclass(frozen=True)
class Candidate:
    invoice_id: uuid.UUID
    amount_minor: int
    issue_date: date
    number: str


@dataclass(frozen=True)
class LastAttempt:
    """The invoice's latest queue attempt that failed: when, and how (decline soft/hard, "" = error)."""

    on: date
    decline: str


def falls_due(due_date: date, today: date, settings: QueueSettings) -> bool:
    """Charge only on the due date, or from `days_before_due` days before it."""
    if settings.due_date_only:
        return due_date <= today
    return due_date - timedelta(days=settings.days_before_due) <= today


def may_try(last: LastAttempt | None, today: date, settings: QueueSettings) -> bool:
    """New invoices per `process_new`; hard declines never again; soft declines and errors per their
    setting once the retry delay has passed."""
    if last is None:
        return settings.process_new
    if last.decline == "hard":
        return False
    allowed = settings.retry_declined if last.decline == "soft" else settings.retry_errored
    return allowed and last.on + timedelta(days=settings.retry_delay_days) <= today


def customer_order(candidates: list[Candidate], settings: QueueSettings) -> list[Candidate]:
    """Try lower amounts: smallest first (what the card covers gets paid); else oldest first."""
    if settings.try_lower_amounts:
        return sorted(candidates, key=lambda c: (c.amount_minor, c.issue_date, c.number))
    return sorted(candidates, key=lambda c: (c.issue_date, c.number))


def continues_after(outcome: str, settings: QueueSettings) -> bool:
    """After a failure (or a payment waiting for the customer) the customer's next invoice is tried only
    when trying lower amounts; otherwise the queue stops at the customer's first failure."""
    return outcome in ("paid", "authorised") or settings.try_lower_amounts

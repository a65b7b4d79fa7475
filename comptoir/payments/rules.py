"""Pure rules of payments: the state machine, card number checks, expiry arithmetic.

The state machine follows the gateway's view of one payment (as Kill Bill's payment states and Stripe's
PaymentIntent do): events may arrive late, twice or out of order (webhooks, polling, a retried worker),
so `advance` accepts only moves forward and ignores a stale or repeated one instead of failing.
"""

from __future__ import annotations

import enum
from datetime import date


class Status(enum.Enum):
    PENDING = "pending"
    REQUIRES_ACTION = "requires_action"
    AUTHORISED = "authorised"
    CAPTURED = "captured"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    FAILED = "failed"
    VOIDED = "voided"
    ERROR = "error"  # the gateway never told the outcome (asynchronous settlement gave up)


S = Status
_MOVES: dict[Status, frozenset[Status]] = {
    S.PENDING: frozenset({S.REQUIRES_ACTION, S.AUTHORISED, S.CAPTURED, S.FAILED, S.VOIDED, S.ERROR}),
    S.REQUIRES_ACTION: frozenset({S.AUTHORISED, S.CAPTURED, S.FAILED, S.VOIDED}),
    S.AUTHORISED: frozenset({S.CAPTURED, S.VOIDED, S.FAILED}),
    S.CAPTURED: frozenset({S.PARTIALLY_REFUNDED, S.REFUNDED}),
    S.PARTIALLY_REFUNDED: frozenset({S.PARTIALLY_REFUNDED, S.REFUNDED}),
    # A late answer after we gave up still tells the truth about the money.
    S.ERROR: frozenset({S.AUTHORISED, S.CAPTURED, S.FAILED}),
    S.REFUNDED: frozenset(),
    S.FAILED: frozenset(),
    S.VOIDED: frozenset(),
}
FINAL = frozenset({S.REFUNDED, S.FAILED, S.VOIDED})
SETTLED = frozenset({S.CAPTURED, S.PARTIALLY_REFUNDED, S.REFUNDED})


def can_move(current: Status, target: Status) -> bool:
    return target in _MOVES[current]


def advance(current: Status, target: Status) -> Status | None:
    """The new status, or None when the event is stale or repeated (nothing to do)."""
    return target if can_move(current, target) else None


def refund_status(captured: int, refunded: int) -> Status:
    return S.REFUNDED if refunded >= captured else S.PARTIALLY_REFUNDED


def luhn_valid(number: str) -> bool:
    if not number.isdigit() or not 12 <= len(number) <= 19:
        return False
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def card_brand(number: str) -> str:
    if number.startswith("4"):
        return "visa"
    if number[:2] in {"51", "52", "53", "54", "55"} or "2221" <= number[:4] <= "2720":
        return "mastercard"
    if number[:2] in {"34", "37"}:
        return "amex"
    return "card"


def card_expired(month: int, year: int, today: date) -> bool:
    """A card is valid through the last day of its expiry month."""
    return (year, month) < (today.year, today.month)


def expires_within(month: int, year: int, today: date, days: int) -> bool:
    """Whether the card's last valid day falls within `days` from today (and it has not expired)."""
    if card_expired(month, year, today):
        return False
    first_after = date(year + (month == 12), month % 12 + 1, 1)
    return (first_after - today).days - 1 <= days


def expiry_label(month: int, year: int) -> str:
    return f"{year:04d}-{month:02d}"

"""What a coupon allows and gives (pure: no database).

Modelled on Stripe's and Lago's coupons: percent off or a fixed amount off in one currency; a duration
(first period only, N periods, for ever); a window in which the code may be redeemed (a redeemed coupon
then runs its duration, as Stripe's `redeem_by`); global and per-customer redemption limits.
"""

from __future__ import annotations

import enum
import re
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from comptoir.errors import ErrorCode

CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,39}$")


class CouponErrorCode(ErrorCode):
    UNKNOWN_COUPON = "unknown_coupon"
    COUPON_NOT_YET_VALID = "coupon_not_yet_valid"
    COUPON_EXPIRED = "coupon_expired"
    COUPON_NOT_FOR_PLAN = "coupon_not_for_plan"
    COUPON_CURRENCY_MISMATCH = "coupon_currency_mismatch"
    COUPON_LIMIT_REACHED = "coupon_limit_reached"
    COUPON_CUSTOMER_LIMIT_REACHED = "coupon_customer_limit_reached"
    COUPON_ALREADY_REDEEMED = "coupon_already_redeemed"
    INVALID_COUPON = "invalid_coupon"


MESSAGES = {
    CouponErrorCode.UNKNOWN_COUPON: "No such coupon.",
    CouponErrorCode.COUPON_NOT_YET_VALID: "This coupon is not valid yet.",
    CouponErrorCode.COUPON_EXPIRED: "This coupon has expired.",
    CouponErrorCode.COUPON_NOT_FOR_PLAN: "This coupon does not apply to this plan.",
    CouponErrorCode.COUPON_CURRENCY_MISMATCH: "This coupon is in another currency.",
    CouponErrorCode.COUPON_LIMIT_REACHED: "This coupon has been used up.",
    CouponErrorCode.COUPON_CUSTOMER_LIMIT_REACHED: "You have used this coupon as often as it allows.",
    CouponErrorCode.COUPON_ALREADY_REDEEMED: "This coupon is already applied to this service.",
}


class Duration(enum.Enum):
    FIRST_PERIOD = "first_period"
    REPEATING = "repeating"
    FOREVER = "forever"


@dataclass(frozen=True)
class Terms:
    kind: str  # "percent" | "fixed"
    percent: Decimal | None = None
    amount_minor: int | None = None
    currency: str | None = None
    plan_ids: Sequence[uuid.UUID] = ()
    duration: Duration = Duration.FIRST_PERIOD
    duration_periods: int | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    max_uses: int | None = None
    max_uses_per_customer: int | None = None
    active: bool = True


def normalised_code(code: str) -> str:
    return code.strip().upper()


def redemption_problems(terms: Terms, *, on: date, plan_ids: Collection[uuid.UUID], currency: str,
                        uses: int, customer_uses: int | None) -> list[CouponErrorCode]:
    """Why the coupon cannot be redeemed on `on` for these plans (`customer_uses` None: buyer unknown)."""
    problems = []
    if not terms.active:
        return [CouponErrorCode.UNKNOWN_COUPON]
    if terms.valid_from and on < terms.valid_from:
        problems.append(CouponErrorCode.COUPON_NOT_YET_VALID)
    if terms.valid_until and on > terms.valid_until:
        problems.append(CouponErrorCode.COUPON_EXPIRED)
    if terms.plan_ids and not set(plan_ids) & set(terms.plan_ids):
        problems.append(CouponErrorCode.COUPON_NOT_FOR_PLAN)
    if terms.kind == "fixed" and terms.currency != currency.upper():
        problems.append(CouponErrorCode.COUPON_CURRENCY_MISMATCH)
    if terms.max_uses is not None and uses >= terms.max_uses:
        problems.append(CouponErrorCode.COUPON_LIMIT_REACHED)
    if (terms.max_uses_per_customer is not None and customer_uses is not None
            and customer_uses >= terms.max_uses_per_customer):
        problems.append(CouponErrorCode.COUPON_CUSTOMER_LIMIT_REACHED)
    return problems


def applies_to(terms: Terms, plan_id: uuid.UUID | None) -> bool:
    return not terms.plan_ids or plan_id in terms.plan_ids


def within_duration(terms: Terms, periods_used: int) -> bool:
    """Whether one more period may be discounted after `periods_used` were."""
    if terms.duration is Duration.FOREVER:
        return True
    limit = 1 if terms.duration is Duration.FIRST_PERIOD else (terms.duration_periods or 0)
    return periods_used < limit


def discount(terms: Terms, *, amount_minor: int, currency: str) -> int:
    """The amount off `amount_minor`: a percent of it half-up, or the fixed amount capped at it."""
    if amount_minor <= 0:
        return 0
    if terms.kind == "percent":
        off = (Decimal(amount_minor) * (terms.percent or Decimal(0)) / 100).quantize(Decimal(1), ROUND_HALF_UP)
        return min(int(off), amount_minor)
    if terms.currency != currency.upper():
        return 0
    return min(terms.amount_minor or 0, amount_minor)

"""What a coupon gives and allows, without a database."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from comptoir.billing.coupon_rules import (
    CouponErrorCode,
    Duration,
    Terms,
    discount,
    redemption_problems,
    within_duration,
)

PLAN, OTHER = uuid.uuid4(), uuid.uuid4()
ON = date(2025, 3, 1)


@given(st.integers(min_value=-10_000, max_value=10**9), st.decimals(min_value="0.01", max_value=100, places=2))
def test_a_percentage_off_is_the_half_up_share_and_never_more_than_the_amount(amount: int, percent: Decimal) -> None:
    off = discount(Terms("percent", percent=percent), amount_minor=amount, currency="EUR")
    assert 0 <= off <= max(amount, 0)
    if amount > 0:
        assert off == int((Decimal(amount) * percent / 100).quantize(Decimal(1), ROUND_HALF_UP))


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=10**6))
def test_a_fixed_amount_off_is_capped_at_the_amount(amount: int, fixed: int) -> None:
    terms = Terms("fixed", amount_minor=fixed, currency="EUR")
    assert discount(terms, amount_minor=amount, currency="eur") == min(fixed, amount)
    assert discount(terms, amount_minor=amount, currency="USD") == 0


@given(st.integers(min_value=0, max_value=50), st.integers(min_value=1, max_value=12))
def test_durations_count_periods(used: int, periods: int) -> None:
    assert within_duration(Terms("percent", duration=Duration.FIRST_PERIOD), used) == (used == 0)
    assert within_duration(Terms("percent", duration=Duration.REPEATING, duration_periods=periods), used) == (
        used < periods)
    assert within_duration(Terms("percent", duration=Duration.FOREVER), used)


def test_every_problem_of_a_code_is_listed() -> None:
    terms = Terms("fixed", amount_minor=500, currency="EUR", plan_ids=(PLAN,), valid_until=date(2025, 2, 28),
                  max_uses=3, max_uses_per_customer=1)
    assert redemption_problems(terms, on=ON, plan_ids=[OTHER], currency="USD", uses=3, customer_uses=1) == [
        CouponErrorCode.COUPON_EXPIRED, CouponErrorCode.COUPON_NOT_FOR_PLAN, CouponErrorCode.COUPON_CURRENCY_MISMATCH,
        CouponErrorCode.COUPON_LIMIT_REACHED, CouponErrorCode.COUPON_CUSTOMER_LIMIT_REACHED]
    assert redemption_problems(terms, on=date(2025, 2, 28), plan_ids=[PLAN, OTHER], currency="eur", uses=2,
                               customer_uses=None) == []
    assert redemption_problems(Terms("percent", percent=Decimal(5), active=False), on=ON, plan_ids=[], currency="EUR",
                               uses=0, customer_uses=0) == [CouponErrorCode.UNKNOWN_COUPON]

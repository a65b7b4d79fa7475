"""A coupon with one use left and 20 concurrent checkouts: exactly one redemption."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from comptoir.billing import coupons
from comptoir.billing.coupon_models import Coupon, CouponRedemption
from comptoir.billing.coupon_rules import CouponErrorCode
from comptoir.database.engine import session_scope
from comptoir.errors import DomainError
from tests.billing.tax_support import Shop, buyer, shop


def _checkouts_at_once(made: Shop, code: str, customers: Sequence[uuid.UUID]) -> list[str]:
    """Each customer redeems `code` for a new service, all released together; what each was told."""
    start = threading.Barrier(len(customers))

    def checkout(customer: uuid.UUID) -> str:
        with session_scope(made.system) as session:
            start.wait(timeout=30)
            try:
                coupons.redeem(session, seller_id=made.seller_id, code=code, customer_id=customer,
                               service_id=uuid.uuid4(), plan_id=None, currency="EUR", on=date(2025, 3, 1))
            except DomainError as refused:
                return refused.code.name
            return "redeemed"

    with ThreadPoolExecutor(max_workers=len(customers)) as pool:
        return list(pool.map(checkout, customers))


def test_twenty_concurrent_checkouts_of_the_last_use_redeem_it_once() -> None:
    # given a coupon used 4 times out of 5
    alpha = shop("FR")
    with session_scope(alpha.reseller) as session:
        coupon = coupons.create(session, seller_id=alpha.seller_id, coupon=coupons.NewCoupon(
            code="LAST", kind="percent", percent=Decimal("50"), max_uses=5))
        coupon.uses = 4

    # when 20 checkouts redeem it at once
    outcomes = _checkouts_at_once(alpha, "LAST", [buyer(alpha, "FR", name=f"Buyer {n}") for n in range(20)])

    # then one got it, the others were told it is used up, and the counter agrees with the rows
    assert outcomes.count("redeemed") == 1
    assert outcomes.count(CouponErrorCode.COUPON_LIMIT_REACHED.name) == 19
    with session_scope(alpha.reseller) as session:
        assert session.scalar(select(Coupon.uses)) == 5
        assert session.scalar(select(func.count()).select_from(CouponRedemption)) == 1


def test_one_customer_checking_out_eight_times_at_once_keeps_its_own_limit() -> None:
    alpha = shop("FR")
    with session_scope(alpha.reseller) as session:
        coupons.create(session, seller_id=alpha.seller_id, coupon=coupons.NewCoupon(
            code="ONCE", kind="percent", percent=Decimal("10"), max_uses_per_customer=1))

    outcomes = _checkouts_at_once(alpha, "ONCE", [buyer(alpha, "FR")] * 8)

    assert outcomes.count("redeemed") == 1
    assert outcomes.count(CouponErrorCode.COUPON_CUSTOMER_LIMIT_REACHED.name) == 7

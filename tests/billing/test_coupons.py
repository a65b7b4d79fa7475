"""Coupons: creation rules, redemption with its typed refusals, and the discounts seam."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from comptoir.billing import coupons, discounts
from comptoir.billing.coupon_models import CouponRedemption
from comptoir.billing.coupon_rules import CouponErrorCode, Duration
from comptoir.billing.coupons import NewCoupon
from comptoir.database.engine import session_scope
from comptoir.errors import CommonErrorCode, DomainError
from comptoir.hosting.models import ServicePlan
from comptoir.tenancy.context import Role, TenantContext
from tests.billing.tax_support import Shop, buyer, shop

ON = date(2025, 3, 1)


@pytest.fixture
def alpha() -> Shop:
    return shop("FR")


def _plan(made: Shop) -> uuid.UUID:
    with session_scope(made.system) as session:
        plan = ServicePlan(seller_id=made.seller_id, kind="service", name=f"Plan {uuid.uuid4().hex[:6]}")
        session.add(plan)
        session.flush()
        return plan.id


def _coupon(made: Shop, **terms) -> uuid.UUID:  # type: ignore[no-untyped-def]
    terms = {"code": "SPRING", "kind": "percent", "percent": Decimal("20"), **terms}
    with session_scope(made.reseller) as session:
        return coupons.create(session, seller_id=made.seller_id, coupon=NewCoupon(**terms)).id


def _redeem(made: Shop, customer: uuid.UUID, *, code: str = "spring", plan: uuid.UUID | None = None,
            service: uuid.UUID | None = None, on: date = ON, currency: str = "EUR") -> uuid.UUID:
    with session_scope(made.system) as session:
        return coupons.redeem(session, seller_id=made.seller_id, code=code, customer_id=customer,
                              service_id=service or uuid.uuid4(), plan_id=plan, currency=currency, on=on).id


def _refusal(made: Shop, customer: uuid.UUID, **kwargs) -> CouponErrorCode:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as refused:
        _redeem(made, customer, **kwargs)
    assert refused.value.field == "code"
    return refused.value.code  # type: ignore[return-value]


def _for(made: Shop, customer: uuid.UUID, service: uuid.UUID, amount: int, plan: uuid.UUID | None = None,
         currency: str = "EUR") -> list[discounts.Discount]:
    with session_scope(made.system) as session:
        return discounts.discounts_for(session, seller_id=made.seller_id, customer_id=customer, service_id=service,
                                       plan_id=plan, currency=currency, period_start=ON, amount_minor=amount)


def _applied(made: Shop, service: uuid.UUID, found: list[discounts.Discount], invoice: uuid.UUID) -> None:
    with session_scope(made.system) as session:
        discounts.discounts_applied(session, seller_id=made.seller_id, invoice_id=invoice, service_id=service,
                                    discounts=found)


def test_codes_are_unique_per_seller_whatever_their_case(alpha: Shop) -> None:
    _coupon(alpha)
    with pytest.raises(DomainError) as twice:
        _coupon(alpha, code="Spring")
    assert (twice.value.code, twice.value.field) == (CommonErrorCode.CONFLICT, "code")
    _coupon(shop("DE", name="Bravo", prefix="bravo"))  # another seller may use it


def test_bad_terms_are_all_reported_at_once(alpha: Shop) -> None:
    with pytest.raises(DomainError) as refused:
        _coupon(alpha, code="no spaces", percent=Decimal("120"), duration=Duration.REPEATING,
                valid_from=date(2025, 2, 1), valid_until=date(2025, 1, 1))
    assert {e.field for e in refused.value.errors} == {"code", "percent", "durationPeriods", "validUntil"}


def test_each_refusal_has_its_code(alpha: Shop) -> None:
    plan, other_plan = _plan(alpha), _plan(alpha)
    customer = buyer(alpha, "FR")
    _coupon(alpha, plan_ids=[plan], valid_from=date(2025, 2, 1), valid_until=date(2025, 2, 28), max_uses=2,
            max_uses_per_customer=1)
    assert _refusal(alpha, customer, code="NOPE", plan=plan, on=date(2025, 2, 10)) is CouponErrorCode.UNKNOWN_COUPON
    assert _refusal(alpha, customer, plan=plan, on=date(2025, 1, 31)) is CouponErrorCode.COUPON_NOT_YET_VALID
    assert _refusal(alpha, customer, plan=plan, on=date(2025, 3, 1)) is CouponErrorCode.COUPON_EXPIRED
    assert _refusal(alpha, customer, plan=other_plan, on=date(2025, 2, 10)) is CouponErrorCode.COUPON_NOT_FOR_PLAN
    _redeem(alpha, customer, plan=plan, on=date(2025, 2, 10))
    assert _refusal(alpha, customer, plan=plan, on=date(2025, 2, 10)) is \
        CouponErrorCode.COUPON_CUSTOMER_LIMIT_REACHED
    _redeem(alpha, buyer(alpha, "FR"), plan=plan, on=date(2025, 2, 10))
    assert _refusal(alpha, buyer(alpha, "FR"), plan=plan, on=date(2025, 2, 10)) is CouponErrorCode.COUPON_LIMIT_REACHED


def test_a_deactivated_coupon_is_unknown_to_new_buyers_but_keeps_its_redemptions(alpha: Shop) -> None:
    coupon = _coupon(alpha, duration=Duration.FOREVER)
    customer, service = buyer(alpha, "FR"), uuid.uuid4()
    _redeem(alpha, customer, service=service)
    with session_scope(alpha.reseller) as session:
        coupons.deactivate(session, coupon_id=coupon)
    assert _refusal(alpha, buyer(alpha, "FR")) is CouponErrorCode.UNKNOWN_COUPON
    assert [d.amount_minor for d in _for(alpha, customer, service, 1000)] == [200]


def test_redeeming_again_for_the_same_service_returns_the_same_redemption(alpha: Shop) -> None:
    _coupon(alpha, max_uses=1)
    customer, service = buyer(alpha, "FR"), uuid.uuid4()
    assert _redeem(alpha, customer, service=service) == _redeem(alpha, customer, service=service)


def test_a_fixed_coupon_is_capped_at_the_amount_and_needs_its_currency(alpha: Shop) -> None:
    _coupon(alpha, code="FIVE", kind="fixed", percent=None, amount_minor=500, currency="eur",
            duration=Duration.FOREVER)
    customer, service = buyer(alpha, "FR"), uuid.uuid4()
    assert _refusal(alpha, customer, code="five", currency="USD") is CouponErrorCode.COUPON_CURRENCY_MISMATCH
    _redeem(alpha, customer, code="five", service=service)
    assert [d.amount_minor for d in _for(alpha, customer, service, 1999)] == [500]
    assert [d.amount_minor for d in _for(alpha, customer, service, 300)] == [300]
    assert _for(alpha, customer, service, 1999, currency="USD") == []


def test_percent_discounts_round_half_up(alpha: Shop) -> None:
    _coupon(alpha, percent=Decimal("12.5"), duration=Duration.FOREVER)
    customer, service = buyer(alpha, "FR"), uuid.uuid4()
    _redeem(alpha, customer, service=service)
    found = _for(alpha, customer, service, 1004)  # 125.5 → 126
    assert [(d.amount_minor, d.description) for d in found] == [(126, "Coupon SPRING (12.5% off)")]


@pytest.mark.parametrize(("duration", "periods", "discounted"), [
    (Duration.FIRST_PERIOD, None, 1), (Duration.REPEATING, 3, 3), (Duration.FOREVER, None, 5)])
def test_a_coupon_discounts_as_many_periods_as_its_duration(alpha: Shop, duration: Duration, periods: int | None,
                                                            discounted: int) -> None:
    _coupon(alpha, duration=duration, duration_periods=periods)
    customer, service = buyer(alpha, "FR"), uuid.uuid4()
    _redeem(alpha, customer, service=service)
    given = []
    for _ in range(5):
        found = _for(alpha, customer, service, 1000)
        given.append(sum(d.amount_minor for d in found))
        invoice = uuid.uuid4()
        _applied(alpha, service, found, invoice)
        _applied(alpha, service, found, invoice)  # the same invoice again counts once
    assert given == [200] * discounted + [0] * (5 - discounted)


def test_a_coupon_for_some_plans_discounts_only_those(alpha: Shop) -> None:
    plan, addon = _plan(alpha), _plan(alpha)
    _coupon(alpha, plan_ids=[plan], duration=Duration.FOREVER)
    customer, service = buyer(alpha, "FR"), uuid.uuid4()
    _redeem(alpha, customer, plan=plan, service=service)
    assert _for(alpha, customer, service, 1000, plan=addon) == []
    assert [d.amount_minor for d in _for(alpha, customer, service, 1000, plan=plan)] == [200]


def test_validate_code_lists_every_problem_for_the_cart(alpha: Shop) -> None:
    plan = _plan(alpha)
    _coupon(alpha, plan_ids=[plan], valid_until=date(2025, 1, 31))
    with session_scope(alpha.system) as session:
        problems = coupons.validate_code(session, seller_id=alpha.seller_id, code="spring", customer_id=None,
                                         plan_ids=[_plan(alpha)], currency="EUR", on=ON)
        fine = coupons.validate_code(session, seller_id=alpha.seller_id, code="spring", customer_id=None,
                                     plan_ids=[plan], currency="EUR", on=date(2025, 1, 2))
    assert [p.code for p in problems] == [CouponErrorCode.COUPON_EXPIRED, CouponErrorCode.COUPON_NOT_FOR_PLAN]
    assert fine == []


def test_limits_cannot_go_below_what_was_used(alpha: Shop) -> None:
    coupon = _coupon(alpha, max_uses=5)
    _redeem(alpha, buyer(alpha, "FR"))
    _redeem(alpha, buyer(alpha, "FR"))
    with session_scope(alpha.reseller) as session, pytest.raises(DomainError) as refused:
        coupons.update(session, coupon_id=coupon, changes=coupons.CouponChanges(max_uses=1))
    assert refused.value.field == "maxUses"
    with session_scope(alpha.reseller) as session:
        assert coupons.update(session, coupon_id=coupon, changes=coupons.CouponChanges(
            cleared=frozenset({"max_uses"}))).max_uses is None
        assert session.query(CouponRedemption).count() == 2


def test_a_store_visitor_checks_active_codes_only(alpha: Shop) -> None:
    # given an active coupon, redeemed once, and a deactivated one
    _coupon(alpha)
    _redeem(alpha, buyer(alpha, "FR"))
    gone = _coupon(alpha, code="GONE")
    with session_scope(alpha.reseller) as session:
        coupons.deactivate(session, coupon_id=gone)
    visitor = TenantContext(Role.STOREFRONT, alpha.seller_id)

    # when a store's visitor checks both codes
    with session_scope(visitor) as session:
        active = coupons.validate_code(session, seller_id=alpha.seller_id, code="SPRING", customer_id=None,
                                       plan_ids=[], currency="EUR", on=ON)
        deactivated = coupons.validate_code(session, seller_id=alpha.seller_id, code="GONE", customer_id=None,
                                            plan_ids=[], currency="EUR", on=ON)
        # then it sees the active one alone, and no redemption (who redeemed what is the seller's)
        assert session.query(CouponRedemption).count() == 0

    assert active == []
    assert [p.code for p in deactivated] == [CouponErrorCode.UNKNOWN_COUPON]


def test_a_coupon_keeps_only_the_terms_of_its_kind(alpha: Shop) -> None:
    coupon_id = _coupon(alpha, amount_minor=500, currency="EUR")  # a percentage coupon given an amount too
    with session_scope(alpha.reseller) as session:
        coupon = coupons.get_or_raise(session, coupon_id=coupon_id)
        assert (coupon.percent, coupon.amount_minor, coupon.currency) == (Decimal("20"), None, None)

"""Coupons of a seller: create, change, deactivate; redeem a code for a billed service; check a code."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from babel.numbers import list_currencies
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from comptoir.billing import coupon_rules
from comptoir.billing.coupon_models import Coupon, CouponRedemption
from comptoir.billing.coupon_rules import CouponErrorCode, Duration
from comptoir.database.pagination import Page, PageRequest, paginate
from comptoir.errors import CommonErrorCode, DomainError, collect_errors
from comptoir.hosting.models import ServicePlan


@dataclass(frozen=True, kw_only=True)
class NewCoupon(coupon_rules.Terms):
    """A coupon to create: its code and name, and its terms."""

    code: str
    name: str = ""


@dataclass(frozen=True)
class CouponChanges:
    """What may change once a coupon exists (its amount and duration are its terms: a new coupon instead)."""

    name: str | None = None
    plan_ids: Sequence[uuid.UUID] | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    max_uses: int | None = None
    max_uses_per_customer: int | None = None
    cleared: frozenset[str] = field(default_factory=frozenset)  # optional fields set back to "none"


def terms_of(coupon: Coupon) -> coupon_rules.Terms:
    return coupon_rules.Terms(
        kind=coupon.kind, percent=coupon.percent, amount_minor=coupon.amount_minor, currency=coupon.currency,
        plan_ids=tuple(coupon.plan_ids), duration=Duration(coupon.duration), duration_periods=coupon.duration_periods,
        valid_from=coupon.valid_from, valid_until=coupon.valid_until, max_uses=coupon.max_uses,
        max_uses_per_customer=coupon.max_uses_per_customer, active=coupon.active)


def get_or_raise(session: Session, *, coupon_id: uuid.UUID) -> Coupon:
    coupon = session.get(Coupon, coupon_id)
    if coupon is None:
        raise DomainError(CommonErrorCode.NOT_FOUND, "No such coupon.", field="id")
    return coupon


def list_page(session: Session, *, seller_id: uuid.UUID, page: PageRequest, active: bool | None = None,
              code_prefix: str | None = None, sort: str = "created_at") -> Page[Coupon]:
    statement = select(Coupon).where(Coupon.seller_id == seller_id)
    if active is not None:
        statement = statement.where(Coupon.active.is_(active))
    if code_prefix:
        statement = statement.where(Coupon.code.startswith(coupon_rules.normalised_code(code_prefix), autoescape=True))
    column = Coupon.code if sort == "code" else Coupon.created_at
    return paginate(session, statement, page, sort_column=column, id_column=Coupon.id)


def redemptions_page(session: Session, *, seller_id: uuid.UUID, page: PageRequest, coupon_id: uuid.UUID | None = None,
                     customer_id: uuid.UUID | None = None) -> Page[CouponRedemption]:
    statement = select(CouponRedemption).where(CouponRedemption.seller_id == seller_id)
    if coupon_id:
        statement = statement.where(CouponRedemption.coupon_id == coupon_id)
    if customer_id:
        statement = statement.where(CouponRedemption.customer_id == customer_id)
    return paginate(session, statement, page, sort_column=CouponRedemption.created_at,
                    id_column=CouponRedemption.id)


def create(session: Session, *, seller_id: uuid.UUID, coupon: NewCoupon) -> Coupon:
    """A new coupon; its code is unique for the seller (letters are kept in capitals)."""
    code = coupon_rules.normalised_code(coupon.code)
    with collect_errors() as errors:
        if not coupon_rules.CODE.match(code):
            errors.add(DomainError(CouponErrorCode.INVALID_COUPON, "Letters, digits, '-' and '_', at most 40.",
                                   field="code"))
        errors.check(lambda: _check_amount(coupon))
        errors.check(lambda: _check_duration(coupon.duration, coupon.duration_periods))
        errors.check(lambda: _check_window(coupon.valid_from, coupon.valid_until))
        errors.check(lambda: _check_limits(coupon.max_uses, coupon.max_uses_per_customer))
        errors.check(lambda: _check_plans(session, seller_id, coupon.plan_ids))
    percent_off = coupon.kind == "percent"  # a coupon keeps only the terms of its kind
    made = Coupon(
        seller_id=seller_id, code=code, name=coupon.name.strip()[:100], kind=coupon.kind,
        percent=coupon.percent if percent_off else None, amount_minor=None if percent_off else coupon.amount_minor,
        currency=None if percent_off or not coupon.currency else coupon.currency.upper(),
        plan_ids=list(dict.fromkeys(coupon.plan_ids)), duration=coupon.duration.value,
        duration_periods=coupon.duration_periods if coupon.duration is Duration.REPEATING else None,
        valid_from=coupon.valid_from, valid_until=coupon.valid_until, max_uses=coupon.max_uses,
        max_uses_per_customer=coupon.max_uses_per_customer)
    try:
        with session.begin_nested():
            session.add(made)
            session.flush()
    except IntegrityError as error:
        if "coupons_seller_id_code_key" in str(error.orig):
            raise DomainError(CommonErrorCode.CONFLICT, "A coupon has this code already.", field="code") from None
        raise
    return made


def update(session: Session, *, coupon_id: uuid.UUID, changes: CouponChanges) -> Coupon:
    coupon = session.scalar(select(Coupon).where(Coupon.id == coupon_id).with_for_update().execution_options(
        populate_existing=True))
    if coupon is None:
        raise DomainError(CommonErrorCode.NOT_FOUND, "No such coupon.", field="id")
    values = {name: getattr(changes, name) for name in ("name", "plan_ids", "valid_from", "valid_until", "max_uses",
                                                        "max_uses_per_customer")}
    merged = {name: None if name in changes.cleared else (value if value is not None else getattr(coupon, name))
              for name, value in values.items()}
    with collect_errors() as errors:
        errors.check(lambda: _check_window(merged["valid_from"], merged["valid_until"]))
        errors.check(lambda: _check_limits(merged["max_uses"], merged["max_uses_per_customer"]))
        if merged["max_uses"] is not None and merged["max_uses"] < coupon.uses:
            errors.add(DomainError(CommonErrorCode.INVALID, f"Already used {coupon.uses} times.", field="maxUses"))
        errors.check(lambda: _check_plans(session, coupon.seller_id, merged["plan_ids"] or ()))
    coupon.name = (merged["name"] or "").strip()[:100]
    coupon.plan_ids = list(dict.fromkeys(merged["plan_ids"] or ()))
    coupon.valid_from, coupon.valid_until = merged["valid_from"], merged["valid_until"]
    coupon.max_uses, coupon.max_uses_per_customer = merged["max_uses"], merged["max_uses_per_customer"]
    coupon.updated_at = func.now()
    session.flush()
    return coupon


def deactivate(session: Session, *, coupon_id: uuid.UUID) -> Coupon:
    """No new redemptions; services that redeemed it keep their discount for its duration."""
    coupon = get_or_raise(session, coupon_id=coupon_id)
    coupon.active = False
    coupon.updated_at = func.now()
    session.flush()
    return coupon


def _check_amount(coupon: NewCoupon) -> None:
    if coupon.kind == "percent":
        percent = coupon.percent
        if percent is None or not percent.is_finite() or not Decimal(0) < percent <= 100 or percent != percent.quantize(
                Decimal("0.01")):
            raise DomainError(CommonErrorCode.INVALID, "A percentage above 0, at most 100.", field="percent")
    elif coupon.kind == "fixed":
        if coupon.amount_minor is None or coupon.amount_minor <= 0:
            raise DomainError(CommonErrorCode.INVALID, "A positive amount.", field="amount")
        if not coupon.currency or coupon.currency.upper() not in list_currencies():
            raise DomainError(CommonErrorCode.INVALID, "An ISO 4217 currency.", field="currency")
    else:
        raise DomainError(CommonErrorCode.INVALID, "Percent or fixed.", field="kind")


def _check_duration(duration: Duration, periods: int | None) -> None:
    if duration is Duration.REPEATING and (periods is None or not 1 <= periods <= 1000):
        raise DomainError(CommonErrorCode.INVALID, "A repeating coupon runs 1 to 1000 periods.",
                          field="durationPeriods")


def _check_window(valid_from: date | None, valid_until: date | None) -> None:
    if valid_from and valid_until and valid_until < valid_from:
        raise DomainError(CommonErrorCode.INVALID, "Ends before it starts.", field="validUntil")


def _check_limits(max_uses: int | None, per_customer: int | None) -> None:
    if max_uses is not None and max_uses < 1:
        raise DomainError(CommonErrorCode.INVALID, "At least 1.", field="maxUses")
    if per_customer is not None and per_customer < 1:
        raise DomainError(CommonErrorCode.INVALID, "At least 1.", field="maxUsesPerCustomer")


def _check_plans(session: Session, seller_id: uuid.UUID, plan_ids: Collection[uuid.UUID]) -> None:
    if not plan_ids:
        return
    found = set(session.scalars(select(ServicePlan.id).where(
        ServicePlan.seller_id == seller_id, ServicePlan.id.in_(list(plan_ids)))))
    if set(plan_ids) - found:
        raise DomainError(CommonErrorCode.NOT_FOUND, "Not a plan of this seller.", field="planIds")


# ---- redemption ----------------------------------------------------------------------------------------


def redeem(session: Session, *, seller_id: uuid.UUID, code: str, customer_id: uuid.UUID, service_id: uuid.UUID,
           plan_id: uuid.UUID | None, currency: str, on: date) -> CouponRedemption:
    """Redeem a code for a billed service at checkout; the same service redeeming again gets its redemption
    back. The coupon row is locked, so that concurrent checkouts never pass its limits."""
    coupon = session.scalar(select(Coupon).where(
        Coupon.seller_id == seller_id, Coupon.code == coupon_rules.normalised_code(code)).with_for_update()
        .execution_options(populate_existing=True))
    if coupon is None:
        raise _error(CouponErrorCode.UNKNOWN_COUPON)
    existing = session.scalar(select(CouponRedemption).where(
        CouponRedemption.coupon_id == coupon.id, CouponRedemption.service_id == service_id))
    if existing is not None:
        return existing
    problems = coupon_rules.redemption_problems(
        terms_of(coupon), on=on, plan_ids=[plan_id] if plan_id else [], currency=currency, uses=coupon.uses,
        customer_uses=_customer_uses(session, coupon.id, customer_id))
    if problems:
        raise _error(problems[0])
    coupon.uses += 1
    redemption = CouponRedemption(seller_id=seller_id, coupon_id=coupon.id, customer_id=customer_id,
                                  service_id=service_id)
    session.add(redemption)
    session.flush()
    return redemption


def validate_code(session: Session, *, seller_id: uuid.UUID, code: str, customer_id: uuid.UUID | None,
                  plan_ids: Collection[uuid.UUID], currency: str, on: date) -> list[DomainError]:
    """The problems a cart shows for a code (none: it would be accepted at checkout, limits permitting)."""
    coupon = session.scalar(select(Coupon).where(
        Coupon.seller_id == seller_id, Coupon.code == coupon_rules.normalised_code(code)))
    if coupon is None:
        return [_error(CouponErrorCode.UNKNOWN_COUPON)]
    customer_uses = _customer_uses(session, coupon.id, customer_id) if customer_id else None
    problems = coupon_rules.redemption_problems(terms_of(coupon), on=on, plan_ids=plan_ids, currency=currency,
                                                uses=coupon.uses, customer_uses=customer_uses)
    return [_error(problem) for problem in problems]


def _customer_uses(session: Session, coupon_id: uuid.UUID, customer_id: uuid.UUID) -> int:
    return session.scalar(select(func.count()).select_from(CouponRedemption).where(
        CouponRedemption.coupon_id == coupon_id, CouponRedemption.customer_id == customer_id)) or 0


def _error(code: CouponErrorCode) -> DomainError:
    return DomainError(code, coupon_rules.MESSAGES[code], field="code")

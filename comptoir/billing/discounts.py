"""The seam invoice generation calls: the discounts a service's redeemed coupons give for a period, and
recording that an invoice used them (one period of each coupon's duration per invoice)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from comptoir.billing import coupon_rules
from comptoir.billing.coupon_models import Coupon, CouponApplication, CouponRedemption
from comptoir.billing.coupons import redeem, terms_of, validate_code
from comptoir.money import Money

__all__ = ["Discount", "discounts_applied", "discounts_for", "redeem", "validate_code"]


@dataclass(frozen=True)
class Discount:
    description: str
    amount_minor: int
    coupon_id: uuid.UUID


def discounts_for(session: Session, *, seller_id: uuid.UUID, customer_id: uuid.UUID, service_id: uuid.UUID,
                  plan_id: uuid.UUID | None, currency: str, period_start: date, amount_minor: int) -> list[Discount]:
    """What the coupons redeemed for the service take off `amount_minor` for the period starting on
    `period_start`: each within its duration and for its plans, in redemption order, never more in all
    than the amount."""
    rows = session.execute(
        select(CouponRedemption, Coupon).join(Coupon, Coupon.id == CouponRedemption.coupon_id).where(
            CouponRedemption.seller_id == seller_id, CouponRedemption.customer_id == customer_id,
            CouponRedemption.service_id == service_id).order_by(CouponRedemption.created_at, CouponRedemption.id))
    found, remaining = [], amount_minor
    for redemption, coupon in rows:
        terms = terms_of(coupon)
        if not coupon_rules.applies_to(terms, plan_id) or not coupon_rules.within_duration(
                terms, redemption.periods_applied):
            continue
        off = coupon_rules.discount(terms, amount_minor=remaining, currency=currency)
        if off:
            found.append(Discount(describe(coupon), off, coupon.id))
            remaining -= off
    return found


def discounts_applied(session: Session, *, seller_id: uuid.UUID, invoice_id: uuid.UUID, service_id: uuid.UUID,
                      discounts: list[Discount]) -> None:
    """Count the invoice's period as used by each coupon; applying the same invoice again changes nothing."""
    for item in discounts:
        redemption_id = session.scalar(select(CouponRedemption.id).where(
            CouponRedemption.seller_id == seller_id, CouponRedemption.coupon_id == item.coupon_id,
            CouponRedemption.service_id == service_id))
        if redemption_id is None:
            continue
        added = session.scalar(insert(CouponApplication).values(
            redemption_id=redemption_id, invoice_id=invoice_id, seller_id=seller_id, amount_minor=item.amount_minor,
        ).on_conflict_do_nothing(index_elements=["seller_id", "redemption_id", "invoice_id"]).returning(
            CouponApplication.invoice_id))
        if added is not None:
            session.execute(update(CouponRedemption).where(CouponRedemption.id == redemption_id).values(
                periods_applied=CouponRedemption.periods_applied + 1))


def describe(coupon: Coupon) -> str:
    """"Coupon SPRING (20% off)", "Coupon WELCOME (€5.00 off)"."""
    if coupon.kind == "percent" and coupon.percent is not None:
        off = f"{coupon.percent.normalize():f}%"
    else:
        off = Money(coupon.amount_minor or 0, coupon.currency or "EUR").formatted("en")
    label = coupon.name or coupon.code
    return f"Coupon {label} ({off} off)"

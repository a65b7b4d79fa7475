"""The seam between invoicing and coupons (the coupons helper replaces these bodies).

For each period a service is billed for, invoicing asks `discounts_for` which discounts apply and writes
each as an invoice line of kind "discount" (negative net) right after the line it reduces, posting its
cost to the coupon-expense account. Once the invoice is issued, `discounts_applied` is told, in the same
transaction, so that coupon uses and remaining periods are counted exactly once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Discount:
    description: str
    amount_minor: int  # positive: how much the line is reduced by
    coupon_id: uuid.UUID


def discounts_for(session: Session, *, seller_id: uuid.UUID, customer_id: uuid.UUID, service_id: uuid.UUID,
                  plan_id: uuid.UUID | None, currency: str, period_start: date, amount_minor: int) -> list[Discount]:
    """The discounts on one billed period of a service. Neutral: none."""
    return []


def discounts_applied(session: Session, *, seller_id: uuid.UUID, invoice_id: uuid.UUID, service_id: uuid.UUID,
                      discounts: list[Discount]) -> None:
    """Record that `discounts` were granted on an issued invoice. Neutral: nothing to record."""

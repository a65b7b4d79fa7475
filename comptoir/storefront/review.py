"""The seller's review of customers a store created: activate, cancel, mark fraudulent.

Every action keeps the customer record and its orders "for future reference"; only an activated
customer can log in (log-in and the session look-up refuse any other status).
"""

from __future__ import annotations

import enum
import uuid

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.errors import CommonErrorCode, DomainError
from comptoir.storefront.errors import StorefrontError, StorefrontErrorCode
from comptoir.storefront.models import Order
from comptoir.tenancy.models import Customer


class ReviewAction(enum.Enum):
    ACTIVATE = "activate"
    CANCEL = "cancel"
    MARK_FRAUDULENT = "mark_fraudulent"


# From which statuses each action applies, and the status it leaves.
TRANSITIONS: dict[ReviewAction, tuple[frozenset[str], str]] = {
    ReviewAction.ACTIVATE: (frozenset({"pending"}), "active"),
    ReviewAction.CANCEL: (frozenset({"pending"}), "cancelled"),
    ReviewAction.MARK_FRAUDULENT: (frozenset({"pending", "active"}), "fraudulent"),
}


def list_pending(session: Session, *, seller_id: uuid.UUID) -> list[Customer]:
    return list(session.scalars(select(Customer).where(Customer.seller_id == seller_id, Customer.status == "pending")
                                .order_by(Customer.created_at, Customer.id)))


def review(session: Session, *, customer_id: uuid.UUID, action: ReviewAction) -> Customer:
    """Apply a seller's decision; cancelling or marking fraudulent also cancels the pending orders."""
    customer = session.get(Customer, customer_id, with_for_update=True)
    if customer is None:
        raise DomainError(CommonErrorCode.NOT_FOUND, "No customer with this id.", field="id")
    allowed_from, to = TRANSITIONS[action]
    if customer.status not in allowed_from:
        raise StorefrontError(StorefrontErrorCode.CUSTOMER_NOT_REVIEWABLE,
                              f"A {customer.status} customer cannot be given this decision.", field="id")
    customer.status, customer.updated_at = to, clock.now()
    if action is not ReviewAction.ACTIVATE:
        session.execute(update(Order).where(Order.seller_id == customer.seller_id, Order.customer_id == customer.id,
                                            Order.status == "pending").values(status="cancelled",
                                                                              updated_at=clock.now()))
    session.flush()
    return customer


def orders_of(session: Session, *, seller_id: uuid.UUID, status: str | None = None) -> list[Order]:
    statement = select(Order).where(Order.seller_id == seller_id)
    if status:
        statement = statement.where(Order.status == status)
    return list(session.scalars(statement.order_by(Order.created_at.desc(), Order.id)))

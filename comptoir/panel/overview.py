"""The home-page summary per role: customers, subscriptions, invoices, resources allocated vs used (used is
actual usage, measured; the sum of limits given to subscriptions stands beside it)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comptoir.hosting import allocation_usage
from comptoir.hosting.models import Subscription
from comptoir.tenancy import allocation as rules
from comptoir.tenancy.context import Role, TenantContext
from comptoir.tenancy.models import Customer


@dataclass(frozen=True)
class Overview:
    customers: int | None  # None: not a count a customer has
    subscriptions: int
    invoices: int  # no invoices are stored yet: always 0
    resources: list[rules.ResourceUsage] = field(default_factory=list)


def _count(session: Session, model: type[Customer | Subscription], *conditions: object) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0  # type: ignore[arg-type]


def for_viewer(*, session: Session, viewer: TenantContext) -> Overview:
    """Provider: the whole instance; reseller: its tenant and allocation; customer: its own subscriptions."""
    if viewer.role is Role.PROVIDER:
        return Overview(customers=_count(session, Customer), subscriptions=_count(session, Subscription),
                        invoices=0)
    if viewer.role is Role.CUSTOMER:
        return Overview(customers=None, invoices=0, subscriptions=_count(
            session, Subscription, Subscription.seller_id == viewer.seller_id,
            Subscription.customer_id == viewer.customer_id))
    return _reseller(session, viewer.seller_id)


def _reseller(session: Session, seller_id: uuid.UUID) -> Overview:
    subscriptions = _count(session, Subscription, Subscription.seller_id == seller_id)
    customers = _count(session, Customer, Customer.seller_id == seller_id)
    report = allocation_usage.report_for(session, seller_id) or []
    return Overview(customers=customers, subscriptions=subscriptions, invoices=0, resources=report)

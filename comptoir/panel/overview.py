"""The home-page summary per role: customers, subscriptions, invoices, resources allocated vs used."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comptoir.hosting.models import Subscription
from comptoir.hosting.vocabulary import Resource
from comptoir.tenancy import allocation as rules
from comptoir.tenancy import resellers
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
    used = resellers.usage_for(session, [seller_id])[seller_id] | {Resource.SUBSCRIPTIONS: subscriptions}
    allocation = resellers.allocations_for(session, [seller_id]).get(seller_id)
    report = rules.usage_report(allocation.limits, used) if allocation is not None else []
    return Overview(customers=used.get(Resource.CUSTOMERS, 0), subscriptions=subscriptions, invoices=0,
                    resources=report)

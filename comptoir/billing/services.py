"""Billed services: starting one (an order's checkout), its first invoice at order time, cancelling."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.billing import settings as billing_settings
from comptoir.billing.errors import BillingError, BillingErrorCode
from comptoir.billing.generation import PlannedInvoice, PlannedItem, issue_planned, lock_seller, terms_of
from comptoir.billing.invoicing import DraftLine
from comptoir.billing.models import BilledService, Invoice, InvoiceLine
from comptoir.billing.rules import Cycle, LineKind, ServiceKind, first_periods
from comptoir.hosting.models import Subscription


def start_service(session: Session, *, seller_id: uuid.UUID, customer_id: uuid.UUID, kind: ServiceKind,
                  description: str, currency: str, cycle: Cycle, price_minor: int, started_on: date,
                  subject_id: uuid.UUID | None = None, store_id: uuid.UUID | None = None,
                  plan_id: uuid.UUID | None = None, prorate: bool = True) -> BilledService:
    """Start billing something sold on a cycle. Its currency (the store's) never changes. Domains renew
    yearly and are never prorated. A hosting subscription runs until its first period ends; paying
    renewals moves its expiration date on."""
    if kind is ServiceKind.DOMAIN and cycle not in (Cycle.ANNUAL, Cycle.BIENNIAL, Cycle.TRIENNIAL):
        raise BillingError(BillingErrorCode.INVALID, "Domains renew yearly.", field="cycle")
    if price_minor < 0:
        raise BillingError(BillingErrorCode.INVALID, "A price is zero or more.", field="price")
    service = BilledService(
        seller_id=seller_id, customer_id=customer_id, kind=kind.value, subject_id=subject_id,
        description=description[:255], store_id=store_id, currency=currency, plan_id=plan_id, cycle=cycle.value,
        price_minor=price_minor, prorate=prorate and kind is ServiceKind.HOSTING, anchor_day=started_on.day,
        started_on=started_on)
    session.add(service)
    session.flush()
    if kind is ServiceKind.HOSTING and subject_id is not None:
        settings = billing_settings.get(session, seller_id=seller_id)
        first_end = first_periods(terms_of(service, settings))[-1].end
        subscription = session.get(Subscription, subject_id, with_for_update=True)
        if subscription is not None:
            subscription.expiration_date = first_end
    return service


def issue_first_invoice(session: Session, *, seller_id: uuid.UUID, service_ids: Sequence[uuid.UUID], today: date,
                        order_id: uuid.UUID | None = None,
                        setup_fees: Mapping[uuid.UUID, int] | None = None) -> Invoice | None:
    """The invoice issued at order time: the first period(s) of the order's services (prorated in monthly
    mode) and their setup fees, one invoice per customer and currency. Idempotent: periods already
    billed are not billed again (then None, or the other lines alone)."""
    lock_seller(session, seller_id)
    settings = billing_settings.get(session, seller_id=seller_id)
    services = list(session.scalars(select(BilledService).where(BilledService.id.in_(list(service_ids)))
                                    .order_by(BilledService.started_on, BilledService.id)))
    if len(services) != len(set(service_ids)) or len({(s.customer_id, s.currency) for s in services}) > 1:
        raise BillingError(BillingErrorCode.INVALID, "An order's services belong to one customer and currency.",
                           field="serviceIds")
    items = []
    for service in services:
        billed = set(session.scalars(select(InvoiceLine.period_start).where(InvoiceLine.service_id == service.id)))
        items += [PlannedItem(service, period) for period in first_periods(terms_of(service, settings))
                  if period.start not in billed]
    if not items:
        return None
    setup = [DraftLine(f"Setup: {s.description}", (setup_fees or {})[s.id], LineKind.SETUP, service_id=s.id,
                       plan_id=s.plan_id) for s in services if (setup_fees or {}).get(s.id)]
    planned = PlannedInvoice(services[0].customer_id, services[0].currency, items)
    return issue_planned(session, planned, today, order_id=order_id, extra=setup)


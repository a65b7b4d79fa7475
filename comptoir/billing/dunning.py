"""Dunning (SPEC §10): unpaid invoices past their due date become overdue; their customer gets an
overdue notice at each configured day (once per day threshold per invoice); at the suspension threshold
the invoice's hosting subscriptions are suspended for BILLING (the customer keeps log-in, to pay); at the
cancellation threshold their services are cancelled (or the subscriptions deleted, per the setting).
ProcessUnsuspensions reactivates the subscriptions suspended for BILLING once none of their invoices is
still unpaid past the suspension threshold — never a subscription suspended for another reason."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.billing import settings as billing_settings
from comptoir.billing.models import BilledService, BillingSettings, Invoice, InvoiceLine
from comptoir.billing.settlement import OPEN
from comptoir.hosting import subscription_lifecycle
from comptoir.hosting.models import Subscription
from comptoir.hosting.subscription_lifecycle import SuspensionReason
from comptoir.messaging import outbox
from comptoir.money import Money
from comptoir.settings import get_settings
from comptoir.tenancy.models import Customer


def process_suspensions(session: Session, *, seller_id: uuid.UUID, today: date) -> dict[str, Any]:
    """Daily: overdue notices, suspensions at the final threshold, cancellations after the further one."""
    settings = billing_settings.get(session, seller_id=seller_id)
    counts = {"overdue": 0, "notified": 0, "suspended": 0, "cancelled": 0}
    invoices = list(session.scalars(select(Invoice).where(
        Invoice.seller_id == seller_id, Invoice.kind == "invoice", Invoice.status.in_(OPEN),
        Invoice.due_date < today).order_by(Invoice.due_date, Invoice.number).with_for_update(skip_locked=True)))
    for invoice in invoices:
        if invoice.status in ("issued", "partially_paid"):
            invoice.status = "overdue"
            counts["overdue"] += 1
        days = (today - invoice.due_date).days
        crossed = sorted(d for d in settings.overdue_notice_days if d <= days and d not in invoice.overdue_notices)
        if crossed and invoice.dunning_stage == "":
            _notify(session, invoice, days)
            invoice.overdue_notices = sorted({*invoice.overdue_notices, *crossed})
            counts["notified"] += 1
        if days >= settings.suspension_days and invoice.dunning_stage == "":
            counts["suspended"] += _suspend(session, invoice)
            invoice.dunning_stage = "suspended"
        if days >= settings.cancellation_days and invoice.dunning_stage != "cancelled":
            counts["cancelled"] += _cancel(session, invoice, settings, today)
            invoice.dunning_stage = "cancelled"
    session.flush()
    return counts


def process_unsuspensions(session: Session, *, seller_id: uuid.UUID, today: date) -> dict[str, Any]:
    """Every 20 minutes: reactivate what was suspended for billing and is paid now."""
    settings = billing_settings.get(session, seller_id=seller_id)
    suspended = list(session.scalars(select(Subscription).where(
        Subscription.seller_id == seller_id, Subscription.status == "suspended",
        Subscription.suspension_reason == SuspensionReason.BILLING.value)))
    reactivated = 0
    for subscription in suspended:
        if _still_unpaid(session, subscription.id, today - timedelta(days=settings.suspension_days)):
            continue
        subscription_lifecycle.activate(session=session, subscription_id=subscription.id)
        _tell(session, subscription.customer_id, "reactivation", {"domain": subscription.domain_name})
        reactivated += 1
    session.flush()
    return {"reactivated": reactivated}


def _still_unpaid(session: Session, subscription_id: uuid.UUID, due_on_or_before: date) -> bool:
    return session.scalar(select(Invoice.id).join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id).join(
        BilledService, BilledService.id == InvoiceLine.service_id).where(
        BilledService.kind == "hosting", BilledService.subject_id == subscription_id, Invoice.status.in_(OPEN),
        Invoice.due_date <= due_on_or_before).limit(1)) is not None


def _subscriptions_of(session: Session, invoice: Invoice) -> list[tuple[BilledService, Subscription | None]]:
    services = session.scalars(select(BilledService).join(InvoiceLine, InvoiceLine.service_id == BilledService.id)
                               .where(InvoiceLine.invoice_id == invoice.id).distinct())
    return [(s, session.get(Subscription, s.subject_id) if s.kind == "hosting" and s.subject_id else None)
            for s in services]


def _suspend(session: Session, invoice: Invoice) -> int:
    suspended = 0
    for _, subscription in _subscriptions_of(session, invoice):
        if subscription is None or subscription.status != "active":
            continue  # already suspended (by hand, expiry…): its reason stays what it is
        subscription_lifecycle.suspend(session=session, subscription_id=subscription.id,
                                       reason=SuspensionReason.BILLING)
        _tell(session, invoice.customer_id, "suspension",
              {"domain": subscription.domain_name, "reason": f"unpaid invoice {invoice.number}"})
        suspended += 1
    return suspended


def _cancel(session: Session, invoice: Invoice, settings: BillingSettings, today: date) -> int:
    cancelled = 0
    for service, subscription in _subscriptions_of(session, invoice):
        if service.status == "active":
            service.status, service.ends_on = "cancelled", today
        if subscription is None:
            continue
        _tell(session, invoice.customer_id, "cancellation",
              {"domain": subscription.domain_name, "date": today.isoformat()})
        if settings.cancellation_action == "delete":
            subscription_lifecycle.delete_subscription(session=session, subscription_id=subscription.id,
                                                       confirm=True)
        cancelled += 1
    session.flush()
    return cancelled


def _notify(session: Session, invoice: Invoice, days: int) -> None:
    customer = session.get(Customer, invoice.customer_id)
    if customer is None:
        return
    link = f"{get_settings().public_url.rstrip('/')}/invoices/{invoice.id}"
    for address in invoice.recipients or ([customer.email] if customer.email else []):
        outbox.enqueue(session=session, seller_id=invoice.seller_id, customer_id=customer.id, to_address=address,
                       template="overdue_notice", language=invoice.language, variables={
                           "name": customer.contact_name, "invoice_number": invoice.number or "",
                           "total": Money(invoice.total, invoice.currency).formatted(invoice.language),
                           "due_date": invoice.due_date.isoformat(), "days_overdue": str(days), "link": link})


def _tell(session: Session, customer_id: uuid.UUID | None, template: str, variables: dict[str, str]) -> None:
    customer = session.get(Customer, customer_id) if customer_id else None
    if customer is None or not customer.email:
        return
    outbox.enqueue(session=session, seller_id=customer.seller_id, customer_id=customer.id, to_address=customer.email,
                   template=template, language=customer.locale, variables={"name": customer.contact_name, **variables})

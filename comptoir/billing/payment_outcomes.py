"""Card payments against invoices: a payment whose `purpose` names invoices (`invoice_ids`) records
itself on them once captured (idempotent per payment id), so an invoice paid by card is paid and its
service's coverage advances; the customer is e-mailed `payment_received` or `payment_failed`; a payment
the bank wants authenticated makes its invoices `action_required`. A payment of a payment queue row
(`queue_row_id`) also moves its row and lets the queue charge that customer's next invoice.

The callbacks are registered with payments' listeners by automation.registry."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.billing import payment_queue, settlement
from comptoir.billing.models import Invoice, PaymentAllocation
from comptoir.messaging import outbox
from comptoir.money import Money
from comptoir.settings import get_settings
from comptoir.tenancy.models import Customer

CARD_METHOD = "card"


def invoice_ids_of(purpose: dict[str, Any] | None) -> list[uuid.UUID]:
    """The invoice ids a payment's purpose names (anything that is not an invoice id is ignored)."""
    found = []
    for value in (purpose or {}).get("invoice_ids", []) or []:
        try:
            found.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    return found


def _invoices_paid_by(session: Session, payment: Any) -> list[uuid.UUID]:
    """The named invoices that exist and are the paying customer's, in the order named."""
    named = invoice_ids_of(payment.purpose)
    if not named or payment.customer_id is None:
        return []
    known = set(session.scalars(select(Invoice.id).where(Invoice.id.in_(named), Invoice.kind == "invoice",
                                                         Invoice.customer_id == payment.customer_id,
                                                         Invoice.currency == payment.currency)))
    return [invoice_id for invoice_id in named if invoice_id in known]


def on_succeeded(session: Session, payment: Any) -> None:
    invoice_ids = _invoices_paid_by(session, payment)
    if invoice_ids and payment.customer_id is not None and not _recorded(session, payment.id):
        amount = payment.captured or payment.amount
        settlement.record_payment(session, seller_id=payment.seller_id, customer_id=payment.customer_id,
                                  amount=Money(amount, payment.currency), method=CARD_METHOD,
                                  reference=payment.gateway_reference or str(payment.id), invoice_ids=invoice_ids,
                                  on=clock.today(), payment_id=payment.id)
        _tell(session, payment, invoice_ids, "payment_received", amount)
    payment_queue.payment_settled(session, payment, "paid")


def on_authorised(session: Session, payment: Any) -> None:
    payment_queue.payment_settled(session, payment, "authorised")


def on_failed(session: Session, payment: Any) -> None:
    invoice_ids = _invoices_paid_by(session, payment)
    if invoice_ids and payment.customer_id is not None:
        _tell(session, payment, invoice_ids, "payment_failed", payment.amount)
    payment_queue.payment_settled(session, payment, "failed")


def on_action_required(session: Session, payment: Any) -> None:
    """The customer already got the authentication link from payments; the invoice waits for it."""
    for invoice_id in _invoices_paid_by(session, payment):
        invoice = session.get(Invoice, invoice_id, with_for_update=True)
        if invoice is not None and invoice.status in ("issued", "partially_paid", "overdue"):
            invoice.status = "action_required"
    session.flush()
    payment_queue.payment_settled(session, payment, "action_required")


def _recorded(session: Session, payment_id: uuid.UUID) -> bool:
    return session.scalar(select(PaymentAllocation.id).where(PaymentAllocation.payment_id == payment_id)
                          .limit(1)) is not None


def _tell(session: Session, payment: Any, invoice_ids: list[uuid.UUID], template: str, amount: int) -> None:
    customer = session.get(Customer, payment.customer_id)
    if customer is None or not customer.email:
        return
    invoices = [i for i in (session.get(Invoice, invoice_id) for invoice_id in invoice_ids) if i is not None]
    numbers = ", ".join(i.number or "" for i in invoices)
    money = Money(amount, payment.currency).formatted(customer.locale)
    if template == "payment_received":
        variables = {"name": customer.contact_name, "amount": money, "invoice_number": numbers,
                     "date": clock.today().isoformat()}
    else:
        link = f"{get_settings().public_url.rstrip('/')}/invoices/{invoices[0].id}" if invoices else ""
        variables = {"name": customer.contact_name, "amount": money, "invoice_number": numbers,
                     "reason": payment.failure_code or "declined", "link": link}
    outbox.enqueue(session=session, seller_id=payment.seller_id, customer_id=customer.id, to_address=customer.email,
                   template=template, language=customer.locale, variables=variables)

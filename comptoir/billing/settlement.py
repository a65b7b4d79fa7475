"""Money against invoices: payments allocated (oldest first), credit applied, invoices settled, and the
coverage a paid renewal buys (the billed service's paid-through date, the hosting subscription's
expiration date, so the daily expiry check never suspends a paid subscription)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.billing import ledger, listeners
from comptoir.billing.errors import BillingError, BillingErrorCode
from comptoir.billing.models import (
    BilledService,
    CustomerBalanceTransaction,
    Invoice,
    InvoiceLine,
    PaymentAllocation,
)
from comptoir.billing.rules import PERIOD_KINDS
from comptoir.hosting.models import Subscription
from comptoir.money import Money

OPEN = ("issued", "partially_paid", "overdue", "action_required")
MANUAL_METHODS = ("cheque", "bank_transfer", "cash")
CREDIT = "credit"


def credit_balance(session: Session, *, seller_id: uuid.UUID, customer_id: uuid.UUID, currency: str) -> int:
    """The customer's unapplied credit in `currency`."""
    return int(session.scalar(select(func.coalesce(func.sum(CustomerBalanceTransaction.amount_minor), 0)).where(
        CustomerBalanceTransaction.seller_id == seller_id, CustomerBalanceTransaction.customer_id == customer_id,
        CustomerBalanceTransaction.currency == currency)) or 0)


def add_credit(session: Session, *, seller_id: uuid.UUID, customer_id: uuid.UUID, amount: Money, kind: str,
               on: date, description: str = "", reference: str = "", invoice_id: uuid.UUID | None = None,
               counter_account: str = ledger.REVENUE) -> CustomerBalanceTransaction:
    """Give the customer credit (manual, downgrade, cancellation…), booked against `counter_account`, then
    apply it to its open invoices in that currency."""
    if amount.minor <= 0:
        raise BillingError(BillingErrorCode.INVALID, "Credit must be more than zero.", field="amount")
    movement = _credit_movement(session, seller_id, customer_id, amount, kind, on, description, reference, invoice_id)
    ledger.post(session, seller_id=seller_id, currency=amount.currency, posted_on=on, invoice_id=invoice_id,
                memo=description or kind, legs=[ledger.Leg(counter_account, amount.minor, customer_id),
                                                ledger.Leg(ledger.CUSTOMER_CREDIT, -amount.minor, customer_id)])
    for invoice in _open_invoices(session, seller_id, customer_id, amount.currency, None):
        apply_credit(session, invoice=invoice)
    return movement


def _credit_movement(session: Session, seller_id: uuid.UUID, customer_id: uuid.UUID, amount: Money, kind: str,
                     on: date, description: str, reference: str,
                     invoice_id: uuid.UUID | None) -> CustomerBalanceTransaction:
    movement = CustomerBalanceTransaction(
        seller_id=seller_id, customer_id=customer_id, currency=amount.currency, amount_minor=amount.minor, kind=kind,
        occurred_on=on, description=description, reference=reference, invoice_id=invoice_id)
    session.add(movement)
    session.flush()
    return movement


def apply_credit(session: Session, *, invoice: Invoice) -> int:
    """Pay what can be paid of an open invoice from the customer's credit; returns the amount applied."""
    if invoice.kind != "invoice" or invoice.status not in OPEN:
        return 0
    available = credit_balance(session, seller_id=invoice.seller_id, customer_id=invoice.customer_id,
                               currency=invoice.currency)
    amount = min(available, invoice.amount_due)
    if amount <= 0:
        return 0
    on = clock.today()
    _credit_movement(session, invoice.seller_id, invoice.customer_id, Money(-amount, invoice.currency), "applied",
                     on, f"Applied to invoice {invoice.number}", "", invoice.id)
    _allocate(session, invoice, amount, CREDIT, "", None, on)
    ledger.post(session, seller_id=invoice.seller_id, currency=invoice.currency, posted_on=on, invoice_id=invoice.id,
                memo=f"Credit applied to {invoice.number}",
                legs=[ledger.Leg(ledger.CUSTOMER_CREDIT, amount, invoice.customer_id),
                      ledger.Leg(ledger.RECEIVABLES, -amount, invoice.customer_id)])
    settle(session, invoice=invoice)
    return amount


@dataclass(frozen=True)
class PaymentResult:
    allocations: list[PaymentAllocation]
    credited_minor: int  # what was left over, now the customer's credit


def record_payment(session: Session, *, seller_id: uuid.UUID, customer_id: uuid.UUID, amount: Money, method: str,
                   reference: str, invoice_ids: Sequence[uuid.UUID] | None = None, on: date,
                   payment_id: uuid.UUID | None = None) -> PaymentResult:
    """Apply a received payment to the given invoices (else the customer's open ones, oldest first); the rest
    becomes credit. Cash/bank is debited, receivables (and customer credit for the rest) credited."""
    if amount.minor <= 0:
        raise BillingError(BillingErrorCode.INVALID, "A payment is more than zero.", field="amount")
    invoices = _open_invoices(session, seller_id, customer_id, amount.currency, invoice_ids)
    left, allocations = amount.minor, []
    for invoice in invoices:
        share = min(left, invoice.amount_due)
        if share <= 0:
            continue
        allocations.append(_allocate(session, invoice, share, method, reference, payment_id, on))
        left -= share
    applied = amount.minor - left
    ledger.post(session, seller_id=seller_id, currency=amount.currency, posted_on=on,
                memo=f"Payment {method} {reference}".strip(),
                legs=[ledger.Leg(ledger.cash(method), amount.minor, customer_id),
                      ledger.Leg(ledger.RECEIVABLES, -applied, customer_id),
                      ledger.Leg(ledger.CUSTOMER_CREDIT, -left, customer_id)])
    if left:
        _credit_movement(session, seller_id, customer_id, Money(left, amount.currency), "overpayment", on,
                         "Overpayment", reference, None)
    for invoice in invoices:
        settle(session, invoice=invoice)
    return PaymentResult(allocations, left)


def _open_invoices(session: Session, seller_id: uuid.UUID, customer_id: uuid.UUID, currency: str,
                   invoice_ids: Sequence[uuid.UUID] | None) -> list[Invoice]:
    query = select(Invoice).where(Invoice.seller_id == seller_id, Invoice.customer_id == customer_id,
                                  Invoice.kind == "invoice")
    if invoice_ids is not None:
        found = list(session.scalars(query.where(Invoice.id.in_(list(invoice_ids))).with_for_update()))
        if len(found) != len(set(invoice_ids)):
            raise BillingError(BillingErrorCode.NOT_FOUND, "No such invoice of this customer.", field="invoiceIds")
        if any(i.currency != currency for i in found):
            raise BillingError(BillingErrorCode.CURRENCY_MISMATCH, "The payment's currency is not the invoice's.",
                               field="amount")
        order = {invoice_id: n for n, invoice_id in enumerate(invoice_ids)}
        return sorted((i for i in found if i.status in OPEN), key=lambda i: order[i.id])
    return list(session.scalars(query.where(Invoice.currency == currency, Invoice.status.in_(OPEN))
                                .order_by(Invoice.issue_date, Invoice.number).with_for_update()))


def _allocate(session: Session, invoice: Invoice, amount: int, method: str, reference: str,
              payment_id: uuid.UUID | None, on: date) -> PaymentAllocation:
    allocation = PaymentAllocation(seller_id=invoice.seller_id, customer_id=invoice.customer_id, invoice_id=invoice.id,
                                   currency=invoice.currency, amount_minor=amount, method=method, reference=reference,
                                   payment_id=payment_id, received_on=on)
    session.add(allocation)
    invoice.amount_paid += amount
    session.flush()
    return allocation


def settle(session: Session, *, invoice: Invoice) -> None:
    """Move an open invoice to paid or partially paid after money reached it; a paid one extends coverage
    and tells the listeners."""
    if invoice.status not in OPEN:
        return
    if invoice.amount_paid >= invoice.total:
        invoice.status, invoice.paid_at = "paid", clock.now()
        session.flush()
        extend_coverage(session, invoice=invoice)
        listeners.invoice_paid(session, invoice)
    elif invoice.amount_paid > 0 and invoice.status == "issued":
        invoice.status = "partially_paid"
        session.flush()


def extend_coverage(session: Session, *, invoice: Invoice) -> None:
    service_ids = set(session.scalars(select(InvoiceLine.service_id).where(
        InvoiceLine.invoice_id == invoice.id, InvoiceLine.kind.in_(PERIOD_KINDS))))
    for service_id in service_ids:
        service = session.scalars(select(BilledService).where(BilledService.id == service_id).with_for_update()).one()
        service.paid_through = paid_through(session, service)
        if service.kind == "hosting" and service.subject_id is not None and service.paid_through is not None:
            subscription = session.get(Subscription, service.subject_id, with_for_update=True)
            if subscription is not None and (subscription.expiration_date is None
                                             or subscription.expiration_date < service.paid_through):
                subscription.expiration_date = service.paid_through
    session.flush()


def paid_through(session: Session, service: BilledService) -> date | None:
    """The exclusive end of the service's paid periods taken without a gap from its start."""
    rows = session.execute(select(InvoiceLine.period_start, InvoiceLine.period_end).join(
        Invoice, Invoice.id == InvoiceLine.invoice_id).where(
        InvoiceLine.service_id == service.id, InvoiceLine.kind.in_(PERIOD_KINDS), Invoice.status == "paid")
        .order_by(InvoiceLine.period_start)).all()
    reached = service.started_on
    for start, last_day in rows:
        if start > reached:
            break
        reached = max(reached, last_day + timedelta(days=1))
    return reached if reached > service.started_on else None

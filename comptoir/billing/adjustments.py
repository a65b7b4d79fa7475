"""What staff do by hand: manual invoices with one-off lines, and credit notes — the only correction of
an issued invoice (it never changes). A credit note first reduces what its invoice still owes; the rest
becomes the customer's credit, applied to its next invoices."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.billing import invoicing, ledger, settlement
from comptoir.billing.errors import BillingError, BillingErrorCode
from comptoir.billing.models import Invoice, PaymentAllocation
from comptoir.billing.rules import LineKind
from comptoir.money import Money


@dataclass(frozen=True)
class OneOffLine:
    description: str
    unit_price_minor: int
    quantity: Decimal = Decimal(1)


def create_manual_invoice(session: Session, *, seller_id: uuid.UUID, customer_id: uuid.UUID, currency: str,
                          lines: list[OneOffLine], issue_date: date,
                          extra_recipients: list[str] | None = None) -> Invoice:
    """Issue an invoice of one-off charges for a customer."""
    if not lines:
        raise BillingError(BillingErrorCode.INVALID, "An invoice has at least one line.", field="lines")
    drafts = [invoicing.DraftLine(line.description, int((line.quantity * line.unit_price_minor).to_integral_value()),
                                  LineKind.ONE_OFF, quantity=line.quantity) for line in lines]
    return invoicing.issue(session, invoicing.InvoiceRequest(
        seller_id=seller_id, customer_id=customer_id, currency=currency, lines=drafts, issue_date=issue_date,
        extra_recipients=list(extra_recipients or [])))


def credited_so_far(session: Session, invoice_id: uuid.UUID) -> int:
    return int(session.scalar(select(func.coalesce(func.sum(Invoice.total), 0)).where(
        Invoice.credited_invoice_id == invoice_id, Invoice.kind == "credit_note")) or 0)


def create_credit_note(session: Session, *, invoice_id: uuid.UUID, amount_minor: int | None, reason: str,
                       issue_date: date) -> Invoice:
    """Credit `amount_minor` of an issued invoice (None: all that is not credited yet)."""
    invoice = session.scalars(select(Invoice).where(Invoice.id == invoice_id).with_for_update()).one_or_none()
    if invoice is None or invoice.kind != "invoice":
        raise BillingError(BillingErrorCode.NOT_FOUND, "No such invoice.", field="invoiceId")
    if invoice.status in ("draft", "void"):
        raise BillingError(BillingErrorCode.NOT_ISSUED, "Only an issued invoice is credited.", field="invoiceId")
    creditable = invoice.net_total - credited_so_far(session, invoice.id)
    amount = creditable if amount_minor is None else amount_minor
    if amount <= 0 or amount > creditable:
        raise BillingError(BillingErrorCode.ALREADY_CREDITED if creditable <= 0 else BillingErrorCode.INVALID,
                           f"At most {creditable} minor units of this invoice can still be credited.",
                           field="amount")
    note = invoicing.issue(session, invoicing.InvoiceRequest(
        seller_id=invoice.seller_id, customer_id=invoice.customer_id, currency=invoice.currency,
        issue_date=issue_date, kind="credit_note", credited_invoice_id=invoice.id,
        lines=[invoicing.DraftLine(f"Credit on invoice {invoice.number}: {reason}"[:500], amount, LineKind.CREDIT)]))
    _post(session, note)
    _apply(session, note, invoice)
    return note


def _post(session: Session, note: Invoice) -> None:
    legs = [ledger.Leg(ledger.REVENUE, note.net_total, note.customer_id),
            *(ledger.Leg(ledger.tax_payable(s["category"], Decimal(s["rate"])), s["tax_minor"], note.customer_id)
              for s in note.tax_breakdown),
            ledger.Leg(ledger.RECEIVABLES, -note.total, note.customer_id)]
    ledger.post(session, seller_id=note.seller_id, currency=note.currency, legs=legs,
                posted_on=note.issue_date or clock.today(), invoice_id=note.id, memo=f"Credit note {note.number}")


def _apply(session: Session, note: Invoice, invoice: Invoice) -> None:
    """Reduce what the invoice owes; the rest is the customer's credit."""
    on = note.issue_date or clock.today()
    applied = min(invoice.amount_due, note.total) if invoice.status in settlement.OPEN else 0
    if applied:
        session.add(PaymentAllocation(seller_id=invoice.seller_id, customer_id=invoice.customer_id,
                                      invoice_id=invoice.id, currency=invoice.currency, amount_minor=applied,
                                      method="credit_note", reference=note.number or "", received_on=on))
        invoice.amount_paid += applied
        # Credited, not paid: no coverage is bought and nobody is told "paid".
        paid_in_money = session.scalar(select(func.count()).select_from(PaymentAllocation).where(
            PaymentAllocation.invoice_id == invoice.id, PaymentAllocation.method != "credit_note"))
        settled = "paid" if paid_in_money else "void"
        invoice.status = settled if invoice.amount_paid >= invoice.total else "partially_paid"
        session.flush()
    rest = note.total - applied
    if rest:
        settlement.add_credit(session, seller_id=note.seller_id, customer_id=note.customer_id,
                              amount=Money(rest, note.currency), kind="credit_note", on=on, invoice_id=note.id,
                              description=f"Credit note {note.number}", reference=note.number or "",
                              counter_account=ledger.RECEIVABLES)

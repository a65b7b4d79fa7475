"""A customer's statement in one currency: invoices, credit notes, payments and credits in date order,
with the running balance (positive: the customer owes; negative: it holds credit)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comptoir.billing.models import CustomerBalanceTransaction, Invoice, PaymentAllocation

# Credit movements that are not new money: applying credit to an invoice, a credit note's rest (the note
# itself is on the statement).
_NEUTRAL_CREDIT = ("applied", "credit_note")
_NOT_MONEY = ("credit", "credit_note")


@dataclass(frozen=True)
class StatementRow:
    on: date
    kind: str  # invoice, credit_note, payment, credit
    reference: str
    description: str
    amount_minor: int  # what it adds to what the customer owes (payments and credits negative)
    balance_minor: int


def statement(session: Session, *, seller_id: uuid.UUID, customer_id: uuid.UUID, currency: str) -> list[StatementRow]:
    rows: list[tuple[date, datetime, int, str, str, str, int]] = []
    for invoice in session.scalars(select(Invoice).where(
            Invoice.seller_id == seller_id, Invoice.customer_id == customer_id, Invoice.currency == currency,
            Invoice.status != "draft")):
        sign = -1 if invoice.kind == "credit_note" else 1
        rows.append((invoice.issue_date, invoice.created_at, 0, invoice.kind, invoice.number or "",  # type: ignore[arg-type]
                     f"{'Credit note' if sign < 0 else 'Invoice'} {invoice.number}", sign * invoice.total))
    payments = session.execute(select(
        PaymentAllocation.received_on, PaymentAllocation.method, PaymentAllocation.reference,
        func.sum(PaymentAllocation.amount_minor), func.min(PaymentAllocation.created_at)).where(
        PaymentAllocation.seller_id == seller_id, PaymentAllocation.customer_id == customer_id,
        PaymentAllocation.currency == currency, PaymentAllocation.method.not_in(_NOT_MONEY)).group_by(
        PaymentAllocation.received_on, PaymentAllocation.method, PaymentAllocation.reference))
    for on, method, reference, amount, created_at in payments:
        rows.append((on, created_at, 1, "payment", reference, f"Payment ({method})", -int(amount)))
    for movement in session.scalars(select(CustomerBalanceTransaction).where(
            CustomerBalanceTransaction.seller_id == seller_id, CustomerBalanceTransaction.customer_id == customer_id,
            CustomerBalanceTransaction.currency == currency,
            CustomerBalanceTransaction.kind.not_in(_NEUTRAL_CREDIT))):
        label = "Payment (overpayment)" if movement.kind == "overpayment" else movement.description or "Credit"
        rows.append((movement.occurred_on, movement.created_at, 2, "payment" if movement.kind == "overpayment" else "credit",
                     movement.reference, label, -movement.amount_minor))
    balance, out = 0, []
    for on, _, _, kind, reference, description, amount in sorted(rows, key=lambda r: (r[0], r[1], r[2], r[4])):
        balance += amount
        out.append(StatementRow(on, kind, reference, description, amount, balance))
    return out

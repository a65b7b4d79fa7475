"""The payment queue (SPEC §6): generated from due, unpaid invoices per the seller's queue settings, then
run: each customer's invoices are charged to its default card through payments (merchant-initiated), one
after the other — the next one is charged when the previous one's outcome arrives (payment_settled), so
that "try lower amounts" pays what the card covers and "no" stops at the customer's first failure.

In passphrase mode the cards cannot be opened without a person: the queue is neither generated nor run,
and the result says so."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from comptoir.billing import queue_rules
from comptoir.billing import settings as billing_settings
from comptoir.billing.models import BillingSettings, Invoice, PaymentQueueRow
from comptoir.billing.queue_rules import Candidate, LastAttempt, QueueSettings
from comptoir.payments import service as payments
from comptoir.payments.errors import PaymentError
from comptoir.payments.models import Payment, PaymentMethod
from comptoir.security.secrets import automation_can_decrypt

PAYABLE = ("issued", "partially_paid", "overdue")
PASSPHRASE_MODE = ("The seller's data is locked by a passphrase: cards cannot be charged automatically; "
                   "charge the invoices by hand or turn passphrase mode off.")


@dataclass
class QueueResult:
    queue_id: uuid.UUID | None = None
    rows: list[PaymentQueueRow] = field(default_factory=list)
    charged: int = 0
    skipped_reason: str = ""

    def summary(self) -> dict[str, Any]:
        return {"queue_id": str(self.queue_id) if self.queue_id else None, "rows": len(self.rows),
                "charged": self.charged, "skipped": self.skipped_reason}


def settings_of(row: BillingSettings) -> QueueSettings:
    return QueueSettings(
        process_new=row.queue_process_new, retry_declined=row.queue_retry_declined,
        retry_errored=row.queue_retry_errored, retry_delay_days=row.queue_retry_delay_days,
        due_date_only=row.queue_due_date_only, clear_first=row.queue_clear_first,
        try_lower_amounts=row.queue_try_lower_amounts, card_action=row.queue_card_action,
        days_before_due=row.queue_days_before_due)


def generate(session: Session, *, seller_id: uuid.UUID, today: date) -> QueueResult:
    """A new queue of the invoices to charge today, per customer in the order the settings say."""
    if not automation_can_decrypt(session, seller_id):
        return QueueResult(skipped_reason=PASSPHRASE_MODE)
    settings = settings_of(billing_settings.get(session, seller_id=seller_id))
    if settings.clear_first:
        session.execute(update(PaymentQueueRow).where(PaymentQueueRow.seller_id == seller_id,
                                                      PaymentQueueRow.status == "queued").values(status="cleared"))
    cards = _default_cards(session, seller_id)
    by_customer: dict[uuid.UUID, list[Candidate]] = defaultdict(list)
    invoices = session.scalars(select(Invoice).where(
        Invoice.seller_id == seller_id, Invoice.kind == "invoice", Invoice.status.in_(PAYABLE),
        Invoice.due_date.is_not(None)).order_by(Invoice.issue_date, Invoice.number))
    for invoice in invoices:
        if invoice.customer_id not in cards or invoice.amount_due <= 0:
            continue
        if not queue_rules.falls_due(invoice.due_date, today, settings):
            continue
        if not queue_rules.may_try(_last_attempt(session, invoice.id), today, settings):
            continue
        by_customer[invoice.customer_id].append(
            Candidate(invoice.id, invoice.amount_due, invoice.issue_date, invoice.number or ""))
    result = QueueResult(queue_id=uuid.uuid4())
    for customer_id, candidates in by_customer.items():
        for position, candidate in enumerate(queue_rules.customer_order(candidates, settings), start=1):
            row = PaymentQueueRow(seller_id=seller_id, queue_id=result.queue_id, invoice_id=candidate.invoice_id,
                                  customer_id=customer_id, amount_minor=candidate.amount_minor,
                                  currency=_currency(session, candidate.invoice_id), position=position,
                                  generated_on=today)
            session.add(row)
            result.rows.append(row)
    session.flush()
    return result


def rows(session: Session, *, queue_id: uuid.UUID | None = None, seller_id: uuid.UUID | None = None,
         ) -> list[PaymentQueueRow]:
    query = select(PaymentQueueRow).order_by(PaymentQueueRow.created_at, PaymentQueueRow.customer_id,
                                             PaymentQueueRow.position)
    if queue_id is not None:
        query = query.where(PaymentQueueRow.queue_id == queue_id)
    if seller_id is not None:
        query = query.where(PaymentQueueRow.seller_id == seller_id)
    return list(session.scalars(query))


def run(session: Session, *, seller_id: uuid.UUID, queue_id: uuid.UUID | None = None) -> QueueResult:
    """Start charging: each customer's first queued invoice; the outcomes charge the following ones."""
    if not automation_can_decrypt(session, seller_id):
        return QueueResult(queue_id=queue_id, skipped_reason=PASSPHRASE_MODE)
    query = select(PaymentQueueRow).where(PaymentQueueRow.seller_id == seller_id, PaymentQueueRow.status == "queued")
    if queue_id is not None:
        query = query.where(PaymentQueueRow.queue_id == queue_id)
    queued = list(session.scalars(query.order_by(PaymentQueueRow.position).with_for_update()))
    result = QueueResult(queue_id=queue_id, rows=queued)
    started: set[tuple[uuid.UUID, uuid.UUID]] = set()
    for row in queued:
        if (row.queue_id, row.customer_id) in started:
            continue
        started.add((row.queue_id, row.customer_id))
        result.charged += _charge_next(session, row.queue_id, row.customer_id)
    return result


def process(session: Session, *, seller_id: uuid.UUID, today: date) -> dict[str, Any]:
    """ProcessPaymentQueue: generate today's queue and run it."""
    generated = generate(session, seller_id=seller_id, today=today)
    if generated.skipped_reason:
        return generated.summary()
    ran = run(session, seller_id=seller_id, queue_id=generated.queue_id)
    return {**generated.summary(), "charged": ran.charged}


def payment_settled(session: Session, payment: Payment, outcome: str) -> None:
    """A queue row's payment has an outcome: record it, then charge the customer's next invoice (or stop)."""
    row_id = (payment.purpose or {}).get("queue_row_id")
    if not row_id:
        return
    row = session.get(PaymentQueueRow, uuid.UUID(str(row_id)), with_for_update=True)
    if row is None or row.status != "charging":
        return
    row.status = outcome
    row.message = payment.failure_code + (f" ({payment.decline} decline)" if payment.decline else "") \
        if outcome == "failed" else ""
    session.flush()
    _after(session, row)


def _after(session: Session, row: PaymentQueueRow) -> None:
    settings = settings_of(billing_settings.get(session, seller_id=row.seller_id))
    if queue_rules.continues_after(row.status, settings):
        _charge_next(session, row.queue_id, row.customer_id)
        return
    session.execute(update(PaymentQueueRow).where(
        PaymentQueueRow.queue_id == row.queue_id, PaymentQueueRow.customer_id == row.customer_id,
        PaymentQueueRow.status == "queued").values(status="skipped", message="stopped at the customer's first failure"))


def _charge_next(session: Session, queue_id: uuid.UUID, customer_id: uuid.UUID) -> int:
    """Charge the customer's next queued invoice of this queue; 1 when a charge was started."""
    for row in session.scalars(select(PaymentQueueRow).where(
            PaymentQueueRow.queue_id == queue_id, PaymentQueueRow.customer_id == customer_id,
            PaymentQueueRow.status == "queued").order_by(PaymentQueueRow.position).with_for_update()):
        invoice = session.get(Invoice, row.invoice_id, with_for_update=True)
        if invoice is None or invoice.status not in PAYABLE or invoice.amount_due <= 0:
            row.status, row.message = "skipped", "nothing left to pay"
            continue
        card = _default_cards(session, row.seller_id).get(customer_id)
        if card is None:
            row.status, row.message = "skipped", "no default card"
            continue
        settings = settings_of(billing_settings.get(session, seller_id=row.seller_id))
        try:
            payment = payments.charge_card(session, seller_id=row.seller_id, payment_method_id=card.id,
                                           authorise_only=settings.card_action == "authorise",
                                           new=payments.NewPayment(
                gateway_config_id=card.gateway_config_id, amount=invoice.amount_due, currency=invoice.currency,
                idempotency_key=f"payment-queue-{row.id}", customer_id=customer_id, initiator="merchant",
                purpose={"invoice_ids": [str(invoice.id)], "queue_row_id": str(row.id)},
                description=f"Invoice {invoice.number}"))
        except PaymentError as error:
            row.status, row.message = "failed", str(error)
            session.flush()
            if queue_rules.continues_after("failed", settings):
                continue
            _after(session, row)
            return 0
        row.status, row.payment_id, row.amount_minor = "charging", payment.id, invoice.amount_due
        session.flush()
        return 1
    session.flush()
    return 0


def _default_cards(session: Session, seller_id: uuid.UUID) -> dict[uuid.UUID, PaymentMethod]:
    return {m.customer_id: m for m in session.scalars(select(PaymentMethod).where(
        PaymentMethod.seller_id == seller_id, PaymentMethod.kind == "card", PaymentMethod.is_default))}


def _last_attempt(session: Session, invoice_id: uuid.UUID) -> LastAttempt | None:
    """The invoice's latest failed queue attempt, if its latest attempt failed."""
    row = session.scalars(select(PaymentQueueRow).where(
        PaymentQueueRow.invoice_id == invoice_id,
        PaymentQueueRow.status.in_(("charging", "paid", "authorised", "failed", "action_required")))
        .order_by(PaymentQueueRow.created_at.desc()).limit(1)).one_or_none()
    if row is None:
        return None
    if row.status != "failed":
        return LastAttempt(row.generated_on, "hard")  # in flight, authorised or waiting for the customer: not again
    payment = session.get(Payment, row.payment_id) if row.payment_id else None
    return LastAttempt(row.generated_on, payment.decline if payment is not None else "")


def _currency(session: Session, invoice_id: uuid.UUID) -> str:
    return session.scalar(select(Invoice.currency).where(Invoice.id == invoice_id)) or ""

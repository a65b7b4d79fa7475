"""A seller with a sandbox card gateway, a customer with a hosting subscription, and invoices for it;
charge intents performed as a worker would, until none is left."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select

from comptoir.automation import intents
from comptoir.billing import payment_queue, services
from comptoir.billing import settings as billing_settings
from comptoir.billing.models import Invoice, PaymentQueueRow
from comptoir.database.engine import session_scope
from comptoir.hosting.models import Subscription
from comptoir.messaging.models import OutboundEmail
from comptoir.payments.models import Payment, PaymentCharge
from tests.billing.support import start
from tests.payments import support as payments_support
from tests.payments.support import Merchant

OK = "4242424242424242"
BALANCE = "4000000000005126"  # approves up to a balance of 5000
SOFT = "4000000000009995"  # insufficient funds
HARD = "4000000000009979"  # stolen card
AUTHENTICATE = "4000002760003184"


def shop(card: str | None = OK, *, name: str | None = None, **settings: Any) -> Merchant:
    """A merchant (staff log-in `<name>admin`) whose customer has a subscription and, unless None, `card`."""
    merchant = payments_support.merchant(name or f"q{uuid.uuid4().hex[:6]}", subscribed=True)
    if card is not None:
        payments_support.save_card(merchant, card)
    if settings:
        with session_scope(merchant.system()) as session:
            billing_settings.update(session, seller_id=merchant.seller_id, changes=settings)
    return merchant


def subscription_id(merchant: Merchant) -> uuid.UUID:
    with session_scope(merchant.system()) as session:
        return session.scalars(select(Subscription.id).where(
            Subscription.customer_id == merchant.customer.customer_id)).first()


def invoice(merchant: Merchant, issued_on: date, price: int = 3000, *, subscribed: bool = True) -> uuid.UUID:
    """An invoice issued on `issued_on` (due 10 days later) for a monthly hosting service."""
    subject = subscription_id(merchant) if subscribed else None
    with session_scope(merchant.system()) as session:
        service = start(session, merchant.seller_id, merchant.customer.customer_id, issued_on, price=price,
                        subject_id=subject)
        issued = services.issue_first_invoice(session, seller_id=merchant.seller_id, service_ids=[service.id],
                                              today=issued_on)
        assert issued is not None
        return issued.id


def generate(merchant: Merchant, today: date) -> payment_queue.QueueResult:
    with session_scope(merchant.system()) as session:
        result = payment_queue.generate(session, seller_id=merchant.seller_id, today=today)
        session.expunge_all()
        return result


def run(merchant: Merchant, queue_id: uuid.UUID | None = None) -> payment_queue.QueueResult:
    with session_scope(merchant.system()) as session:
        result = payment_queue.run(session, seller_id=merchant.seller_id, queue_id=queue_id)
        session.expunge_all()
    drain(merchant)
    return result


def drain(merchant: Merchant) -> None:
    """Perform every pending charge intent (a charge's outcome may start the customer's next one)."""
    for _ in range(50):
        with session_scope(merchant.system()) as session:
            pending = list(session.scalars(select(PaymentCharge.id).where(
                PaymentCharge.seller_id == merchant.seller_id, PaymentCharge.status == "pending")))
        if not pending:
            return
        for intent_id in pending:
            intents.perform("payment_charge", merchant.seller_id, intent_id)
    raise AssertionError("charges keep coming")


def invoice_row(merchant: Merchant, invoice_id: uuid.UUID) -> Invoice:
    with session_scope(merchant.system()) as session:
        row = session.get(Invoice, invoice_id)
        session.expunge(row)
        return row


def rows(merchant: Merchant) -> list[PaymentQueueRow]:
    with session_scope(merchant.system()) as session:
        found = payment_queue.rows(session, seller_id=merchant.seller_id)
        session.expunge_all()
        return found


def payments(merchant: Merchant) -> list[Payment]:
    with session_scope(merchant.system()) as session:
        found = list(session.scalars(select(Payment).where(Payment.seller_id == merchant.seller_id)
                                     .order_by(Payment.created_at)))
        session.expunge_all()
        return found


def emails(merchant: Merchant, template: str) -> list[OutboundEmail]:
    with session_scope(merchant.system()) as session:
        found = list(session.scalars(select(OutboundEmail).where(
            OutboundEmail.seller_id == merchant.seller_id, OutboundEmail.template == template)))
        session.expunge_all()
        return found

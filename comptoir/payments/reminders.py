"""ProcessExpiredCreditCards (weekly): e-mail the holders of stored cards that expire within the seller's
notice period, once per card and expiry date (a card renewed with a new expiry is reminded again)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.messaging import outbox
from comptoir.payments import seller_settings
from comptoir.payments.models import PaymentMethod
from comptoir.payments.rules import expires_within, expiry_label
from comptoir.settings import get_settings
from comptoir.tenancy.models import Customer


def process_expired_credit_cards(session: Session, *, seller_id: uuid.UUID, today: date) -> int:
    """Returns how many reminders were written."""
    days = seller_settings.get(session, seller_id=seller_id).card_expiry_notice_days
    last = today + timedelta(days=days)
    cards = session.scalars(select(PaymentMethod).where(
        PaymentMethod.seller_id == seller_id, PaymentMethod.kind == "card", PaymentMethod.reusable,
        PaymentMethod.expiry_year * 12 + PaymentMethod.expiry_month <= last.year * 12 + last.month,
    ).order_by(PaymentMethod.id).with_for_update(skip_locked=True))
    sent = 0
    for card in cards:
        assert card.expiry_month is not None and card.expiry_year is not None
        label = expiry_label(card.expiry_month, card.expiry_year)
        if card.expiry_reminded_for == label or not expires_within(card.expiry_month, card.expiry_year, today, days):
            continue
        customer = session.get(Customer, card.customer_id)
        if customer is not None and customer.email:
            outbox.enqueue(session=session, seller_id=seller_id, customer_id=customer.id, to_address=customer.email,
                           template="card_expiring", language=customer.locale,
                           variables={"name": customer.contact_name, "brand": card.brand, "last4": card.last4,
                                      "card_last4": card.last4, "expiry": label,
                                      "link": f"{get_settings().public_url.rstrip('/')}/payment-methods"})
            sent += 1
        card.expiry_reminded_for = label
    session.flush()
    return sent

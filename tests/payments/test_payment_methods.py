"""Stored payment methods: several per customer with one default, cards tokenised (number and CVV kept
nowhere), bank accounts validated with their mandate, and the weekly reminder for expiring cards."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from comptoir import clock
from comptoir.automation import events
from comptoir.automation.models import ScheduledEvent
from comptoir.database.engine import session_scope
from comptoir.messaging.models import OutboundEmail
from comptoir.payments import methods, service
from comptoir.payments.drivers.base import CardInput
from comptoir.payments.errors import PaymentError, PaymentErrorCode
from comptoir.payments.models import PaymentMethod
from comptoir.payments.reminders import process_expired_credit_cards
from comptoir.security.secrets import is_sealed, unseal
from tests.payments import support

ACCOUNT = methods.BankAccountInput(holder_name="Ada Buyer", iban="DE89 3704 0044 0532 0130 00", bic="COBADEFFXXX",
                                   mandate_reference="MANDATE-0001", mandate_date=date(2026, 11, 1))


def _methods(shop: support.Merchant) -> list[PaymentMethod]:
    with session_scope(shop.as_customer()) as session:
        rows = methods.list_for_customer(session, customer_id=shop.customer.customer_id)
        session.expunge_all()
        return rows


def test_a_saved_card_keeps_a_sealed_token_brand_last_four_and_expiry_only():
    shop = support.merchant()
    method_id = support.save_card(shop, "4242 4242 4242 4242", month=3, year=2031)
    (card,) = _methods(shop)
    assert (card.id, card.brand, card.last4, card.expiry_month, card.expiry_year) == (
        method_id, "visa", "4242", 3, 2031)
    assert is_sealed(card.token) and unseal(card.token).startswith("tok_")
    assert "4242424242424242" not in unseal(card.token)
    assert card.is_default


def test_the_latest_method_becomes_the_default_and_removing_the_default_promotes_another():
    shop = support.merchant()
    first = support.save_card(shop, "4242424242424242")
    second = support.save_card(shop, "5555555555554444")
    assert [(m.id, m.is_default) for m in _methods(shop)] == [(second, True), (first, False)]
    with session_scope(shop.as_customer()) as session:
        methods.set_default(session, method_id=first)
    assert _methods(shop)[0].id == first
    with session_scope(shop.as_customer()) as session:
        methods.remove(session, method_id=first)
    assert [(m.id, m.is_default) for m in _methods(shop)] == [(second, True)]


@pytest.mark.parametrize(("number", "month", "year", "code"), [
    ("4242424242424241", 12, 2030, PaymentErrorCode.CARD_REFUSED),
    ("4242424242424242", 1, 2020, PaymentErrorCode.CARD_EXPIRED),
])
def test_a_bad_or_expired_card_is_refused(number, month, year, code):
    shop = support.merchant()
    with session_scope(shop.as_customer()) as session, pytest.raises(PaymentError) as refused:
        methods.add_card(session, seller_id=shop.seller_id, customer_id=shop.customer.customer_id,
                         gateway_config_id=shop.card_gateway_id, card=CardInput(number, month, year, "123"))
    assert refused.value.code is code


def test_a_bank_account_is_validated_sealed_and_carries_its_mandate():
    shop = support.merchant()
    with session_scope(shop.as_customer()) as session:
        method = methods.add_bank_account(session, seller_id=shop.seller_id, customer_id=shop.customer.customer_id,
                                          gateway_config_id=shop.bank_gateway_id, account=ACCOUNT)
        assert unseal(method.iban) == "DE89370400440532013000" and method.last4 == "3000"
        assert (method.mandate_reference, method.mandate_date) == ("MANDATE-0001", date(2026, 11, 1))
        with pytest.raises(PaymentError) as refused:
            methods.add_bank_account(session, seller_id=shop.seller_id, customer_id=shop.customer.customer_id,
                                     gateway_config_id=shop.bank_gateway_id,
                                     account=ACCOUNT.__class__(**{**ACCOUNT.__dict__, "iban": "DE89370400440532013001"}))
        assert refused.value.code is PaymentErrorCode.INVALID_IBAN


def test_a_direct_debit_waits_for_the_bank_batch_then_is_marked_collected():
    shop = support.merchant()
    with session_scope(shop.as_customer()) as session:
        account_id = methods.add_bank_account(session, seller_id=shop.seller_id,
                                              customer_id=shop.customer.customer_id,
                                              gateway_config_id=shop.bank_gateway_id, account=ACCOUNT).id
    with session_scope(shop.system()) as session:
        payment = service.create_direct_debit(session, seller_id=shop.seller_id, payment_method_id=account_id,
                                              new=service.NewPayment(gateway_config_id=shop.bank_gateway_id,
                                                                     amount=1200, currency="EUR", idempotency_key="dd",
                                                                     customer_id=shop.customer.customer_id))
        assert (payment.kind, payment.status) == ("bank_account", "pending")
        service.mark_paid(session, payment_id=payment.id)
        assert payment.status == "captured"


def _reminders(shop: support.Merchant) -> list[str]:
    with session_scope(shop.system()) as session:
        return list(session.scalars(select(OutboundEmail.subject).where(OutboundEmail.template == "card_expiring")))


def test_holders_of_cards_expiring_within_thirty_days_are_reminded_once_per_card_and_expiry():
    shop = support.merchant()
    support.save_card(shop, "4242424242424242", month=12, year=2026)
    support.save_card(shop, "5555555555554444", month=6, year=2027)
    today = date(2026, 12, 5)
    with session_scope(shop.system()) as session:
        assert process_expired_credit_cards(session, seller_id=shop.seller_id, today=today) == 1
        assert process_expired_credit_cards(session, seller_id=shop.seller_id, today=today) == 0
    assert _reminders(shop) == ["Your card ending in 4242 expires soon"]


def test_the_weekly_expired_cards_event_reminds_holders():
    shop = support.merchant()
    today = clock.today()
    support.save_card(shop, "4242424242424242", month=today.month, year=today.year)
    events.schedule_missing()
    with session_scope(shop.system()) as session:
        event = session.scalars(select(ScheduledEvent).where(
            ScheduledEvent.kind == "process_expired_credit_cards")).one()
        assert event.recurrence == "P7D"
    run = events.run_now(seller_id=shop.seller_id, event_id=event.id)
    assert run is not None
    assert len(_reminders(shop)) == 1

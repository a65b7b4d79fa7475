"""What staff do with payments: capture one or all authorisations, refund in full or in part, void, mark
manual payments and direct debits paid; each outcome reaches the listeners billing registers."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from comptoir.database.engine import session_scope
from comptoir.payments import listeners, service
from comptoir.payments.errors import PaymentError, PaymentErrorCode
from comptoir.payments.models import PaymentRefund
from tests.payments import support


@pytest.fixture
def refunds_heard() -> Iterator[list[int]]:
    heard: list[int] = []
    callback = listeners.on_refunded(lambda s, p: heard.append(p.refunded))
    yield heard
    listeners.remove(callback)


def _authorised(shop: support.Merchant, amount: int = 1990) -> uuid.UUID:
    payment_id = support.charge(shop, support.save_card(shop, "4242424242424242"), amount, authorise_only=True)
    support.perform(shop, payment_id)
    return payment_id


def test_capture_takes_an_authorisation_in_part_or_whole():
    shop = support.merchant()
    payment_id = _authorised(shop)
    with session_scope(shop.staff()) as session:
        service.capture(session, payment_id=payment_id, amount=1500)
    paid = support.payment(shop, payment_id)
    assert (paid.status, paid.captured) == ("captured", 1500)


def test_capture_all_captures_every_uncaptured_authorisation_of_the_seller():
    shop = support.merchant()
    first, second = _authorised(shop, 1000), _authorised(shop, 2000)
    with session_scope(shop.staff()) as session:
        captured = service.capture_all(session, seller_id=shop.seller_id)
    assert {p.id for p in captured} == {first, second}
    assert [support.payment(shop, p).status for p in (first, second)] == ["captured", "captured"]


def test_refunds_go_in_parts_until_nothing_is_left(refunds_heard):
    shop = support.merchant()
    payment_id = support.charge(shop, support.save_card(shop, "4242424242424242"), 1000)
    support.perform(shop, payment_id)
    with session_scope(shop.staff()) as session:
        service.refund(session, payment_id=payment_id, amount=300, reason="goodwill")
    assert support.payment(shop, payment_id).status == "partially_refunded"
    with session_scope(shop.staff()) as session:
        service.refund(session, payment_id=payment_id)
        with pytest.raises(PaymentError) as refused:
            with session.begin_nested():
                service.refund(session, payment_id=payment_id, amount=1)
        refunds = session.scalars(select(PaymentRefund.amount).order_by(PaymentRefund.created_at)).all()
    assert refused.value.code is PaymentErrorCode.INVALID_STATE
    assert (support.payment(shop, payment_id).status, refunds) == ("refunded", [300, 700])
    assert refunds_heard == [300, 1000]


def test_a_refund_larger_than_what_is_left_is_refused():
    shop = support.merchant()
    payment_id = support.charge(shop, support.save_card(shop, "4242424242424242"), 1000)
    support.perform(shop, payment_id)
    with session_scope(shop.staff()) as session, pytest.raises(PaymentError) as refused:
        service.refund(session, payment_id=payment_id, amount=1001)
    assert refused.value.code is PaymentErrorCode.INVALID_AMOUNT


def test_void_releases_an_authorisation_and_a_voided_payment_cannot_be_captured():
    shop = support.merchant()
    payment_id = _authorised(shop)
    with session_scope(shop.staff()) as session:
        service.void(session, payment_id=payment_id)
    assert support.payment(shop, payment_id).status == "voided"
    with session_scope(shop.staff()) as session, pytest.raises(PaymentError):
        service.capture(session, payment_id=payment_id)


def test_a_cheque_is_pending_until_staff_mark_it_paid():
    shop = support.merchant()
    with session_scope(shop.staff()) as session:
        payment = service.create_manual(session, seller_id=shop.seller_id, method="cheque", new=service.NewPayment(
            gateway_config_id=shop.manual_gateway_id, amount=5000, currency="EUR", idempotency_key="cheque-1",
            customer_id=shop.customer.customer_id, initiator="staff"))
        assert payment.status == "pending"
        service.mark_paid(session, payment_id=payment.id)
        assert (payment.status, payment.captured) == ("captured", 5000)
        with pytest.raises(PaymentError):
            service.mark_paid(session, payment_id=payment.id)


def test_a_manual_method_the_gateway_does_not_take_is_refused():
    shop = support.merchant()
    with session_scope(shop.staff()) as session, pytest.raises(PaymentError) as refused:
        service.create_manual(session, seller_id=shop.seller_id, method="paypal", new=service.NewPayment(
            gateway_config_id=shop.manual_gateway_id, amount=5000, currency="EUR", idempotency_key="x"))
    assert refused.value.code is PaymentErrorCode.NOT_SUPPORTED


def test_a_card_gateway_restricted_to_euros_refuses_dollars():
    shop = support.merchant()
    with session_scope(shop.staff()) as session:
        from comptoir.payments import gateways

        gateways.update(session, config_id=shop.card_gateway_id,
                        changes=gateways.GatewayChanges(settings={"merchant_id": "m_1", "currencies": ["EUR"]}))
    card = support.save_card(shop, "4242424242424242")
    with pytest.raises(PaymentError) as refused:
        with session_scope(shop.system()) as session:
            service.charge_card(session, seller_id=shop.seller_id, payment_method_id=card, new=service.NewPayment(
                gateway_config_id=shop.card_gateway_id, amount=100, currency="USD", idempotency_key="usd",
                customer_id=shop.customer.customer_id))
    assert refused.value.code is PaymentErrorCode.CURRENCY_NOT_ACCEPTED

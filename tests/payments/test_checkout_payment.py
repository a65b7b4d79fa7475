"""pay_for_order, as the storefront calls it for a visitor presenting their cart: card, redirect, manual;
a declined card leaves the order unpaid and another card can pay it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from comptoir import clock
from comptoir.database.engine import session_scope
from comptoir.payments import gateways
from comptoir.payments.checkout import MethodInput, pay_for_order
from comptoir.payments.drivers.base import CardInput
from comptoir.payments.errors import PaymentError
from comptoir.payments.models import Payment
from comptoir.storefront import access
from comptoir.storefront import models as storefront
from tests.payments import support
from tests.storefront.support import shop as make_shop


@dataclass(frozen=True)
class Checkout:
    merchant: support.Merchant
    store: access.StoreRef
    token: access.CartToken
    order_id: uuid.UUID


def _checkout(offered: str = "card") -> Checkout:
    merchant = support.merchant()
    fixture = make_shop(merchant.seller_id, "payshop")
    token = access.CartToken.new(fixture.store_id)
    with session_scope(merchant.staff()) as session:
        ids = {"card": merchant.card_gateway_id, "external": merchant.external_gateway_id,
               "manual": merchant.manual_gateway_id}
        gateways.set_store_gateways(session, seller_id=merchant.seller_id, store_id=fixture.store_id,
                                    config_ids=list(ids.values()))
        cart = storefront.Cart(seller_id=merchant.seller_id, store_id=fixture.store_id, token_hash=token.digest,
                               currency="EUR", status="completed")
        session.add(cart)
        session.flush()
        order = storefront.Order(seller_id=merchant.seller_id, store_id=fixture.store_id, cart_id=cart.id,
                                 customer_id=merchant.customer.customer_id, currency="EUR", total=1490, lines=[],
                                 buyer={}, payment_method="card", terms_version=1, terms_accepted_at=clock.now(),
                                 review="automatic")
        session.add(order)
        session.flush()
        order_id = order.id
    return Checkout(merchant, access.StoreRef(fixture.store_id, merchant.seller_id), token, order_id)


def _pay(checkout: Checkout, method: MethodInput) -> uuid.UUID:
    with session_scope(None) as session, access.visiting(session, checkout.store, cart=checkout.token):
        order = session.get(storefront.Order, checkout.order_id)
        assert order is not None
        return pay_for_order(session, order=order, method_input=method).id


def _card(number: str) -> CardInput:
    return CardInput(number, 12, 2030, "123", "Buyer")


def test_a_visitor_pays_by_card_and_a_declined_card_can_be_replaced_by_another():
    checkout = _checkout()
    merchant = checkout.merchant
    declined = _pay(checkout, MethodInput(merchant.card_gateway_id, "try-1", card=_card("4000000000009995")))
    support.perform(merchant, declined)
    assert support.payment(merchant, declined).status == "failed"
    paid = _pay(checkout, MethodInput(merchant.card_gateway_id, "try-2", card=_card("4242424242424242")))
    support.perform(merchant, paid)
    payment = support.payment(merchant, paid)
    assert (payment.status, payment.amount, payment.purpose) == ("captured", 1490,
                                                                 {"order_id": str(checkout.order_id)})


def test_a_visitor_is_redirected_to_the_external_gateway():
    checkout = _checkout()
    payment_id = _pay(checkout, MethodInput(checkout.merchant.external_gateway_id, "ext-1",
                                            return_url="https://shop.test/ok", cancel_url="https://shop.test/no"))
    payment = support.payment(checkout.merchant, payment_id)
    assert payment.redirect_url.startswith("https://sandbox-pay.test/checkout/") and payment.gateway_reference


def test_a_visitor_chooses_a_bank_transfer_which_waits_for_staff():
    checkout = _checkout()
    payment_id = _pay(checkout, MethodInput(checkout.merchant.manual_gateway_id, "manual-1",
                                            manual_method="bank_transfer"))
    assert support.payment(checkout.merchant, payment_id).status == "pending"


def test_a_gateway_the_store_does_not_offer_is_refused():
    checkout = _checkout()
    with pytest.raises(PaymentError):
        _pay(checkout, MethodInput(checkout.merchant.bank_gateway_id, "dd-1"))
    with session_scope(checkout.merchant.system()) as session:
        assert session.scalar(select(func.count()).select_from(Payment)) == 0


def test_the_same_key_pays_once():
    checkout = _checkout()
    first = _pay(checkout, MethodInput(checkout.merchant.manual_gateway_id, "same", manual_method="cash"))
    again = _pay(checkout, MethodInput(checkout.merchant.manual_gateway_id, "same", manual_method="cash"))
    assert first == again

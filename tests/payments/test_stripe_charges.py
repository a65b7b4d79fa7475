"""A Stripe gateway configuration through the real charge intent: Stripe answers 500 (the outcome is
unknown), the worker's next attempt finds the PaymentIntent by its key and records it, charging once."""

from __future__ import annotations

import httpx

from comptoir.database.engine import session_scope
from comptoir.payments import gateways, methods
from comptoir.payments.drivers import stripe
from comptoir.payments.drivers.base import CardInput
from tests.payments import support
from tests.payments.test_stripe_driver import fixture


def test_a_stripe_charge_whose_answer_was_lost_is_found_and_recorded_without_a_second_charge(monkeypatch):
    shop = support.merchant()
    with session_scope(shop.staff()) as session:
        config_id = gateways.create(session, seller_id=shop.seller_id, name="Stripe", driver="stripe",
                                    settings={"secret_key": "sk_test_x", "webhook_secret": "whsec_x"}).id
    charges: list[httpx.Request] = []
    answers = {("POST", "/v1/payment_methods"): (200, "payment_method"),
               ("POST", "/v1/customers"): (200, "customer"), ("POST", "/v1/setup_intents"): (200, "setup_intent"),
               ("POST", "/v1/payment_intents"): (500, "api_error"),
               ("GET", "/v1/payment_intents/search"): (200, "search_found")}

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/payment_intents":
            charges.append(request)
        status, name = answers[(request.method, request.url.path)]
        return httpx.Response(status, json=fixture(name))

    monkeypatch.setattr(stripe, "transport", httpx.MockTransport(handle))
    with session_scope(shop.as_customer()) as session:
        method_id = methods.add_card(session, seller_id=shop.seller_id, customer_id=shop.customer.customer_id,
                                     gateway_config_id=config_id, card=CardInput("4242424242424242", 12, 2030, "123")).id
    payment_id = support.charge(shop, method_id)
    assert support.perform(shop, payment_id) == "pending"  # 500: unknown, asked again shortly
    assert support.perform(shop, payment_id) == "done"
    paid = support.payment(shop, payment_id)
    assert (paid.status, paid.gateway_reference, paid.gateway_config_id) == ("captured", "pi_3Q1x2y3z", config_id)
    assert len(charges) == 1 and charges[0].headers["idempotency-key"] == str(payment_id)

"""Signed callbacks of the external gateway at /webhooks/<config id>: verified, applied once, harmless
when replayed, forged, stale or out of order."""

from __future__ import annotations

import logging
import time
import uuid

from sqlalchemy import func, select

from comptoir.database.engine import session_scope
from comptoir.payments import service
from comptoir.payments.drivers.sandbox_external import signed_callback
from comptoir.payments.models import Payment, WebhookEvent
from tests.payments import support


def _start(shop: support.Merchant, amount: int = 4900) -> Payment:
    with session_scope(shop.system()) as session:
        payment = service.start_external(session, seller_id=shop.seller_id, new=service.NewPayment(
            gateway_config_id=shop.external_gateway_id, amount=amount, currency="EUR", idempotency_key=uuid.uuid4().hex,
            customer_id=shop.customer.customer_id, initiator="customer", purpose={"order_id": "o-1"}),
            return_url="https://shop.test/thanks", cancel_url="https://shop.test/cart")
        session.expunge(payment)
        return payment


async def _post(client, shop, body_headers, config_id=None):  # type: ignore[no-untyped-def]
    headers, body = body_headers
    return await client.http.post(f"/webhooks/{config_id or shop.external_gateway_id}", content=body,
                                  headers=headers)


def _events(shop: support.Merchant) -> int:
    with session_scope(shop.staff()) as session:
        return session.scalar(select(func.count()).select_from(WebhookEvent))


async def test_the_buyer_is_redirected_and_the_signed_callback_captures_the_payment(client):
    shop = support.merchant()
    payment = _start(shop)
    assert payment.redirect_url.startswith("https://sandbox-pay.test/checkout/")
    assert "return=https" in payment.redirect_url and payment.status == "pending"
    # when
    response = await _post(client, shop, signed_callback(
        support.WEBHOOK_SECRET, event_id="evt_1", event_type="payment.captured",
        reference=payment.gateway_reference, amount=4900))
    # then
    assert response.status_code == 200
    paid = support.payment(shop, payment.id)
    assert (paid.status, paid.captured) == ("captured", 4900)


async def test_a_replayed_or_duplicate_event_is_acknowledged_and_changes_nothing(client):
    shop = support.merchant()
    payment = _start(shop)
    callback = signed_callback(support.WEBHOOK_SECRET, event_id="evt_1", event_type="payment.captured",
                               reference=payment.gateway_reference, amount=4900)
    first, second = await _post(client, shop, callback), await _post(client, shop, callback)
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json() == {"outcome": "duplicate"}
    assert _events(shop) == 1


async def test_a_forged_signature_is_refused_logged_and_changes_nothing(client, caplog):
    shop = support.merchant()
    payment = _start(shop)
    callback = signed_callback("not-the-secret", event_id="evt_1", event_type="payment.captured",
                               reference=payment.gateway_reference, amount=4900)
    with caplog.at_level(logging.WARNING, logger="comptoir.payments.webhooks"):
        response = await _post(client, shop, callback)
    assert response.status_code == 400
    assert "signature does not match" in caplog.text
    assert support.payment(shop, payment.id).status == "pending"
    assert _events(shop) == 0


async def test_a_tampered_body_with_a_valid_signature_header_is_refused(client):
    shop = support.merchant()
    payment = _start(shop)
    headers, body = signed_callback(support.WEBHOOK_SECRET, event_id="evt_1", event_type="payment.captured",
                                    reference=payment.gateway_reference, amount=1)
    response = await _post(client, shop, (headers, body.replace(b'"amount": 1', b'"amount": 4900')))
    assert response.status_code == 400
    assert support.payment(shop, payment.id).status == "pending"


async def test_a_stale_timestamp_is_refused_even_when_signed(client):
    shop = support.merchant()
    payment = _start(shop)
    callback = signed_callback(support.WEBHOOK_SECRET, event_id="evt_1", event_type="payment.captured",
                               reference=payment.gateway_reference, amount=4900,
                               timestamp=int(time.time()) - 301)
    response = await _post(client, shop, callback)
    assert response.status_code == 400
    assert support.payment(shop, payment.id).status == "pending"


async def test_an_unknown_or_disabled_configuration_is_refused(client):
    shop = support.merchant()
    response = await _post(client, shop, signed_callback(support.WEBHOOK_SECRET, event_id="e", event_type="x",
                                                         reference="r", amount=1), config_id=uuid.uuid4())
    assert response.status_code == 404
    assert (await client.http.post("/webhooks/not-a-uuid", content=b"{}")).status_code == 404


async def test_events_out_of_order_end_in_the_furthest_state(client):
    shop = support.merchant()
    payment = _start(shop)
    captured = signed_callback(support.WEBHOOK_SECRET, event_id="evt_2", event_type="payment.captured",
                               reference=payment.gateway_reference, amount=4900)
    authorised = signed_callback(support.WEBHOOK_SECRET, event_id="evt_1", event_type="payment.authorised",
                                 reference=payment.gateway_reference, amount=4900)
    assert (await _post(client, shop, captured)).json() == {"outcome": "captured"}
    assert (await _post(client, shop, authorised)).json() == {"outcome": "stale"}
    assert support.payment(shop, payment.id).status == "captured"
    assert _events(shop) == 2


async def test_a_cancelled_external_payment_fails(client):
    shop = support.merchant()
    payment = _start(shop)
    await _post(client, shop, signed_callback(support.WEBHOOK_SECRET, event_id="evt_9", event_type="payment.cancelled",
                                              reference=payment.gateway_reference, amount=4900))
    paid = support.payment(shop, payment.id)
    assert (paid.status, paid.failure_code) == ("failed", "cancelled")

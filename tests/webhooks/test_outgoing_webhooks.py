"""Outgoing webhooks (SPEC §12, issue 14): endpoints per seller, signed deliveries that the Standard Webhooks
reference library verifies, retries through the intents, a delivery log with resend, endpoints disabled
after repeated failure with an e-mail to the seller."""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
import standardwebhooks
from sqlalchemy import select

from comptoir.automation import intents
from comptoir.database.engine import session_scope
from comptoir.messaging.models import OutboundEmail
from comptoir.schema.ids import encode_id
from comptoir.settings import get_settings
from comptoir.tenancy.context import Role, TenantContext
from comptoir.tenancy.models import Seller
from comptoir.webhooks import service, signing
from comptoir.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests import factories
from tests.tenancy.support import cheap_password_hashing  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

CREATE = """mutation($input: WebhookEndpointCreateInput!) { webhookEndpointCreate(input: $input) {
  endpoint { id url eventTypes enabled } secret errors { code field } } }"""
UPDATE = """mutation($input: WebhookEndpointUpdateInput!) { webhookEndpointUpdate(input: $input) {
  endpoint { enabled failedDeliveries disabledReason } errors { code } } }"""
DELIVERIES = """{ webhookDeliveries(first: 20) { totalCount edges { node { id messageId eventType status attempts
  responseStatus lastError } } } }"""
RESEND = """mutation($id: ID!) { webhookDeliveryResend(input: {id: $id}) { delivery { id messageId status }
  errors { code } } }"""
CUSTOMER_CREATE = """mutation($input: CustomerCreateInput!) { customerCreate(input: $input) { customer { id }
  errors { code field } } }"""


class Receiver:
    """A loopback HTTP endpoint: records what it receives, answers with `status`."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.status = 204
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 -- http.server's naming
                body = self.rfile.read(int(self.headers["content-length"]))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.close()


@pytest.fixture
def provider():
    return factories.provider("boss")


@pytest.fixture
def shop(provider):
    seller = factories.reseller(provider, "Alpha", "alpha")
    with session_scope(TenantContext(Role.SYSTEM, seller.seller_id)) as session:
        session.get(Seller, seller.seller_id).email = "owner@alpha.test"
    return seller


async def _subscribe(client, token, url, events=("CUSTOMER_CREATED",)):
    result = await client.execute(CREATE, {"input": {"url": url, "eventTypes": list(events)}}, token=token)
    payload = result["data"]["webhookEndpointCreate"]
    assert payload["errors"] == [], payload
    return payload


async def _create_customer(client, token, username):
    result = await client.execute(CUSTOMER_CREATE, {"input": {
        "contact": {"contactName": f"Contact {username}", "email": f"{username}@example.test"},
        "username": username, "password": "a-long-enough-passphrase"}}, token=token)
    assert result["data"]["customerCreate"]["errors"] == [], result


def _deliveries(seller_id) -> list[WebhookDelivery]:
    with session_scope(TenantContext(Role.SYSTEM, seller_id)) as session:
        return list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.created_at)))


def _perform_due(seller_id) -> list[str]:
    return [intents.perform("webhook_delivery", seller_id, d.id) for d in _deliveries(seller_id)
            if d.status == "pending"]


async def test_an_event_reaches_the_endpoint_signed_as_the_standard_says(client, shop, receiver):
    # given
    token = await client.login("alpha", factories.PASSWORD)
    endpoint = await _subscribe(client, token, receiver.url)
    # when a customer is created, and the delivery intent is performed
    await _create_customer(client, token, "carol")
    assert _perform_due(shop.seller_id) == ["done"]
    # then the reference implementation verifies what arrived
    [(headers, body)] = receiver.received
    event = standardwebhooks.Webhook(endpoint["secret"]).verify(body, headers)
    assert event["type"] == "customer.created" and event["data"]["customer"]["email"] == "carol@example.test"
    assert headers["webhook-id"].startswith("msg_") and endpoint["secret"].startswith("whsec_")


async def test_an_endpoint_only_gets_the_events_it_subscribed_to(client, shop, receiver):
    # given
    token = await client.login("alpha", factories.PASSWORD)
    await _subscribe(client, token, receiver.url, events=("INVOICE_PAID",))
    # when
    await _create_customer(client, token, "carol")
    # then
    assert _deliveries(shop.seller_id) == []


async def test_a_receiver_that_is_down_gets_the_event_later_once(client, shop, receiver):
    # given the receiver fails
    token = await client.login("alpha", factories.PASSWORD)
    await _subscribe(client, token, receiver.url)
    receiver.status = 503
    await _create_customer(client, token, "carol")
    # when the first attempt fails, then the receiver recovers and the retry runs
    assert _perform_due(shop.seller_id) == ["pending"]
    [failed] = _deliveries(shop.seller_id)
    assert (failed.attempts, failed.response_status) == (1, 503) and failed.next_attempt_at > failed.created_at
    receiver.status = 200
    assert _perform_due(shop.seller_id) == ["done"]
    assert _perform_due(shop.seller_id) == []
    # then two requests reached it, one message id; the log shows one delivery, done after two attempts
    assert len(receiver.received) == 2 and len({h["webhook-id"] for h, _ in receiver.received}) == 1
    log = (await client.execute(DELIVERIES, token=token))["data"]["webhookDeliveries"]
    assert [(e["node"]["status"], e["node"]["attempts"]) for e in log["edges"]] == [("DONE", 2)]


async def test_an_endpoint_failing_for_good_repeatedly_is_disabled_and_the_seller_told(client, shop, receiver,
                                                                                       monkeypatch):
    # given every delivery gives up after one attempt
    kind = intents._kinds["webhook_delivery"]
    monkeypatch.setitem(intents._kinds, "webhook_delivery", dataclasses.replace(kind, max_attempts=1))
    token = await client.login("alpha", factories.PASSWORD)
    await _subscribe(client, token, receiver.url)
    receiver.status = 500
    # when five events fail for good
    for number in range(service.DISABLE_AFTER):
        await _create_customer(client, token, f"cust{number}")
        assert _perform_due(shop.seller_id) == ["failed"]
    # then the endpoint is disabled, the seller e-mailed, and later events are not queued
    with session_scope(TenantContext(Role.SYSTEM, shop.seller_id)) as session:
        endpoint = session.scalars(select(WebhookEndpoint)).one()
        mails = session.scalars(select(OutboundEmail).where(OutboundEmail.template == "webhook_endpoint_disabled")).all()
    assert not endpoint.enabled and "5 deliveries failed" in endpoint.disabled_reason
    assert [m.to_address for m in mails] == ["owner@alpha.test"]
    await _create_customer(client, token, "late")
    assert len(_deliveries(shop.seller_id)) == service.DISABLE_AFTER
    # and re-enabling resets the count
    enabled = await client.execute(UPDATE, {"input": {"id": _global_id(endpoint.id), "url": receiver.url,
                                                      "eventTypes": ["CUSTOMER_CREATED"], "enabled": True}},
                                   token=token)
    assert enabled["data"]["webhookEndpointUpdate"]["endpoint"] == {"enabled": True, "failedDeliveries": 0,
                                                                    "disabledReason": ""}


def _global_id(endpoint_id) -> str:
    return encode_id("WebhookEndpoint", endpoint_id)


async def test_a_resend_carries_the_same_message_id(client, shop, receiver):
    # given a delivered event
    token = await client.login("alpha", factories.PASSWORD)
    await _subscribe(client, token, receiver.url)
    await _create_customer(client, token, "carol")
    _perform_due(shop.seller_id)
    [first] = (await client.execute(DELIVERIES, token=token))["data"]["webhookDeliveries"]["edges"]
    # when
    resent = await client.execute(RESEND, {"id": first["node"]["id"]}, token=token)
    _perform_due(shop.seller_id)
    # then
    assert resent["data"]["webhookDeliveryResend"]["delivery"]["messageId"] == first["node"]["messageId"]
    assert [h["webhook-id"] for h, _ in receiver.received] == [first["node"]["messageId"]] * 2


@pytest.mark.parametrize(("url", "allow_private"), [
    ("ftp://example.com/hook", True), ("https://user:pw@example.com/hook", True), ("not a url", True),
    ("https://127.0.0.1/hook", False), ("https://localhost/hook", False), ("https://10.0.0.8/hook", False),
])
async def test_a_bad_or_private_url_is_refused_and_nothing_is_saved(client, shop, url, allow_private, monkeypatch):
    # given
    monkeypatch.setattr(get_settings(), "webhooks_allow_private", allow_private)
    token = await client.login("alpha", factories.PASSWORD)
    # when
    result = await client.execute(CREATE, {"input": {"url": url, "eventTypes": ["CUSTOMER_CREATED"]}}, token=token)
    # then
    assert result["data"]["webhookEndpointCreate"]["errors"] == [{"code": "URL_INVALID", "field": "url"}]
    with session_scope(TenantContext(Role.SYSTEM, shop.seller_id)) as session:
        assert session.scalars(select(WebhookEndpoint)).all() == []


async def test_another_sellers_staff_see_no_endpoint_and_no_delivery(client, provider, shop, receiver):
    # given
    token = await client.login("alpha", factories.PASSWORD)
    await _subscribe(client, token, receiver.url)
    await _create_customer(client, token, "carol")
    factories.reseller(provider, "Bravo", "bravo")
    bravo = await client.login("bravo", factories.PASSWORD)
    # when
    listed = await client.execute("{ webhookEndpoints(first: 5) { totalCount } webhookDeliveries(first: 5) "
                                  "{ totalCount } }", token=bravo)
    # then
    assert listed["data"] == {"webhookEndpoints": {"totalCount": 0}, "webhookDeliveries": {"totalCount": 0}}


def test_our_signature_is_what_the_reference_library_computes_and_tampering_is_caught():
    # given
    secret = signing.new_secret()
    body = json.dumps({"type": "invoice.paid"}).encode()
    headers = signing.headers(secret, "msg_1", body)
    # then
    assert standardwebhooks.Webhook(secret).verify(body, headers) == {"type": "invoice.paid"}
    signing.verify(secret, headers, body)
    with pytest.raises(signing.InvalidSignature):
        signing.verify(secret, headers, body + b" ")
    stale = signing.headers(secret, "msg_1", body, timestamp=int(headers["webhook-timestamp"]) - 600)
    with pytest.raises(signing.InvalidSignature, match="tolerance"):
        signing.verify(secret, stale, body)

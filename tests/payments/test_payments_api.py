"""Payments through GraphQL: gateways with write-only secrets, saving cards, the virtual terminal,
capture, refund, the payments list, and a customer completing authentication."""

from __future__ import annotations

import logging

from sqlalchemy import select

from comptoir.security import secrets
from comptoir.database.engine import session_scope
from comptoir.payments.models import GatewayConfig, Payment
from comptoir.schema.ids import encode_id
from tests import factories
from tests.payments import support

GATEWAY_CREATE = """mutation($input: GatewayConfigCreateInput!) {
  gatewayConfigCreate(input: $input) {
    gatewayConfig { id name driver testMode enabled webhookPath
      capabilities { kind virtualTerminal tokenise }
      settings { __typename ... on SandboxCardSettings { merchantId apiKeySet currencies } } }
    errors { field code message }
  }
}"""

GATEWAY_UPDATE = """mutation($input: GatewayConfigUpdateInput!) {
  gatewayConfigUpdate(input: $input) {
    gatewayConfig { name settings { ... on SandboxCardSettings { merchantId apiKeySet currencies } } }
    errors { field code }
  }
}"""

ADD_CARD = """mutation($input: PaymentMethodAddCardInput!) {
  paymentMethodAddCard(input: $input) {
    paymentMethod { id brand last4 expiryMonth expiryYear isDefault authenticated }
    errors { field code message }
  }
}"""

VIRTUAL_TERMINAL = """mutation($input: VirtualTerminalChargeInput!) {
  virtualTerminalCharge(input: $input) {
    payment { id status cardLast4 postToLedger amount { amount currencyCode } }
    errors { field code message }
  }
}"""

REFUND = """mutation($input: PaymentRefundInput!) {
  paymentRefund(input: $input) { payment { status refunded { minorUnits } } errors { field code } }
}"""

PAYMENTS = """query($filter: PaymentFilterInput, $sort: PaymentSortInput) {
  payments(filter: $filter, sort: $sort) { totalCount edges { node { id status amount { minorUnits } } } }
}"""

AUTHENTICATE = """mutation($input: PaymentIdInput!) {
  paymentAuthenticate(input: $input) { payment { status actionUrl } errors { code } }
}"""


def _tokens(shop: support.Merchant) -> tuple[str, str]:
    staff = factories.log_in(factories.Actor(shop.seller_id, "shopadmin"))
    return staff, factories.log_in(shop.customer)


async def test_a_gateway_is_created_with_typed_settings_and_its_secret_is_never_shown(client):
    shop = support.merchant(subscribed=True)
    staff, _ = _tokens(shop)
    result = await client.execute(GATEWAY_CREATE, {"input": {"name": "Visa and co", "settings": {
        "sandboxCard": {"merchantId": "m_9", "apiKey": "sk_test_topsecret", "currencies": ["EUR"]}}}}, token=staff)
    payload = result["data"]["gatewayConfigCreate"]
    assert payload["errors"] == []
    config = payload["gatewayConfig"]
    assert config["settings"] == {"__typename": "SandboxCardSettings", "merchantId": "m_9", "apiKeySet": True,
                                  "currencies": ["EUR"]}
    assert config["capabilities"] == {"kind": "INTERNAL", "virtualTerminal": True, "tokenise": True}
    assert "sk_test_topsecret" not in str(result)
    with session_scope(shop.staff()) as session:
        stored = session.scalars(select(GatewayConfig).where(GatewayConfig.name == "Visa and co")).one()
        assert secrets.is_sealed(stored.settings["api_key"]) and "topsecret" not in str(stored.settings)
    # an update that leaves the secret out keeps it
    updated = await client.execute(GATEWAY_UPDATE, {"input": {"id": config["id"], "settings": {
        "sandboxCard": {"merchantId": "m_10"}}}}, token=staff)
    assert updated["data"]["gatewayConfigUpdate"]["gatewayConfig"]["settings"] == {
        "merchantId": "m_10", "apiKeySet": True, "currencies": []}


async def test_invalid_settings_are_reported_per_field(client):
    shop = support.merchant(subscribed=True)
    staff, _ = _tokens(shop)
    result = await client.execute(GATEWAY_CREATE, {"input": {"name": "Bad", "settings": {
        "sandboxCard": {"merchantId": ""}}}}, token=staff)
    errors = result["data"]["gatewayConfigCreate"]["errors"]
    assert {e["field"] for e in errors} == {"settings.merchant_id", "settings.api_key"}
    assert {e["code"] for e in errors} == {"INVALID_SETTINGS"}


async def test_a_customer_saves_a_card_and_neither_its_number_nor_its_cvv_reach_the_log(client, caplog):
    shop = support.merchant(subscribed=True)
    _, customer = _tokens(shop)
    card = {"number": "4000002760003184", "expiryMonth": 4, "expiryYear": 2031, "cvv": "918"}
    with caplog.at_level(logging.DEBUG):
        saved = await client.execute(ADD_CARD, {"input": {
            "gatewayConfigId": encode_id("GatewayConfig", shop.card_gateway_id), "card": card}}, token=customer)
        # a card number sent where a string is expected is refused; the refusal is logged without it
        refused = await client.execute(ADD_CARD, {"input": {
            "gatewayConfigId": encode_id("GatewayConfig", shop.card_gateway_id),
            "card": {**card, "number": 4000002760003184, "cvv": 918}}}, token=customer)
    method = saved["data"]["paymentMethodAddCard"]["paymentMethod"]
    assert (method["brand"], method["last4"], method["isDefault"], method["authenticated"]) == (
        "visa", "3184", True, True)
    assert "errors" in refused
    assert "4000002760003184" not in caplog.text and "918" not in caplog.text


async def test_staff_charge_a_card_on_the_virtual_terminal_then_refund_part_of_it(client):
    shop = support.merchant(subscribed=True)
    staff, _ = _tokens(shop)
    result = await client.execute(VIRTUAL_TERMINAL, {"input": {
        "gatewayConfigId": encode_id("GatewayConfig", shop.card_gateway_id),
        "card": {"number": "5555555555554444", "expiryMonth": 1, "expiryYear": 2032, "cvv": "123"},
        "amountMinor": 2500, "currency": "EUR", "idempotencyKey": "phone-order-1", "postToLedger": False}},
        token=staff)
    payment = result["data"]["virtualTerminalCharge"]["payment"]
    assert (payment["status"], payment["cardLast4"], payment["postToLedger"]) == ("PENDING", "4444", False)
    assert payment["amount"] == {"amount": "25.00", "currencyCode": "EUR"}
    with session_scope(shop.system()) as session:
        payment_id = session.scalars(select(Payment.id)).one()
    support.perform(shop, payment_id)
    refunded = await client.execute(REFUND, {"input": {"id": payment["id"], "amountMinor": 500}}, token=staff)
    assert refunded["data"]["paymentRefund"]["payment"] == {"status": "PARTIALLY_REFUNDED",
                                                            "refunded": {"minorUnits": 500}}


async def test_the_virtual_terminal_is_refused_on_a_gateway_without_one(client):
    shop = support.merchant(subscribed=True)
    staff, _ = _tokens(shop)
    result = await client.execute(VIRTUAL_TERMINAL, {"input": {
        "gatewayConfigId": encode_id("GatewayConfig", shop.external_gateway_id),
        "card": {"number": "4242424242424242", "expiryMonth": 1, "expiryYear": 2032, "cvv": "123"},
        "amountMinor": 2500, "currency": "EUR", "idempotencyKey": "k"}}, token=staff)
    assert result["data"]["virtualTerminalCharge"]["errors"][0]["code"] == "NOT_SUPPORTED"


async def test_payments_are_listed_filtered_by_status_and_sorted_by_amount(client):
    shop = support.merchant(subscribed=True)
    staff, _ = _tokens(shop)
    good, bad = support.save_card(shop, "4242424242424242"), support.save_card(shop, "4000000000009995")
    for card, amount in ((good, 300), (good, 100), (bad, 200)):
        support.perform(shop, support.charge(shop, card, amount))
    result = await client.execute(PAYMENTS, {"filter": {"status": "CAPTURED"},
                                             "sort": {"field": "AMOUNT", "direction": "ASC"}}, token=staff)
    listed = result["data"]["payments"]
    assert listed["totalCount"] == 2
    assert [e["node"]["amount"]["minorUnits"] for e in listed["edges"]] == [100, 300]


async def test_the_customer_completes_a_payment_the_bank_wanted_authenticated(client):
    shop = support.merchant(subscribed=True)
    _, customer = _tokens(shop)
    payment_id = support.charge(shop, support.save_card(shop, "4000002760003184"))
    support.perform(shop, payment_id)
    result = await client.execute(AUTHENTICATE, {"input": {"id": encode_id("Payment", payment_id)}}, token=customer)
    assert result["data"]["paymentAuthenticate"]["errors"] == []
    support.perform(shop, payment_id)
    assert support.payment(shop, payment_id).status == "captured"


SETTINGS_UPDATE = """mutation($input: PaymentSettingsUpdateInput!) {
  paymentSettingsUpdate(input: $input) {
    paymentSettings { cardExpiryNoticeDays pollIntervalMinutes pollMaxChecks }
    errors { field code }
  }
}"""


async def test_payment_settings_default_then_change_within_their_ranges(client):
    shop = support.merchant(subscribed=True)
    staff, _ = _tokens(shop)
    shown = await client.execute("{ paymentSettings { cardExpiryNoticeDays pollIntervalMinutes pollMaxChecks } }",
                                 token=staff)
    assert shown["data"]["paymentSettings"] == {"cardExpiryNoticeDays": 30, "pollIntervalMinutes": 60,
                                                "pollMaxChecks": 10}
    changed = await client.execute(SETTINGS_UPDATE, {"input": {"cardExpiryNoticeDays": 45}}, token=staff)
    assert changed["data"]["paymentSettingsUpdate"]["paymentSettings"]["cardExpiryNoticeDays"] == 45
    refused = await client.execute(SETTINGS_UPDATE, {"input": {"pollMaxChecks": 0, "pollIntervalMinutes": 0}},
                                   token=staff)
    assert {e["field"] for e in refused["data"]["paymentSettingsUpdate"]["errors"]} == {
        "pollMaxChecks", "pollIntervalMinutes"}

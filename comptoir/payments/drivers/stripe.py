"""Stripe, on the same protocol, against its documented REST API (form-encoded requests, PaymentIntents).

- tokenise: a PaymentMethod from the card, a Customer, and a SetupIntent confirmed for off-session use
  (the customer being present, the bank may authenticate them there: `authenticated` says if it did);
  the token is "<customer id>/<payment method id>".
- charge: a PaymentIntent confirmed at once (`off_session` for merchant-initiated renewals; manual
  capture for "authorise only"), sent with our idempotency key as Stripe's `Idempotency-Key`; `query`
  asks again with the same key, which Stripe answers with the first result (keys live 24 hours) —
  its documented way to learn what became of a request whose answer was lost.
- webhooks: `Stripe-Signature: t=…,v1=…`, HMAC-SHA256 over `t.body` (comptoir.payments.signatures).
Tested offline against response fixtures written from Stripe's API reference (tests/payments/fixtures).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

import httpx
from pydantic import Field, SecretStr

from comptoir.payments import signatures
from comptoir.payments.drivers.base import (
    Capabilities,
    CardInput,
    ChargeRequest,
    DriverSettings,
    GatewayRefused,
    GatewayResult,
    GatewayTimeout,
    Kind,
    Outcome,
    TokenisedCard,
    WebhookEvent,
    WebhookRejected,
)
from comptoir.payments.drivers.unsupported import Unsupported

API = "https://api.stripe.com"
TIMEOUT_SECONDS = 20.0
# Declines the issuer means for good: never retried (Stripe's decline codes).
HARD_DECLINES = frozenset({"stolen_card", "lost_card", "pickup_card", "fraudulent", "restricted_card",
                           "merchant_blacklist", "invalid_account", "card_not_supported", "do_not_honor_forever"})
_STATUSES = {"succeeded": Outcome.CAPTURED, "requires_capture": Outcome.AUTHORISED, "processing": Outcome.PROCESSING,
             "requires_action": Outcome.REQUIRES_ACTION, "canceled": Outcome.DECLINED}
EVENT_TYPES = {"payment_intent.succeeded": Outcome.CAPTURED,
               "payment_intent.amount_capturable_updated": Outcome.AUTHORISED,
               "payment_intent.payment_failed": Outcome.DECLINED,
               "payment_intent.canceled": Outcome.DECLINED,
               "payment_intent.requires_action": Outcome.REQUIRES_ACTION}

transport: httpx.BaseTransport | None = None  # tests replay fixtures through a MockTransport


class StripeSettings(DriverSettings):
    secret_key: SecretStr
    webhook_secret: SecretStr
    currencies: list[str] = Field(default_factory=list, max_length=50)


class StripeGateway(Unsupported):
    name: ClassVar[str] = "stripe"
    capabilities: ClassVar[Capabilities] = Capabilities(
        Kind.INTERNAL, authorise=True, capture=True, charge=True, refund=True, void=True, tokenise=True,
        virtual_terminal=True, asynchronous_status=True)
    settings_model: ClassVar[type[DriverSettings]] = StripeSettings

    def tokenise(self, settings: StripeSettings, card: CardInput, *, customer_present: bool) -> TokenisedCard:
        method = _call(settings, "POST", "/v1/payment_methods", {
            "type": "card", "card[number]": card.number, "card[exp_month]": card.expiry_month,
            "card[exp_year]": card.expiry_year, "card[cvc]": card.cvv, "billing_details[name]": card.holder_name})
        if "error" in method:
            raise GatewayRefused(method["error"].get("code", "card_error"), method["error"].get("message", ""))
        customer = _call(settings, "POST", "/v1/customers", {"payment_method": method["id"]})
        setup = _call(settings, "POST", "/v1/setup_intents", {
            "customer": customer["id"], "payment_method": method["id"], "confirm": "true", "usage": "off_session"})
        details = method["card"]
        return TokenisedCard(token=f"{customer['id']}/{method['id']}", brand=details["brand"], last4=details["last4"],
                             expiry_month=details["exp_month"], expiry_year=details["exp_year"],
                             authenticated=setup.get("status") == "succeeded")

    def charge(self, settings: StripeSettings, request: ChargeRequest) -> GatewayResult:
        customer, _, method = request.token.partition("/")
        body: dict[str, Any] = {
            "amount": request.amount, "currency": request.currency.lower(), "customer": customer,
            "payment_method": method, "confirm": "true", "description": request.description,
            "capture_method": "automatic" if request.capture else "manual"}
        if not request.customer_present:
            body["off_session"] = "true"
        return _intent_result(_call(settings, "POST", "/v1/payment_intents", body, key=request.idempotency_key))

    def query(self, settings: StripeSettings, idempotency_key: str) -> GatewayResult:
        found = _call(settings, "GET", "/v1/payment_intents/search",
                      {"query": f"metadata['comptoir_key']:'{idempotency_key}'"})
        if not found.get("data"):
            return GatewayResult(Outcome.NOT_FOUND)
        return _intent_result(found["data"][0])

    def complete_authentication(self, settings: StripeSettings, reference: str) -> GatewayResult:
        return _intent_result(_call(settings, "GET", f"/v1/payment_intents/{reference}", {}))

    def capture(self, settings: StripeSettings, reference: str, amount: int) -> GatewayResult:
        return _intent_result(_call(settings, "POST", f"/v1/payment_intents/{reference}/capture",
                                    {"amount_to_capture": amount}))

    def void(self, settings: StripeSettings, reference: str) -> GatewayResult:
        return _intent_result(_call(settings, "POST", f"/v1/payment_intents/{reference}/cancel", {}))

    def refund(self, settings: StripeSettings, reference: str, amount: int) -> GatewayResult:
        refund = _call(settings, "POST", "/v1/refunds", {"payment_intent": reference, "amount": amount})
        if "error" in refund or refund.get("status") == "failed":
            raise GatewayRefused("refund_failed", str(refund.get("error", {}).get("message", "refund failed")))
        return GatewayResult(Outcome.CAPTURED, refund["id"], refund["amount"])

    def verify_webhook(self, settings: StripeSettings, headers: Mapping[str, str], body: bytes,
                       now: datetime) -> WebhookEvent:
        signatures.verify(settings.webhook_secret.get_secret_value(), headers.get("stripe-signature", ""), body, now)
        try:
            event = json.loads(body)
            intent = event["data"]["object"]
            outcome = EVENT_TYPES[event["type"]]
            return WebhookEvent(event_id=event["id"], type=event["type"], reference=intent["id"], outcome=outcome,
                                amount=int(intent.get("amount_received") or intent.get("amount") or 0),
                                code=_failure_code(intent))
        except (ValueError, KeyError, TypeError) as error:
            raise WebhookRejected("not a PaymentIntent event") from error


def _call(settings: StripeSettings, method: str, path: str, data: Mapping[str, Any], *, key: str = "") -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    if key:
        data = {**data, "metadata[comptoir_key]": key}
    try:
        with httpx.Client(base_url=API, transport=transport, timeout=TIMEOUT_SECONDS,
                          auth=(settings.secret_key.get_secret_value(), "")) as client:
            response = (client.get(path, params=dict(data)) if method == "GET"
                        else client.post(path, data=dict(data), headers=headers))
    except httpx.TimeoutException as error:
        raise GatewayTimeout("Stripe did not answer in time") from error
    except httpx.TransportError as error:
        raise GatewayTimeout(f"Stripe unreachable: {type(error).__name__}") from error
    if response.status_code >= 500:
        raise GatewayTimeout(f"Stripe answered {response.status_code}")  # the request may have been applied
    body = response.json()
    if response.status_code == 402 and "payment_intent" in body.get("error", {}):
        return {**body["error"]["payment_intent"], "last_payment_error": body["error"]}
    if response.status_code >= 400 and response.status_code != 402:
        error = body.get("error", {})
        raise GatewayRefused(error.get("code") or error.get("type", "invalid_request"), error.get("message", ""))
    return body


def _failure_code(intent: Mapping[str, Any]) -> str:
    error = intent.get("last_payment_error") or {}
    return str(error.get("decline_code") or error.get("code") or "")


def _intent_result(intent: Mapping[str, Any]) -> GatewayResult:
    status, code = intent.get("status", ""), _failure_code(intent)
    if code == "authentication_required" or status == "requires_action":
        action = (intent.get("next_action") or {}).get("redirect_to_url") or {}
        return GatewayResult(Outcome.REQUIRES_ACTION, intent["id"], intent.get("amount", 0), code=code,
                             action_url=action.get("url", ""))
    if status == "requires_payment_method" or (status not in _STATUSES and code):
        return GatewayResult(Outcome.DECLINED, intent.get("id", ""), code=code or "declined",
                             hard=code in HARD_DECLINES)
    outcome = _STATUSES.get(status, Outcome.ERROR)
    amount = intent.get("amount_received") or intent.get("amount") or 0
    return GatewayResult(outcome, intent.get("id", ""), int(amount), code="canceled" if status == "canceled" else "")

"""Sandbox external gateway (PayPal-like): the buyer is sent to the processor's page, comes back to the
return (or cancel) URL, and the processor confirms with a signed callback to /webhooks/<config id>.

`signed_callback` produces the callback exactly as the processor would (tests and docs use it)."""

from __future__ import annotations

import json
import secrets
import time
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import ClassVar
from urllib.parse import urlencode

from pydantic import Field, SecretStr

from comptoir.payments import signatures
from comptoir.payments.drivers.base import (
    Capabilities,
    DriverSettings,
    Kind,
    Outcome,
    Redirect,
    WebhookEvent,
    WebhookRejected,
)
from comptoir.payments.drivers.unsupported import Unsupported

CHECKOUT_URL = "https://sandbox-pay.test/checkout/"
SIGNATURE_HEADER = "sandbox-signature"
EVENT_OUTCOMES = {
    "payment.authorised": Outcome.AUTHORISED,
    "payment.captured": Outcome.CAPTURED,
    "payment.denied": Outcome.DECLINED,
    "payment.cancelled": Outcome.DECLINED,
}


class SandboxExternalSettings(DriverSettings):
    account_email: str = Field(min_length=3, max_length=255)
    webhook_secret: SecretStr
    currencies: list[str] = Field(default_factory=list, max_length=50)


class SandboxExternalGateway(Unsupported):
    name: ClassVar[str] = "sandbox_external"
    capabilities: ClassVar[Capabilities] = Capabilities(Kind.EXTERNAL, charge=True, asynchronous_status=True)
    settings_model: ClassVar[type[DriverSettings]] = SandboxExternalSettings

    def start_redirect(self, settings: SandboxExternalSettings, *, config_id: uuid.UUID, payment_id: uuid.UUID,
                       amount: int, currency: str, return_url: str, cancel_url: str) -> Redirect:
        reference = f"PAY-{secrets.token_hex(8).upper()}"
        query = urlencode({"amount": amount, "currency": currency, "return": return_url, "cancel": cancel_url})
        return Redirect(reference, f"{CHECKOUT_URL}{reference}?{query}")

    def verify_webhook(self, settings: SandboxExternalSettings, headers: Mapping[str, str], body: bytes,
                       now: datetime) -> WebhookEvent:
        signatures.verify(settings.webhook_secret.get_secret_value(), headers.get(SIGNATURE_HEADER, ""), body, now)
        try:
            payload = json.loads(body)
            event_type = str(payload["type"])
            return WebhookEvent(event_id=str(payload["id"]), type=event_type,
                                reference=str(payload["data"]["reference"]), outcome=EVENT_OUTCOMES[event_type],
                                amount=int(payload["data"].get("amount", 0)), code=event_type.partition(".")[2])
        except (ValueError, KeyError, TypeError) as error:
            raise WebhookRejected("the callback's body is not an event this gateway sends") from error


def signed_callback(secret: str, *, event_id: str, event_type: str, reference: str, amount: int,
                    timestamp: int | None = None) -> tuple[dict[str, str], bytes]:
    """Headers and body of the processor's callback, signed with the configuration's webhook secret."""
    body = json.dumps({"id": event_id, "type": event_type,
                       "data": {"reference": reference, "amount": amount}}).encode()
    stamp = int(time.time()) if timestamp is None else timestamp
    return {SIGNATURE_HEADER: signatures.header(secret, stamp, body), "content-type": "application/json"}, body

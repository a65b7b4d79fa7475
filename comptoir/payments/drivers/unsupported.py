"""Default answers for the operations a driver's capabilities leave out: refused, never pretended."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from comptoir.payments.drivers.base import (
    CardInput,
    ChargeRequest,
    GatewayRefused,
    GatewayResult,
    Redirect,
    TokenisedCard,
    WebhookEvent,
    WebhookRejected,
)


class Unsupported:
    def tokenise(self, settings: Any, card: CardInput, *, customer_present: bool) -> TokenisedCard:
        raise GatewayRefused("unsupported", "this gateway takes no card data")

    def charge(self, settings: Any, request: ChargeRequest) -> GatewayResult:
        raise GatewayRefused("unsupported", "this gateway does not charge directly")

    def query(self, settings: Any, idempotency_key: str) -> GatewayResult:
        raise GatewayRefused("unsupported", "this gateway cannot be queried")

    def complete_authentication(self, settings: Any, reference: str) -> GatewayResult:
        raise GatewayRefused("unsupported", "this gateway has no authentication step")

    def capture(self, settings: Any, reference: str, amount: int) -> GatewayResult:
        raise GatewayRefused("unsupported", "this gateway does not capture")

    def refund(self, settings: Any, reference: str, amount: int) -> GatewayResult:
        raise GatewayRefused("unsupported", "this gateway does not refund")

    def void(self, settings: Any, reference: str) -> GatewayResult:
        raise GatewayRefused("unsupported", "this gateway does not void")

    def start_redirect(self, settings: Any, *, config_id: uuid.UUID, payment_id: uuid.UUID, amount: int,
                       currency: str, return_url: str, cancel_url: str) -> Redirect:
        raise GatewayRefused("unsupported", "this gateway does not redirect")

    def verify_webhook(self, settings: Any, headers: Mapping[str, str], body: bytes, now: datetime) -> WebhookEvent:
        raise WebhookRejected("this gateway sends no callbacks")

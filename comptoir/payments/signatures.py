"""Signed callbacks, as Stripe and Standard Webhooks sign them: HMAC-SHA256 over `timestamp.body`,
compared in constant time, refused outside a tolerance window (replays of old captures)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from comptoir.payments.drivers.base import WebhookRejected

TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify(secret: str, value: str, body: bytes, now: datetime, *, tolerance: int = TOLERANCE_SECONDS) -> None:
    """Raise WebhookRejected unless `value` (t=…,v1=…) signs `body` with `secret` within the tolerance."""
    parts: dict[str, list[str]] = {}
    for item in value.split(","):
        key, _, part = item.strip().partition("=")
        parts.setdefault(key, []).append(part)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError) as error:
        raise WebhookRejected("no timestamp in the signature header") from error
    if abs(now.timestamp() - timestamp) > tolerance:
        raise WebhookRejected("timestamp outside the tolerance window")
    expected = signature(secret, timestamp, body)
    # every v1 is compared (a processor rolling its secret sends two); compare_digest is constant-time
    if not any(hmac.compare_digest(expected, candidate) for candidate in parts.get("v1", [])):
        raise WebhookRejected("signature does not match")

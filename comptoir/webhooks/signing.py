"""Standard Webhooks signatures (https://www.standardwebhooks.com): what we send and how a receiver checks it.

Signed content: `{webhook-id}.{webhook-timestamp}.{body}`; key: the bytes after `whsec_` base64-decoded;
signature header: space-separated `v1,<base64 HMAC-SHA256>` (several while a secret rotates).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

SECRET_PREFIX = "whsec_"
TOLERANCE_SECONDS = 5 * 60


class InvalidSignature(Exception):
    """A delivery whose signature or timestamp does not verify."""


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    content = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(_key(secret), content, hashlib.sha256).digest()).decode()


def headers(secret: str, message_id: str, body: bytes, *, timestamp: int | None = None) -> dict[str, str]:
    moment = int(time.time()) if timestamp is None else timestamp
    return {"webhook-id": message_id, "webhook-timestamp": str(moment),
            "webhook-signature": sign(secret, message_id, moment, body), "content-type": "application/json"}


def verify(secret: str, received: dict[str, str], body: bytes, *, now: int | None = None) -> None:
    """What a receiver does: the timestamp within the tolerance, one of the v1 signatures matching (in
    constant time). Raises InvalidSignature."""
    lowered = {name.lower(): value for name, value in received.items()}
    try:
        message_id, timestamp = lowered["webhook-id"], int(lowered["webhook-timestamp"])
        offered = lowered["webhook-signature"].split()
    except (KeyError, ValueError):
        raise InvalidSignature("missing or malformed webhook headers") from None
    if abs((int(time.time()) if now is None else now) - timestamp) > TOLERANCE_SECONDS:
        raise InvalidSignature("timestamp outside the tolerance")
    expected = sign(secret, message_id, timestamp, body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in offered):
        raise InvalidSignature("no matching signature")

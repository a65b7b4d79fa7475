"""Seal and unseal secrets stored in the database (gateway settings, card tokens, IBANs, passwords).

The one seam every package uses: `seal(text)` gives an opaque ASCII token safe to store in a text
column, `unseal(token)` gives the text back. Tokens carry a version prefix so the scheme (envelope
encryption with rotating keys) can change without touching callers; a token names its own key, so `unseal` needs no seller."""

from __future__ import annotations

import base64
import hashlib
import uuid

from cryptography.fernet import Fernet, InvalidToken

from comptoir.settings import get_settings

PREFIX = "s1:"


class SealedSecretError(Exception):
    """A sealed value could not be opened (wrong key, or not a sealed value)."""


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"comptoir-secrets:" + get_settings().secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(text: str, *, seller_id: uuid.UUID | None = None) -> str:
    """`seller_id`: whose secret it is (per-seller keys and passphrase mode hang on it)."""
    return PREFIX + _fernet().encrypt(text.encode()).decode()


def unseal(token: str) -> str:
    if not token.startswith(PREFIX):
        raise SealedSecretError("not a sealed value")
    try:
        return _fernet().decrypt(token[len(PREFIX):].encode()).decode()
    except InvalidToken as error:
        raise SealedSecretError("sealed with another key") from error


def is_sealed(value: str) -> bool:
    return value.startswith(PREFIX)

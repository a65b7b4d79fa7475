"""Token format and AES-256-GCM, without a database: what seal/unseal and key rotation share.

A token is `s2:<key name>:<base64url(nonce ‖ ciphertext ‖ tag)>`. The key name is a data key's id (32
hex digits; the owning seller's id is the associated data, so a token moved to another seller's row does
not open) or `k-<KEK id>` for the few values sealed without a seller. `s1:` tokens (Fernet under the
secret key, before envelope encryption) still open.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import uuid
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "s2:"
LEGACY_PREFIX = "s1:"
KEK_NAME = "k-"
NONCE_BYTES = 12
NO_SELLER = b"comptoir:no-seller"


class SealedSecretError(Exception):
    """A sealed value could not be opened (wrong or unknown key, altered, or not a sealed value)."""


@dataclass(frozen=True)
class TokenParts:
    key_name: str  # a data key id in hex, or k-<KEK id>
    payload: str

    @property
    def data_key_id(self) -> uuid.UUID | None:
        if self.key_name.startswith(KEK_NAME):
            return None
        try:
            return uuid.UUID(hex=self.key_name)
        except ValueError as error:
            raise SealedSecretError("malformed sealed value") from error

    @property
    def kek_id(self) -> str | None:
        return self.key_name[len(KEK_NAME):] if self.key_name.startswith(KEK_NAME) else None


def seller_aad(seller_id: uuid.UUID) -> bytes:
    return b"comptoir:seller:" + seller_id.bytes


def encrypt(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def decrypt(key: bytes, sealed: bytes, aad: bytes) -> bytes:
    if len(sealed) < NONCE_BYTES + 16:
        raise SealedSecretError("malformed sealed value")
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad)
    except InvalidTag as error:
        raise SealedSecretError("sealed value altered or sealed with another key") from error


def make_token(key_name: str, key: bytes, text: str, aad: bytes) -> str:
    payload = base64.urlsafe_b64encode(encrypt(key, text.encode(), aad)).rstrip(b"=").decode()
    return f"{PREFIX}{key_name}:{payload}"


def split_token(token: str) -> TokenParts:
    if not token.startswith(PREFIX):
        raise SealedSecretError("not a sealed value")
    key_name, sep, payload = token[len(PREFIX):].partition(":")
    if not sep or not key_name or not payload:
        raise SealedSecretError("malformed sealed value")
    return TokenParts(key_name, payload)


def open_payload(parts: TokenParts, key: bytes, aad: bytes) -> str:
    try:
        raw = base64.urlsafe_b64decode(parts.payload + "=" * (-len(parts.payload) % 4))
    except (binascii.Error, ValueError) as error:
        raise SealedSecretError("malformed sealed value") from error
    return decrypt(key, raw, aad).decode()


def is_sealed(value: str) -> bool:
    return value.startswith((PREFIX, LEGACY_PREFIX))


def open_legacy(token: str, secret_key: str) -> str:
    """An `s1:` token: Fernet under a key derived from the secret key (what sealing was before 0017)."""
    digest = hashlib.sha256(b"comptoir-secrets:" + secret_key.encode()).digest()
    try:
        return Fernet(base64.urlsafe_b64encode(digest)).decrypt(token[len(LEGACY_PREFIX):].encode()).decode()
    except InvalidToken as error:
        raise SealedSecretError("sealed with another key") from error

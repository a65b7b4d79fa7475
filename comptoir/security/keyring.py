"""The key-encryption keys (KEKs): a ring read from the environment, the first key current.

`COMPTOIR_ENCRYPTION_KEYS="2026b:<base64 32 bytes>,2026a:<base64 32 bytes>"`: data keys are wrapped
with the first; the others only unwrap what is not re-wrapped yet (`comptoir encryption rotate`). Without
the variable a development key is derived from the secret key, which production settings refuse.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

from comptoir.settings import get_settings

KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
KEY_BYTES = 32  # AES-256
DEVELOPMENT_KEY_ID = "dev"


class EncryptionConfigError(Exception):
    """The key ring in the environment is missing or malformed."""


@dataclass(frozen=True)
class KeyEncryptionKey:
    id: str
    key: bytes

    def __repr__(self) -> str:  # never print key material
        return f"KeyEncryptionKey({self.id!r})"


@dataclass(frozen=True)
class KeyRing:
    keys: tuple[KeyEncryptionKey, ...]

    @property
    def current(self) -> KeyEncryptionKey:
        return self.keys[0]

    def get(self, key_id: str) -> KeyEncryptionKey:
        for key in self.keys:
            if key.id == key_id:
                return key
        raise EncryptionConfigError(f"key-encryption key {key_id!r} is not in COMPTOIR_ENCRYPTION_KEYS")


def parse_keys(spec: str) -> KeyRing:
    """`id:base64key,...` (standard or URL-safe base64 of 32 bytes); ids unique."""
    keys: list[KeyEncryptionKey] = []
    for item in (part.strip() for part in spec.split(",")):
        if not item:
            continue
        key_id, sep, encoded = item.partition(":")
        if not sep or not KEY_ID.match(key_id):
            raise EncryptionConfigError(f"malformed entry in COMPTOIR_ENCRYPTION_KEYS (want id:base64key): {key_id!r}")
        try:
            key = base64.b64decode(encoded.replace("-", "+").replace("_", "/") + "=" * (-len(encoded) % 4),
                                   validate=True)
        except (binascii.Error, ValueError) as error:
            raise EncryptionConfigError(f"key {key_id!r} is not base64") from error
        if len(key) != KEY_BYTES:
            raise EncryptionConfigError(f"key {key_id!r} has {len(key)} bytes, want {KEY_BYTES}")
        if any(k.id == key_id for k in keys):
            raise EncryptionConfigError(f"key id {key_id!r} appears twice")
        keys.append(KeyEncryptionKey(key_id, key))
    if not keys:
        raise EncryptionConfigError("COMPTOIR_ENCRYPTION_KEYS holds no key")
    return KeyRing(tuple(keys))


def development_key(secret_key: str) -> KeyEncryptionKey:
    return KeyEncryptionKey(DEVELOPMENT_KEY_ID, hashlib.sha256(b"comptoir-kek:" + secret_key.encode()).digest())


def key_ring() -> KeyRing:
    settings = get_settings()
    return _ring(settings.encryption_keys, settings.secret_key, settings.production)


@lru_cache(maxsize=8)
def _ring(spec: str, secret_key: str, production: bool) -> KeyRing:
    if spec.strip():
        return parse_keys(spec)
    if production:
        raise EncryptionConfigError("COMPTOIR_ENCRYPTION_KEYS is required in production (COMPTOIR_ENVIRONMENT=production)")
    return KeyRing((development_key(secret_key),))

"""Seal and unseal secrets stored in the database (gateway settings, card tokens, IBANs, passwords).

The one seam every package uses: `seal(text, seller_id=...)` gives an opaque ASCII token safe to store in
a text column, `unseal(token)` gives the text back. Behind it, envelope encryption (docs/encryption.md):
AES-256-GCM under the seller's data key, itself wrapped by the current key-encryption key from the
environment or, in passphrase mode, by the seller's passphrase; a token names its data key, so `unseal`
needs no seller. Packages register the columns they seal (`register_sealed_column`) so that key rotation
re-encrypts them.

Data keys are read in short transactions of their own (the caller's session may be any role), and
KEK-wrapped ones are kept in memory for a minute; passphrase-wrapped ones only for the operation that
unlocked them.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from sqlalchemy.orm import Session

from comptoir.database.engine import side_sessionmaker
from comptoir.errors import CommonErrorCode, DomainError
from comptoir.security import data_keys
from comptoir.security.data_keys import DataKey
from comptoir.security.envelope import (
    KEK_NAME,
    LEGACY_PREFIX,
    NO_SELLER,
    SealedSecretError,
    make_token,
    open_legacy,
    open_payload,
    seller_aad,
    split_token,
)
from comptoir.security.envelope import is_sealed as is_sealed
from comptoir.security.keyring import EncryptionConfigError, key_ring
from comptoir.settings import get_settings
from comptoir.tenancy import context as tenant
from comptoir.tenancy.context import Role, TenantContext

__all__ = ["PassphraseRequired", "SealedSecretError", "automation_can_decrypt", "is_sealed", "register_sealed_column",
           "seal", "sealed_columns", "unseal"]

CACHE_SECONDS = 60.0
LOCKED_MESSAGE = ("This seller's secrets are locked by its encryption passphrase: automation that needs them "
                  "(payment queue, provisioning with stored passwords) cannot run; unlock them for one operation "
                  "with encryptionUnlock.")


class PassphraseRequired(DomainError, SealedSecretError):
    """The seller's data key is wrapped by a passphrase the system does not keep, and this operation did not
    unlock it. A domain error (common code PERMISSION_DENIED), so any mutation reports it as data."""

    def __init__(self, seller_id: uuid.UUID) -> None:
        DomainError.__init__(self, CommonErrorCode.PERMISSION_DENIED, LOCKED_MESSAGE)
        self.seller_id = seller_id


@dataclass(frozen=True)
class SealedColumn:
    table: str
    column: str


_sealed_columns: dict[tuple[str, str], SealedColumn] = {}


def register_sealed_column(table: str, column: str) -> None:
    """Declare a text column holding `seal` tokens (in its package's models module): rotation re-encrypts it.
    The table has `id` and `seller_id` columns."""
    _sealed_columns.setdefault((table, column), SealedColumn(table, column))


def sealed_columns() -> tuple[SealedColumn, ...]:
    return tuple(_sealed_columns.values())


# Process memory: KEK-wrapped data keys by id, and each seller's active key id, each with its expiry.
_keys: dict[uuid.UUID, tuple[float, DataKey]] = {}
_active: dict[uuid.UUID, tuple[float, uuid.UUID]] = {}
# The current operation's passphrase-unlocked keys (None outside an operation).
_unlocked: ContextVar[dict[uuid.UUID, DataKey] | None] = ContextVar("comptoir_unlocked_keys", default=None)


def seal(text: str, *, seller_id: uuid.UUID | None = None) -> str:
    """`seller_id`: whose secret it is (its data key seals it); None only for values of no seller."""
    if seller_id is None:
        kek = key_ring().current
        return make_token(KEK_NAME + kek.id, kek.key, text, NO_SELLER)
    key = _active_key(seller_id)
    return make_token(key.id.hex, key.key, text, seller_aad(seller_id))


def unseal(token: str) -> str:
    if token.startswith(LEGACY_PREFIX):
        return open_legacy(token, get_settings().secret_key)
    parts = split_token(token)
    if parts.kek_id is not None:
        try:
            kek = key_ring().get(parts.kek_id)
        except EncryptionConfigError as error:
            raise SealedSecretError(str(error)) from error
        return open_payload(parts, kek.key, NO_SELLER)
    key_id = parts.data_key_id
    assert key_id is not None
    key = _key(key_id)
    return open_payload(parts, key.key, seller_aad(key.seller_id))


def automation_can_decrypt(session: Session, seller_id: uuid.UUID) -> bool:
    """Whether work without a person (payment queue, renewals) can open the seller's secrets."""
    return not data_keys.in_passphrase_mode(session.connection(), seller_id)


def enable_passphrase(session: Session, seller_id: uuid.UUID, passphrase: str) -> None:
    """From now on the seller's secrets open only in operations that give the passphrase."""
    with contextlib.suppress(PassphraseRequired):  # already set: data_keys says so
        _active_key(seller_id)  # a first key is created (and committed) aside, never in the caller's transaction
    data_keys.enable_passphrase(session.connection(), seller_id, passphrase)
    forget_keys()


def unlock(session: Session, seller_id: uuid.UUID, passphrase: str) -> None:
    """Open the seller's passphrase-wrapped keys for the rest of the current operation."""
    scope = _unlocked.get()
    if scope is None:
        raise RuntimeError("unlock outside an operation (use secrets.operation())")
    scope.update(data_keys.unlock(session.connection(), seller_id, passphrase))


def is_unlocked(seller_id: uuid.UUID) -> bool:
    return any(key.seller_id == seller_id for key in (_unlocked.get() or {}).values())


@contextlib.contextmanager
def operation() -> Iterator[None]:
    """The lifetime of passphrase-unlocked keys: one GraphQL operation, one command."""
    token = _unlocked.set({})
    try:
        yield
    finally:
        _unlocked.reset(token)


def begin_operation() -> None:
    _unlocked.set({})


def end_operation() -> None:
    _unlocked.set(None)


def forget_keys() -> None:
    """Drop the keys held in memory (after rotation or a change of mode)."""
    _keys.clear()
    _active.clear()


def _key(key_id: uuid.UUID) -> DataKey:
    unlocked = _unlocked.get()
    if unlocked and key_id in unlocked:
        return unlocked[key_id]
    cached = _keys.get(key_id)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    with _keys_connection() as connection:
        row = data_keys.get(connection, key_id)
        if row is None:
            raise SealedSecretError("sealed with an unknown data key")
        return _usable(row)


def _active_key(seller_id: uuid.UUID) -> DataKey:
    cached = _active.get(seller_id)
    if cached and cached[0] > time.monotonic():
        return _key(cached[1])
    with _keys_connection() as connection:
        row = data_keys.active(connection, seller_id)
        key = _usable(row)
    _active[seller_id] = (time.monotonic() + CACHE_SECONDS, key.id)
    return key


def _usable(row: object) -> DataKey:
    if data_keys.is_locked(row):
        unlocked = _unlocked.get() or {}
        if row.id not in unlocked:  # type: ignore[attr-defined]
            raise PassphraseRequired(row.seller_id)  # type: ignore[attr-defined]
        return unlocked[row.id]  # type: ignore[attr-defined]
    try:
        key = data_keys.unwrap(row)
    except EncryptionConfigError as error:
        raise SealedSecretError(str(error)) from error
    _keys[key.id] = (time.monotonic() + CACHE_SECONDS, key)
    return key


@contextlib.contextmanager
def _keys_connection() -> Iterator[object]:
    """A short transaction of its own on the side pool, as the provider (key rows are looked up by id, across
    sellers)."""
    with (tenant.acting_as(TenantContext(Role.PROVIDER, uuid.UUID(int=0))), side_sessionmaker()() as session,
          session.begin()):
        yield session.connection()

"""Per-seller data keys (DEKs): create, wrap, unwrap, re-wrap, passphrase mode. Over a plain connection,
so that the seam's own short transactions, the rotation command and migration 0017 share it."""

from __future__ import annotations

import base64
import os
import uuid
from dataclasses import dataclass
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from sqlalchemy import Connection, select, update
from sqlalchemy.dialects.postgresql import insert

from comptoir.errors import DomainError, ErrorCode
from comptoir.security.envelope import SealedSecretError, decrypt, encrypt
from comptoir.security.keyring import KEY_BYTES, key_ring
from comptoir.security.models import SellerDataKey
from comptoir.settings import get_settings

KEYS = SellerDataKey.__table__
MIN_PASSPHRASE_LENGTH = 12


class EncryptionErrorCode(ErrorCode):
    PASSPHRASE_TOO_SHORT = "passphrase_too_short"
    PASSPHRASE_ALREADY_SET = "passphrase_already_set"
    WRONG_PASSPHRASE = "wrong_passphrase"


@dataclass(frozen=True)
class DataKey:
    """An unwrapped data key: keep it in memory only."""

    id: uuid.UUID
    seller_id: uuid.UUID
    key: bytes

    def __repr__(self) -> str:
        return f"DataKey({self.id}, seller={self.seller_id})"


def _aad(seller_id: uuid.UUID, key_id: uuid.UUID) -> bytes:
    return b"comptoir:dek:" + seller_id.bytes + key_id.bytes


def get(connection: Connection, key_id: uuid.UUID) -> Any:
    return connection.execute(select(KEYS).where(KEYS.c.id == key_id)).one_or_none()


def active(connection: Connection, seller_id: uuid.UUID) -> Any:
    """The seller's active data key row, created (wrapped by the current KEK) if it has none."""
    row = connection.execute(select(KEYS).where(KEYS.c.seller_id == seller_id, KEYS.c.active)).one_or_none()
    if row is not None:
        return row
    key_id = uuid.uuid4()
    kek = key_ring().current
    connection.execute(insert(KEYS).values(
        id=key_id, seller_id=seller_id, kek_id=kek.id, active=True,
        wrapped_key=encrypt(kek.key, os.urandom(KEY_BYTES), _aad(seller_id, key_id)),
    ).on_conflict_do_nothing(index_elements=["seller_id"], index_where=KEYS.c.active))
    return connection.execute(select(KEYS).where(KEYS.c.seller_id == seller_id, KEYS.c.active)).one()


def unwrap(row: Any) -> DataKey:
    """A KEK-wrapped key row's key (the caller checked it is not in passphrase mode)."""
    kek = key_ring().get(row.kek_id)
    return DataKey(row.id, row.seller_id, decrypt(kek.key, row.wrapped_key, _aad(row.seller_id, row.id)))


def is_locked(row: Any) -> bool:
    return row.passphrase_params is not None


def in_passphrase_mode(connection: Connection, seller_id: uuid.UUID) -> bool:
    return bool(connection.scalar(select(KEYS.c.id).where(
        KEYS.c.seller_id == seller_id, KEYS.c.passphrase_params.is_not(None)).limit(1)))


def rewrap(connection: Connection, row: Any) -> bool:
    """Wrap a KEK-mode key with the current KEK; False if it already was."""
    current = key_ring().current
    if is_locked(row) or row.kek_id == current.id:
        return False
    key = unwrap(row)
    connection.execute(update(KEYS).where(KEYS.c.id == row.id).values(
        kek_id=current.id, wrapped_key=encrypt(current.key, key.key, _aad(row.seller_id, row.id))))
    return True


def replace_active(connection: Connection, seller_id: uuid.UUID) -> Any:
    """Retire the seller's active key (it still opens what it sealed) and make a new one."""
    connection.execute(update(KEYS).where(KEYS.c.seller_id == seller_id, KEYS.c.active).values(active=False))
    return active(connection, seller_id)


def _passphrase_key(passphrase: str, params: dict[str, Any]) -> bytes:
    return hash_secret_raw(passphrase.encode(), base64.b64decode(params["salt"]), time_cost=params["t"],
                           memory_cost=params["m"], parallelism=params["p"], hash_len=KEY_BYTES, type=Type.ID)


def enable_passphrase(connection: Connection, seller_id: uuid.UUID, passphrase: str) -> None:
    """Wrap every key of the seller with a key derived from `passphrase` (kept nowhere); the KEK-wrapped
    copies are overwritten, so nothing the system holds opens them any more."""
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise DomainError(EncryptionErrorCode.PASSPHRASE_TOO_SHORT,
                          f"A passphrase has at least {MIN_PASSPHRASE_LENGTH} characters.", field="passphrase")
    if in_passphrase_mode(connection, seller_id):
        raise DomainError(EncryptionErrorCode.PASSPHRASE_ALREADY_SET, "A passphrase is already set.")
    active(connection, seller_id)
    settings = get_settings()
    params = {"salt": base64.b64encode(os.urandom(16)).decode(), "t": settings.password_hash_time_cost,
              "m": settings.password_hash_memory_kib, "p": settings.password_hash_parallelism}
    wrapping = _passphrase_key(passphrase, params)
    rows = connection.execute(select(KEYS).where(KEYS.c.seller_id == seller_id).with_for_update()).all()
    for row in rows:
        key = unwrap(row)
        connection.execute(update(KEYS).where(KEYS.c.id == row.id).values(
            kek_id=None, passphrase_params=params, wrapped_key=encrypt(wrapping, key.key, _aad(seller_id, row.id))))


def unlock(connection: Connection, seller_id: uuid.UUID, passphrase: str) -> dict[uuid.UUID, DataKey]:
    """Every passphrase-wrapped key of the seller, unwrapped with `passphrase`."""
    rows = connection.execute(select(KEYS).where(
        KEYS.c.seller_id == seller_id, KEYS.c.passphrase_params.is_not(None))).all()
    keys: dict[uuid.UUID, DataKey] = {}
    derived: dict[str, bytes] = {}
    for row in rows:
        salt = row.passphrase_params["salt"]
        if salt not in derived:
            derived[salt] = _passphrase_key(passphrase, row.passphrase_params)
        wrapping = derived[salt]
        try:
            keys[row.id] = DataKey(row.id, seller_id, decrypt(wrapping, row.wrapped_key, _aad(seller_id, row.id)))
        except SealedSecretError as error:
            raise DomainError(EncryptionErrorCode.WRONG_PASSPHRASE, "Wrong passphrase.",
                              field="passphrase") from error
    return keys

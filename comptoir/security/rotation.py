"""Key rotation: re-wrap data keys with the current KEK, give sellers new data keys, re-encrypt every
registered sealed column (clear text and `s1:` values included). Over one connection that sees every
seller's rows: the CLI's provider transaction, or migration 0017's owner connection."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import Connection, select, text

from comptoir.security import data_keys
from comptoir.security.data_keys import KEYS, DataKey
from comptoir.security.envelope import (
    LEGACY_PREFIX,
    NO_SELLER,
    PREFIX,
    make_token,
    open_legacy,
    open_payload,
    seller_aad,
    split_token,
)
from comptoir.security.keyring import key_ring
from comptoir.security.secrets import SealedColumn, forget_keys
from comptoir.settings import get_settings

PAGE = 500


@dataclass
class RotationReport:
    keys_rewrapped: int = 0
    keys_replaced: int = 0
    values_resealed: int = 0
    values_locked: int = 0  # of sellers in passphrase mode: left under their own keys


class _Keys:
    """The data keys met during one run, read over the run's connection."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.by_id: dict[uuid.UUID, DataKey | None] = {}
        self.active: dict[uuid.UUID, DataKey | None] = {}

    def get(self, key_id: uuid.UUID) -> DataKey | None:
        """None: locked by a passphrase."""
        if key_id not in self.by_id:
            row = data_keys.get(self.connection, key_id)
            if row is None:
                raise LookupError(f"data key {key_id} does not exist")
            self.by_id[key_id] = None if data_keys.is_locked(row) else data_keys.unwrap(row)
        return self.by_id[key_id]

    def active_of(self, seller_id: uuid.UUID) -> DataKey | None:
        if seller_id not in self.active:
            row = data_keys.active(self.connection, seller_id)
            self.active[seller_id] = None if data_keys.is_locked(row) else data_keys.unwrap(row)
        return self.active[seller_id]


def rotate(connection: Connection, columns: Iterable[SealedColumn], *, new_data_keys: bool = True,
           progress: Callable[[int], None] | None = None) -> RotationReport:
    report = RotationReport()
    for row in connection.execute(select(KEYS).order_by(KEYS.c.id)).all():
        report.keys_rewrapped += data_keys.rewrap(connection, row)
    if new_data_keys:
        sellers = connection.scalars(select(KEYS.c.seller_id).where(
            KEYS.c.active, KEYS.c.passphrase_params.is_(None))).all()
        for seller_id in sellers:
            data_keys.replace_active(connection, seller_id)
            report.keys_replaced += 1
    reseal(connection, columns, report=report, progress=progress)
    forget_keys()
    return report


def count_values(connection: Connection, columns: Iterable[SealedColumn]) -> int:
    return sum(connection.scalar(text(f"SELECT count(*) FROM {c.table} WHERE {c.column} <> ''")) or 0
               for c in columns)


def reseal(connection: Connection, columns: Iterable[SealedColumn], *, report: RotationReport | None = None,
           progress: Callable[[int], None] | None = None) -> RotationReport:
    """Every non-empty value of `columns` sealed under its seller's active data key."""
    report = report or RotationReport()
    keys = _Keys(connection)
    for column in columns:
        for row_id, seller_id, value in _values(connection, column):
            target = keys.active_of(seller_id)
            if target is None:
                report.values_locked += 1
            elif not _sealed_under(value, target):
                plain = _open(value, keys)
                if plain is None:
                    report.values_locked += 1
                else:
                    connection.execute(text(
                        f"UPDATE {column.table} SET {column.column} = :new WHERE id = :id AND {column.column} = :old"),
                        {"new": make_token(target.id.hex, target.key, plain, seller_aad(seller_id)), "id": row_id,
                         "old": value})
                    report.values_resealed += 1
            if progress:
                progress(1)
    return report


def _values(connection: Connection, column: SealedColumn) -> Iterator[tuple[uuid.UUID, uuid.UUID, str]]:
    after = uuid.UUID(int=0)
    while True:
        rows = connection.execute(text(
            f"SELECT id, seller_id, {column.column} FROM {column.table}"
            f" WHERE {column.column} <> '' AND id > :after ORDER BY id LIMIT {PAGE}"), {"after": after}).all()
        yield from ((r[0], r[1], r[2]) for r in rows)
        if len(rows) < PAGE:
            return
        after = rows[-1][0]


def _sealed_under(value: str, key: DataKey) -> bool:
    return value.startswith(f"{PREFIX}{key.id.hex}:")


def _open(value: str, keys: _Keys) -> str | None:
    """The clear text of a stored value (sealed in any format, or not sealed yet); None if locked."""
    if value.startswith(LEGACY_PREFIX):
        return open_legacy(value, get_settings().secret_key)
    if not value.startswith(PREFIX):
        return value
    parts = split_token(value)
    if parts.kek_id is not None:
        return open_payload(parts, key_ring().get(parts.kek_id).key, NO_SELLER)
    key_id = parts.data_key_id
    assert key_id is not None
    key = keys.get(key_id)
    return None if key is None else open_payload(parts, key.key, seller_aad(key.seller_id))

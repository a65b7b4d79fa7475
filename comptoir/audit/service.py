"""Reading the audit log, and moving old rows into checksummed archive files (ProcessActionLog)."""

from __future__ import annotations

import enum
import gzip
import hashlib
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.audit.models import AuditArchive, AuditEntry
from comptoir.database.pagination import Page, PageRequest, paginate
from comptoir.errors import CommonErrorCode, DomainError
from comptoir.settings import get_settings

ARCHIVE_BATCH = 5000


class AuditSort(enum.Enum):
    OCCURRED_AT = "occurred_at"


@dataclass(frozen=True)
class AuditFilter:
    object_type: str | None = None
    object_id: str | None = None
    action: str | None = None
    actor_role: str | None = None
    actor_user_id: uuid.UUID | None = None
    source: str | None = None
    operation: str | None = None
    since: datetime | None = None
    until: datetime | None = None


_EQUALITIES = ("object_type", "object_id", "action", "actor_role", "actor_user_id", "source", "operation")


def list_page(session: Session, *, seller_id: uuid.UUID, customer_id: uuid.UUID | None, where: AuditFilter,
              page: PageRequest) -> Page[AuditEntry]:
    """The seller's entries (a customer: those of its own actions), filtered."""
    statement = select(AuditEntry).where(AuditEntry.seller_id == seller_id)
    if customer_id is not None:
        statement = statement.where(AuditEntry.customer_id == customer_id)
    for name in _EQUALITIES:
        if (value := getattr(where, name)) is not None:
            statement = statement.where(getattr(AuditEntry, name) == value)
    if where.since is not None:
        statement = statement.where(AuditEntry.occurred_at >= where.since)
    if where.until is not None:
        statement = statement.where(AuditEntry.occurred_at < where.until)
    return paginate(session, statement, page, sort_column=AuditEntry.occurred_at, id_column=AuditEntry.id)


# -- archives ---------------------------------------------------------------------------------------------

def archive_old_entries(session: Session, *, seller_id: uuid.UUID, retention_days: int | None = None
                        ) -> AuditArchive | None:
    """Move the seller's rows older than the retention into one gzip JSONL file; None if there were none.

    The file is complete (written, fsynced, renamed) before its rows are deleted in this transaction: a
    crash leaves at worst an unlisted file beside rows still in the table, never lost rows."""
    days = get_settings().audit_retention_days if retention_days is None else retention_days
    cutoff = clock.now() - timedelta(days=days)
    ids: list[uuid.UUID] = []
    oldest = newest = None
    folder = archive_folder() / str(seller_id)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{clock.now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:12]}.jsonl.gz"
    partial = folder / (name + ".partial")
    with gzip.open(partial, "wt", encoding="utf-8") as out:
        statement = (select(AuditEntry).where(AuditEntry.seller_id == seller_id, AuditEntry.occurred_at < cutoff)
                     .order_by(AuditEntry.occurred_at, AuditEntry.id).execution_options(yield_per=ARCHIVE_BATCH))
        for entry in session.scalars(statement):
            out.write(json.dumps(entry_as_json(entry), separators=(",", ":"), ensure_ascii=False) + "\n")
            ids.append(entry.id)
            oldest = oldest or entry.occurred_at
            newest = entry.occurred_at
    if not ids:
        partial.unlink()
        return None
    _sync(partial)
    final = folder / name
    os.replace(partial, final)
    data = final.read_bytes()
    archive = AuditArchive(seller_id=seller_id, path=str(final.relative_to(archive_folder())), entries=len(ids),
                           oldest_at=oldest, newest_at=newest, sha256=hashlib.sha256(data).hexdigest(),
                           size_bytes=len(data), created_at=clock.now())
    session.add(archive)
    for start in range(0, len(ids), ARCHIVE_BATCH):
        session.execute(delete(AuditEntry).where(AuditEntry.seller_id == seller_id,
                                                 AuditEntry.id.in_(ids[start:start + ARCHIVE_BATCH])))
    session.flush()
    return archive


def archive_folder() -> Path:
    return Path(get_settings().audit_archive_dir).resolve()


def _sync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def entry_as_json(entry: AuditEntry) -> dict[str, Any]:
    return {"id": str(entry.id), "seller_id": str(entry.seller_id), "occurred_at": entry.occurred_at.isoformat(),
            "actor_role": entry.actor_role,
            "actor_user_id": str(entry.actor_user_id) if entry.actor_user_id else None,
            "customer_id": str(entry.customer_id) if entry.customer_id else None, "source": entry.source,
            "operation": entry.operation, "object_type": entry.object_type, "object_id": entry.object_id,
            "action": entry.action, "changes": entry.changes, "request_id": entry.request_id,
            "client_address": entry.client_address}


def list_archives(session: Session, *, seller_id: uuid.UUID, page: PageRequest) -> Page[AuditArchive]:
    statement = select(AuditArchive).where(AuditArchive.seller_id == seller_id)
    return paginate(session, statement, page, sort_column=AuditArchive.created_at, id_column=AuditArchive.id)


def read_archive(session: Session, *, seller_id: uuid.UUID, archive_id: uuid.UUID) -> Iterator[dict[str, Any]]:
    """The archived rows, in order, after checking the file's SHA-256 against the one recorded."""
    archive = session.get(AuditArchive, archive_id)
    if archive is None or archive.seller_id != seller_id:
        raise DomainError(CommonErrorCode.NOT_FOUND, "No audit archive with this id.", field="id")
    path = archive_folder() / archive.path
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DomainError(CommonErrorCode.NOT_FOUND, "The archive file is missing from storage.", field="id") from None
    if hashlib.sha256(data).hexdigest() != archive.sha256:
        raise DomainError(CommonErrorCode.CONFLICT, "The archive file does not match its checksum.", field="id")
    for line in gzip.decompress(data).decode("utf-8").splitlines():
        yield json.loads(line)

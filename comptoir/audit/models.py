"""Audit tables (migration 0022): one row per changed object (or per mutation that changed none), and the
archive files older rows were moved to."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from comptoir.database.base import Base

UUID_PK: dict[str, Any] = {"primary_key": True, "server_default": text("gen_random_uuid()")}


class AuditEntry(Base):
    __tablename__ = "audit_log"
    # Written by roles that may not read it back (a storefront visitor): no INSERT … RETURNING.
    __table_args__ = {"implicit_returning": False}

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    occurred_at: Mapped[datetime]
    actor_role: Mapped[str]
    actor_user_id: Mapped[uuid.UUID | None]
    customer_id: Mapped[uuid.UUID | None]  # the acting customer (a customer sees its own actions)
    source: Mapped[str]  # "graphql", "event:<kind>", "intent:<kind>", "cli"
    operation: Mapped[str]  # the mutation field (planCreate), the event or intent kind
    object_type: Mapped[str]
    object_id: Mapped[str]
    action: Mapped[str]  # create, update, delete, bulk_insert, bulk_update, bulk_delete, operation
    changes: Mapped[dict[str, Any]] = mapped_column(JSONB)
    request_id: Mapped[str]
    client_address: Mapped[str]


class AuditArchive(Base):
    """A gzip JSONL file holding the rows of one seller older than the retention, moved out of the table."""

    __tablename__ = "audit_archives"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    path: Mapped[str]
    entries: Mapped[int]
    oldest_at: Mapped[datetime]
    newest_at: Mapped[datetime]
    sha256: Mapped[str]
    size_bytes: Mapped[int]
    created_at: Mapped[datetime]

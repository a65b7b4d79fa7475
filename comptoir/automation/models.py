"""Scheduled events (SPEC §10): one row per seller and recurring kind, or per one-off event."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from comptoir.database.base import Base


class ScheduledEvent(Base):
    """A recurring event keeps one row, moved to its next run after each run (status back to pending,
    or failed with the error kept when its last run failed after every retry); a one-off event ends
    done or failed."""

    __tablename__ = "scheduled_events"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("gen_random_uuid()"))
    seller_id: Mapped[uuid.UUID]
    kind: Mapped[str]
    run_at: Mapped[datetime]
    recurrence: Mapped[str | None]
    status: Mapped[str] = mapped_column(server_default="pending")
    attempts: Mapped[int] = mapped_column(server_default=text("0"))
    last_error: Mapped[str] = mapped_column(server_default="")
    result: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    last_run_at: Mapped[datetime | None]
    runs: Mapped[int] = mapped_column(server_default=text("0"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())

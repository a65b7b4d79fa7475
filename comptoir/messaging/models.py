"""The e-mail outbox: a request writes the intent, a task delivers it and records the outcome."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Mapped, mapped_column

from comptoir.database.base import Base


class OutboundEmail(Base):
    __tablename__ = "email_outbox"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("gen_random_uuid()"))
    seller_id: Mapped[uuid.UUID]
    customer_id: Mapped[uuid.UUID | None]
    template: Mapped[str]
    language: Mapped[str] = mapped_column(server_default="en")
    to_address: Mapped[str]
    subject: Mapped[str]
    body_text: Mapped[str]
    status: Mapped[str] = mapped_column(server_default="pending")
    attempts: Mapped[int] = mapped_column(server_default=text("0"))
    last_error: Mapped[str] = mapped_column(server_default="")
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    sent_at: Mapped[datetime | None]

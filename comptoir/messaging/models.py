"""The e-mail outbox: a request writes the intent, a task delivers it and records the outcome."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Mapped, mapped_column

from comptoir.database.base import Base
from comptoir.database.intents import Intent


class OutboundEmail(Intent, Base):
    __tablename__ = "email_outbox"
    __intent_kind__ = "email"

    customer_id: Mapped[uuid.UUID | None]
    template: Mapped[str]
    language: Mapped[str] = mapped_column(server_default="en")
    to_address: Mapped[str]
    subject: Mapped[str]
    body_text: Mapped[str]

"""The e-mail outbox (also the e-mail log), attachments, template overrides, SMTP settings, mass e-mails.

A request writes the intent, a task delivers it and records the outcome (comptoir.database.intents).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, ForeignKeyConstraint, LargeBinary, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from comptoir.database.base import Base
from comptoir.database.intents import Intent


class OutboundEmail(Intent, Base):
    """One e-mail as rendered when it was queued: what is delivered, logged and resent."""

    __tablename__ = "email_outbox"
    __intent_kind__ = "email"

    customer_id: Mapped[uuid.UUID | None]
    template: Mapped[str]
    language: Mapped[str] = mapped_column(server_default="en")
    to_address: Mapped[str]
    cc: Mapped[list[str]] = mapped_column(ARRAY(String), server_default=text("'{}'"))
    from_address: Mapped[str] = mapped_column(server_default="")
    subject: Mapped[str]
    body_text: Mapped[str]
    body_html: Mapped[str] = mapped_column(server_default="")
    mass_email_id: Mapped[uuid.UUID | None]
    resent_from_id: Mapped[uuid.UUID | None]


class EmailAttachment(Base):
    """A file of an e-mail: its bytes, or a stored document read at delivery (see messaging.attachments)."""

    __tablename__ = "email_attachments"
    __table_args__ = (
        ForeignKeyConstraint(["seller_id", "email_id"], ["email_outbox.seller_id", "email_outbox.id"]),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("gen_random_uuid()"))
    seller_id: Mapped[uuid.UUID]
    email_id: Mapped[uuid.UUID]
    position: Mapped[int]
    filename: Mapped[str]
    content_type: Mapped[str]
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    document_kind: Mapped[str] = mapped_column(server_default="")
    document_id: Mapped[uuid.UUID | None]


class EmailTemplateOverride(Base):
    """A seller's own version of a shipped template in one language."""

    __tablename__ = "email_templates"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("gen_random_uuid()"))
    seller_id: Mapped[uuid.UUID]
    template: Mapped[str]
    language: Mapped[str]
    subject: Mapped[str]
    body_html: Mapped[str] = mapped_column(server_default="")
    body_text: Mapped[str] = mapped_column(server_default="")
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class SmtpSettings(Base):
    """A seller's own SMTP server; the password is sealed (comptoir.security.secrets)."""

    __tablename__ = "smtp_settings"

    seller_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    host: Mapped[str]
    port: Mapped[int]
    security: Mapped[str] = mapped_column(server_default="starttls")
    username: Mapped[str] = mapped_column(server_default="")
    password_sealed: Mapped[str] = mapped_column(server_default="")
    from_address: Mapped[str] = mapped_column(server_default="")
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class MassEmail(Intent, Base):
    """One mailing to the customers matching `filter`; its handler queues one e-mail per customer."""

    __tablename__ = "mass_emails"
    __intent_kind__ = "mass_email"

    subject: Mapped[str]
    body_html: Mapped[str] = mapped_column(server_default="")
    body_text: Mapped[str] = mapped_column(server_default="")
    filter: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    recipients: Mapped[int] = mapped_column(server_default=text("0"))

"""Document tables: each seller's layout, render requests (intents) and the stored, immutable files."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import LargeBinary, text
from sqlalchemy.orm import Mapped, mapped_column

from comptoir.database.base import Base
from comptoir.database.intents import Intent

NOW: dict[str, Any] = {"server_default": text("now()")}


class InvoiceLayout(Base):
    """How a seller's documents look; no row means the stock layout."""

    __tablename__ = "invoice_layouts"

    seller_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    primary_colour: Mapped[str] = mapped_column(server_default="#1f3a5f")
    accent_colour: Mapped[str] = mapped_column(server_default="#e8eef5")
    font: Mapped[str] = mapped_column(server_default="DejaVu Sans")
    header_text: Mapped[str] = mapped_column(server_default="")
    footer_text: Mapped[str] = mapped_column(server_default="")
    address_position: Mapped[str] = mapped_column(server_default="din_5008_b")
    address_top_mm: Mapped[Decimal] = mapped_column(server_default=text("45"))
    address_left_mm: Mapped[Decimal] = mapped_column(server_default=text("20"))
    stationery: Mapped[bytes | None] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(**NOW)


class DocumentRender(Intent, Base):
    """A request to render one document, with everything it shows frozen at issue time."""

    __tablename__ = "document_renders"
    __intent_kind__ = "document_render"

    kind: Mapped[str]
    subject_type: Mapped[str]
    subject_id: Mapped[uuid.UUID]
    customer_id: Mapped[uuid.UUID | None]
    language: Mapped[str]
    filename: Mapped[str]
    snapshot: Mapped[str]  # InvoiceDocument.to_json()
    layout: Mapped[str]  # Layout.to_json()
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    stationery: Mapped[bytes | None] = mapped_column(LargeBinary)


class StoredDocument(Base):
    """The bytes of an issued document: written once, never updated (a trigger refuses it)."""

    __tablename__ = "documents"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("gen_random_uuid()"))
    seller_id: Mapped[uuid.UUID]
    kind: Mapped[str]
    subject_type: Mapped[str]
    subject_id: Mapped[uuid.UUID]
    customer_id: Mapped[uuid.UUID | None]
    language: Mapped[str]
    filename: Mapped[str]
    content_type: Mapped[str] = mapped_column(server_default="application/pdf")
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str]
    byte_size: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(**NOW)

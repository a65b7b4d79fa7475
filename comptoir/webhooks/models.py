"""Webhook tables (migration 0023): endpoints a seller subscribed, and one delivery (an intent) per event
and endpoint."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from comptoir.database.base import Base
from comptoir.database.intents import Intent
from comptoir.security import secrets

UUID_PK: dict[str, Any] = {"primary_key": True, "server_default": text("gen_random_uuid()")}
NOW: dict[str, Any] = {"server_default": text("now()")}


class WebhookEndpoint(Base):
    __tablename__ = "webhook_endpoints"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    url: Mapped[str]
    description: Mapped[str] = mapped_column(server_default="")
    event_types: Mapped[list[str]] = mapped_column(ARRAY(String))
    secret_sealed: Mapped[str]  # "whsec_<base64 key>", sealed (comptoir.security.secrets)
    enabled: Mapped[bool] = mapped_column(server_default=text("true"))
    disabled_reason: Mapped[str] = mapped_column(server_default="")
    failed_deliveries: Mapped[int] = mapped_column(server_default=text("0"))  # consecutive, given up
    created_at: Mapped[datetime] = mapped_column(**NOW)
    updated_at: Mapped[datetime] = mapped_column(**NOW)


class WebhookDelivery(Intent, Base):
    """One event for one endpoint. `message_id` is the Standard Webhooks `webhook-id`: the same on every
    attempt and on a resend, so the receiver can drop duplicates."""

    __tablename__ = "webhook_deliveries"
    __intent_kind__ = "webhook_delivery"
    # Written by roles that may not read it back (a customer, a storefront visitor): the id is made here,
    # and no INSERT … RETURNING asks for the rest.
    __table_args__ = {"implicit_returning": False}

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4, server_default=text("gen_random_uuid()"))

    endpoint_id: Mapped[uuid.UUID]
    message_id: Mapped[str]
    event_type: Mapped[str]
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    response_status: Mapped[int | None]
    response_body: Mapped[str] = mapped_column(server_default="")
    last_attempt_at: Mapped[datetime | None]


secrets.register_sealed_column("webhook_endpoints", "secret_sealed")

"""Payment tables (migration 0016): gateway configurations, stores' gateways, stored payment methods,
payments, charge intents, refunds, incoming webhook events and each seller's payment settings."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from comptoir.database.base import Base
from comptoir.database.intents import Intent

UUID_PK: dict[str, Any] = {"primary_key": True, "server_default": text("gen_random_uuid()")}
NOW: dict[str, Any] = {"server_default": text("now()")}


class GatewayConfig(Base):
    """One seller's configuration of a gateway driver; secret settings are stored sealed."""

    __tablename__ = "gateway_configs"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    name: Mapped[str]
    driver: Mapped[str]
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    test_mode: Mapped[bool] = mapped_column(server_default=text("true"))
    enabled: Mapped[bool] = mapped_column(server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(**NOW)
    updated_at: Mapped[datetime] = mapped_column(**NOW)


class StoreGateway(Base):
    __tablename__ = "store_gateways"

    seller_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    store_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    gateway_config_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(server_default=text("0"))


class PaymentMethod(Base):
    """A customer's stored card (a gateway token, brand, last four digits, expiry) or bank account
    (IBAN sealed, BIC, direct-debit mandate)."""

    __tablename__ = "payment_methods"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    customer_id: Mapped[uuid.UUID]
    gateway_config_id: Mapped[uuid.UUID]
    kind: Mapped[str]
    token: Mapped[str] = mapped_column(server_default="")  # sealed
    brand: Mapped[str] = mapped_column(server_default="")
    last4: Mapped[str] = mapped_column(server_default="")
    expiry_month: Mapped[int | None]
    expiry_year: Mapped[int | None]
    holder_name: Mapped[str] = mapped_column(server_default="")
    iban: Mapped[str] = mapped_column(server_default="")  # sealed
    bic: Mapped[str] = mapped_column(server_default="")
    mandate_reference: Mapped[str] = mapped_column(server_default="")
    mandate_date: Mapped[date | None]
    authenticated_at: Mapped[datetime | None]
    is_default: Mapped[bool] = mapped_column(server_default=text("false"))
    reusable: Mapped[bool] = mapped_column(server_default=text("true"))
    expiry_reminded_for: Mapped[str] = mapped_column(server_default="")
    created_at: Mapped[datetime] = mapped_column(**NOW)


class Payment(Base):
    """One payment of a customer (or of nobody, from the virtual terminal): amount, state, and what it
    pays for (`purpose`, read by billing and the storefront through the listeners)."""

    __tablename__ = "payments"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    customer_id: Mapped[uuid.UUID | None]
    gateway_config_id: Mapped[uuid.UUID | None]  # null once its configuration was deleted
    payment_method_id: Mapped[uuid.UUID | None]
    kind: Mapped[str]
    manual_method: Mapped[str] = mapped_column(server_default="")
    action: Mapped[str] = mapped_column(server_default="capture")
    initiator: Mapped[str]
    amount: Mapped[int]
    currency: Mapped[str]
    captured: Mapped[int] = mapped_column(server_default=text("0"))
    refunded: Mapped[int] = mapped_column(server_default=text("0"))
    status: Mapped[str] = mapped_column(server_default="pending")
    purpose: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    post_to_ledger: Mapped[bool] = mapped_column(server_default=text("true"))
    idempotency_key: Mapped[str]
    gateway_reference: Mapped[str] = mapped_column(server_default="")
    failure_code: Mapped[str] = mapped_column(server_default="")
    decline: Mapped[str] = mapped_column(server_default="")
    action_url: Mapped[str] = mapped_column(server_default="")
    redirect_url: Mapped[str] = mapped_column(server_default="")
    description: Mapped[str] = mapped_column(server_default="")
    card_brand: Mapped[str] = mapped_column(server_default="")
    card_last4: Mapped[str] = mapped_column(server_default="")
    created_at: Mapped[datetime] = mapped_column(**NOW)
    updated_at: Mapped[datetime] = mapped_column(**NOW)


class PaymentCharge(Intent, Base):
    """One gateway charge of a payment (or the completion of its authentication), performed by a worker.
    `submitted`: an earlier attempt reached the gateway, so the next one asks what happened first."""

    __tablename__ = "payment_charges"
    __intent_kind__ = "payment_charge"

    seller_id: Mapped[uuid.UUID]
    payment_id: Mapped[uuid.UUID]
    customer_id: Mapped[uuid.UUID | None]
    step: Mapped[str] = mapped_column(server_default="charge")
    card_token: Mapped[str] = mapped_column(server_default="")  # sealed; a one-off card (virtual terminal)
    submitted: Mapped[bool] = mapped_column(server_default=text("false"))
    in_flight_until: Mapped[datetime | None]
    checks: Mapped[int] = mapped_column(server_default=text("0"))


class PaymentRefund(Base):
    __tablename__ = "payment_refunds"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    payment_id: Mapped[uuid.UUID]
    amount: Mapped[int]
    gateway_reference: Mapped[str] = mapped_column(server_default="")
    reason: Mapped[str] = mapped_column(server_default="")
    created_at: Mapped[datetime] = mapped_column(**NOW)


class WebhookEvent(Base):
    __tablename__ = "payment_webhook_events"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    gateway_config_id: Mapped[uuid.UUID]
    event_id: Mapped[str]
    type: Mapped[str]
    reference: Mapped[str] = mapped_column(server_default="")
    outcome: Mapped[str] = mapped_column(server_default="")
    received_at: Mapped[datetime] = mapped_column(**NOW)


class PaymentSettings(Base):
    __tablename__ = "payment_settings"

    seller_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    card_expiry_notice_days: Mapped[int] = mapped_column(server_default=text("30"))
    poll_interval_minutes: Mapped[int] = mapped_column(server_default=text("60"))
    poll_max_checks: Mapped[int] = mapped_column(server_default=text("10"))
    updated_at: Mapped[datetime] = mapped_column(**NOW)

"""Domain and certificate tables (migration 0020)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import ARRAY, BigInteger, String, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from comptoir.database.base import Base
from comptoir.database.intents import Intent

UUID_PK: dict[str, Any] = {"primary_key": True, "server_default": text("gen_random_uuid()")}
NOW: dict[str, Any] = {"server_default": text("now()")}


class DriverAccount:
    """Columns of a seller's account with an outside service: its driver, settings (secret fields sealed),
    test mode and whether it is enabled (mixed into a declarative model)."""

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    driver: Mapped[str]
    name: Mapped[str]
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    test_mode: Mapped[bool] = mapped_column(server_default=text("true"))
    enabled: Mapped[bool] = mapped_column(server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(**NOW)
    updated_at: Mapped[datetime] = mapped_column(**NOW)


class RegistrarAccount(DriverAccount, Base):
    __tablename__ = "registrar_accounts"


class Tld(Base):
    __tablename__ = "tlds"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    name: Mapped[str]
    custom: Mapped[bool] = mapped_column(server_default=text("false"))
    status: Mapped[str] = mapped_column(server_default="suspended")
    registrar_account_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    created_at: Mapped[datetime] = mapped_column(**NOW)


class DomainPlan(Base):
    __tablename__ = "domain_plans"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    name: Mapped[str]
    created_at: Mapped[datetime] = mapped_column(**NOW)
    updated_at: Mapped[datetime] = mapped_column(**NOW)


class DomainPlanTld(Base):
    """One TLD of a domain plan in one currency: prices for 1..N years (index = years - 1), minor units."""

    __tablename__ = "domain_plan_tlds"

    seller_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    plan_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tld_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(primary_key=True)
    register: Mapped[list[int]] = mapped_column(ARRAY(BigInteger))
    transfer: Mapped[list[int]] = mapped_column(ARRAY(BigInteger))
    renew: Mapped[list[int]] = mapped_column(ARRAY(BigInteger))


class Domain(Base):
    __tablename__ = "domains"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    customer_id: Mapped[uuid.UUID]
    name: Mapped[str]
    tld: Mapped[str]
    registrar_account_id: Mapped[uuid.UUID]
    status: Mapped[str] = mapped_column(server_default="pending")
    registered_on: Mapped[date | None]
    expires_on: Mapped[date | None]  # the registrar's date: the renewal date listed
    auth_code: Mapped[str] = mapped_column(server_default="")  # sealed
    locked: Mapped[bool] = mapped_column(server_default=text("true"))
    name_servers: Mapped[list[str]] = mapped_column(ARRAY(String), server_default=text("'{}'"))
    subscription_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    created_at: Mapped[datetime] = mapped_column(**NOW)
    updated_at: Mapped[datetime] = mapped_column(**NOW)


class DomainOperation(Intent, Base):
    """Register, transfer or renew a domain through its registrar (an intent)."""

    __tablename__ = "domain_operations"
    __intent_kind__ = "domain_operation"

    customer_id: Mapped[uuid.UUID]
    order_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    domain_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    action: Mapped[str]
    name: Mapped[str]
    years: Mapped[int]
    auth_code: Mapped[str] = mapped_column(server_default="")  # sealed
    registrar_account_id: Mapped[uuid.UUID]
    outcome: Mapped[str] = mapped_column(server_default="")


class CertificateProvider(DriverAccount, Base):
    __tablename__ = "certificate_providers"


class CertificatePlan(Base):
    __tablename__ = "certificate_plans"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    provider_id: Mapped[uuid.UUID]
    name: Mapped[str]
    product: Mapped[str]
    currency: Mapped[str]
    yearly_price: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(**NOW)


class CertificateOrder(Intent, Base):
    """Buying a certificate: a conversation with the provider; each customer submission is one round
    (the intent), `state` where the conversation stands."""

    __tablename__ = "certificate_orders"
    __intent_kind__ = "certificate_order"

    customer_id: Mapped[uuid.UUID]
    plan_id: Mapped[uuid.UUID]
    subscription_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    common_name: Mapped[str]
    state: Mapped[str] = mapped_column(server_default="user_input_required")
    requested: Mapped[list[str]] = mapped_column(ARRAY(String), server_default=text("'{}'"))
    answers: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    rounds: Mapped[int] = mapped_column(server_default=text("0"))
    provider_reference: Mapped[str] = mapped_column(server_default="")
    certificate_pem: Mapped[str] = mapped_column(server_default="")
    ssl_certificate_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    expires_on: Mapped[date | None]

"""Hosting tables: plans, IP addresses and pools, subscriptions, sites, jobs, skeletons."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKeyConstraint, LargeBinary, text
from sqlalchemy.dialects.postgresql import INET, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from comptoir.database.base import Base
from comptoir.database.intents import Intent
from comptoir.security import secrets

UUID_PK: dict[str, Any] = {"primary_key": True, "server_default": text("gen_random_uuid()")}
NOW: dict[str, Any] = {"server_default": text("now()")}


class ServicePlan(Base):
    """A service plan (kind 'service') or an add-on plan (kind 'addon')."""

    __tablename__ = "service_plans"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    kind: Mapped[str]
    name: Mapped[str]
    values: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    created_at: Mapped[datetime] = mapped_column(**NOW)
    updated_at: Mapped[datetime] = mapped_column(**NOW)
    server_pool_id: Mapped[uuid.UUID | None]  # the server the plan pins (comptoir.hosting.servers)


class IpAddress(Base):
    """An address the provider registered on the server."""

    __tablename__ = "ip_addresses"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    address: Mapped[str] = mapped_column(INET)
    interface: Mapped[str] = mapped_column(server_default="")
    status: Mapped[str] = mapped_column(server_default="configured")
    ssl_certificate: Mapped[str] = mapped_column(server_default="")
    ftp_over_ssl: Mapped[bool] = mapped_column(server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(**NOW)


class IpPoolEntry(Base):
    """An address usable by one seller (its own, or assigned to a reseller), shared or dedicated."""

    __tablename__ = "ip_pool"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    ip_address_id: Mapped[uuid.UUID]
    address: Mapped[str] = mapped_column(INET)
    type: Mapped[str] = mapped_column(server_default="shared")
    default_subscription_id: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = mapped_column(**NOW)
    # As the provider set them on the address (a reseller cannot read the address row):
    status: Mapped[str] = mapped_column(server_default="configured")
    ftp_over_ssl: Mapped[bool] = mapped_column(server_default=text("false"))
    certificate_id: Mapped[uuid.UUID | None]  # the seller's certificate for its sites on the address


class Subscription(Base):
    __tablename__ = "subscriptions"
    __table_args__ = (
        ForeignKeyConstraint(["seller_id", "plan_id"], ["service_plans.seller_id", "service_plans.id"]),
        ForeignKeyConstraint(["seller_id", "ip_pool_id"], ["ip_pool.seller_id", "ip_pool.id"]),
    )

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    customer_id: Mapped[uuid.UUID | None]  # None: the seller's own subscription
    plan_id: Mapped[uuid.UUID | None]  # None: custom
    domain_name: Mapped[str]
    ip_pool_id: Mapped[uuid.UUID]
    system_login: Mapped[str]
    system_password: Mapped[str] = mapped_column(server_default="")  # sealed (comptoir.security.secrets)
    status: Mapped[str] = mapped_column(server_default="active")
    suspension_reason: Mapped[str] = mapped_column(server_default="")
    sync_state: Mapped[str] = mapped_column(server_default="synced")
    values: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    customization: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    conflicts: Mapped[list[Any]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    expiration_date: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(**NOW)
    updated_at: Mapped[datetime] = mapped_column(**NOW)
    server_pool_id: Mapped[uuid.UUID | None]  # None: the default server (COMPTOIR_HOSTING_AGENT)


class SubscriptionAddon(Base):
    __tablename__ = "subscription_addons"

    seller_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    subscription_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    addon_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    customer_id: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = mapped_column(**NOW)


class Site(Base):
    __tablename__ = "sites"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    subscription_id: Mapped[uuid.UUID]
    customer_id: Mapped[uuid.UUID | None]
    domain_name: Mapped[str]
    php_directives: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    created_at: Mapped[datetime] = mapped_column(**NOW)


class BackgroundJob(Intent, Base):
    """A long operation (e.g. "Update & Sync" of thousands of subscriptions) with its progress; an intent
    whose handler commits batch by batch (status "running" while it works)."""

    __tablename__ = "background_jobs"
    __intent_kind__ = "background_job"

    kind: Mapped[str]
    subject_id: Mapped[uuid.UUID | None]
    total: Mapped[int] = mapped_column(server_default=text("0"))
    done: Mapped[int] = mapped_column(server_default=text("0"))

    @property
    def finished_at(self) -> datetime | None:
        return self.done_at


class ProvisioningRequest(Intent, Base):
    """Outbox row: the subscription's webspace must be brought in line with it (see hosting.provisioning).
    No foreign key to the subscription: a deletion request outlives its row."""

    __tablename__ = "provisioning_requests"
    __intent_kind__ = "provisioning"

    subscription_id: Mapped[uuid.UUID]
    action: Mapped[str]


class Skeleton(Base):
    """A seller's virtual-host template archive; absent means the stock skeleton."""

    __tablename__ = "skeletons"

    seller_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    filename: Mapped[str]
    archive: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str]
    uploaded_at: Mapped[datetime] = mapped_column(**NOW)


secrets.register_sealed_column("subscriptions", "system_password")

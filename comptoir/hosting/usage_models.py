"""Usage tables (SPEC §4.12): a row per subscription and day, overuse state, who is told about overuse."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from comptoir.database.base import Base

NOW: dict[str, Any] = {"server_default": text("now()")}


class SubscriptionUsage(Base):
    """One subscription's usage on one day: disk at the end of the day, traffic served during it."""

    __tablename__ = "subscription_usage"

    seller_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    subscription_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    disk_bytes: Mapped[int]
    traffic_bytes: Mapped[int]
    objects: Mapped[dict[str, int]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    collected_at: Mapped[datetime] = mapped_column(**NOW)


class UsageAlert(Base):
    """Present while a subscription is over one threshold; its insertion is the crossing."""

    __tablename__ = "usage_alerts"

    seller_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    subscription_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    alert: Mapped[str] = mapped_column(primary_key=True)
    crossed_at: Mapped[datetime] = mapped_column(**NOW)


class UsageNotificationSettings(Base):
    __tablename__ = "usage_notification_settings"

    seller_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    notify_administrators: Mapped[bool] = mapped_column(server_default=text("true"))
    notify_customer: Mapped[bool] = mapped_column(server_default=text("true"))
    extra_addresses: Mapped[list[str]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    updated_at: Mapped[datetime] = mapped_column(**NOW)

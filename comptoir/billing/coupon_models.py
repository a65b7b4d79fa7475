"""Coupon tables (migration 0015): coupons, their redemptions and the invoices each redemption discounted."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ARRAY, Numeric, text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from comptoir.database.base import Base

UUID_PK: dict[str, Any] = {"primary_key": True, "server_default": text("gen_random_uuid()")}
NOW: dict[str, Any] = {"server_default": text("now()")}


class Coupon(Base):
    """A code giving a percentage or a fixed amount off, on some plans (none listed: all), for the first
    period, N periods or for ever; redeemable within its validity window and usage limits."""

    __tablename__ = "coupons"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    code: Mapped[str]
    name: Mapped[str] = mapped_column(server_default="")
    kind: Mapped[str]
    percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    amount_minor: Mapped[int | None]
    currency: Mapped[str | None]
    plan_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(UUID(as_uuid=True)), server_default=text("'{}'"))
    duration: Mapped[str]
    duration_periods: Mapped[int | None]
    valid_from: Mapped[date | None]
    valid_until: Mapped[date | None]
    max_uses: Mapped[int | None]
    max_uses_per_customer: Mapped[int | None]
    uses: Mapped[int] = mapped_column(server_default=text("0"))
    active: Mapped[bool] = mapped_column(server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(**NOW)
    updated_at: Mapped[datetime] = mapped_column(**NOW)


class CouponRedemption(Base):
    """A coupon redeemed by a customer for one billed service (the billing service's id, no foreign key)."""

    __tablename__ = "coupon_redemptions"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    coupon_id: Mapped[uuid.UUID]
    customer_id: Mapped[uuid.UUID]
    service_id: Mapped[uuid.UUID]
    periods_applied: Mapped[int] = mapped_column(server_default=text("0"))
    created_at: Mapped[datetime] = mapped_column(**NOW)


class CouponApplication(Base):
    """One invoice a redemption discounted: counts one period of its duration (once per invoice)."""

    __tablename__ = "coupon_applications"

    seller_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    redemption_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    invoice_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    amount_minor: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(**NOW)

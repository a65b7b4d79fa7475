"""Tax tables (migration 0015): zones and their rates, a store's price mode, a customer's tax profile."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ARRAY, Numeric, String, text
from sqlalchemy.orm import Mapped, mapped_column

from comptoir.database.base import Base

UUID_PK: dict[str, Any] = {"primary_key": True, "server_default": text("gen_random_uuid()")}
NOW: dict[str, Any] = {"server_default": text("now()")}


class TaxZone(Base):
    """Countries ("FR") and regions ("US-CA") taxed alike."""

    __tablename__ = "tax_zones"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    name: Mapped[str]
    areas: Mapped[list[str]] = mapped_column(ARRAY(String))
    created_at: Mapped[datetime] = mapped_column(**NOW)
    updated_at: Mapped[datetime] = mapped_column(**NOW)


class TaxRate(Base):
    """A zone's rate (percent) from `valid_from` to `valid_to`, both included; None = until changed."""

    __tablename__ = "tax_rates"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    zone_id: Mapped[uuid.UUID]
    category: Mapped[str]
    rate: Mapped[Decimal] = mapped_column(Numeric(6, 3))
    name: Mapped[str] = mapped_column(server_default="")
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(**NOW)


class StoreTaxSettings(Base):
    """Whether a store's prices include tax (a store without a row: prices exclude tax)."""

    __tablename__ = "store_tax_settings"

    store_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seller_id: Mapped[uuid.UUID]
    prices_include_tax: Mapped[bool] = mapped_column(server_default=text("false"))
    updated_at: Mapped[datetime] = mapped_column(**NOW)


class CustomerTaxProfile(Base):
    """How a customer is taxed: business or consumer, its VAT id, an exemption and its reason."""

    __tablename__ = "customer_tax_profiles"

    customer_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seller_id: Mapped[uuid.UUID]
    b2b: Mapped[bool] = mapped_column(server_default=text("false"))
    vat_id: Mapped[str] = mapped_column(server_default="")
    exempt: Mapped[bool] = mapped_column(server_default=text("false"))
    exemption_reason: Mapped[str] = mapped_column(server_default="")
    updated_at: Mapped[datetime] = mapped_column(**NOW)

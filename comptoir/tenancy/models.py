"""Tenancy tables: the seller is the tenant; users, customers and sessions live inside one seller."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Computed, ForeignKey, ForeignKeyConstraint, LargeBinary, String, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from comptoir.database.base import Base

UUID_PK = {"primary_key": True, "server_default": text("gen_random_uuid()")}


class Seller(Base):
    __tablename__ = "sellers"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID] = mapped_column(Computed("id"))
    kind: Mapped[str]
    name: Mapped[str] = mapped_column()
    # Lists sort names as people do, without regard to letter case (the database collation is bytewise).
    name_key: Mapped[str] = column_property(func.lower(name, type_=String))
    status: Mapped[str] = mapped_column(server_default="active")
    company_name: Mapped[str] = mapped_column(server_default="")
    email: Mapped[str] = mapped_column(server_default="")
    phone: Mapped[str] = mapped_column(server_default="")
    country: Mapped[str] = mapped_column(server_default="")
    locale: Mapped[str] = mapped_column(server_default="en")
    timezone: Mapped[str] = mapped_column(server_default="UTC")
    allow_multiple_sessions: Mapped[bool] = mapped_column(server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))

    allocation: Mapped[ResellerAllocation | None] = relationship(lazy="raise", uselist=False)

    @property
    def is_provider(self) -> bool:
        return self.kind == "provider"


class ResellerAllocation(Base):
    __tablename__ = "reseller_allocations"

    seller_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sellers.id"), primary_key=True)
    limits: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    permissions: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    overselling_allowed: Mapped[bool] = mapped_column(server_default=text("false"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sellers.id"))
    status: Mapped[str] = mapped_column(server_default="active")
    company_name: Mapped[str] = mapped_column(server_default="")
    contact_name: Mapped[str] = mapped_column()
    contact_name_key: Mapped[str] = column_property(func.lower(contact_name, type_=String))
    email: Mapped[str]
    phone: Mapped[str] = mapped_column(server_default="")
    address_line1: Mapped[str] = mapped_column(server_default="")
    address_line2: Mapped[str] = mapped_column(server_default="")
    city: Mapped[str] = mapped_column(server_default="")
    region: Mapped[str] = mapped_column(server_default="")
    postal_code: Mapped[str] = mapped_column(server_default="")
    country: Mapped[str] = mapped_column(server_default="")
    locale: Mapped[str] = mapped_column(server_default="en")
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        ForeignKeyConstraint(["seller_id", "customer_id"], ["customers.seller_id", "customers.id"]),
    )

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sellers.id"))
    customer_id: Mapped[uuid.UUID | None]
    role: Mapped[str]
    username: Mapped[str]
    email: Mapped[str]
    password_hash: Mapped[str]
    full_name: Mapped[str] = mapped_column(server_default="")
    phone: Mapped[str] = mapped_column(server_default="")
    country: Mapped[str] = mapped_column(server_default="")
    locale: Mapped[str] = mapped_column(server_default="en")
    theme: Mapped[str] = mapped_column(server_default="default")
    button_label_length: Mapped[int] = mapped_column(server_default=text("0"))
    status: Mapped[str] = mapped_column(server_default="active")
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    password_changed_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class UserSession(Base):
    __tablename__ = "sessions"
    __table_args__ = (ForeignKeyConstraint(["seller_id", "user_id"], ["users.seller_id", "users.id"]),)

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    user_id: Mapped[uuid.UUID]
    customer_id: Mapped[uuid.UUID | None]
    token_hash: Mapped[bytes] = mapped_column(LargeBinary)
    client_address: Mapped[str] = mapped_column(server_default="")
    user_agent: Mapped[str] = mapped_column(server_default="")
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    last_seen_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class PasswordReset(Base):
    __tablename__ = "password_resets"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    user_id: Mapped[uuid.UUID]
    customer_id: Mapped[uuid.UUID | None]
    token_hash: Mapped[bytes] = mapped_column(LargeBinary)
    requested_from: Mapped[str] = mapped_column(server_default="")
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

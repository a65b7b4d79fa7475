"""Storefront tables (migration 0011): stores, their terms and offers, carts, orders, checkout keys."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, LargeBinary, String, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from comptoir.database.base import Base
from comptoir.database.intents import Intent

UUID_PK: dict[str, Any] = {"primary_key": True, "server_default": text("gen_random_uuid()")}
NOW: dict[str, Any] = {"server_default": text("now()")}


class Store(Base):
    __tablename__ = "stores"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    name: Mapped[str]
    slug: Mapped[str]
    hostnames: Mapped[list[str]] = mapped_column(ARRAY(String), server_default=text("'{}'"))
    currency: Mapped[str]
    languages: Mapped[list[str]] = mapped_column(ARRAY(String))
    default_language: Mapped[str]
    payment_methods: Mapped[list[str]] = mapped_column(ARRAY(String), server_default=text("'{}'"))
    fraud_policy: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    published: Mapped[bool] = mapped_column(server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(**NOW)
    updated_at: Mapped[datetime] = mapped_column(**NOW)


class StoreTerms(Base):
    """One version of a store's terms and conditions; a new text is a new version."""

    __tablename__ = "store_terms"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    store_id: Mapped[uuid.UUID]
    version: Mapped[int]
    body: Mapped[str]
    created_at: Mapped[datetime] = mapped_column(**NOW)


class Offer(Base):
    """A plan or add-on on sale in one store: prices per cycle in minor units of the store's currency."""

    __tablename__ = "offers"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    store_id: Mapped[uuid.UUID]
    plan_id: Mapped[uuid.UUID]
    kind: Mapped[str]
    names: Mapped[dict[str, str]] = mapped_column(JSONB)
    descriptions: Mapped[dict[str, str]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    prices: Mapped[dict[str, int]] = mapped_column(JSONB)
    setup_fee: Mapped[int] = mapped_column(server_default=text("0"))
    addon_offer_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(UUID(as_uuid=True)), server_default=text("'{}'"))
    position: Mapped[int] = mapped_column(server_default=text("0"))
    hidden: Mapped[bool] = mapped_column(server_default=text("false"))
    published: Mapped[bool] = mapped_column(server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(**NOW)
    updated_at: Mapped[datetime] = mapped_column(**NOW)


class Cart(Base):
    __tablename__ = "carts"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    store_id: Mapped[uuid.UUID]
    token_hash: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(server_default="open")
    currency: Mapped[str]
    language: Mapped[str] = mapped_column(server_default="en")
    buyer: Mapped[dict[str, str]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    payment_method: Mapped[str] = mapped_column(server_default="")
    coupon_code: Mapped[str] = mapped_column(server_default="")
    terms_version: Mapped[int | None]
    terms_accepted_at: Mapped[datetime | None]
    terms_accepted_from: Mapped[str] = mapped_column(server_default="")
    client_address: Mapped[str] = mapped_column(server_default="")
    created_at: Mapped[datetime] = mapped_column(**NOW)
    updated_at: Mapped[datetime] = mapped_column(**NOW)


class CartLine(Base):
    __tablename__ = "cart_lines"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    cart_id: Mapped[uuid.UUID]
    offer_id: Mapped[uuid.UUID]
    cycle: Mapped[str]
    addon_offer_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(UUID(as_uuid=True)), server_default=text("'{}'"))
    domain_action: Mapped[str] = mapped_column(server_default="use_own")
    domain_name: Mapped[str] = mapped_column(server_default="")
    created_at: Mapped[datetime] = mapped_column(**NOW)


class Order(Base):
    """What a checkout bought, as it was then (lines and buyer are snapshots). The order-to-provision
    flow hangs its steps on the order's id and moves `status` on from "pending"."""

    __tablename__ = "orders"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    store_id: Mapped[uuid.UUID]
    cart_id: Mapped[uuid.UUID]
    customer_id: Mapped[uuid.UUID]
    status: Mapped[str] = mapped_column(server_default="pending")
    currency: Mapped[str]
    total: Mapped[int]
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    buyer: Mapped[dict[str, str]] = mapped_column(JSONB)
    payment_method: Mapped[str]
    coupon_code: Mapped[str] = mapped_column(server_default="")
    terms_version: Mapped[int]
    terms_accepted_at: Mapped[datetime]
    client_address: Mapped[str] = mapped_column(server_default="")
    review: Mapped[str]
    fraud_findings: Mapped[list[str]] = mapped_column(ARRAY(String), server_default=text("'{}'"))
    created_at: Mapped[datetime] = mapped_column(**NOW)
    updated_at: Mapped[datetime] = mapped_column(**NOW)


class CheckoutKey(Base):
    """An Idempotency-Key of checkoutComplete: the cart it completed, what it looked like, the order."""

    __tablename__ = "checkout_keys"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    store_id: Mapped[uuid.UUID]
    key: Mapped[str]
    cart_id: Mapped[uuid.UUID]
    fingerprint: Mapped[bytes] = mapped_column(LargeBinary)
    order_id: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = mapped_column(**NOW)


class OrderStep(Intent, Base):
    """One step of an order's flow (migration 0024), performed by a worker as an intent: "invoice" (the
    first invoice, written by checkout) and "provision" (written when that invoice is paid)."""

    __tablename__ = "order_steps"
    __intent_kind__ = "order_step"

    seller_id: Mapped[uuid.UUID]
    order_id: Mapped[uuid.UUID]
    step: Mapped[str]

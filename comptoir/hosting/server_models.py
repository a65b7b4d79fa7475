"""Tables of hosting servers, sellers' server pools and certificate stores (migration 0010)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from comptoir.database.base import Base
from comptoir.hosting.models import NOW, UUID_PK
from comptoir.security import secrets


class HostingServer(Base):
    """A server the provider registered: which driver talks to it, what it can provide, how many
    subscriptions it takes (None: no limit)."""

    __tablename__ = "hosting_servers"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    name: Mapped[str]
    driver: Mapped[str]
    os_family: Mapped[str] = mapped_column(server_default="unix")
    capabilities: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    capacity: Mapped[int | None]
    is_default: Mapped[bool] = mapped_column(server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(**NOW)


class ServerPoolEntry(Base):
    """A server one seller may place subscriptions on: a copy of the provider's row in the seller's tenant."""

    __tablename__ = "server_pool"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    server_id: Mapped[uuid.UUID]
    name: Mapped[str]
    driver: Mapped[str]
    os_family: Mapped[str] = mapped_column(server_default="unix")
    capabilities: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    capacity: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(**NOW)


class SslCertificate(Base):
    """A certificate in a seller's store, with its private key (never shown through the API)."""

    __tablename__ = "ssl_certificates"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    name: Mapped[str]
    certificate_pem: Mapped[str]
    private_key_pem: Mapped[str]  # sealed (comptoir.security.secrets)
    subject: Mapped[str] = mapped_column(server_default="")
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(**NOW)


secrets.register_sealed_column("ssl_certificates", "private_key_pem")

"""Tables of encryption at rest (migration 0017)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import LargeBinary, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from comptoir.database.base import Base


class SellerDataKey(Base):
    """A seller's data key (DEK), wrapped by a key-encryption key (`kek_id`) or, in passphrase mode, by a
    key derived from the seller's passphrase (`passphrase_params`: salt and argon2id costs). One is active
    (seals new values); retired ones still open what they sealed."""

    __tablename__ = "seller_data_keys"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("gen_random_uuid()"))
    seller_id: Mapped[uuid.UUID]
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    kek_id: Mapped[str | None]
    passphrase_params: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    active: Mapped[bool] = mapped_column(server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))

"""Panel tables: the seller's branding and its custom buttons."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import LargeBinary, Text, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from comptoir.database.base import Base

UUID_PK: dict[str, Any] = {"primary_key": True, "server_default": text("gen_random_uuid()")}
NOW: dict[str, Any] = {"server_default": text("now()")}


class Branding(Base):
    __tablename__ = "branding"

    seller_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    logo_content_type: Mapped[str] = mapped_column(server_default="")
    logo_link_url: Mapped[str] = mapped_column(server_default="")
    title_text: Mapped[str] = mapped_column(server_default="")
    updated_at: Mapped[datetime] = mapped_column(**NOW)


class CustomButton(Base):
    __tablename__ = "custom_buttons"

    id: Mapped[uuid.UUID] = mapped_column(**UUID_PK)
    seller_id: Mapped[uuid.UUID]
    owner_user_id: Mapped[uuid.UUID]
    label: Mapped[str]
    location: Mapped[str]
    priority: Mapped[int] = mapped_column(server_default=text("100"))
    image: Mapped[bytes | None] = mapped_column(LargeBinary)
    image_content_type: Mapped[str] = mapped_column(server_default="")
    url: Mapped[str]
    tooltip: Mapped[str] = mapped_column(server_default="")
    open_in_panel: Mapped[bool] = mapped_column(server_default=text("false"))
    visible_only_to_me: Mapped[bool] = mapped_column(server_default=text("false"))
    context_parameters: Mapped[list[str]] = mapped_column(ARRAY(Text),
                                                          server_default=text("'{}'"))
    created_at: Mapped[datetime] = mapped_column(**NOW)

"""A seller's own settings."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.tenancy.models import Seller


def update_settings(session: Session, *, seller_id: uuid.UUID, allow_multiple_sessions: bool | None) -> Seller:
    seller = session.get_one(Seller, seller_id)
    if allow_multiple_sessions is not None:
        seller.allow_multiple_sessions = allow_multiple_sessions
    seller.updated_at = clock.now()
    return seller

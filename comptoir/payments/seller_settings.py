"""A seller's payment settings: how long before a card expires its holder is reminded, and how
asynchronous settlements are polled (every N minutes, giving up after M checks)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.orm import Session

from comptoir.errors import DomainErrors
from comptoir.payments.errors import PaymentError
from comptoir.payments.errors import PaymentErrorCode as Code
from comptoir.payments.models import PaymentSettings

DEFAULTS = {"card_expiry_notice_days": 30, "poll_interval_minutes": 60, "poll_max_checks": 10}
RANGES = {"card_expiry_notice_days": (1, 365), "poll_interval_minutes": (1, 10080), "poll_max_checks": (1, 1000)}
FIELDS = {"card_expiry_notice_days": "cardExpiryNoticeDays", "poll_interval_minutes": "pollIntervalMinutes",
          "poll_max_checks": "pollMaxChecks"}


@dataclass(frozen=True)
class SettingsChanges:
    card_expiry_notice_days: int | None = None
    poll_interval_minutes: int | None = None
    poll_max_checks: int | None = None


def get(session: Session, *, seller_id: uuid.UUID) -> PaymentSettings:
    """The seller's settings, or the defaults when it never changed them."""
    return session.get(PaymentSettings, seller_id) or PaymentSettings(seller_id=seller_id, **DEFAULTS)


def update(session: Session, *, seller_id: uuid.UUID, changes: SettingsChanges) -> PaymentSettings:
    errors = [PaymentError(Code.INVALID_SETTINGS, f"between {low} and {high}", field=FIELDS[name])
              for name, (low, high) in RANGES.items()
              if (value := getattr(changes, name)) is not None and not low <= value <= high]
    if errors:
        raise DomainErrors(errors)
    settings = session.get(PaymentSettings, seller_id, with_for_update=True)
    if settings is None:
        settings = PaymentSettings(seller_id=seller_id, **DEFAULTS)
        session.add(settings)
    for name in RANGES:
        if (value := getattr(changes, name)) is not None:
            setattr(settings, name, value)
    settings.updated_at = func.now()
    session.flush()
    session.refresh(settings)
    return settings

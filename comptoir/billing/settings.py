"""A seller's billing settings: read (defaults written on first use) and changed by staff."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.billing.errors import BillingError, BillingErrorCode
from comptoir.billing.models import BillingSettings
from comptoir.billing.numbering_rules import NumberingFormat
from comptoir.billing.rules import BillingMode, ServiceKind

CHANGEABLE = ("mode", "threshold_day", "lead_days_hosting", "lead_days_domain", "lead_days_certificate", "due_days",
              "max_items_per_invoice", "numbering_format", "numbering_start", "fiscal_year_start_month",
              "credit_on_immediate_cancel", "queue_process_new", "queue_retry_declined", "queue_retry_errored",
              "queue_retry_delay_days", "queue_due_date_only", "queue_clear_first", "queue_try_lower_amounts",
              "queue_card_action", "queue_days_before_due", "overdue_notice_days", "suspension_days",
              "cancellation_days", "cancellation_action")
_RANGES = {"threshold_day": (2, 28), "lead_days_hosting": (0, 365), "lead_days_domain": (0, 365),
           "lead_days_certificate": (0, 365), "due_days": (0, 365), "max_items_per_invoice": (0, 1000),
           "numbering_start": (1, 10**15), "fiscal_year_start_month": (1, 12),
           "queue_retry_delay_days": (0, 365), "queue_days_before_due": (0, 365), "suspension_days": (0, 3650),
           "cancellation_days": (0, 3650)}
_CHOICES = {"queue_card_action": ("capture", "authorise"), "cancellation_action": ("cancel", "delete")}


def get(session: Session, *, seller_id: uuid.UUID, for_update: bool = False) -> BillingSettings:
    """The seller's settings; the defaults are written the first time they are asked for."""
    session.execute(insert(BillingSettings).values(seller_id=seller_id).on_conflict_do_nothing())
    query = select(BillingSettings).where(BillingSettings.seller_id == seller_id)
    return session.scalars(query.with_for_update() if for_update else query).one()


def update(session: Session, *, seller_id: uuid.UUID, changes: dict[str, Any]) -> BillingSettings:
    settings = get(session, seller_id=seller_id, for_update=True)
    for name, value in changes.items():
        if name not in CHANGEABLE:
            raise BillingError(BillingErrorCode.INVALID, f"Unknown setting {name}.", field=name)
        _check(name, value)
        setattr(settings, name, value)
    settings.updated_at = clock.now()
    session.flush()
    return settings


def _check(name: str, value: Any) -> None:
    valid = True
    if name == "mode":
        valid = value in {m.value for m in BillingMode}
    elif name == "numbering_format":
        valid = value in {f.value for f in NumberingFormat}
    elif name in _CHOICES:
        valid = value in _CHOICES[name]
    elif name == "overdue_notice_days":
        valid = isinstance(value, list) and all(isinstance(d, int) and 0 <= d <= 3650 for d in value)
    elif name.startswith("queue_") and name not in _RANGES:
        valid = isinstance(value, bool)
    elif name in _RANGES:
        low, high = _RANGES[name]
        valid = isinstance(value, int) and low <= value <= high
    if not valid:
        raise BillingError(BillingErrorCode.INVALID, f"{name} cannot be {value!r}.", field=name)


def lead_days(settings: BillingSettings, kind: str) -> int:
    return {ServiceKind.HOSTING.value: settings.lead_days_hosting, ServiceKind.DOMAIN.value: settings.lead_days_domain,
            ServiceKind.CERTIFICATE.value: settings.lead_days_certificate}[kind]

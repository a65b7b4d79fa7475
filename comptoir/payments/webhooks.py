"""Callbacks from gateways: verified, stored once per event id, then applied through the state machine.

A callback names only its gateway configuration; the configuration's seller comes from a narrow
definer look-up (ids only), and everything after runs as that seller's system context. An unverifiable
callback changes nothing and is logged; a replayed or duplicate one is acknowledged and changes nothing;
one arriving out of order changes only what moves the payment forward.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from comptoir.database.engine import session_scope
from comptoir.payments import gateways, outcomes
from comptoir.payments.drivers.base import GatewayResult, WebhookRejected
from comptoir.payments.drivers.base import WebhookEvent as GatewayEvent
from comptoir.payments.models import GatewayConfig, Payment, WebhookEvent
from comptoir.tenancy.context import Role, TenantContext

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Receipt:
    status_code: int
    outcome: str


def receive(config_id: uuid.UUID, headers: Mapping[str, str], body: bytes, now: datetime) -> Receipt:
    """Verify and apply one callback to configuration `config_id` (own transactions)."""
    with session_scope(None) as session:
        seller_id = session.scalar(text("SELECT comptoir_gateway_config_seller(:id)"), {"id": config_id})
    if seller_id is None:
        log.warning("webhook for unknown or disabled gateway configuration %s refused", config_id)
        return Receipt(404, "unknown gateway")
    with session_scope(TenantContext(Role.SYSTEM, seller_id)) as session:
        config = session.get(GatewayConfig, config_id)
        assert config is not None
        try:
            event = gateways.driver_of(config).verify_webhook(gateways.settings_of(config), headers, body, now)
        except WebhookRejected as error:
            log.warning("webhook for gateway configuration %s refused: %s", config_id, error)
            return Receipt(400, "unverified")
        return Receipt(200, _apply(session, config, event))


def _apply(session: Session, config: GatewayConfig, event: GatewayEvent) -> str:
    stored = session.scalar(insert(WebhookEvent).values(
        seller_id=config.seller_id, gateway_config_id=config.id, event_id=event.event_id[:255], type=event.type[:100],
        reference=event.reference[:255]).on_conflict_do_nothing(
        index_elements=["seller_id", "gateway_config_id", "event_id"]).returning(WebhookEvent.id))
    if stored is None:
        log.info("webhook event %s of gateway %s seen before: ignored", event.event_id, config.id)
        return "duplicate"
    payment = session.scalars(select(Payment).where(
        Payment.gateway_config_id == config.id, Payment.gateway_reference == event.reference).with_for_update()
    ).one_or_none()
    if payment is None:
        outcome = "unknown reference"
    else:
        changed = outcomes.record(session, payment, GatewayResult(event.outcome, event.reference, event.amount,
                                                                  code=event.code))
        outcome = payment.status if changed else "stale"
    session.execute(update(WebhookEvent).where(WebhookEvent.id == stored).values(outcome=outcome))
    return outcome

"""What automation knows how to do: every intent kind and scheduled event kind, wired to its domain.

Domain packages write intents and know nothing of this module (they never import automation); new
kinds are added here in a few lines.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.automation import events, intents
from comptoir.automation.events import EventKind, Scope
from comptoir.automation.models import ScheduledEvent
from comptoir.documents import service as documents
from comptoir.documents.models import DocumentRender
from comptoir.hosting import overuse, provisioning, subscription_lifecycle, sync, usage
from comptoir.hosting.models import BackgroundJob, ProvisioningRequest
from comptoir.messaging import outbox
from comptoir.messaging.models import OutboundEmail
from comptoir.settings import get_settings
from comptoir.storefront import checkout


def _deliver_email(session: Session, email: OutboundEmail) -> None:
    outbox.deliver(session=session, email=email)


def _render_document(session: Session, request: DocumentRender) -> None:
    documents.render(session=session, request=request)


def _provision(session: Session, request: ProvisioningRequest) -> None:
    provisioning.deliver(session=session, request=request)


def _expiration_check(session: Session, event: ScheduledEvent) -> dict[str, Any]:
    suspended = subscription_lifecycle.process_expirations(session=session, today=clock.today())
    return {"suspended": len(suspended)}


def _usage_collection(session: Session, event: ScheduledEvent) -> dict[str, Any]:
    return usage.collect_previous_day(session=session, seller_id=event.seller_id)


def _overuse_check(session: Session, event: ScheduledEvent) -> dict[str, Any]:
    return overuse.check(session=session, seller_id=event.seller_id)


def _checkout_key_purge(session: Session, event: ScheduledEvent) -> dict[str, Any]:
    return {"purged": checkout.purge_keys(session=session, seller_id=event.seller_id)}


def _relay_intents(session: Session, event: ScheduledEvent) -> dict[str, Any]:
    return {"handed_out": intents.relay()}


def _register() -> None:
    intents.register(intents.IntentKind("email", OutboundEmail, _deliver_email, max_attempts=outbox.MAX_ATTEMPTS))
    intents.register(intents.IntentKind("provisioning", ProvisioningRequest, _provision,
                                        max_attempts=provisioning.MAX_ATTEMPTS))
    intents.register(intents.IntentKind("document_render", DocumentRender, _render_document,
                                        max_attempts=documents.MAX_ATTEMPTS))
    intents.register(intents.IntentKind("background_job", BackgroundJob, sync.run_plan_sync_job,
                                        max_attempts=sync.MAX_ATTEMPTS, long_running=True))
    events.register(EventKind("expiration_check", lambda: "P1D", _expiration_check))
    events.register(EventKind("usage_collection", lambda: "P1D", _usage_collection))
    events.register(EventKind("overuse_check", lambda: "P1D", _overuse_check))
    events.register(EventKind("checkout_key_purge", lambda: "P1D", _checkout_key_purge))
    events.register(EventKind("intent_relay", lambda: f"PT{get_settings().relay_period_seconds}S", _relay_intents,
                              scope=Scope.INSTANCE))


_register()

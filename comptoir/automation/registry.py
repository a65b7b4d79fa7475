"""What automation knows how to do: every intent kind and scheduled event kind, wired to its domain.

Domain packages write intents and know nothing of this module (they never import automation); new
kinds are added here in a few lines.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.audit import service as audit
from comptoir.automation import events, intents
from comptoir.automation.events import EventKind, Scope
from comptoir.automation.models import ScheduledEvent
from comptoir.billing import changes, dunning, generation, payment_outcomes, payment_queue
from comptoir.billing import documents as invoice_documents
from comptoir.billing import listeners as billing_listeners
from comptoir.documents import service as documents
from comptoir.documents.models import DocumentRender
from comptoir.domains import certificate_orders
from comptoir.domains import listeners as domain_listeners
from comptoir.domains import orders as domain_orders
from comptoir.domains import synchronization as domain_synchronization
from comptoir.domains.models import CertificateOrder, DomainOperation
from comptoir.hosting import overuse, provisioning, subscription_lifecycle, sync, usage
from comptoir.hosting.models import BackgroundJob, ProvisioningRequest
from comptoir.messaging import mass, outbox
from comptoir.messaging.attachments import register_document_reader
from comptoir.messaging.models import MassEmail, OutboundEmail
from comptoir.payments import charges as payment_charges
from comptoir.payments import listeners as payment_listeners
from comptoir.payments import reminders as payment_reminders
from comptoir.payments.models import PaymentCharge
from comptoir.settings import get_settings
from comptoir.storefront import checkout, flows
from comptoir.storefront.models import OrderStep
from comptoir.webhooks import service as webhooks
from comptoir.webhooks.models import WebhookDelivery


def _deliver_email(session: Session, email: OutboundEmail) -> None:
    outbox.deliver(session=session, email=email)


def _send_mass_email(session: Session, mailing: MassEmail) -> None:
    mass.run(session, mailing)


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


def _process_action_log(session: Session, event: ScheduledEvent) -> dict[str, Any]:
    archive = audit.archive_old_entries(session, seller_id=event.seller_id)
    return {"archived": archive.entries if archive else 0}


def _process_invoices(session: Session, event: ScheduledEvent) -> dict[str, Any]:
    today = usage.local_today(session, event.seller_id)  # billing dates are days of the seller's time zone
    result = generation.generate_invoices(session=session, seller_id=event.seller_id, today=today)
    return {"issued": len(result.issued)}


def _process_cancellations(session: Session, event: ScheduledEvent) -> dict[str, Any]:
    today = usage.local_today(session, event.seller_id)
    return {"cancelled": len(changes.process_cancellations(session=session, seller_id=event.seller_id, today=today))}


def _process_payment_queue(session: Session, event: ScheduledEvent) -> dict[str, Any]:
    today = usage.local_today(session, event.seller_id)
    return payment_queue.process(session=session, seller_id=event.seller_id, today=today)


def _process_suspensions(session: Session, event: ScheduledEvent) -> dict[str, Any]:
    today = usage.local_today(session, event.seller_id)
    return dunning.process_suspensions(session=session, seller_id=event.seller_id, today=today)


def _process_unsuspensions(session: Session, event: ScheduledEvent) -> dict[str, Any]:
    today = usage.local_today(session, event.seller_id)
    return dunning.process_unsuspensions(session=session, seller_id=event.seller_id, today=today)


def _process_expired_credit_cards(session: Session, event: ScheduledEvent) -> dict[str, Any]:
    return {"reminded": payment_reminders.process_expired_credit_cards(
        session=session, seller_id=event.seller_id, today=clock.today())}


def _certificate_round(session: Session, order: CertificateOrder) -> None:
    certificate_orders.perform_round(session=session, order=order)


def _domain_synchronization(session: Session, event: ScheduledEvent) -> dict[str, Any]:
    return domain_synchronization.synchronize(session=session, seller_id=event.seller_id, today=clock.today())


def _relay_intents(session: Session, event: ScheduledEvent) -> dict[str, Any]:
    return {"handed_out": intents.relay()}


def _register() -> None:
    # An invoice e-mail's PDF is read when the e-mail is delivered; before it is rendered, the attempt waits.
    register_document_reader(invoice_documents.ATTACHMENT_KIND, invoice_documents.read_attachment)
    intents.register(intents.IntentKind("email", OutboundEmail, _deliver_email, max_attempts=outbox.MAX_ATTEMPTS,
                                        on_attempt_failed=invoice_documents.email_waits))
    intents.register(intents.IntentKind("mass_email", MassEmail, _send_mass_email, max_attempts=3))
    intents.register(intents.IntentKind("provisioning", ProvisioningRequest, _provision,
                                        max_attempts=provisioning.MAX_ATTEMPTS))
    intents.register(intents.IntentKind("document_render", DocumentRender, _render_document,
                                        max_attempts=documents.MAX_ATTEMPTS))
    intents.register(intents.IntentKind("background_job", BackgroundJob, sync.run_plan_sync_job,
                                        max_attempts=sync.MAX_ATTEMPTS, long_running=True))
    intents.register(intents.IntentKind("webhook_delivery", WebhookDelivery, webhooks.deliver,
                                        max_attempts=webhooks.MAX_ATTEMPTS, on_attempt_failed=webhooks.attempt_failed))
    # Long-running: a charge marks itself in flight, calls the gateway outside any transaction, then records.
    intents.register(intents.IntentKind("payment_charge", PaymentCharge, payment_charges.perform,
                                        max_attempts=payment_charges.MAX_ATTEMPTS, long_running=True))
    intents.register(intents.IntentKind("domain_operation", DomainOperation, domain_orders.perform,
                                        max_attempts=domain_orders.MAX_ATTEMPTS, long_running=True))
    intents.register(intents.IntentKind("certificate_order", CertificateOrder, _certificate_round,
                                        max_attempts=certificate_orders.MAX_ATTEMPTS))
    intents.register(intents.IntentKind("order_step", OrderStep, flows.perform, max_attempts=flows.MAX_ATTEMPTS,
                                        on_attempt_failed=flows.attempt_failed))
    billing_listeners.on_invoice_paid(flows.on_invoice_paid)
    domain_listeners.on_domain_ready(flows.on_domain_ready)
    payment_listeners.on_payment_succeeded(flows.on_payment_succeeded)
    events.register(EventKind("process_domain_synchronization", lambda: "P7D", _domain_synchronization))
    events.register(EventKind("expiration_check", lambda: "P1D", _expiration_check))
    events.register(EventKind("usage_collection", lambda: "P1D", _usage_collection))
    events.register(EventKind("overuse_check", lambda: "P1D", _overuse_check))
    events.register(EventKind("process_invoices", lambda: "P1D", _process_invoices))
    events.register(EventKind("process_cancellations", lambda: "P1D", _process_cancellations))
    events.register(EventKind("process_payment_queue", lambda: "P1D", _process_payment_queue))
    events.register(EventKind("process_suspensions", lambda: "P1D", _process_suspensions))
    events.register(EventKind("process_unsuspensions", lambda: "PT20M", _process_unsuspensions))
    # card payments naming invoices settle them (billing.payment_outcomes); payments know nothing of billing
    payment_listeners.on_payment_succeeded(payment_outcomes.on_succeeded)
    payment_listeners.on_payment_authorised(payment_outcomes.on_authorised)
    payment_listeners.on_payment_failed(payment_outcomes.on_failed)
    payment_listeners.on_action_required(payment_outcomes.on_action_required)
    events.register(EventKind("checkout_key_purge", lambda: "P1D", _checkout_key_purge))
    events.register(EventKind("process_action_log", lambda: f"P{get_settings().audit_archive_months}M",
                              _process_action_log))
    events.register(EventKind("process_expired_credit_cards", lambda: "P7D", _process_expired_credit_cards))
    events.register(EventKind("intent_relay", lambda: f"PT{get_settings().relay_period_seconds}S", _relay_intents,
                              scope=Scope.INSTANCE))


_register()

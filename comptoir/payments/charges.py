"""Performing a charge intent: one gateway charge per payment, whatever happens to the workers.

Two transactions around the gateway call, so that no database lock is held while the processor thinks
and so that the attempt is on record before the money moves: the first marks the intent in flight
(`submitted`, a lease); the gateway is called with the payment's id as its idempotency key; the second
records the answer. A charge submitted before (the answer was lost: timeout, a worker died) is never
sent blindly again: the gateway is asked what became of it first. Charges that settle later are asked
again every `poll_interval_minutes`, up to `poll_max_checks` times, then the payment is an error.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comptoir.database import intents
from comptoir.database.engine import session_scope
from comptoir.payments import gateways, outcomes, seller_settings
from comptoir.payments.drivers.base import (
    ChargeRequest,
    GatewayRefused,
    GatewayResult,
    GatewayTimeout,
    Outcome,
    PaymentGateway,
)
from comptoir.payments.models import Payment, PaymentCharge, PaymentMethod, PaymentSettings
from comptoir.payments.rules import Status
from comptoir.security.secrets import unseal
from comptoir.tenancy.context import Role, TenantContext

log = logging.getLogger(__name__)

LEASE = intents.LEASE
MAX_ATTEMPTS = 1000  # a charge is never abandoned by attempt count: checks decide (see _wait)
UNKNOWN_RETRY = timedelta(minutes=1)  # how soon to ask about a charge whose answer was lost


@dataclass(frozen=True)
class _Call:
    driver: PaymentGateway
    settings: object
    step: str
    submitted: bool
    request: ChargeRequest
    reference: str


def perform(seller_id: uuid.UUID, intent_id: uuid.UUID) -> str:
    """The handler of the `payment_charge` intent kind (long-running: owns its transactions)."""
    context = TenantContext(Role.SYSTEM, seller_id)
    with session_scope(context) as session:
        call = _begin(session, intent_id)
    if isinstance(call, str):
        return call
    result = _ask_gateway(call)
    with session_scope(context) as session:
        return _finish(session, intent_id, result)


def _begin(session: Session, intent_id: uuid.UUID) -> _Call | str:
    charge = intents.lock(session, PaymentCharge, intent_id)
    if charge is None:
        return "missing"
    if charge.is_finished:
        return charge.status
    if session.scalar(select(PaymentCharge.in_flight_until > func.now()).where(PaymentCharge.id == intent_id)):
        return "running"  # another worker is talking to the gateway about it right now
    payment = session.get(Payment, charge.payment_id)
    assert payment is not None  # a foreign key with ON DELETE CASCADE
    if _already_settled(charge, payment):
        intents.mark_done(charge)
        return charge.status
    if payment.gateway_config_id is None:  # its gateway configuration was deleted: nothing to charge with
        outcomes.record(session, payment, GatewayResult(Outcome.ERROR, code="gateway_removed"))
        intents.mark_done(charge)
        return charge.status
    config = gateways.get_or_raise(session, config_id=payment.gateway_config_id)
    method = session.get(PaymentMethod, payment.payment_method_id) if payment.payment_method_id else None
    call = _Call(
        driver=gateways.driver_of(config), settings=gateways.settings_of(config), step=charge.step,
        submitted=charge.submitted, reference=payment.gateway_reference,
        request=ChargeRequest(idempotency_key=str(payment.id), amount=payment.amount, currency=payment.currency,
                              capture=payment.action == "capture", token=_token(charge, method),
                              customer_present=payment.initiator != "merchant", description=payment.description))
    charge.attempts += 1
    charge.status = intents.IntentStatus.RUNNING.value
    charge.submitted = charge.submitted or charge.step == "charge"
    # if this worker dies now, the lease ends and the relay hands the intent out again (which then asks first)
    charge.in_flight_until = charge.next_attempt_at = func.now() + LEASE
    session.flush()
    return call


def _token(charge: PaymentCharge, method: PaymentMethod | None) -> str:
    if charge.card_token:
        return unseal(charge.card_token)
    return unseal(method.token) if method is not None else ""


def _already_settled(charge: PaymentCharge, payment: Payment) -> bool:
    if charge.step == "authenticate":
        return payment.status != Status.REQUIRES_ACTION.value
    return payment.status not in (Status.PENDING.value, Status.ERROR.value)


def _ask_gateway(call: _Call) -> GatewayResult | None:
    """The gateway's answer, or None when it did not answer (the outcome is unknown)."""
    try:
        if call.step == "authenticate":
            return call.driver.complete_authentication(call.settings, call.reference)
        if call.submitted:
            known = call.driver.query(call.settings, call.request.idempotency_key)
            if known.outcome is not Outcome.NOT_FOUND:
                return known
        return call.driver.charge(call.settings, call.request)
    except GatewayTimeout:
        return None
    except GatewayRefused as error:
        return GatewayResult(Outcome.ERROR, code=error.code)


def _finish(session: Session, intent_id: uuid.UUID, result: GatewayResult | None) -> str:
    charge = intents.lock(session, PaymentCharge, intent_id)
    if charge is None:
        return "missing"
    charge.in_flight_until = None
    payment = session.scalars(select(Payment).where(Payment.id == charge.payment_id).with_for_update()).one()
    settings = seller_settings.get(session, seller_id=payment.seller_id)
    if result is None or result.outcome is Outcome.PROCESSING:
        _wait(session, charge, payment, settings, unknown=result is None)
    else:
        if result.outcome is Outcome.NOT_FOUND:
            result = GatewayResult(Outcome.ERROR, code="not_found")
        outcomes.record(session, payment, result)
        intents.mark_done(charge)
    session.flush()
    log.info("payment charge %s: %s (payment %s)", intent_id, charge.status, payment.status)
    return charge.status


def _wait(session: Session, charge: PaymentCharge, payment: Payment, settings: PaymentSettings, *,
          unknown: bool) -> None:
    """Ask again later; after the seller's number of checks, give up: the payment is an error."""
    charge.checks += 1
    if charge.checks >= settings.poll_max_checks:
        charge.last_error = "no final answer from the gateway after %d checks" % charge.checks
        charge.status, charge.done_at = intents.IntentStatus.FAILED.value, func.now()
        outcomes.move(session, payment, Status.ERROR)
        return
    delay = UNKNOWN_RETRY if unknown else timedelta(minutes=settings.poll_interval_minutes)
    charge.last_error = "the gateway did not answer: asking again" if unknown else "settling: asking again"
    charge.status = intents.IntentStatus.PENDING.value
    charge.next_attempt_at = func.now() + delay

"""Recording what a gateway said about a payment: the state machine moves (stale or repeated news is
ignored), the listeners hear it, and a payment needing authentication e-mails its customer a link."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.orm import Session

from comptoir.messaging import outbox
from comptoir.money import Money
from comptoir.payments import listeners
from comptoir.payments.drivers.base import GatewayResult, Outcome
from comptoir.payments.models import Payment
from comptoir.payments.rules import Status, advance
from comptoir.settings import get_settings
from comptoir.tenancy.models import Customer

_TARGET = {
    Outcome.CAPTURED: Status.CAPTURED,
    Outcome.AUTHORISED: Status.AUTHORISED,
    Outcome.REQUIRES_ACTION: Status.REQUIRES_ACTION,
    Outcome.DECLINED: Status.FAILED,
    Outcome.ERROR: Status.FAILED,
}


def authenticate_link(payment: Payment) -> str:
    return f"{get_settings().public_url.rstrip('/')}/pay/{payment.id}/authenticate"


def record(session: Session, payment: Payment, result: GatewayResult) -> bool:
    """Apply a final gateway answer to `payment`; False when it changed nothing (stale or repeated)."""
    target = _TARGET.get(result.outcome)
    if target is None:
        return False
    return move(session, payment, target, result=result)


def move(session: Session, payment: Payment, target: Status, *, result: GatewayResult | None = None) -> bool:
    new = advance(Status(payment.status), target)
    if new is None:
        return False
    payment.status = new.value
    payment.updated_at = func.now()
    if result is not None and result.reference and not payment.gateway_reference:
        payment.gateway_reference = result.reference
    if new is Status.CAPTURED:
        payment.captured = result.amount if result is not None and result.amount else payment.amount
        payment.action_url = ""
    elif new is Status.FAILED and result is not None:
        payment.failure_code = result.code or result.outcome.value
        payment.decline = ("hard" if result.hard else "soft") if result.outcome is Outcome.DECLINED else ""
    elif new is Status.REQUIRES_ACTION and result is not None:
        payment.action_url = result.action_url
    session.flush()
    _announce(session, payment, new)
    return True


def _announce(session: Session, payment: Payment, status: Status) -> None:
    if status is Status.CAPTURED:
        listeners.announce("succeeded", session, payment)
    elif status is Status.AUTHORISED:
        listeners.announce("authorised", session, payment)
    elif status in (Status.FAILED, Status.ERROR, Status.VOIDED):
        listeners.announce("failed", session, payment)
    elif status is Status.REQUIRES_ACTION:
        _ask_customer_to_authenticate(session, payment)
        listeners.announce("action_required", session, payment)
    elif status in (Status.REFUNDED, Status.PARTIALLY_REFUNDED):
        listeners.announce("refunded", session, payment)


def _ask_customer_to_authenticate(session: Session, payment: Payment) -> None:
    customer = session.get(Customer, payment.customer_id) if payment.customer_id else None
    if customer is None or not customer.email:
        return
    outbox.enqueue(session=session, seller_id=payment.seller_id, customer_id=customer.id,
                   to_address=customer.email, template="payment_action_required", language=customer.locale,
                   variables={"name": customer.contact_name, "link": authenticate_link(payment),
                              "amount": Money(payment.amount, payment.currency).formatted(customer.locale)})

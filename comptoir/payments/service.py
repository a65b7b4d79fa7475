"""Payments: creating them (card charge intents, external redirects, manual and direct-debit payments),
and what staff do afterwards (mark paid, capture, refund, void)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comptoir.payments import gateways, methods, outcomes
from comptoir.payments.drivers.base import CardInput, GatewayRefused, GatewayTimeout, Kind, Outcome
from comptoir.payments.errors import PaymentError
from comptoir.payments.errors import PaymentErrorCode as Code
from comptoir.payments.models import Payment, PaymentCharge, PaymentMethod, PaymentRefund
from comptoir.payments.rules import Status, refund_status
from comptoir.security.secrets import seal


@dataclass(frozen=True)
class NewPayment:
    """What every payment states: who pays how much, for what, and whether billing books it."""

    gateway_config_id: uuid.UUID
    amount: int
    currency: str
    idempotency_key: str
    customer_id: uuid.UUID | None = None
    initiator: str = "merchant"  # customer (present), merchant (renewal), staff (virtual terminal, manual)
    purpose: dict[str, Any] = field(default_factory=dict)
    post_to_ledger: bool = True
    description: str = ""


def get_or_raise(session: Session, *, payment_id: uuid.UUID, lock: bool = False) -> Payment:
    statement = select(Payment).where(Payment.id == payment_id)
    payment = session.scalars(statement.with_for_update() if lock else statement).one_or_none()
    if payment is None:
        raise PaymentError(Code.PAYMENT_NOT_FOUND, field="id")
    return payment


def _existing(session: Session, new: NewPayment) -> Payment | None:
    """The payment already made under this idempotency key (the same request again), if any."""
    payment = session.scalars(select(Payment).where(Payment.idempotency_key == new.idempotency_key)).one_or_none()
    if payment is not None and (payment.amount, payment.currency, payment.customer_id) != (
            new.amount, new.currency, new.customer_id):
        raise PaymentError(Code.IDEMPOTENCY_KEY_REUSED, "this key was used for another payment",
                           field="idempotencyKey")
    return payment


def _payment(session: Session, seller_id: uuid.UUID, new: NewPayment, *, kind: str, **columns: Any) -> Payment:
    if new.amount <= 0:
        raise PaymentError(Code.INVALID_AMOUNT, "the amount must be positive", field="amount")
    payment = Payment(seller_id=seller_id, customer_id=new.customer_id, gateway_config_id=new.gateway_config_id,
                      kind=kind, initiator=new.initiator, amount=new.amount, currency=new.currency,
                      purpose=new.purpose, post_to_ledger=new.post_to_ledger, idempotency_key=new.idempotency_key,
                      description=new.description[:1000], **columns)
    session.add(payment)
    session.flush()
    return payment


def charge_card(session: Session, *, seller_id: uuid.UUID, new: NewPayment, payment_method_id: uuid.UUID,
                authorise_only: bool = False) -> Payment:
    """A card payment with a stored (or one-off) method: the payment and its charge intent, which a
    worker performs once this transaction commits. The same idempotency key gives the same payment."""
    if (existing := _existing(session, new)) is not None:
        return existing
    method = session.get(PaymentMethod, payment_method_id)
    if method is None or method.kind != "card" or method.customer_id != new.customer_id:
        raise PaymentError(Code.PAYMENT_METHOD_NOT_FOUND, field="paymentMethodId")
    config = gateways.usable_or_raise(session, config_id=method.gateway_config_id, currency=new.currency)
    capabilities = gateways.driver_of(config).capabilities
    if not (capabilities.authorise if authorise_only else capabilities.charge):
        raise PaymentError(Code.NOT_SUPPORTED, "this gateway cannot do that", field="gatewayConfigId")
    payment = _payment(session, seller_id, NewPayment(**{**new.__dict__, "gateway_config_id": config.id}),
                       kind="card", payment_method_id=method.id, action="authorise" if authorise_only else "capture",
                       card_brand=method.brand, card_last4=method.last4)
    session.add(PaymentCharge(seller_id=seller_id, payment_id=payment.id, customer_id=payment.customer_id))
    session.flush()
    return payment


def virtual_terminal(session: Session, *, seller_id: uuid.UUID, new: NewPayment, card: CardInput,
                     authorise_only: bool = False) -> Payment:
    """Staff charge (or authorise) a card directly, e.g. a phone order: the card is tokenised for this
    charge only and not kept as a payment method; `post_to_ledger` says whether billing books it."""
    if (existing := _existing(session, new)) is not None:
        return existing
    config = gateways.usable_or_raise(session, config_id=new.gateway_config_id, currency=new.currency)
    driver = gateways.driver_of(config)
    if not driver.capabilities.virtual_terminal or not (
            driver.capabilities.authorise if authorise_only else driver.capabilities.charge):
        raise PaymentError(Code.NOT_SUPPORTED, "this gateway has no virtual terminal", field="gatewayConfigId")
    tokenised = methods.tokenise(config, card, customer_present=False)  # a phone order: no authentication
    payment = _payment(session, seller_id, NewPayment(**{**new.__dict__, "initiator": "staff"}), kind="card",
                       action="authorise" if authorise_only else "capture", card_brand=tokenised.brand,
                       card_last4=tokenised.last4)
    session.add(PaymentCharge(seller_id=seller_id, payment_id=payment.id, customer_id=payment.customer_id,
                              card_token=seal(tokenised.token, seller_id=seller_id)))
    session.flush()
    return payment


def start_external(session: Session, *, seller_id: uuid.UUID, new: NewPayment, return_url: str,
                   cancel_url: str) -> Payment:
    """A payment at an external processor: the buyer follows `payment.redirect_url`; the processor's
    signed callback settles it (payments.webhooks)."""
    if (existing := _existing(session, new)) is not None:
        return existing
    config = gateways.usable_or_raise(session, config_id=new.gateway_config_id, currency=new.currency)
    driver = gateways.driver_of(config)
    if driver.capabilities.kind is not Kind.EXTERNAL:
        raise PaymentError(Code.NOT_SUPPORTED, "this gateway does not redirect", field="gatewayConfigId")
    if new.amount <= 0:
        raise PaymentError(Code.INVALID_AMOUNT, "the amount must be positive", field="amount")
    payment_id = uuid.uuid4()  # the processor is told it first; the row is written once (a visitor may not update)
    try:
        redirect = driver.start_redirect(gateways.settings_of(config), config_id=config.id, payment_id=payment_id,
                                         amount=new.amount, currency=new.currency, return_url=return_url,
                                         cancel_url=cancel_url)
    except (GatewayRefused, GatewayTimeout) as error:
        raise PaymentError(Code.GATEWAY_ERROR, str(error)) from None
    return _payment(session, seller_id, new, kind="external", id=payment_id, gateway_reference=redirect.reference,
                    redirect_url=redirect.url)


def create_manual(session: Session, *, seller_id: uuid.UUID, new: NewPayment, method: str) -> Payment:
    """A payment the customer makes outside (cheque, bank transfer, cash): pending until staff mark it paid."""
    if (existing := _existing(session, new)) is not None:
        return existing
    config = gateways.usable_or_raise(session, config_id=new.gateway_config_id, currency=new.currency)
    if gateways.driver_of(config).capabilities.kind is not Kind.MANUAL or method not in config.settings.get(
            "methods", []):
        raise PaymentError(Code.NOT_SUPPORTED, f"{method} is not accepted by this gateway", field="method")
    return _payment(session, seller_id, new, kind="manual", manual_method=method)


def create_direct_debit(session: Session, *, seller_id: uuid.UUID, new: NewPayment,
                        payment_method_id: uuid.UUID) -> Payment:
    """A direct debit from a stored bank account: pending until billing's bank batch collects it."""
    if (existing := _existing(session, new)) is not None:
        return existing
    method = session.get(PaymentMethod, payment_method_id)
    if method is None or method.kind != "bank_account" or method.customer_id != new.customer_id:
        raise PaymentError(Code.PAYMENT_METHOD_NOT_FOUND, field="paymentMethodId")
    gateways.usable_or_raise(session, config_id=method.gateway_config_id, currency=new.currency)
    return _payment(session, seller_id, NewPayment(**{**new.__dict__, "gateway_config_id": method.gateway_config_id}),
                    kind="bank_account", payment_method_id=method.id)


def mark_paid(session: Session, *, payment_id: uuid.UUID) -> Payment:
    """Staff record a manual payment received (or a direct debit collected)."""
    payment = get_or_raise(session, payment_id=payment_id, lock=True)
    if payment.kind not in ("manual", "bank_account"):
        raise PaymentError(Code.NOT_SUPPORTED, "only manual payments and direct debits are marked paid", field="id")
    if not outcomes.move(session, payment, Status.CAPTURED):
        raise PaymentError(Code.INVALID_STATE, f"the payment is {payment.status}", field="id")
    return payment


def capture(session: Session, *, payment_id: uuid.UUID, amount: int | None = None) -> Payment:
    """Capture an authorisation, wholly or in part (the rest of it is released)."""
    payment = get_or_raise(session, payment_id=payment_id, lock=True)
    amount = payment.amount if amount is None else amount
    if payment.status != Status.AUTHORISED.value:
        raise PaymentError(Code.INVALID_STATE, f"the payment is {payment.status}", field="id")
    if not 0 < amount <= payment.amount:
        raise PaymentError(Code.INVALID_AMOUNT, "more than was authorised", field="amount")
    result = _call(session, payment, lambda driver, settings: driver.capture(settings, payment.gateway_reference,
                                                                             amount))
    if result.outcome is Outcome.CAPTURED:
        outcomes.record(session, payment, result)
    return payment


def capture_all(session: Session, *, seller_id: uuid.UUID) -> list[Payment]:
    """Capture every authorisation of the seller still uncaptured; those the gateway refuses stay."""
    captured = []
    for payment_id in session.scalars(select(Payment.id).where(
            Payment.seller_id == seller_id, Payment.status == Status.AUTHORISED.value).order_by(Payment.created_at)):
        try:
            with session.begin_nested():
                captured.append(capture(session, payment_id=payment_id))
        except PaymentError:
            continue
    return captured


def void(session: Session, *, payment_id: uuid.UUID) -> Payment:
    payment = get_or_raise(session, payment_id=payment_id, lock=True)
    if payment.status != Status.AUTHORISED.value:
        raise PaymentError(Code.INVALID_STATE, f"the payment is {payment.status}", field="id")
    _call(session, payment, lambda driver, settings: driver.void(settings, payment.gateway_reference))
    outcomes.move(session, payment, Status.VOIDED)
    return payment


def refund(session: Session, *, payment_id: uuid.UUID, amount: int | None = None, reason: str = "") -> Payment:
    """Refund all or part of what was captured, to the method it was paid with."""
    payment = get_or_raise(session, payment_id=payment_id, lock=True)
    if payment.status not in (Status.CAPTURED.value, Status.PARTIALLY_REFUNDED.value):
        raise PaymentError(Code.INVALID_STATE, f"the payment is {payment.status}", field="id")
    left = payment.captured - payment.refunded
    amount = left if amount is None else amount
    if not 0 < amount <= left:
        raise PaymentError(Code.INVALID_AMOUNT, f"at most {left} can be refunded", field="amount")
    reference = ""
    if payment.kind in ("card", "external"):
        result = _call(session, payment, lambda driver, settings: driver.refund(
            settings, payment.gateway_reference, amount))
        reference = result.reference
    session.add(PaymentRefund(seller_id=payment.seller_id, payment_id=payment.id, amount=amount,
                              gateway_reference=reference, reason=reason[:1000]))
    payment.refunded += amount
    session.flush()
    outcomes.move(session, payment, refund_status(payment.captured, payment.refunded))
    return payment


def _call(session: Session, payment: Payment, operation: Any) -> Any:
    config = gateways.get_or_raise(session, config_id=payment.gateway_config_id)
    try:
        return operation(gateways.driver_of(config), gateways.settings_of(config))
    except GatewayRefused as error:
        raise PaymentError(Code.GATEWAY_ERROR, str(error)) from None
    except GatewayTimeout:
        raise PaymentError(Code.GATEWAY_ERROR, "the gateway did not answer; try again") from None


def request_authentication_done(session: Session, *, payment_id: uuid.UUID) -> Payment:
    """The customer has authenticated with their bank: a worker completes the payment (an intent)."""
    payment = get_or_raise(session, payment_id=payment_id)
    if payment.status != Status.REQUIRES_ACTION.value:
        raise PaymentError(Code.INVALID_STATE, f"the payment is {payment.status}", field="id")
    waiting = session.scalar(select(func.count()).select_from(PaymentCharge).where(
        PaymentCharge.payment_id == payment.id, PaymentCharge.step == "authenticate",
        PaymentCharge.status.in_(("pending", "running"))))
    if not waiting:
        session.add(PaymentCharge(seller_id=payment.seller_id, payment_id=payment.id,
                                  customer_id=payment.customer_id, step="authenticate"))
        session.flush()
    return payment

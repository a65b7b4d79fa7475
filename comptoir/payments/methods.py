"""Customers' stored payment methods: cards (tokenised by the gateway at entry; the number and CVV go
to the driver and nowhere else) and bank accounts for direct debit (IBAN sealed, mandate stored)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError as StdnumError

from comptoir import clock
from comptoir.payments import gateways
from comptoir.payments.drivers.base import CardInput, GatewayRefused, GatewayTimeout, Kind, TokenisedCard
from comptoir.payments.errors import PaymentError
from comptoir.payments.errors import PaymentErrorCode as Code
from comptoir.payments.models import GatewayConfig, PaymentMethod
from comptoir.payments.rules import card_expired
from comptoir.security.secrets import seal


@dataclass(frozen=True)
class BankAccountInput:
    holder_name: str
    iban: str
    bic: str
    mandate_reference: str
    mandate_date: date


def add_card(session: Session, *, seller_id: uuid.UUID, customer_id: uuid.UUID, gateway_config_id: uuid.UUID,
             card: CardInput, make_default: bool = True, reusable: bool = True) -> PaymentMethod:
    """Tokenise a card with the customer present (the bank authenticates them now, so later renewals can
    be merchant-initiated) and keep only the token, brand, last four digits and expiry."""
    config = gateways.get_or_raise(session, config_id=gateway_config_id)
    driver = gateways.driver_of(config)
    if not config.enabled:
        raise PaymentError(Code.GATEWAY_DISABLED, field="gatewayConfigId")
    if not driver.capabilities.tokenise:
        raise PaymentError(Code.NOT_SUPPORTED, "this gateway takes no card data", field="gatewayConfigId")
    tokenised = tokenise(config, card, customer_present=True)
    method = PaymentMethod(
        seller_id=seller_id, customer_id=customer_id, gateway_config_id=config.id, kind="card",
        token=seal(tokenised.token, seller_id=seller_id), brand=tokenised.brand, last4=tokenised.last4,
        expiry_month=tokenised.expiry_month, expiry_year=tokenised.expiry_year, holder_name=card.holder_name[:255],
        authenticated_at=clock.now() if tokenised.authenticated else None, reusable=reusable)
    return _added(session, method, make_default=make_default and reusable)


def tokenise(config: GatewayConfig, card: CardInput, *, customer_present: bool) -> TokenisedCard:
    """The gateway's token for a card typed now; the number and CVV go nowhere else."""
    if card_expired(card.expiry_month, card.expiry_year, clock.today()):
        raise PaymentError(Code.CARD_EXPIRED, field="card.expiryYear")
    try:
        return gateways.driver_of(config).tokenise(gateways.settings_of(config), card,
                                                   customer_present=customer_present)
    except GatewayRefused as error:
        raise PaymentError(Code.CARD_REFUSED, str(error), field="card.number") from None
    except GatewayTimeout:
        raise PaymentError(Code.GATEWAY_ERROR, "the gateway did not answer; try again") from None


def add_bank_account(session: Session, *, seller_id: uuid.UUID, customer_id: uuid.UUID,
                     gateway_config_id: uuid.UUID, account: BankAccountInput,
                     make_default: bool = True) -> PaymentMethod:
    """A bank account for direct debit: IBAN and BIC validated, IBAN sealed, the mandate recorded."""
    config = gateways.get_or_raise(session, config_id=gateway_config_id)
    if gateways.driver_of(config).capabilities.kind is not Kind.BANK_ACCOUNT:
        raise PaymentError(Code.NOT_SUPPORTED, "this gateway takes no bank account", field="gatewayConfigId")
    try:
        iban = stdnum_iban.validate(account.iban)
    except StdnumError:
        raise PaymentError(Code.INVALID_IBAN, "the IBAN is not valid", field="iban") from None
    try:
        bic = stdnum_bic.validate(account.bic) if account.bic else ""
    except StdnumError:
        raise PaymentError(Code.INVALID_BIC, "the BIC is not valid", field="bic") from None
    if not account.mandate_reference.strip():
        raise PaymentError(Code.INVALID_STATE, "a mandate reference is required", field="mandateReference")
    method = PaymentMethod(
        seller_id=seller_id, customer_id=customer_id, gateway_config_id=config.id, kind="bank_account",
        iban=seal(iban, seller_id=seller_id), last4=iban[-4:], bic=bic, holder_name=account.holder_name[:255],
        mandate_reference=account.mandate_reference.strip()[:35], mandate_date=account.mandate_date)
    return _added(session, method, make_default=make_default)


def _added(session: Session, method: PaymentMethod, *, make_default: bool) -> PaymentMethod:
    has_default = session.scalar(select(PaymentMethod.id).where(
        PaymentMethod.customer_id == method.customer_id, PaymentMethod.is_default).limit(1))
    if make_default or (has_default is None and method.reusable):
        _clear_default(session, method.customer_id)
        method.is_default = True
    session.add(method)
    session.flush()
    return method


def _clear_default(session: Session, customer_id: uuid.UUID) -> None:
    session.execute(update(PaymentMethod).where(PaymentMethod.customer_id == customer_id, PaymentMethod.is_default)
                    .values(is_default=False))
    session.flush()


def get_or_raise(session: Session, *, method_id: uuid.UUID) -> PaymentMethod:
    method = session.get(PaymentMethod, method_id)
    if method is None:
        raise PaymentError(Code.PAYMENT_METHOD_NOT_FOUND, field="id")
    return method


def set_default(session: Session, *, method_id: uuid.UUID) -> PaymentMethod:
    method = get_or_raise(session, method_id=method_id)
    if not method.reusable:
        raise PaymentError(Code.INVALID_STATE, "a one-off card cannot be the default", field="id")
    _clear_default(session, method.customer_id)
    method.is_default = True
    session.flush()
    return method


def remove(session: Session, *, method_id: uuid.UUID) -> uuid.UUID:
    """Forget a stored method (payments made with it keep their record); another becomes the default."""
    method = get_or_raise(session, method_id=method_id)
    customer_id, was_default = method.customer_id, method.is_default
    session.delete(method)
    session.flush()
    if was_default:
        successor = session.scalars(select(PaymentMethod).where(
            PaymentMethod.customer_id == customer_id, PaymentMethod.reusable)
            .order_by(PaymentMethod.created_at.desc()).limit(1)).first()
        if successor is not None:
            successor.is_default = True
            session.flush()
    return method_id


def list_for_customer(session: Session, *, customer_id: uuid.UUID) -> list[PaymentMethod]:
    return list(session.scalars(select(PaymentMethod).where(
        PaymentMethod.customer_id == customer_id, PaymentMethod.reusable)
        .order_by(PaymentMethod.is_default.desc(), PaymentMethod.created_at, PaymentMethod.id)))


def default_for(session: Session, *, customer_id: uuid.UUID) -> PaymentMethod | None:
    return session.scalars(select(PaymentMethod).where(
        PaymentMethod.customer_id == customer_id, PaymentMethod.is_default)).first()

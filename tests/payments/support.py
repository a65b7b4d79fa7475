"""Payments test data through the real services: a reseller with gateways, a customer with a card."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update

from comptoir.automation import intents
from comptoir.database.engine import session_scope
from comptoir.payments import gateways, methods, service
from comptoir.payments.drivers.base import CardInput
from comptoir.payments.models import Payment, PaymentCharge
from comptoir.tenancy.context import Role, TenantContext
from tests import factories
from tests.factories import Actor

WEBHOOK_SECRET = "whsec_sandbox_0123456789"
API_KEY = "sk_test_sandbox_abcdef"
CVV = "737"


@dataclass(frozen=True)
class Merchant:
    seller_id: uuid.UUID
    customer: Actor
    card_gateway_id: uuid.UUID
    external_gateway_id: uuid.UUID
    manual_gateway_id: uuid.UUID
    bank_gateway_id: uuid.UUID

    def staff(self) -> TenantContext:
        return TenantContext(Role.RESELLER, self.seller_id)

    def system(self) -> TenantContext:
        return TenantContext(Role.SYSTEM, self.seller_id)

    def as_customer(self) -> TenantContext:
        return TenantContext(Role.CUSTOMER, self.seller_id, self.customer.customer_id)


def merchant(name: str = "shop", *, subscribed: bool = False) -> Merchant:
    """`subscribed`: the customer can log in (it has a subscription)."""
    seller = factories.reseller(factories.provider(f"admin{name}"), name.title(), f"{name}admin")
    customer = factories.customer(seller, f"{name}buyer", subscribed=subscribed)
    with session_scope(TenantContext(Role.RESELLER, seller.seller_id)) as session:
        card = gateways.create(session, seller_id=seller.seller_id, name="Cards", driver="sandbox_card",
                               settings={"merchant_id": "m_1", "api_key": API_KEY})
        external = gateways.create(session, seller_id=seller.seller_id, name="PayLater", driver="sandbox_external",
                                   settings={"account_email": "pay@shop.test", "webhook_secret": WEBHOOK_SECRET})
        manual = gateways.create(session, seller_id=seller.seller_id, name="Manual", driver="manual",
                                 settings={"methods": ["cheque", "bank_transfer", "cash"]})
        bank = gateways.create(session, seller_id=seller.seller_id, name="SEPA", driver="bank_account",
                               settings={"creditor_name": "Shop", "creditor_identifier": "DE98ZZZ09999999999"})
        ids = card.id, external.id, manual.id, bank.id
    return Merchant(seller.seller_id, customer, *ids)


def save_card(shop: Merchant, number: str, *, month: int = 12, year: int = 2030) -> uuid.UUID:
    return save_card_with(shop, number, CVV, month=month, year=year)


def save_card_with(shop: Merchant, number: str, cvv: str, *, month: int = 12, year: int = 2030) -> uuid.UUID:
    with session_scope(shop.as_customer()) as session:
        return methods.add_card(session, seller_id=shop.seller_id, customer_id=shop.customer.customer_id,
                                gateway_config_id=shop.card_gateway_id,
                                card=CardInput(number, month, year, cvv, "Ada Buyer")).id


def charge(shop: Merchant, method_id: uuid.UUID, amount: int = 1990, *, key: str | None = None,
           authorise_only: bool = False, initiator: str = "merchant", **extra: Any) -> uuid.UUID:
    with session_scope(shop.system()) as session:
        payment = service.charge_card(session, seller_id=shop.seller_id, payment_method_id=method_id,
                                      authorise_only=authorise_only, new=service.NewPayment(
                                          gateway_config_id=shop.card_gateway_id, amount=amount, currency="EUR",
                                          idempotency_key=key or uuid.uuid4().hex,
                                          customer_id=shop.customer.customer_id, initiator=initiator,
                                          purpose={"invoice_ids": ["inv-1"]}, **extra))
        return payment.id


def charge_intents(shop: Merchant, payment_id: uuid.UUID) -> list[PaymentCharge]:
    with session_scope(shop.system()) as session:
        rows = list(session.scalars(select(PaymentCharge).where(PaymentCharge.payment_id == payment_id)
                                    .order_by(PaymentCharge.created_at)))
        session.expunge_all()
        return rows


def perform(shop: Merchant, payment_id: uuid.UUID) -> str:
    """Perform the payment's open charge intent as a worker would."""
    intent = [i for i in charge_intents(shop, payment_id) if i.status in ("pending", "running")][-1]
    return intents.perform("payment_charge", shop.seller_id, intent.id)


def payment(shop: Merchant, payment_id: uuid.UUID) -> Payment:
    with session_scope(shop.system()) as session:
        row = session.get(Payment, payment_id)
        assert row is not None
        session.expunge(row)
        return row


def expire_lease(shop: Merchant, payment_id: uuid.UUID) -> None:
    """Time passes past the in-flight lease of the payment's charges (their worker died)."""
    with session_scope(shop.system()) as session:
        session.execute(update(PaymentCharge).where(PaymentCharge.payment_id == payment_id).values(
            in_flight_until=func.now() - timedelta(seconds=1), next_attempt_at=func.now()))

"""Paying for a storefront order: by card (internal gateway: tokenised, then a charge intent), by
redirect (external gateway: the buyer follows `payment.redirect_url`, the signed callback settles it) or
by a manual method (pending until staff mark it paid). The storefront's flow calls this as the visitor;
the outcome reaches it through the listeners (`purpose` carries the order id). A declined card leaves the
order unpaid: the buyer retries with another card under a new idempotency key."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from comptoir.payments import gateways, methods, service
from comptoir.payments.drivers.base import CardInput, Kind
from comptoir.payments.errors import PaymentError
from comptoir.payments.errors import PaymentErrorCode as Code
from comptoir.payments.models import Payment
from comptoir.storefront.models import Order


@dataclass(frozen=True)
class MethodInput:
    gateway_config_id: uuid.UUID
    idempotency_key: str
    card: CardInput | None = None  # internal gateways
    save_card: bool = True  # keep the card for renewals (authenticated now, the buyer being present)
    manual_method: str = ""  # manual gateways: cheque, bank_transfer, cash
    return_url: str = ""  # external gateways
    cancel_url: str = ""


def pay_for_order(session: Session, *, order: Order, method_input: MethodInput) -> Payment:
    """The order's payment, through one of the gateways its store offers."""
    offered = {config.id: config for config in gateways.store_gateways(session, store_id=order.store_id)}
    config = offered.get(method_input.gateway_config_id)
    if config is None:
        raise PaymentError(Code.NOT_SUPPORTED, "this store does not offer that gateway", field="gatewayConfigId")
    new = service.NewPayment(gateway_config_id=config.id, amount=order.total, currency=order.currency,
                             idempotency_key=method_input.idempotency_key, customer_id=order.customer_id,
                             initiator="customer", purpose={"order_id": str(order.id)},
                             description=f"Order {order.id}")
    kind = gateways.driver_of(config).capabilities.kind
    if kind is Kind.INTERNAL:
        if method_input.card is None:
            raise PaymentError(Code.CARD_REFUSED, "card details are required", field="card")
        card = methods.add_card(session, seller_id=order.seller_id, customer_id=order.customer_id,
                                gateway_config_id=config.id, card=method_input.card,
                                reusable=method_input.save_card, make_default=False)  # the first becomes it
        return service.charge_card(session, seller_id=order.seller_id, new=new, payment_method_id=card.id)
    if kind is Kind.EXTERNAL:
        return service.start_external(session, seller_id=order.seller_id, new=new,
                                      return_url=method_input.return_url, cancel_url=method_input.cancel_url)
    if kind is Kind.MANUAL:
        return service.create_manual(session, seller_id=order.seller_id, new=new, method=method_input.manual_method)
    raise PaymentError(Code.NOT_SUPPORTED, "a direct debit needs a mandate, not a checkout", field="gatewayConfigId")

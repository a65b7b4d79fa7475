"""checkoutComplete: the visitor's cart becomes a pending order, once per idempotency key
(comptoir.storefront.checkout); a logged-in customer of the seller buys as itself."""

from __future__ import annotations

from sqlalchemy.orm import Session
from strawberry.types import Info

from comptoir.resolvers.storefront_public import known_buyer
from comptoir.schema.base import mutate
from comptoir.schema.storefront_cart import CheckoutCompletePayload, Order
from comptoir.storefront import access, checkout
from comptoir.storefront.access import CartToken


async def checkout_complete(info: Info, cart_id: str, idempotency_key: str) -> CheckoutCompletePayload:
    context = info.context

    def work(session: Session) -> Order:
        token = CartToken.parse(cart_id)
        known = known_buyer(session, info)
        store = access.store_of_cart(session, cart=token)
        with access.visiting(session, store, cart=token):
            order = checkout.complete(session, token=token, key=idempotency_key, known=known,
                                      client_address=context.client_address, client_country=context.client_country)
            return Order.from_model(order)
    return await mutate(info, CheckoutCompletePayload, work, lambda order: CheckoutCompletePayload(order=order))

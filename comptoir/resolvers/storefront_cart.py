"""Public cart mutations (Shopify's and Saleor's shapes): each acts as the visitor presenting the cart."""

from __future__ import annotations

import strawberry
from sqlalchemy.orm import Session
from strawberry.types import Info

from comptoir.resolvers.storefront_public import cart_mutation
from comptoir.schema.base import mutate
from comptoir.schema.ids import decode_id
from comptoir.schema.storefront_cart import (
    BuyerIdentityInput,
    Cart,
    CartCreateInput,
    CartLineInput,
    CartLineUpdateInput,
    CartPayload,
)
from comptoir.settings import get_settings
from comptoir.storefront import access, carts, checkout
from comptoir.storefront.access import CartToken
from comptoir.storefront.carts import CartView, LineInput
from comptoir.money import visitor_locale


async def cart_create(info: Info, input: CartCreateInput) -> CartPayload:
    address = info.context.client_address

    def work(session: Session) -> CartView:
        checkout.limit_per_address(session, action="cart", attempts=get_settings().storefront_carts_per_address,
                                   client_address=address)
        store = access.find_store(session, key=input.store)
        token = CartToken.new(store.store_id)
        with access.visiting(session, store, cart=token):
            made = carts.create(session, store_id=store.store_id, seller_id=store.seller_id, token=token,
                                language=input.language, client_address=address)
            return carts.view(session, cart=made, token=token)
    return await mutate(info, CartPayload, work,
                        lambda view: CartPayload(cart=Cart.of(view, visitor_locale(view.language))))


def _line(given: CartLineInput | CartLineUpdateInput, *, offer: bool) -> LineInput:
    addons = None if given.addon_offer_ids is None else [decode_id(a, "Offer", field="addonOfferIds")
                                                         for a in given.addon_offer_ids]
    return LineInput(
        offer_id=decode_id(given.offer_id, "Offer", field="offerId") if offer else None,  # type: ignore[union-attr]
        cycle=given.cycle.value if given.cycle else None, addon_offer_ids=addons,
        domain_action=given.domain.action if given.domain else None,
        domain_name=given.domain.name if given.domain else None)


async def cart_lines_add(info: Info, cart_id: str, lines: list[CartLineInput]) -> CartPayload:
    return await cart_mutation(info, cart_id, lambda s, t: carts.add_lines(
        s, token=t, lines=[_line(line, offer=True) for line in lines]))


async def cart_lines_update(info: Info, cart_id: str, lines: list[CartLineUpdateInput]) -> CartPayload:
    return await cart_mutation(info, cart_id, lambda s, t: carts.update_lines(
        s, token=t, lines={decode_id(line.id, "CartLine"): _line(line, offer=False) for line in lines}))


async def cart_lines_remove(info: Info, cart_id: str, line_ids: list[strawberry.ID]) -> CartPayload:
    return await cart_mutation(info, cart_id, lambda s, t: carts.remove_lines(
        s, token=t, line_ids=[decode_id(line, "CartLine", field="lineIds") for line in line_ids]))


async def cart_coupon_apply(info: Info, cart_id: str, code: str) -> CartPayload:
    return await cart_mutation(info, cart_id, lambda s, t: carts.apply_coupon(s, token=t, code=code))


async def cart_buyer_identity_update(info: Info, cart_id: str, buyer_identity: BuyerIdentityInput) -> CartPayload:
    given = {name: value for name, value in vars(buyer_identity).items() if isinstance(value, str)}
    return await cart_mutation(info, cart_id, lambda s, t: carts.update_buyer(s, token=t, buyer=given))


async def cart_payment_method_select(info: Info, cart_id: str, payment_method: str) -> CartPayload:
    return await cart_mutation(info, cart_id, lambda s, t: carts.select_payment_method(
        s, token=t, method=payment_method))


async def cart_terms_accept(info: Info, cart_id: str, version: int) -> CartPayload:
    address = info.context.client_address
    return await cart_mutation(info, cart_id, lambda s, t: carts.accept_terms(
        s, token=t, version=version, client_address=address))

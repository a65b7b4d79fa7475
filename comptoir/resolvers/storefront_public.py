"""Public storefront resolvers: no log-in; each acts as the visitor of the store named by slug,
hostname or cart (comptoir.storefront.access), then gives the transaction back."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import strawberry
from sqlalchemy.orm import Session
from strawberry.types import Info

from comptoir.errors import DomainError
from comptoir.schema.base import mutate
from comptoir.schema.ids import decode_id
from comptoir.panel import branding as branding_service
from comptoir.panel.models import Branding as BrandingModel
from comptoir.schema.branding import Branding
from comptoir.schema.storefront import PanelBranding, Storefront
from comptoir.schema.storefront_cart import (
    BuyerIdentityInput,
    Cart,
    CartCreateInput,
    CartLineInput,
    CartLineUpdateInput,
    CartPayload,
    CheckoutCompletePayload,
    Order,
)
from comptoir.settings import get_settings
from comptoir.storefront import access, carts, catalog, checkout
from comptoir.storefront.access import CartToken
from comptoir.storefront.carts import CartView, KnownBuyer, LineInput
from comptoir.storefront.models import Cart as CartModel
from comptoir.storefront.models import Store as StoreModel
from comptoir.storefront.money import visitor_locale
from comptoir.tenancy.context import Role
from comptoir.tenancy.models import Customer


async def storefront(info: Info, store: str, language: str | None = None, locale: str | None = None,
                     offer_id: strawberry.ID | None = None) -> Storefront | None:
    """A published store by slug or hostname; with `offerId`, that offer alone (even a hidden one)."""
    def read(session: Session) -> catalog.Catalog | None:
        try:
            found = access.find_store(session, key=store)
            only = decode_id(offer_id, "Offer", field="offerId") if offer_id else None
            with access.visiting(session, found):
                return catalog.read(session, store_id=found.store_id, language=language, offer_id=only)
        except DomainError:
            return None
    found = await info.context.run(read)
    return None if found is None else Storefront.of(found, visitor_locale(locale or found.language))


async def panel_branding(info: Info, hostname: str) -> PanelBranding | None:
    """The look of the seller a custom hostname belongs to, for its white-label log-in page."""
    def read(session: Session) -> tuple[str, BrandingModel | None] | None:
        try:
            found = access.find_store(session, key=hostname)
        except DomainError:
            return None
        with access.visiting(session, found):
            store = session.get_one(StoreModel, found.store_id)
            return store.name, branding_service.get(session=session, seller_id=found.seller_id)
    found = await info.context.run(read)
    if found is None:
        return None
    return PanelBranding(store_name=found[0], branding=await asyncio.to_thread(Branding.from_model, found[1]))


def known_buyer(session: Session, info: Info) -> KnownBuyer | None:
    """The logged-in customer making the request, read in its own context before the visit begins."""
    tenant = info.context.tenant
    if tenant is None or tenant.role is not Role.CUSTOMER or tenant.customer_id is None:
        return None
    customer = session.get(Customer, tenant.customer_id)
    return KnownBuyer.of(customer) if customer else None


def _in_cart(session: Session, info: Info, cart_id: str, work: Callable[[Session, CartToken], CartModel]
             ) -> CartView:
    token = CartToken.parse(cart_id)
    known = known_buyer(session, info)
    store = access.store_of_cart(session, cart=token)
    with access.visiting(session, store, cart=token):
        return carts.view(session, cart=carts.adopt_buyer(work(session, token), known), token=token)


async def cart(info: Info, id: str, locale: str | None = None) -> Cart | None:
    def read(session: Session) -> CartView | None:
        try:
            return _in_cart(session, info, id, lambda s, token: carts.get_or_raise(s, token=token))
        except DomainError:
            return None
    found = await info.context.run(read)
    return None if found is None else Cart.of(found, visitor_locale(locale or found.language))


async def _cart_mutation(info: Info, cart_id: str, work: Callable[[Session, CartToken], CartModel]) -> CartPayload:
    return await mutate(info, CartPayload, lambda s: _in_cart(s, info, cart_id, work),
                        lambda view: CartPayload(cart=Cart.of(view, visitor_locale(view.language))))


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
    return await _cart_mutation(info, cart_id, lambda s, t: carts.add_lines(
        s, token=t, lines=[_line(line, offer=True) for line in lines]))


async def cart_lines_update(info: Info, cart_id: str, lines: list[CartLineUpdateInput]) -> CartPayload:
    return await _cart_mutation(info, cart_id, lambda s, t: carts.update_lines(
        s, token=t, lines={decode_id(line.id, "CartLine"): _line(line, offer=False) for line in lines}))


async def cart_lines_remove(info: Info, cart_id: str, line_ids: list[strawberry.ID]) -> CartPayload:
    return await _cart_mutation(info, cart_id, lambda s, t: carts.remove_lines(
        s, token=t, line_ids=[decode_id(line, "CartLine", field="lineIds") for line in line_ids]))


async def cart_coupon_apply(info: Info, cart_id: str, code: str) -> CartPayload:
    return await _cart_mutation(info, cart_id, lambda s, t: carts.apply_coupon(s, token=t, code=code))


async def cart_buyer_identity_update(info: Info, cart_id: str, buyer_identity: BuyerIdentityInput) -> CartPayload:
    given = {name: value for name, value in vars(buyer_identity).items() if isinstance(value, str)}
    return await _cart_mutation(info, cart_id, lambda s, t: carts.update_buyer(s, token=t, buyer=given))


async def cart_payment_method_select(info: Info, cart_id: str, payment_method: str) -> CartPayload:
    return await _cart_mutation(info, cart_id, lambda s, t: carts.select_payment_method(
        s, token=t, method=payment_method))


async def cart_terms_accept(info: Info, cart_id: str, version: int) -> CartPayload:
    address = info.context.client_address
    return await _cart_mutation(info, cart_id, lambda s, t: carts.accept_terms(
        s, token=t, version=version, client_address=address))


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

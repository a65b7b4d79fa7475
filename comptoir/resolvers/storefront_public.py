"""Public storefront queries and the helpers of public mutations: no log-in; each acts as the visitor of the store named by slug,
hostname or cart (comptoir.storefront.access), then gives the transaction back."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import strawberry
from sqlalchemy.orm import Session
from strawberry.types import Info

from comptoir.errors import DomainError
from comptoir.panel import branding as branding_service
from comptoir.panel.models import Branding as BrandingModel
from comptoir.schema.base import mutate
from comptoir.schema.branding import Branding
from comptoir.schema.ids import decode_id
from comptoir.schema.storefront import PanelBranding, Storefront
from comptoir.schema.storefront_cart import (
    Cart,
    CartPayload,
)
from comptoir.storefront import access, carts, catalog
from comptoir.storefront.access import CartToken
from comptoir.storefront.carts import CartView, KnownBuyer
from comptoir.storefront.models import Cart as CartModel
from comptoir.storefront.models import Store as StoreModel
from comptoir.money import visitor_locale
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


def in_cart(session: Session, info: Info, cart_id: str, work: Callable[[Session, CartToken], CartModel]
             ) -> CartView:
    token = CartToken.parse(cart_id)
    known = known_buyer(session, info)
    store = access.store_of_cart(session, cart=token)
    with access.visiting(session, store, cart=token):
        return carts.view(session, cart=carts.adopt_buyer(work(session, token), known), token=token)


async def cart(info: Info, id: str, locale: str | None = None) -> Cart | None:
    def read(session: Session) -> CartView | None:
        try:
            return in_cart(session, info, id, lambda s, token: carts.get_or_raise(s, token=token))
        except DomainError:
            return None
    found = await info.context.run(read)
    return None if found is None else Cart.of(found, visitor_locale(locale or found.language))


async def cart_mutation(info: Info, cart_id: str, work: Callable[[Session, CartToken], CartModel]) -> CartPayload:
    return await mutate(info, CartPayload, lambda s: in_cart(s, info, cart_id, work),
                        lambda view: CartPayload(cart=Cart.of(view, visitor_locale(view.language))))

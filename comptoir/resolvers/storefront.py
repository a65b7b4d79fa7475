"""Seller-side resolvers of stores, offers, orders and the review of pending customers."""

from __future__ import annotations

import strawberry
from sqlalchemy.orm import Session
from strawberry.types import Info

from comptoir.schema.base import mutate
from comptoir.schema.ids import decode_id
from comptoir.schema.storefront import (
    Offer,
    OfferCreateInput,
    OfferDeletePayload,
    OfferInput,
    OfferPayload,
    OfferUpdateInput,
    Store,
    StoreDeletePayload,
    StoreInput,
    StorePayload,
    StoreTermsPublishInput,
    StoreUpdateInput,
    texts,
)
from comptoir.schema.storefront_cart import CustomerReviewPayload, Order, PendingCustomer
from comptoir.storefront import offers, review, stores
from comptoir.storefront.models import Store as StoreModel
from comptoir.storefront.review import ReviewAction


def _store(session: Session, store: StoreModel) -> Store:
    return Store.from_model(store, terms=stores.current_terms(session, store_id=store.id),
                            offers=offers.list_(session, store_id=store.id))


async def my_stores(info: Info) -> list[Store]:
    seller_id = info.context.tenant.seller_id
    return await info.context.run(lambda s: [_store(s, store) for store in stores.list_(s, seller_id=seller_id)])


def _store_changes(input: StoreInput) -> stores.StoreChanges:
    return stores.StoreChanges(
        name=input.name, slug=input.slug, hostnames=input.hostnames, currency=input.currency,
        languages=input.languages, default_language=input.default_language, payment_methods=input.payment_methods,
        fraud_policy=input.fraud_policy.to_value() if input.fraud_policy else None, published=input.published)


async def store_create(info: Info, input: StoreInput) -> StorePayload:
    seller_id = info.context.tenant.seller_id
    return await mutate(info, StorePayload,
                        lambda s: _store(s, stores.create(s, seller_id=seller_id, changes=_store_changes(input))),
                        lambda store: StorePayload(store=store))


async def store_update(info: Info, input: StoreUpdateInput) -> StorePayload:
    def work(session: Session) -> Store:
        store_id = decode_id(input.id, "Store")
        return _store(session, stores.update(session, store_id=store_id, changes=_store_changes(input)))
    return await mutate(info, StorePayload, work, lambda store: StorePayload(store=store))


async def store_delete(info: Info, id: strawberry.ID) -> StoreDeletePayload:
    return await mutate(info, StoreDeletePayload, lambda s: stores.delete(s, store_id=decode_id(id, "Store")),
                        lambda _: StoreDeletePayload(deleted_id=id))


async def store_terms_publish(info: Info, input: StoreTermsPublishInput) -> StorePayload:
    def work(session: Session) -> Store:
        store_id = decode_id(input.store_id, "Store", field="storeId")
        stores.publish_terms(session, store_id=store_id, body=input.body)
        return _store(session, stores.get_or_raise(session, store_id=store_id))
    return await mutate(info, StorePayload, work, lambda store: StorePayload(store=store))


def _offer_changes(input: OfferInput) -> offers.OfferChanges:
    prices = None if input.prices is None else {p.cycle.value: p.minor_units for p in input.prices}
    addons = None if input.addon_offer_ids is None else [
        decode_id(a, "Offer", field="addonOfferIds") for a in input.addon_offer_ids]
    return offers.OfferChanges(
        plan_id=decode_id(input.plan_id, "Plan", field="planId") if input.plan_id else None,
        names=texts(input.names), descriptions=texts(input.descriptions), prices=prices, setup_fee=input.setup_fee,
        addon_offer_ids=addons, position=input.position, hidden=input.hidden, published=input.published)


async def offer_create(info: Info, input: OfferCreateInput) -> OfferPayload:
    def work(session: Session) -> Offer:
        store_id = decode_id(input.store_id, "Store", field="storeId")
        return Offer.from_model(offers.create(session, store_id=store_id, changes=_offer_changes(input)))
    return await mutate(info, OfferPayload, work, lambda offer: OfferPayload(offer=offer))


async def offer_update(info: Info, input: OfferUpdateInput) -> OfferPayload:
    def work(session: Session) -> Offer:
        offer_id = decode_id(input.id, "Offer")
        return Offer.from_model(offers.update(session, offer_id=offer_id, changes=_offer_changes(input)))
    return await mutate(info, OfferPayload, work, lambda offer: OfferPayload(offer=offer))


async def offer_delete(info: Info, id: strawberry.ID) -> OfferDeletePayload:
    return await mutate(info, OfferDeletePayload, lambda s: offers.delete(s, offer_id=decode_id(id, "Offer")),
                        lambda _: OfferDeletePayload(deleted_id=id))


async def pending_customers(info: Info) -> list[PendingCustomer]:
    seller_id = info.context.tenant.seller_id
    return await info.context.run(lambda s: [PendingCustomer.from_model(c)
                                             for c in review.list_pending(s, seller_id=seller_id)])


async def orders(info: Info, status: str | None = None) -> list[Order]:
    seller_id = info.context.tenant.seller_id
    return await info.context.run(lambda s: [Order.from_model(o)
                                             for o in review.orders_of(s, seller_id=seller_id, status=status)])


def _reviewer(action: ReviewAction):  # type: ignore[no-untyped-def]
    async def resolve(info: Info, id: strawberry.ID) -> CustomerReviewPayload:
        return await mutate(
            info, CustomerReviewPayload,
            lambda s: PendingCustomer.from_model(review.review(s, customer_id=decode_id(id, "Customer"), action=action)),
            lambda customer: CustomerReviewPayload(customer=customer))
    return resolve


customer_activate = _reviewer(ReviewAction.ACTIVATE)
customer_cancel = _reviewer(ReviewAction.CANCEL)
customer_mark_fraudulent = _reviewer(ReviewAction.MARK_FRAUDULENT)

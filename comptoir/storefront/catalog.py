"""The public catalog of one store, read as its visitor (storefront role): published offers only."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.storefront import stores
from comptoir.storefront.errors import StorefrontError, StorefrontErrorCode
from comptoir.storefront.models import Offer, Store
from comptoir.money import Money
from comptoir.storefront.rules import Cycle

CYCLE_ORDER = [cycle.value for cycle in Cycle]


@dataclass(frozen=True)
class CatalogPrice:
    cycle: str
    price: Money


@dataclass(frozen=True)
class CatalogOffer:
    id: uuid.UUID
    kind: str
    name: str
    description: str
    position: int
    hidden: bool
    prices: list[CatalogPrice]
    setup_fee: Money
    addons: list[CatalogOffer]


@dataclass(frozen=True)
class CatalogTerms:
    version: int
    body: str


@dataclass(frozen=True)
class Catalog:
    store_id: uuid.UUID
    name: str
    slug: str
    currency: str
    languages: list[str]
    language: str
    payment_methods: list[str]
    terms: CatalogTerms | None
    offers: list[CatalogOffer]


def localized(texts: Mapping[str, str], language: str, default: str) -> str:
    """The text in the visitor's language, else the store's default, else any."""
    return texts.get(language) or texts.get(language.split("_")[0]) or texts.get(default) or next(
        iter(texts.values()), "")


def _store(session: Session, store_id: uuid.UUID) -> Store:
    store = session.get(Store, store_id)
    if store is None:  # unpublished since the look-up: the visitor's role no longer sees it
        raise StorefrontError(StorefrontErrorCode.STORE_NOT_FOUND, "No store answers to this name.", field="store")
    return store


def _language(store: Store, wanted: str | None) -> str:
    wanted = (wanted or "").replace("-", "_")
    return wanted if wanted in store.languages else store.default_language


def _convert(offer: Offer, store: Store, language: str, addons: list[CatalogOffer]) -> CatalogOffer:
    prices = [CatalogPrice(cycle, Money(offer.prices[cycle], store.currency))
              for cycle in CYCLE_ORDER if cycle in offer.prices]
    return CatalogOffer(
        id=offer.id, kind=offer.kind, name=localized(offer.names, language, store.default_language),
        description=localized(offer.descriptions, language, store.default_language), position=offer.position,
        hidden=offer.hidden, prices=prices, setup_fee=Money(offer.setup_fee, store.currency), addons=addons)


def _offers(session: Session, store: Store, language: str, *, only: uuid.UUID | None = None) -> list[CatalogOffer]:
    rows = list(session.scalars(select(Offer).where(Offer.store_id == store.id)
                                .order_by(Offer.position, Offer.id)))
    by_id = {offer.id: offer for offer in rows}
    converted = []
    for offer in rows:
        if offer.kind != "service" or (only is None and offer.hidden) or (only is not None and offer.id != only):
            continue
        addons = [_convert(by_id[a], store, language, []) for a in offer.addon_offer_ids if a in by_id]
        converted.append(_convert(offer, store, language, addons))
    return converted


def read(session: Session, *, store_id: uuid.UUID, language: str | None,
         offer_id: uuid.UUID | None = None) -> Catalog:
    """The store and its listed offers; with `offer_id`, that offer alone, even hidden (a direct link)."""
    store = _store(session, store_id)
    chosen = _language(store, language)
    terms = stores.current_terms(session, store_id=store.id)
    return Catalog(
        store_id=store.id, name=store.name, slug=store.slug, currency=store.currency, languages=store.languages,
        language=chosen, payment_methods=store.payment_methods,
        terms=CatalogTerms(terms.version, terms.body) if terms else None,
        offers=_offers(session, store, chosen, only=offer_id))

"""What a store sells: plans and add-ons with prices per cycle, setup fees and per-language texts."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.errors import CommonErrorCode, DomainError, collect_errors
from comptoir.hosting.models import ServicePlan
from comptoir.storefront import stores
from comptoir.storefront.errors import StorefrontError, StorefrontErrorCode
from comptoir.storefront.models import Offer
from comptoir.storefront.rules import Cycle

MAX_TEXT = 5000
MAX_AMOUNT = 10**12  # minor units: far above any hosting price, far below bigint


@dataclass(frozen=True)
class OfferChanges:
    """None leaves a field as it is; create needs plan, names and prices."""

    plan_id: uuid.UUID | None = None
    names: Mapping[str, str] | None = None
    descriptions: Mapping[str, str] | None = None
    prices: Mapping[str, int] | None = None
    setup_fee: int | None = None
    addon_offer_ids: Sequence[uuid.UUID] | None = None
    position: int | None = None
    hidden: bool | None = None
    published: bool | None = None


def check_prices(prices: Mapping[str, int]) -> dict[str, int]:
    cycles = {cycle.value for cycle in Cycle}
    if not prices:
        raise DomainError(CommonErrorCode.REQUIRED, "Give a price for at least one cycle.", field="prices")
    for cycle, amount in prices.items():
        if cycle not in cycles:
            raise DomainError(CommonErrorCode.INVALID, f"Unknown cycle {cycle[:20]!r}.", field="prices")
        _check_amount(amount, "prices")
    return dict(prices)


def _check_amount(amount: int, field: str) -> int:
    if not 0 <= amount <= MAX_AMOUNT:
        raise DomainError(CommonErrorCode.INVALID, "Amounts are 0 or more, in minor units.", field=field)
    return amount


def check_texts(texts: Mapping[str, str], languages: Sequence[str], field: str, *, required: bool) -> dict[str, str]:
    cleaned = {language: text.strip() for language, text in texts.items() if text.strip()}
    if any(language not in languages for language in cleaned):
        raise DomainError(CommonErrorCode.INVALID, "Give texts in the store's languages only.", field=field)
    if any(len(text) > MAX_TEXT for text in cleaned.values()):
        raise DomainError(CommonErrorCode.TOO_LONG, f"Use at most {MAX_TEXT} characters.", field=field)
    if required and not cleaned:
        raise DomainError(CommonErrorCode.REQUIRED, "Give a name in at least one language.", field=field)
    return cleaned


def get_or_raise(session: Session, *, offer_id: uuid.UUID) -> Offer:
    offer = session.get(Offer, offer_id)
    if offer is None:
        raise StorefrontError(StorefrontErrorCode.OFFER_UNAVAILABLE, "No offer with this id.", field="id")
    return offer


def list_(session: Session, *, store_id: uuid.UUID) -> list[Offer]:
    return list(session.scalars(select(Offer).where(Offer.store_id == store_id).order_by(Offer.position, Offer.id)))


def create(session: Session, *, store_id: uuid.UUID, changes: OfferChanges) -> Offer:
    store = stores.get_or_raise(session, store_id=store_id)
    plan = session.get(ServicePlan, changes.plan_id) if changes.plan_id else None
    if plan is None or plan.seller_id != store.seller_id:
        raise StorefrontError(StorefrontErrorCode.PLAN_NOT_FOUND, "No plan with this id.", field="planId")
    offer = Offer(seller_id=store.seller_id, store_id=store.id, plan_id=plan.id, kind=plan.kind, names={}, prices={})
    _apply(session, offer, changes, store.languages, is_new=True)
    session.add(offer)
    session.flush()
    return offer


def update(session: Session, *, offer_id: uuid.UUID, changes: OfferChanges) -> Offer:
    offer = get_or_raise(session, offer_id=offer_id)
    store = stores.get_or_raise(session, store_id=offer.store_id)
    _apply(session, offer, changes, store.languages, is_new=False)
    offer.updated_at = clock.now()
    session.flush()
    return offer


def delete(session: Session, *, offer_id: uuid.UUID) -> None:
    """Orders keep a snapshot of what they bought, so an offer may go at any time."""
    session.delete(get_or_raise(session, offer_id=offer_id))
    session.flush()


def _apply(session: Session, offer: Offer, changes: OfferChanges, languages: Sequence[str], *, is_new: bool) -> None:
    with collect_errors() as errors:
        if changes.names is not None or is_new:
            names = errors.check(lambda: check_texts(changes.names or {}, languages, "names", required=True))
            offer.names = names if names is not None else offer.names
        if changes.descriptions is not None:
            descriptions = errors.check(lambda: check_texts(changes.descriptions or {}, languages, "descriptions",
                                                            required=False))
            offer.descriptions = descriptions if descriptions is not None else offer.descriptions
        if changes.prices is not None or is_new:
            prices = errors.check(lambda: check_prices(changes.prices or {}))
            offer.prices = prices if prices is not None else offer.prices
        if changes.setup_fee is not None:
            offer.setup_fee = errors.check(lambda: _check_amount(changes.setup_fee or 0, "setupFee")) or 0
        if changes.addon_offer_ids is not None:
            errors.check(lambda: _check_addons(session, offer, changes.addon_offer_ids or ()))
    for name in ("position", "hidden", "published"):
        value = getattr(changes, name)
        if value is not None:
            setattr(offer, name, value)


def _check_addons(session: Session, offer: Offer, addon_ids: Sequence[uuid.UUID]) -> None:
    """A plan offer lists the add-on offers of the same store sold with it."""
    wanted = list(dict.fromkeys(addon_ids))
    if wanted and offer.kind != "service":
        raise StorefrontError(StorefrontErrorCode.ADDON_NOT_COMPATIBLE, "Only a plan offer lists add-ons.",
                              field="addonOfferIds")
    found = set(session.scalars(select(Offer.id).where(Offer.id.in_(wanted), Offer.store_id == offer.store_id,
                                                       Offer.kind == "addon")))
    if found != set(wanted):
        raise StorefrontError(StorefrontErrorCode.ADDON_NOT_COMPATIBLE,
                              "Add-ons must be add-on offers of the same store.", field="addonOfferIds")
    offer.addon_offer_ids = wanted

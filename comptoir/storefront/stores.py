"""A seller's online stores: names, addresses (slug, custom hostnames), currency, languages, terms."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.numbers import get_currency_name
from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.errors import CommonErrorCode, DomainError, collect_errors
from comptoir.storefront.errors import StorefrontError, StorefrontErrorCode
from comptoir.storefront.models import Order, Store, StoreTerms
from comptoir.storefront.rules import FraudPolicy
from comptoir.tenancy.validation import check_text

SLUG = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
PAYMENT_METHODS = ("bank_transfer", "cash", "check", "manual")  # gateways arrive with the payments issue
MAX_HOSTNAMES = 20


@dataclass(frozen=True)
class StoreChanges:
    """What a create or update sets; None leaves a field as it is (create needs name, slug, currency)."""

    name: str | None = None
    slug: str | None = None
    hostnames: Sequence[str] | None = None
    currency: str | None = None
    languages: Sequence[str] | None = None
    default_language: str | None = None
    payment_methods: Sequence[str] | None = None
    fraud_policy: FraudPolicy | None = None
    published: bool | None = None


def check_slug(slug: str) -> str:
    slug = slug.strip().lower()
    if not SLUG.match(slug):
        raise DomainError(CommonErrorCode.INVALID, "Use 1-63 lower-case letters, digits and inner dashes.",
                          field="slug")
    return slug


def check_hostnames(hostnames: Sequence[str]) -> list[str]:
    cleaned = list(dict.fromkeys(h.strip().lower().rstrip(".") for h in hostnames))
    if len(cleaned) > MAX_HOSTNAMES:
        raise DomainError(CommonErrorCode.TOO_MANY, f"At most {MAX_HOSTNAMES} hostnames.", field="hostnames")
    for name in cleaned:
        if not HOSTNAME.match(name):
            raise DomainError(CommonErrorCode.INVALID, f"{name[:60]!r} is not a hostname.", field="hostnames")
    return cleaned


def check_currency(currency: str) -> str:
    code = currency.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code) or get_currency_name(code, locale="en") == code:
        raise DomainError(CommonErrorCode.INVALID, "Use an ISO 4217 currency code.", field="currency")
    return code


def check_languages(languages: Sequence[str]) -> list[str]:
    checked = []
    for language in dict.fromkeys(languages):
        try:
            checked.append(str(Locale.parse(language.replace("-", "_"))))
        except (UnknownLocaleError, ValueError):
            raise DomainError(CommonErrorCode.INVALID, f"Unknown language {language[:20]!r}.",
                              field="languages") from None
    if not checked:
        raise DomainError(CommonErrorCode.REQUIRED, "Give at least one language.", field="languages")
    return checked


def check_payment_methods(methods: Sequence[str]) -> list[str]:
    unknown = [m for m in methods if m not in PAYMENT_METHODS]
    if unknown:
        raise DomainError(CommonErrorCode.INVALID, f"Offer only: {', '.join(PAYMENT_METHODS)}.",
                          field="paymentMethods")
    return list(dict.fromkeys(methods))


def get_or_raise(session: Session, *, store_id: uuid.UUID) -> Store:
    store = session.get(Store, store_id)
    if store is None:
        raise StorefrontError(StorefrontErrorCode.STORE_NOT_FOUND, "No store with this id.", field="id")
    return store


def list_(session: Session, *, seller_id: uuid.UUID) -> list[Store]:
    """The seller's own stores (the provider's RLS view is wider, so the seller is explicit)."""
    return list(session.scalars(select(Store).where(Store.seller_id == seller_id)
                                .order_by(Store.created_at, Store.id)))


def create(session: Session, *, seller_id: uuid.UUID, changes: StoreChanges) -> Store:
    """A new store, unpublished unless asked; its slug and hostnames must be free instance-wide."""
    with collect_errors() as errors:
        if not changes.name or not changes.name.strip():
            errors.add(DomainError(CommonErrorCode.REQUIRED, "Give the store a name.", field="name"))
        errors.check(lambda: check_slug(changes.slug or ""))
        errors.check(lambda: check_currency(changes.currency or ""))
    store = Store(seller_id=seller_id, name="-", slug="-", currency="XXX", languages=["en"], default_language="en",
                  fraud_policy=FraudPolicy().to_json())
    _apply(store, changes, has_orders=False)
    return _save(session, store, is_new=True)


def update(session: Session, *, store_id: uuid.UUID, changes: StoreChanges) -> Store:
    store = get_or_raise(session, store_id=store_id)
    _apply(store, changes, has_orders=has_orders(session, store_id=store_id))
    store.updated_at = clock.now()
    return _save(session, store, is_new=False)


def delete(session: Session, *, store_id: uuid.UUID) -> None:
    """A store that took orders is kept (orders point at it): unpublish it instead."""
    store = get_or_raise(session, store_id=store_id)
    if has_orders(session, store_id=store_id):
        raise StorefrontError(StorefrontErrorCode.STORE_HAS_ORDERS, "This store has orders; unpublish it instead.",
                              field="id")
    session.delete(store)
    session.flush()


def has_orders(session: Session, *, store_id: uuid.UUID) -> bool:
    return bool(session.scalar(select(exists().where(Order.store_id == store_id))))


def _apply(store: Store, changes: StoreChanges, *, has_orders: bool) -> None:
    values: dict[str, Any] = {}
    with collect_errors() as errors:
        if changes.name is not None:
            values["name"] = errors.check(lambda: check_text(changes.name or "", "name"))
        if changes.slug is not None:
            values["slug"] = errors.check(lambda: check_slug(changes.slug or ""))
        if changes.hostnames is not None:
            values["hostnames"] = errors.check(lambda: check_hostnames(changes.hostnames or ()))
        if changes.currency is not None:
            currency = errors.check(lambda: check_currency(changes.currency or ""))
            if has_orders and currency and currency != store.currency:
                errors.add(StorefrontError(StorefrontErrorCode.CURRENCY_LOCKED,
                                           "The currency is fixed once the store has an order.", field="currency"))
            values["currency"] = currency
        if changes.languages is not None:
            values["languages"] = errors.check(lambda: check_languages(changes.languages or ()))
        if changes.payment_methods is not None:
            values["payment_methods"] = errors.check(lambda: check_payment_methods(changes.payment_methods or ()))
    for name, value in values.items():
        setattr(store, name, value)
    if changes.default_language is not None:
        store.default_language = changes.default_language.replace("-", "_")
    elif store.default_language not in store.languages:
        store.default_language = store.languages[0]
    if store.default_language not in store.languages:
        raise DomainError(CommonErrorCode.INVALID, "The default language must be one of the store's languages.",
                          field="defaultLanguage")
    if changes.fraud_policy is not None:
        store.fraud_policy = changes.fraud_policy.to_json()
    if changes.published is not None:
        store.published = changes.published


def _save(session: Session, store: Store, *, is_new: bool) -> Store:
    try:
        with session.begin_nested():
            if is_new:
                session.add(store)
            session.flush()
    except IntegrityError as error:
        constraint = getattr(getattr(error.orig, "diag", None), "constraint_name", None)
        if constraint == "stores_slug_unique":
            raise StorefrontError(StorefrontErrorCode.SLUG_TAKEN, "This slug is taken.", field="slug") from None
        if constraint == "stores_hostname_unique":
            raise StorefrontError(StorefrontErrorCode.HOSTNAME_TAKEN, "A hostname is taken.",
                                  field="hostnames") from None
        raise
    return store


def current_terms(session: Session, *, store_id: uuid.UUID) -> StoreTerms | None:
    return session.scalars(select(StoreTerms).where(StoreTerms.store_id == store_id)
                           .order_by(StoreTerms.version.desc()).limit(1)).first()


def publish_terms(session: Session, *, store_id: uuid.UUID, body: str) -> StoreTerms:
    """A new version of the store's terms; earlier versions stay (orders name the one accepted)."""
    store = get_or_raise(session, store_id=store_id)
    body = body.strip()
    if not body:
        raise DomainError(CommonErrorCode.REQUIRED, "Give the text of the terms.", field="body")
    version = session.scalars(select(func.coalesce(func.max(StoreTerms.version), 0))
                              .where(StoreTerms.store_id == store.id)).one() + 1
    terms = StoreTerms(seller_id=store.seller_id, store_id=store.id, version=version, body=body)
    session.add(terms)
    session.flush()
    return terms

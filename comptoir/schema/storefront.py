"""GraphQL types of online stores and offers (seller side) and the public catalog."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from comptoir.schema.branding import Branding
from comptoir.schema.base import Node, UserError, error_code_enum
from comptoir.schema.ids import encode_id
from comptoir.storefront import catalog
from comptoir.storefront.errors import StorefrontErrorCode as _StorefrontErrorCode
from comptoir.storefront.models import Offer as OfferModel
from comptoir.storefront.models import Store as StoreModel
from comptoir.storefront.models import StoreTerms as StoreTermsModel
from comptoir.money import Money as MoneyValue
from comptoir.storefront.rules import Cycle as _Cycle
from comptoir.storefront.rules import FraudPolicy as FraudPolicyValue
from comptoir.tenancy.errors import ValidationErrorCode

StorefrontErrorCode = error_code_enum("StorefrontErrorCode", _StorefrontErrorCode, ValidationErrorCode)
BillingCycle = strawberry.enum(_Cycle, name="BillingCycle")


@strawberry.type
class StorefrontError(UserError):
    code: StorefrontErrorCode  # type: ignore[valid-type]


@strawberry.type(description="An amount of money: exact decimal, integer minor units, and formatted for a locale.")
class Money:
    amount: str = strawberry.field(description="Decimal amount in major units, as a string (\"12.50\").")
    minor_units: int
    currency_code: str
    formatted: str = strawberry.field(description="Formatted by Babel for the visitor's locale.")

    @classmethod
    def of(cls, money: MoneyValue, locale: str) -> Money:
        return cls(amount=str(money.amount), minor_units=money.minor, currency_code=money.currency,
                   formatted=money.formatted(locale))


@strawberry.type
class FraudPolicy:
    manual_review: bool
    disposable_email: bool
    country_mismatch: bool
    total_above: int | None = strawberry.field(description="Minor units; null: rule off.")
    orders_per_address_per_hour: int | None
    vat_id_invalid: bool
    extra_disposable_domains: list[str]

    @classmethod
    def of(cls, policy: FraudPolicyValue) -> FraudPolicy:
        return cls(**{name: (list(v) if isinstance(v, tuple) else v) for name, v in policy.__dict__.items()})


@strawberry.input
class FraudPolicyInput:
    manual_review: bool = False
    disposable_email: bool = True
    country_mismatch: bool = False
    total_above: int | None = None
    orders_per_address_per_hour: int | None = None
    vat_id_invalid: bool = True
    extra_disposable_domains: list[str] = strawberry.field(default_factory=list)

    def to_value(self) -> FraudPolicyValue:
        return FraudPolicyValue(
            manual_review=self.manual_review, disposable_email=self.disposable_email,
            country_mismatch=self.country_mismatch, total_above=self.total_above,
            orders_per_address_per_hour=self.orders_per_address_per_hour, vat_id_invalid=self.vat_id_invalid,
            extra_disposable_domains=tuple(d.strip().lower() for d in self.extra_disposable_domains[:500]))


@strawberry.type
class StoreTerms:
    version: int
    body: str
    created_at: datetime | None = None

    @classmethod
    def from_model(cls, terms: StoreTermsModel) -> StoreTerms:
        return cls(version=terms.version, body=terms.body, created_at=terms.created_at)


@strawberry.type
class OfferPrice:
    cycle: BillingCycle  # type: ignore[valid-type]
    minor_units: int


@strawberry.type(description="A plan or add-on on sale in a store (the seller's view).")
class Offer(Node):
    kind: str
    plan_id: strawberry.ID
    names: JSON = strawberry.field(description="Name per language code.")
    descriptions: JSON
    prices: list[OfferPrice]
    setup_fee: int
    addon_offer_ids: list[strawberry.ID]
    position: int
    hidden: bool = strawberry.field(description="Not listed, but orderable by a direct link.")
    published: bool

    @classmethod
    def from_model(cls, offer: OfferModel) -> Offer:
        return cls(
            id=strawberry.ID(encode_id("Offer", offer.id)), kind=offer.kind,
            plan_id=strawberry.ID(encode_id("Plan", offer.plan_id)), names=offer.names,
            descriptions=offer.descriptions,
            prices=[OfferPrice(cycle=_Cycle(c), minor_units=offer.prices[c]) for c in catalog.CYCLE_ORDER
                    if c in offer.prices],
            setup_fee=offer.setup_fee, addon_offer_ids=[strawberry.ID(encode_id("Offer", a)) for a in offer.addon_offer_ids],
            position=offer.position, hidden=offer.hidden, published=offer.published)


@strawberry.type(description="An online store of the seller (SPEC §5).")
class Store(Node):
    name: str
    slug: str
    hostnames: list[str]
    currency: str
    languages: list[str]
    default_language: str
    payment_methods: list[str]
    fraud_policy: FraudPolicy
    published: bool
    terms: StoreTerms | None
    offers: list[Offer]

    @classmethod
    def from_model(cls, store: StoreModel, *, terms: StoreTermsModel | None, offers: list[OfferModel]) -> Store:
        return cls(
            id=strawberry.ID(encode_id("Store", store.id)), name=store.name, slug=store.slug,
            hostnames=list(store.hostnames), currency=store.currency, languages=list(store.languages),
            default_language=store.default_language, payment_methods=list(store.payment_methods),
            fraud_policy=FraudPolicy.of(FraudPolicyValue.from_json(store.fraud_policy)), published=store.published,
            terms=StoreTerms.from_model(terms) if terms else None, offers=[Offer.from_model(o) for o in offers])


@strawberry.type
class StorePayload:
    store: Store | None = None
    errors: list[StorefrontError] = strawberry.field(default_factory=list)


@strawberry.type
class StoreDeletePayload:
    deleted_id: strawberry.ID | None = None
    errors: list[StorefrontError] = strawberry.field(default_factory=list)


@strawberry.type
class OfferPayload:
    offer: Offer | None = None
    errors: list[StorefrontError] = strawberry.field(default_factory=list)


@strawberry.type
class OfferDeletePayload:
    deleted_id: strawberry.ID | None = None
    errors: list[StorefrontError] = strawberry.field(default_factory=list)


@strawberry.input
class StoreInput:
    name: str | None = None
    slug: str | None = None
    hostnames: list[str] | None = None
    currency: str | None = None
    languages: list[str] | None = None
    default_language: str | None = None
    payment_methods: list[str] | None = None
    fraud_policy: FraudPolicyInput | None = None
    published: bool | None = None


@strawberry.input
class StoreUpdateInput(StoreInput):
    id: strawberry.ID


@strawberry.input
class StoreTermsPublishInput:
    store_id: strawberry.ID
    body: str


@strawberry.input
class OfferPriceInput:
    cycle: BillingCycle  # type: ignore[valid-type]
    minor_units: int


@strawberry.input
class LocalizedTextInput:
    language: str
    text: str


@strawberry.input
class OfferInput:
    plan_id: strawberry.ID | None = None
    names: list[LocalizedTextInput] | None = None
    descriptions: list[LocalizedTextInput] | None = None
    prices: list[OfferPriceInput] | None = None
    setup_fee: int | None = None
    addon_offer_ids: list[strawberry.ID] | None = None
    position: int | None = None
    hidden: bool | None = None
    published: bool | None = None


@strawberry.input
class OfferCreateInput(OfferInput):
    store_id: strawberry.ID


@strawberry.input
class OfferUpdateInput(OfferInput):
    id: strawberry.ID


# -- the public catalog ----------------------------------------------------------------------------


@strawberry.type
class CatalogPrice:
    cycle: BillingCycle  # type: ignore[valid-type]
    price: Money


@strawberry.type(description="An offer as a store's visitor sees it: localized, prices formatted.")
class CatalogOffer:
    id: strawberry.ID
    kind: str
    name: str
    description: str
    position: int
    prices: list[CatalogPrice]
    setup_fee: Money
    addons: list[CatalogOffer] = strawberry.field(description="Add-ons sold with this plan.")

    @classmethod
    def of(cls, offer: catalog.CatalogOffer, locale: str) -> CatalogOffer:
        return cls(id=strawberry.ID(encode_id("Offer", offer.id)), kind=offer.kind, name=offer.name,
                   description=offer.description, position=offer.position,
                   prices=[CatalogPrice(cycle=_Cycle(p.cycle), price=Money.of(p.price, locale)) for p in offer.prices],
                   setup_fee=Money.of(offer.setup_fee, locale), addons=[cls.of(a, locale) for a in offer.addons])


@strawberry.type(description="A published store as its visitors see it (no log-in).")
class Storefront:
    name: str
    slug: str
    currency: str
    languages: list[str]
    language: str = strawberry.field(description="The language texts are given in.")
    payment_methods: list[str]
    terms: StoreTerms | None
    offers: list[CatalogOffer]

    @classmethod
    def of(cls, found: catalog.Catalog, locale: str) -> Storefront:
        terms = StoreTerms(version=found.terms.version, body=found.terms.body) if found.terms else None
        return cls(name=found.name, slug=found.slug, currency=found.currency, languages=found.languages,
                   language=found.language, payment_methods=found.payment_methods, terms=terms,
                   offers=[CatalogOffer.of(o, locale) for o in found.offers])


@strawberry.type(description="Whose panel a custom hostname serves: the log-in page shows this look.")
class PanelBranding:
    store_name: str
    branding: Branding


def texts(items: list[LocalizedTextInput] | None) -> dict[str, str] | None:
    return None if items is None else {item.language.replace("-", "_"): item.text for item in items}



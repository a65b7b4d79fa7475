"""GraphQL types of tax configuration: zones and their rates, a store's price mode, a customer's profile."""

from __future__ import annotations

import enum
import uuid
from datetime import date
from decimal import Decimal

import strawberry
from sqlalchemy import select
from sqlalchemy.orm import Session
from strawberry.types import Info

from comptoir.billing.coupon_rules import CouponErrorCode as _CouponErrorCode
from comptoir.billing.tax_models import CustomerTaxProfile as ProfileModel
from comptoir.billing.tax_models import StoreTaxSettings as StoreSettingsModel
from comptoir.billing.tax_models import TaxRate as RateModel
from comptoir.billing.tax_models import TaxZone as ZoneModel
from comptoir.billing.taxes import TaxErrorCode as _TaxErrorCode
from comptoir.database.pagination import SortDirection
from comptoir.schema.base import Node, UserError, error_code_enum
from comptoir.schema.dataloaders import Loader
from comptoir.schema.ids import encode_id

PricingErrorCode = error_code_enum("PricingErrorCode", _TaxErrorCode, _CouponErrorCode,
                                   description="Why a tax or coupon operation was refused.")


@strawberry.type
class PricingError(UserError):
    code: PricingErrorCode  # type: ignore[valid-type]


@strawberry.enum(description="EN 16931 (UNTDID 5305) category of a configured rate.")
class TaxRateCategory(enum.Enum):
    STANDARD = "S"
    ZERO_RATED = "Z"


@strawberry.enum
class TaxZoneSortField(enum.Enum):
    CREATED_AT = "created_at"
    NAME = "name"


@strawberry.type(description="A rate of a zone from validFrom to validTo (both included; null: until changed). "
                             "An invoice takes the rate in force on its date.")
class TaxRate(Node):
    category: TaxRateCategory
    rate: Decimal = strawberry.field(description="Percent, e.g. 20.000.")
    name: str
    valid_from: date
    valid_to: date | None

    @classmethod
    def from_model(cls, rate: RateModel) -> TaxRate:
        return cls(id=strawberry.ID(encode_id("TaxRate", rate.id)), category=TaxRateCategory(rate.category),
                   rate=Decimal(rate.rate).quantize(Decimal("0.001")), name=rate.name, valid_from=rate.valid_from, valid_to=rate.valid_to)


@strawberry.type(description="Countries (FR) and regions (US-CA) taxed alike; a buyer's region beats its country.")
class TaxZone(Node):
    name: str
    areas: list[str]
    zone_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="Oldest first.")
    async def rates(self, info: Info) -> list[TaxRate]:
        return await info.context.loaders.extra("tax_rates_by_zone", TaxRatesByZoneLoader).load(  # type: ignore[no-any-return]
            self.zone_id)

    @classmethod
    def from_model(cls, zone: ZoneModel) -> TaxZone:
        return cls(id=strawberry.ID(encode_id("TaxZone", zone.id)), name=zone.name, areas=list(zone.areas),
                   zone_id=zone.id)


class TaxRatesByZoneLoader(Loader[uuid.UUID, list[TaxRate]]):
    def fetch(self, session: Session, keys: list[uuid.UUID]) -> list[list[TaxRate]]:
        found: dict[uuid.UUID, list[TaxRate]] = {key: [] for key in keys}
        for rate in session.scalars(select(RateModel).where(RateModel.zone_id.in_(keys)).order_by(
                RateModel.valid_from, RateModel.category, RateModel.id)):
            found[rate.zone_id].append(TaxRate.from_model(rate))
        return [found[key] for key in keys]


@strawberry.type(description="Whether a store's prices include tax (a store never set: they do not).")
class StoreTaxSettings:
    store_id: strawberry.ID
    prices_include_tax: bool

    @classmethod
    def from_model(cls, settings: StoreSettingsModel | None, store_id: strawberry.ID) -> StoreTaxSettings:
        return cls(store_id=store_id, prices_include_tax=bool(settings and settings.prices_include_tax))


@strawberry.type(description="How a customer is taxed: business (B2B) or consumer, its EU VAT id, an exemption.")
class CustomerTaxProfile:
    customer_id: strawberry.ID
    b2b: bool
    vat_id: str = strawberry.field(description="Compact form (FR40303265045); empty: none.")
    exempt: bool
    exemption_reason: str = strawberry.field(description="Printed on the customer's invoices when exempt.")

    @classmethod
    def from_model(cls, profile: ProfileModel | None, customer_id: strawberry.ID) -> CustomerTaxProfile:
        if profile is None:
            return cls(customer_id=customer_id, b2b=False, vat_id="", exempt=False, exemption_reason="")
        return cls(customer_id=customer_id, b2b=profile.b2b, vat_id=profile.vat_id, exempt=profile.exempt,
                   exemption_reason=profile.exemption_reason)


@strawberry.input
class TaxZoneFilterInput:
    area: str | None = strawberry.field(default=None, description="Zones naming this country or region.")


@strawberry.input
class TaxZoneSortInput:
    field: TaxZoneSortField = TaxZoneSortField.CREATED_AT
    direction: SortDirection = SortDirection.ASC


@strawberry.input
class TaxZoneCreateInput:
    name: str
    areas: list[str] = strawberry.field(description="ISO 3166 codes: FR, or country-region: US-CA.")


@strawberry.input
class TaxZoneUpdateInput:
    id: strawberry.ID
    name: str | None = None
    areas: list[str] | None = None


@strawberry.input
class TaxZoneDeleteInput:
    id: strawberry.ID


@strawberry.input
class TaxRateCreateInput:
    zone_id: strawberry.ID
    rate: Decimal
    valid_from: date
    valid_to: date | None = None
    category: TaxRateCategory = TaxRateCategory.STANDARD
    name: str = ""


@strawberry.input
class TaxRateUpdateInput:
    id: strawberry.ID
    rate: Decimal | None = None
    valid_from: date | None = None
    valid_to: date | None = strawberry.field(default=None, description="Ends the rate on this day (included).")
    open_ended: bool = strawberry.field(default=False, description="True: the rate runs until changed.")
    name: str | None = None


@strawberry.input
class TaxRateDeleteInput:
    id: strawberry.ID


@strawberry.input
class StoreTaxSettingsUpdateInput:
    store_id: strawberry.ID
    prices_include_tax: bool


@strawberry.input
class CustomerTaxProfileUpdateInput:
    customer_id: strawberry.ID
    b2b: bool | None = None
    vat_id: str | None = strawberry.field(default=None, description="Empty: none. Checked for format and "
                                                                    "check digits (and the customer's country).")
    exempt: bool | None = None
    exemption_reason: str | None = None


@strawberry.type
class TaxZonePayload:
    tax_zone: TaxZone | None = None
    errors: list[PricingError] = strawberry.field(default_factory=list)


@strawberry.type
class TaxZoneDeletePayload:
    deleted_id: strawberry.ID | None = None
    errors: list[PricingError] = strawberry.field(default_factory=list)


@strawberry.type
class TaxRatePayload:
    tax_rate: TaxRate | None = None
    errors: list[PricingError] = strawberry.field(default_factory=list)


@strawberry.type
class TaxRateDeletePayload:
    deleted_id: strawberry.ID | None = None
    errors: list[PricingError] = strawberry.field(default_factory=list)


@strawberry.type
class StoreTaxSettingsUpdatePayload:
    store_tax_settings: StoreTaxSettings | None = None
    errors: list[PricingError] = strawberry.field(default_factory=list)


@strawberry.type
class CustomerTaxProfileUpdatePayload:
    customer_tax_profile: CustomerTaxProfile | None = None
    errors: list[PricingError] = strawberry.field(default_factory=list)

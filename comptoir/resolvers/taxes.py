"""Resolvers of tax configuration: zones and rates, a store's price mode, a customer's tax profile."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import strawberry
from sqlalchemy.orm import Session
from strawberry.types import Info

from comptoir.billing import taxes
from comptoir.errors import DomainError
from comptoir.schema.base import Connection, mutate, page_request
from comptoir.schema.ids import decode_id, encode_id
from comptoir.schema.taxes import (
    CustomerTaxProfile,
    CustomerTaxProfileUpdateInput,
    CustomerTaxProfileUpdatePayload,
    StoreTaxSettings,
    StoreTaxSettingsUpdateInput,
    StoreTaxSettingsUpdatePayload,
    TaxRate,
    TaxRateCreateInput,
    TaxRateDeleteInput,
    TaxRateDeletePayload,
    TaxRatePayload,
    TaxRateUpdateInput,
    TaxZone,
    TaxZoneCreateInput,
    TaxZoneDeleteInput,
    TaxZoneDeletePayload,
    TaxZoneFilterInput,
    TaxZonePayload,
    TaxZoneSortInput,
    TaxZoneUpdateInput,
)

T = TypeVar("T")


async def tax_zones(info: Info, first: int | None = None, after: str | None = None,
                    filter: TaxZoneFilterInput | None = None, sort: TaxZoneSortInput | None = None) -> Connection[TaxZone]:
    sort = sort or TaxZoneSortInput()
    request = page_request(info, first, after, sort.direction)
    seller_id = info.context.tenant.seller_id
    area = filter.area if filter else None

    def load(session: Session) -> Connection[TaxZone]:
        page = taxes.list_zones_page(session, seller_id=seller_id, page=request, area=area, sort=sort.field.value)
        return Connection[TaxZone].from_page(page, TaxZone.from_model)
    return await info.context.run(load)


async def store_tax_settings(info: Info, store_id: strawberry.ID) -> StoreTaxSettings | None:
    def load(session: Session) -> StoreTaxSettings:
        settings = taxes.get_store_settings(session, store_id=decode_id(store_id, "Store", field="storeId"))
        return StoreTaxSettings.from_model(settings, store_id)
    return await _or_none(info, load)


async def customer_tax_profile(info: Info, customer_id: strawberry.ID) -> CustomerTaxProfile | None:
    def load(session: Session) -> CustomerTaxProfile:
        profile = taxes.get_customer_profile(session, customer_id=decode_id(customer_id, "Customer", field="customerId"))
        return CustomerTaxProfile.from_model(profile, customer_id)
    return await _or_none(info, load)


async def my_tax_profile(info: Info) -> CustomerTaxProfile:
    customer_id = info.context.tenant.customer_id
    global_id = strawberry.ID(encode_id("Customer", customer_id))
    return await info.context.run(lambda s: CustomerTaxProfile.from_model(
        taxes.get_customer_profile(s, customer_id=customer_id), global_id))


async def _or_none(info: Info, load: Callable[[Session], T]) -> T | None:
    """A look-up by id: null for an id of nothing this viewer may see."""
    def guarded(session: Session) -> T | None:
        try:
            return load(session)
        except DomainError:
            return None
    return await info.context.run(guarded)  # type: ignore[no-any-return]


async def tax_zone_create(info: Info, input: TaxZoneCreateInput) -> TaxZonePayload:
    seller_id = info.context.tenant.seller_id
    return await mutate(info, TaxZonePayload,
                        lambda s: TaxZone.from_model(taxes.create_zone(s, seller_id=seller_id, name=input.name,
                                                                       areas=input.areas)),
                        lambda zone: TaxZonePayload(tax_zone=zone))


async def tax_zone_update(info: Info, input: TaxZoneUpdateInput) -> TaxZonePayload:
    return await mutate(info, TaxZonePayload,
                        lambda s: TaxZone.from_model(taxes.update_zone(
                            s, zone_id=decode_id(input.id, "TaxZone"), name=input.name, areas=input.areas)),
                        lambda zone: TaxZonePayload(tax_zone=zone))


async def tax_zone_delete(info: Info, input: TaxZoneDeleteInput) -> TaxZoneDeletePayload:
    return await mutate(info, TaxZoneDeletePayload,
                        lambda s: taxes.delete_zone(s, zone_id=decode_id(input.id, "TaxZone")),
                        lambda _: TaxZoneDeletePayload(deleted_id=input.id))


async def tax_rate_create(info: Info, input: TaxRateCreateInput) -> TaxRatePayload:
    return await mutate(info, TaxRatePayload,
                        lambda s: TaxRate.from_model(taxes.create_rate(
                            s, zone_id=decode_id(input.zone_id, "TaxZone", field="zoneId"),
                            category=input.category.value, rate=input.rate, valid_from=input.valid_from,
                            valid_to=input.valid_to, name=input.name)),
                        lambda rate: TaxRatePayload(tax_rate=rate))


async def tax_rate_update(info: Info, input: TaxRateUpdateInput) -> TaxRatePayload:
    return await mutate(info, TaxRatePayload,
                        lambda s: TaxRate.from_model(taxes.update_rate(
                            s, rate_id=decode_id(input.id, "TaxRate"), rate=input.rate, valid_from=input.valid_from,
                            valid_to=input.valid_to, clear_valid_to=input.open_ended, name=input.name)),
                        lambda rate: TaxRatePayload(tax_rate=rate))


async def tax_rate_delete(info: Info, input: TaxRateDeleteInput) -> TaxRateDeletePayload:
    return await mutate(info, TaxRateDeletePayload,
                        lambda s: taxes.delete_rate(s, rate_id=decode_id(input.id, "TaxRate")),
                        lambda _: TaxRateDeletePayload(deleted_id=input.id))


async def store_tax_settings_update(info: Info, input: StoreTaxSettingsUpdateInput) -> StoreTaxSettingsUpdatePayload:
    return await mutate(info, StoreTaxSettingsUpdatePayload,
                        lambda s: StoreTaxSettings.from_model(taxes.set_store_price_mode(
                            s, store_id=decode_id(input.store_id, "Store", field="storeId"),
                            prices_include_tax=input.prices_include_tax), input.store_id),
                        lambda settings: StoreTaxSettingsUpdatePayload(store_tax_settings=settings))


async def customer_tax_profile_update(info: Info, input: CustomerTaxProfileUpdateInput
                                      ) -> CustomerTaxProfileUpdatePayload:
    return await mutate(info, CustomerTaxProfileUpdatePayload,
                        lambda s: CustomerTaxProfile.from_model(taxes.update_customer_profile(
                            s, customer_id=decode_id(input.customer_id, "Customer", field="customerId"),
                            b2b=input.b2b, vat_id=input.vat_id, exempt=input.exempt,
                            exemption_reason=input.exemption_reason), input.customer_id),
                        lambda profile: CustomerTaxProfileUpdatePayload(customer_tax_profile=profile))

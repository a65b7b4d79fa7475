"""Query and Mutation fields of taxes and coupons (seller staff; a customer reads its own tax profile)."""

from __future__ import annotations

import strawberry

from comptoir.resolvers import coupons as coupon_resolvers
from comptoir.resolvers import taxes as tax_resolvers
from comptoir.schema.base import Connection
from comptoir.schema.coupons import Coupon, CouponPayload, CouponRedemption
from comptoir.schema.permissions import IsCustomer, IsStaff
from comptoir.schema.taxes import (
    CustomerTaxProfile,
    CustomerTaxProfileUpdatePayload,
    StoreTaxSettings,
    StoreTaxSettingsUpdatePayload,
    TaxRateDeletePayload,
    TaxRatePayload,
    TaxZone,
    TaxZoneDeletePayload,
    TaxZonePayload,
)


@strawberry.type
class PricingQuery:
    tax_zones: Connection[TaxZone] = strawberry.field(
        resolver=tax_resolvers.tax_zones, permission_classes=[IsStaff],
        description="The seller's tax zones with their rates, oldest first unless sorted otherwise.")
    store_tax_settings: StoreTaxSettings | None = strawberry.field(
        resolver=tax_resolvers.store_tax_settings, permission_classes=[IsStaff])
    customer_tax_profile: CustomerTaxProfile | None = strawberry.field(
        resolver=tax_resolvers.customer_tax_profile, permission_classes=[IsStaff])
    my_tax_profile: CustomerTaxProfile = strawberry.field(
        resolver=tax_resolvers.my_tax_profile, permission_classes=[IsCustomer],
        description="How the logged-in customer is taxed.")
    coupons: Connection[Coupon] = strawberry.field(
        resolver=coupon_resolvers.coupons_connection, permission_classes=[IsStaff],
        description="Newest first unless sorted otherwise.")
    coupon_redemptions: Connection[CouponRedemption] = strawberry.field(
        resolver=coupon_resolvers.coupon_redemptions, permission_classes=[IsStaff], description="Newest first.")


@strawberry.type
class PricingMutation:
    tax_zone_create: TaxZonePayload = strawberry.mutation(resolver=tax_resolvers.tax_zone_create,
                                                          permission_classes=[IsStaff])
    tax_zone_update: TaxZonePayload = strawberry.mutation(resolver=tax_resolvers.tax_zone_update,
                                                          permission_classes=[IsStaff])
    tax_zone_delete: TaxZoneDeletePayload = strawberry.mutation(
        resolver=tax_resolvers.tax_zone_delete, permission_classes=[IsStaff], description="The zone and its rates.")
    tax_rate_create: TaxRatePayload = strawberry.mutation(
        resolver=tax_resolvers.tax_rate_create, permission_classes=[IsStaff],
        description="A rate change from a date: end the old rate (taxRateUpdate validTo) and create the new one.")
    tax_rate_update: TaxRatePayload = strawberry.mutation(resolver=tax_resolvers.tax_rate_update,
                                                          permission_classes=[IsStaff])
    tax_rate_delete: TaxRateDeletePayload = strawberry.mutation(resolver=tax_resolvers.tax_rate_delete,
                                                                permission_classes=[IsStaff])
    store_tax_settings_update: StoreTaxSettingsUpdatePayload = strawberry.mutation(
        resolver=tax_resolvers.store_tax_settings_update, permission_classes=[IsStaff],
        description="Whether the store's prices include tax.")
    customer_tax_profile_update: CustomerTaxProfileUpdatePayload = strawberry.mutation(
        resolver=tax_resolvers.customer_tax_profile_update, permission_classes=[IsStaff])
    coupon_create: CouponPayload = strawberry.mutation(resolver=coupon_resolvers.coupon_create,
                                                       permission_classes=[IsStaff])
    coupon_update: CouponPayload = strawberry.mutation(resolver=coupon_resolvers.coupon_update,
                                                       permission_classes=[IsStaff])
    coupon_deactivate: CouponPayload = strawberry.mutation(
        resolver=coupon_resolvers.coupon_deactivate, permission_classes=[IsStaff],
        description="No new redemptions; services that redeemed it keep their discount for its duration.")

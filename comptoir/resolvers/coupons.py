"""Resolvers of coupons and their redemptions (seller staff)."""

from __future__ import annotations

from sqlalchemy.orm import Session
from strawberry.types import Info

from comptoir.billing import coupons
from comptoir.billing.coupon_rules import Duration
from comptoir.database.pagination import SortDirection
from comptoir.schema.base import Connection, mutate, page_request
from comptoir.schema.coupons import (
    Coupon,
    CouponCreateInput,
    CouponDeactivateInput,
    CouponFilterInput,
    CouponPayload,
    CouponRedemption,
    CouponRedemptionFilterInput,
    CouponSortInput,
    CouponUpdateInput,
)
from comptoir.schema.ids import decode_id, decode_optional_id

CLEARABLE = {"validFrom": "valid_from", "validUntil": "valid_until", "maxUses": "max_uses",
             "maxUsesPerCustomer": "max_uses_per_customer"}


async def coupons_connection(info: Info, first: int | None = None, after: str | None = None,
                             filter: CouponFilterInput | None = None,
                             sort: CouponSortInput | None = None) -> Connection[Coupon]:
    sort = sort or CouponSortInput()
    request = page_request(info, first, after, sort.direction)
    seller_id = info.context.tenant.seller_id
    filter = filter or CouponFilterInput()

    def load(session: Session) -> Connection[Coupon]:
        page = coupons.list_page(session, seller_id=seller_id, page=request, active=filter.active,
                                 code_prefix=filter.code, sort=sort.field.value)
        return Connection[Coupon].from_page(page, Coupon.from_model)
    return await info.context.run(load)


async def coupon_redemptions(info: Info, first: int | None = None, after: str | None = None,
                             filter: CouponRedemptionFilterInput | None = None) -> Connection[CouponRedemption]:
    request = page_request(info, first, after, SortDirection.DESC)
    seller_id = info.context.tenant.seller_id
    filter = filter or CouponRedemptionFilterInput()

    def load(session: Session) -> Connection[CouponRedemption]:
        page = coupons.redemptions_page(
            session, seller_id=seller_id, page=request,
            coupon_id=decode_optional_id(filter.coupon_id, "Coupon", field="filter.couponId"),
            customer_id=decode_optional_id(filter.customer_id, "Customer", field="filter.customerId"))
        return Connection[CouponRedemption].from_page(page, CouponRedemption.from_model)
    return await info.context.run(load)


async def coupon_create(info: Info, input: CouponCreateInput) -> CouponPayload:
    seller_id = info.context.tenant.seller_id

    def work(session: Session) -> Coupon:
        made = coupons.create(session, seller_id=seller_id, coupon=coupons.NewCoupon(
            code=input.code, kind=input.kind.value, percent=input.percent, amount_minor=input.amount_minor_units,
            currency=input.currency, name=input.name,
            plan_ids=[decode_id(plan, "Plan", field="planIds") for plan in input.plan_ids],
            duration=Duration(input.duration.value), duration_periods=input.duration_periods,
            valid_from=input.valid_from, valid_until=input.valid_until, max_uses=input.max_uses,
            max_uses_per_customer=input.max_uses_per_customer))
        return Coupon.from_model(made)
    return await mutate(info, CouponPayload, work, lambda coupon: CouponPayload(coupon=coupon))


async def coupon_update(info: Info, input: CouponUpdateInput) -> CouponPayload:
    def work(session: Session) -> Coupon:
        plan_ids = None if input.plan_ids is None else [decode_id(p, "Plan", field="planIds") for p in input.plan_ids]
        changes = coupons.CouponChanges(
            name=input.name, plan_ids=plan_ids, valid_from=input.valid_from, valid_until=input.valid_until,
            max_uses=input.max_uses, max_uses_per_customer=input.max_uses_per_customer,
            cleared=frozenset(CLEARABLE[name] for name in input.clear if name in CLEARABLE))
        return Coupon.from_model(coupons.update(session, coupon_id=decode_id(input.id, "Coupon"), changes=changes))
    return await mutate(info, CouponPayload, work, lambda coupon: CouponPayload(coupon=coupon))


async def coupon_deactivate(info: Info, input: CouponDeactivateInput) -> CouponPayload:
    return await mutate(info, CouponPayload,
                        lambda s: Coupon.from_model(coupons.deactivate(s, coupon_id=decode_id(input.id, "Coupon"))),
                        lambda coupon: CouponPayload(coupon=coupon))

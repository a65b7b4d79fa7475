"""GraphQL types of coupons and their redemptions."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import strawberry

from comptoir.billing.coupon_models import Coupon as CouponModel
from comptoir.billing.coupon_models import CouponRedemption as RedemptionModel
from comptoir.billing.coupon_rules import Duration
from comptoir.database.pagination import SortDirection
from comptoir.money import Money as MoneyValue
from comptoir.schema.base import Node
from comptoir.schema.ids import encode_id
from comptoir.schema.storefront import Money
from comptoir.schema.taxes import PricingError

CouponDuration = strawberry.enum(Duration, name="CouponDuration",
                                 description="First period only, durationPeriods periods, or for ever.")


@strawberry.enum
class CouponKind(enum.Enum):
    PERCENT = "percent"
    FIXED = "fixed"


@strawberry.enum
class CouponSortField(enum.Enum):
    CREATED_AT = "created_at"
    CODE = "code"


@strawberry.type(description="A code giving a percentage or a fixed amount off, on some plans (none listed: all).")
class Coupon(Node):
    code: str
    name: str
    kind: CouponKind
    percent: Decimal | None = strawberry.field(description="Percent off, for kind PERCENT.")
    amount: Money | None = strawberry.field(description="Amount off, for kind FIXED (capped at what is billed).")
    plan_ids: list[strawberry.ID]
    duration: CouponDuration  # type: ignore[valid-type]
    duration_periods: int | None
    valid_from: date | None = strawberry.field(description="First day the code may be redeemed.")
    valid_until: date | None = strawberry.field(description="Last day the code may be redeemed; redeemed coupons "
                                                            "keep running their duration.")
    max_uses: int | None
    max_uses_per_customer: int | None
    uses: int
    active: bool
    created_at: datetime

    @classmethod
    def from_model(cls, coupon: CouponModel) -> Coupon:
        amount = (Money.of(MoneyValue(coupon.amount_minor, coupon.currency), "en")
                  if coupon.amount_minor is not None and coupon.currency else None)
        return cls(id=strawberry.ID(encode_id("Coupon", coupon.id)), code=coupon.code, name=coupon.name,
                   kind=CouponKind(coupon.kind), percent=coupon.percent, amount=amount,
                   plan_ids=[strawberry.ID(encode_id("Plan", plan)) for plan in coupon.plan_ids],
                   duration=Duration(coupon.duration), duration_periods=coupon.duration_periods,
                   valid_from=coupon.valid_from, valid_until=coupon.valid_until, max_uses=coupon.max_uses,
                   max_uses_per_customer=coupon.max_uses_per_customer, uses=coupon.uses, active=coupon.active,
                   created_at=coupon.created_at)


@strawberry.type(description="A coupon redeemed by a customer for one billed service.")
class CouponRedemption(Node):
    coupon_id: strawberry.ID
    customer_id: strawberry.ID
    service_id: str = strawberry.field(description="The billed service the coupon discounts.")
    periods_applied: int = strawberry.field(description="Invoices it has discounted so far.")
    created_at: datetime

    @classmethod
    def from_model(cls, redemption: RedemptionModel) -> CouponRedemption:
        return cls(id=strawberry.ID(encode_id("CouponRedemption", redemption.id)),
                   coupon_id=strawberry.ID(encode_id("Coupon", redemption.coupon_id)),
                   customer_id=strawberry.ID(encode_id("Customer", redemption.customer_id)),
                   service_id=str(redemption.service_id), periods_applied=redemption.periods_applied,
                   created_at=redemption.created_at)


@strawberry.input
class CouponFilterInput:
    active: bool | None = None
    code: str | None = strawberry.field(default=None, description="Codes starting with this.")


@strawberry.input
class CouponSortInput:
    field: CouponSortField = CouponSortField.CREATED_AT
    direction: SortDirection = SortDirection.DESC


@strawberry.input
class CouponRedemptionFilterInput:
    coupon_id: strawberry.ID | None = None
    customer_id: strawberry.ID | None = None


@strawberry.input(description="Give percent for kind PERCENT; amountMinorUnits and currency for kind FIXED.")
class CouponCreateInput:
    code: str
    kind: CouponKind
    percent: Decimal | None = None
    amount_minor_units: int | None = None
    currency: str | None = None
    name: str = ""
    plan_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    duration: CouponDuration = Duration.FIRST_PERIOD  # type: ignore[valid-type]
    duration_periods: int | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    max_uses: int | None = None
    max_uses_per_customer: int | None = None


@strawberry.input(description="Its amount and duration are the coupon's terms: make a new coupon to change them.")
class CouponUpdateInput:
    id: strawberry.ID
    name: str | None = None
    plan_ids: list[strawberry.ID] | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    max_uses: int | None = None
    max_uses_per_customer: int | None = None
    clear: list[str] = strawberry.field(default_factory=list, description=(
        "Fields set back to none: validFrom, validUntil, maxUses, maxUsesPerCustomer."))


@strawberry.input
class CouponDeactivateInput:
    id: strawberry.ID


@strawberry.type
class CouponPayload:
    coupon: Coupon | None = None
    errors: list[PricingError] = strawberry.field(default_factory=list)

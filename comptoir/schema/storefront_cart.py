"""GraphQL types of carts, checkout and orders (the shapes of Shopify's and Saleor's storefront APIs)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from comptoir.schema.base import Node
from comptoir.schema.ids import encode_id
from comptoir.schema.storefront import BillingCycle, Money, StorefrontError
from comptoir.storefront.carts import CartView, LineView, Problem
from comptoir.storefront.models import Order as OrderModel
from comptoir.money import Money as MoneyValue
from comptoir.storefront.rules import Cycle
from comptoir.tenancy.models import Customer as CustomerModel


@strawberry.type
class CartProblem:
    code: str = strawberry.field(description="EMPTY, OFFER_UNAVAILABLE, CYCLE_NOT_OFFERED, CURRENCY_MISMATCH, "
                                             "BUYER_DETAILS_MISSING, PAYMENT_METHOD_MISSING, TERMS_NOT_ACCEPTED, "
                                             "STORE_CLOSED; a line's domain choice: DOMAIN_TAKEN, "
                                             "DOMAIN_NOT_REGISTERED, DOMAIN_INVALID, TLD_NOT_SOLD, "
                                             "TRANSFER_NOT_SUPPORTED, REGISTRAR_UNAVAILABLE")
    message: str
    line_id: strawberry.ID | None = None

    @classmethod
    def of(cls, problem: Problem) -> CartProblem:
        return cls(code=problem.code, message=problem.message,
                   line_id=strawberry.ID(encode_id("CartLine", problem.line_id)) if problem.line_id else None)


@strawberry.type
class CartLine:
    id: strawberry.ID
    offer_id: strawberry.ID
    name: str
    cycle: BillingCycle  # type: ignore[valid-type]
    addon_offer_ids: list[strawberry.ID]
    domain_action: str
    domain_name: str
    recurring: Money | None
    setup: Money | None
    total: Money | None

    @classmethod
    def of(cls, line: LineView, currency: str, locale: str) -> CartLine:
        def money(minor: int | None) -> Money | None:
            return None if minor is None else Money.of(MoneyValue(minor, currency), locale)
        price = line.price
        return cls(id=strawberry.ID(encode_id("CartLine", line.id)), offer_id=strawberry.ID(encode_id("Offer", line.offer_id)),
                   name=line.name, cycle=Cycle(line.cycle) if line.cycle in Cycle._value2member_map_ else Cycle.MONTHLY,
                   addon_offer_ids=[strawberry.ID(encode_id("Offer", a)) for a in line.addon_offer_ids],
                   domain_action=line.domain_action, domain_name=line.domain_name,
                   recurring=money(price.recurring if price else None), setup=money(price.setup if price else None),
                   total=money(price.total if price else None))


@strawberry.type
class BuyerIdentity:
    email: str | None = None
    name: str | None = None
    company: str | None = None
    country: str | None = None
    vat_id: str | None = None
    phone: str | None = None
    address_line1: str | None = None
    city: str | None = None
    postal_code: str | None = None


@strawberry.type(description="A visitor's cart; its id is its secret: keep it like a password.")
class Cart:
    id: strawberry.ID
    status: str
    currency: str
    language: str
    lines: list[CartLine]
    buyer_identity: BuyerIdentity
    payment_method: str | None
    coupon_code: str | None
    terms_version: int | None
    terms_accepted_at: datetime | None
    total: Money
    problems: list[CartProblem] = strawberry.field(description="What stands between the cart and checkout.")
    order_id: strawberry.ID | None
    order_status: str | None = strawberry.field(description="The status of the order checkout made, once made.")

    @classmethod
    def of(cls, cart: CartView, locale: str) -> Cart:
        return cls(
            id=strawberry.ID(cart.token), status=cart.status, currency=cart.currency, language=cart.language,
            lines=[CartLine.of(line, cart.currency, locale) for line in cart.lines],
            buyer_identity=BuyerIdentity(**cart.buyer), payment_method=cart.payment_method or None,
            coupon_code=cart.coupon_code or None, terms_version=cart.terms_version,
            terms_accepted_at=cart.terms_accepted_at, total=Money.of(cart.total, locale),
            problems=[CartProblem.of(p) for p in cart.problems],
            order_id=strawberry.ID(encode_id("Order", cart.order_id)) if cart.order_id else None,
            order_status=cart.order_status)


@strawberry.type(description="An order placed by a store's checkout.")
class Order(Node):
    status: str = strawberry.field(description="pending until the order-to-provision flow moves it on.")
    currency: str
    total: Money
    lines: JSON
    payment_method: str
    terms_version: int
    review: str = strawberry.field(description="automatic, or manual: the customer awaits the seller's review.")
    fraud_findings: list[str]
    customer_id: strawberry.ID
    created_at: datetime

    @classmethod
    def from_model(cls, order: OrderModel, locale: str = "en") -> Order:
        return cls(id=strawberry.ID(encode_id("Order", order.id)), status=order.status, currency=order.currency,
                   total=Money.of(MoneyValue(order.total, order.currency), locale), lines=order.lines,
                   payment_method=order.payment_method, terms_version=order.terms_version, review=order.review,
                   fraud_findings=list(order.fraud_findings),
                   customer_id=strawberry.ID(encode_id("Customer", order.customer_id)), created_at=order.created_at)


@strawberry.type
class CartPayload:
    cart: Cart | None = None
    errors: list[StorefrontError] = strawberry.field(default_factory=list)


@strawberry.type
class CheckoutCompletePayload:
    order: Order | None = None
    errors: list[StorefrontError] = strawberry.field(default_factory=list)


@strawberry.input
class CartCreateInput:
    store: str = strawberry.field(description="The store's slug or one of its hostnames.")
    language: str | None = None


@strawberry.input
class DomainChoiceInput:
    action: str = strawberry.field(description="use_own, register or transfer")
    name: str


@strawberry.input
class CartLineInput:
    offer_id: strawberry.ID
    cycle: BillingCycle  # type: ignore[valid-type]
    addon_offer_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    domain: DomainChoiceInput


@strawberry.input
class CartLineUpdateInput:
    id: strawberry.ID
    cycle: BillingCycle | None = None  # type: ignore[valid-type]
    addon_offer_ids: list[strawberry.ID] | None = None
    domain: DomainChoiceInput | None = None


@strawberry.input
class BuyerIdentityInput:
    email: str | None = None
    name: str | None = None
    company: str | None = None
    country: str | None = None
    vat_id: str | None = None
    phone: str | None = None
    address_line1: str | None = None
    city: str | None = None
    postal_code: str | None = None


@strawberry.type
class PendingCustomer:
    id: strawberry.ID
    status: str
    contact_name: str
    email: str
    company_name: str
    country: str

    @classmethod
    def from_model(cls, customer: CustomerModel) -> PendingCustomer:
        return cls(id=strawberry.ID(encode_id("Customer", customer.id)), status=customer.status,
                   contact_name=customer.contact_name, email=customer.email, company_name=customer.company_name,
                   country=customer.country)


@strawberry.type
class CustomerReviewPayload:
    customer: PendingCustomer | None = None
    errors: list[StorefrontError] = strawberry.field(default_factory=list)

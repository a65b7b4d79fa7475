"""Query and Mutation fields of online stores: the seller's side (staff) and the public storefront."""

from __future__ import annotations

import strawberry

from comptoir.resolvers import checkout_complete as checkout
from comptoir.resolvers import storefront as seller
from comptoir.resolvers import storefront_cart as cart_mutations
from comptoir.resolvers import storefront_public as public
from comptoir.schema.permissions import IsStaff
from comptoir.schema.storefront import (
    OfferDeletePayload,
    OfferPayload,
    PanelBranding,
    Store,
    StoreDeletePayload,
    Storefront,
    StorePayload,
)
from comptoir.schema.storefront_cart import (
    Cart,
    CartPayload,
    CheckoutCompletePayload,
    CustomerReviewPayload,
    Order,
    PendingCustomer,
)

PUBLIC = "Public (no log-in): acts as a visitor of the store."


@strawberry.type
class StorefrontQuery:
    my_stores: list[Store] = strawberry.field(resolver=seller.my_stores, permission_classes=[IsStaff])
    pending_customers: list[PendingCustomer] = strawberry.field(
        resolver=seller.pending_customers, permission_classes=[IsStaff],
        description="Customers created by a store's checkout who await the seller's review.")
    orders: list[Order] = strawberry.field(resolver=seller.orders, permission_classes=[IsStaff])
    storefront: Storefront | None = strawberry.field(
        resolver=public.storefront, description=f"{PUBLIC} A published store by slug or hostname.")
    cart: Cart | None = strawberry.field(resolver=public.cart, description=PUBLIC)
    panel_branding: PanelBranding | None = strawberry.field(
        resolver=public.panel_branding,
        description=f"{PUBLIC} The seller's look on one of its custom hostnames (white-label log-in).")


@strawberry.type
class StorefrontMutation:
    store_create: StorePayload = strawberry.mutation(resolver=seller.store_create, permission_classes=[IsStaff])
    store_update: StorePayload = strawberry.mutation(resolver=seller.store_update, permission_classes=[IsStaff])
    store_delete: StoreDeletePayload = strawberry.mutation(resolver=seller.store_delete, permission_classes=[IsStaff])
    store_terms_publish: StorePayload = strawberry.mutation(
        resolver=seller.store_terms_publish, permission_classes=[IsStaff],
        description="A new version of the store's terms and conditions.")
    offer_create: OfferPayload = strawberry.mutation(resolver=seller.offer_create, permission_classes=[IsStaff])
    offer_update: OfferPayload = strawberry.mutation(resolver=seller.offer_update, permission_classes=[IsStaff])
    offer_delete: OfferDeletePayload = strawberry.mutation(resolver=seller.offer_delete, permission_classes=[IsStaff])
    pending_customer_activate: CustomerReviewPayload = strawberry.mutation(
        resolver=seller.customer_activate, permission_classes=[IsStaff])
    pending_customer_cancel: CustomerReviewPayload = strawberry.mutation(
        resolver=seller.customer_cancel, permission_classes=[IsStaff])
    pending_customer_mark_fraudulent: CustomerReviewPayload = strawberry.mutation(
        resolver=seller.customer_mark_fraudulent, permission_classes=[IsStaff])
    cart_create: CartPayload = strawberry.mutation(resolver=cart_mutations.cart_create, description=PUBLIC)
    cart_lines_add: CartPayload = strawberry.mutation(resolver=cart_mutations.cart_lines_add, description=PUBLIC)
    cart_lines_update: CartPayload = strawberry.mutation(resolver=cart_mutations.cart_lines_update, description=PUBLIC)
    cart_lines_remove: CartPayload = strawberry.mutation(resolver=cart_mutations.cart_lines_remove, description=PUBLIC)
    cart_coupon_apply: CartPayload = strawberry.mutation(
        resolver=cart_mutations.cart_coupon_apply, description=f"{PUBLIC} The code is recorded; coupons come with billing.")
    cart_buyer_identity_update: CartPayload = strawberry.mutation(
        resolver=cart_mutations.cart_buyer_identity_update, description=PUBLIC)
    cart_payment_method_select: CartPayload = strawberry.mutation(
        resolver=cart_mutations.cart_payment_method_select, description=PUBLIC)
    cart_terms_accept: CartPayload = strawberry.mutation(resolver=cart_mutations.cart_terms_accept, description=PUBLIC)
    checkout_complete: CheckoutCompletePayload = strawberry.mutation(
        resolver=checkout.checkout_complete,
        description=f"{PUBLIC} The cart becomes a pending order; the same idempotencyKey returns the same order.")

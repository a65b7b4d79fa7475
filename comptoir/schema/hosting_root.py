"""Query and Mutation fields of the hosting domain (plans, subscriptions, customers)."""

from __future__ import annotations

import strawberry

from comptoir.resolvers import customer_accounts as rc
from comptoir.resolvers import plans as rp
from comptoir.resolvers import subscriptions as rs
from comptoir.schema.base import Connection
from comptoir.schema.hosting import BackgroundJob, Plan
from comptoir.schema.hosting_api import (
    CustomerLoginChangePayload,
    CustomerPayload,
    CustomersPayload,
    PlanDeletePayload,
    PlanPayload,
    PlanUpdatePayload,
)
from comptoir.schema.permissions import IsAuthenticated, IsStaff
from comptoir.schema.subscriptions import (
    Subscription,
    SubscriptionPayload,
    SubscriptionsPayload,
    TransferPreview,
)

STAFF = [IsStaff]


@strawberry.type
class HostingQuery:
    plans: list[Plan] = strawberry.field(resolver=rp.plans_list, permission_classes=STAFF,
                                         description="The seller's service plans and add-on plans.")
    plan: Plan | None = strawberry.field(resolver=rp.plan, permission_classes=STAFF)
    subscriptions: Connection[Subscription] = strawberry.field(
        resolver=rs.subscriptions_connection, permission_classes=[IsAuthenticated],
        description="Staff: the seller's subscriptions. Customers: their own.")
    subscription: Subscription | None = strawberry.field(resolver=rs.subscription, permission_classes=[IsAuthenticated])
    subscription_transfer_preview: list[TransferPreview] = strawberry.field(
        resolver=rs.subscription_transfer_preview, permission_classes=STAFF)
    background_job: BackgroundJob | None = strawberry.field(resolver=rp.background_job, permission_classes=STAFF)


@strawberry.type
class HostingMutation:
    plan_create: PlanPayload = strawberry.mutation(resolver=rp.plan_create, permission_classes=STAFF)
    plan_update: PlanUpdatePayload = strawberry.mutation(
        resolver=rp.plan_update, permission_classes=STAFF,
        description='"OK" when no subscription uses the plan, else "Update & Sync" of its subscriptions.')
    plan_accept_available_values: PlanUpdatePayload = strawberry.mutation(
        resolver=rp.plan_accept_available_values, permission_classes=STAFF)
    plan_delete: PlanDeletePayload = strawberry.mutation(resolver=rp.plan_delete, permission_classes=STAFF)
    plan_duplicate: PlanPayload = strawberry.mutation(resolver=rp.plan_duplicate, permission_classes=STAFF)
    subscription_create: SubscriptionPayload = strawberry.mutation(
        resolver=rs.subscription_create, permission_classes=STAFF)
    subscription_change_plan: SubscriptionsPayload = strawberry.mutation(
        resolver=rs.subscription_change_plan, permission_classes=STAFF)
    subscription_add_addon: SubscriptionsPayload = strawberry.mutation(
        resolver=rs.subscription_add_addon, permission_classes=STAFF)
    subscription_remove_addon: SubscriptionsPayload = strawberry.mutation(
        resolver=rs.subscription_remove_addon, permission_classes=STAFF)
    subscription_customize: SubscriptionPayload = strawberry.mutation(
        resolver=rs.subscription_customize, permission_classes=STAFF)
    subscription_unlock_and_sync: SubscriptionsPayload = strawberry.mutation(
        resolver=rs.subscription_unlock_and_sync, permission_classes=STAFF)
    subscription_synchronize: SubscriptionsPayload = strawberry.mutation(
        resolver=rs.subscription_synchronize, permission_classes=STAFF)
    subscription_accept_available_values: SubscriptionsPayload = strawberry.mutation(
        resolver=rs.subscription_accept_available_values, permission_classes=STAFF)
    subscription_detach: SubscriptionsPayload = strawberry.mutation(
        resolver=rs.subscription_detach, permission_classes=STAFF)
    subscription_hosting_settings_update: SubscriptionPayload = strawberry.mutation(
        resolver=rs.subscription_hosting_settings_update, permission_classes=STAFF)
    subscription_transfer: SubscriptionsPayload = strawberry.mutation(
        resolver=rs.subscription_transfer, permission_classes=STAFF)
    subscription_suspend: SubscriptionsPayload = strawberry.mutation(
        resolver=rs.subscription_suspend, permission_classes=STAFF)
    subscription_activate: SubscriptionsPayload = strawberry.mutation(
        resolver=rs.subscription_activate, permission_classes=STAFF)
    subscription_php_settings_update: SubscriptionPayload = strawberry.mutation(
        resolver=rs.subscription_php_settings_update, permission_classes=[IsAuthenticated],
        description="Staff at any level; a customer on its own subscription with the matching permission.")
    subscription_renew: SubscriptionPayload = strawberry.mutation(
        resolver=rs.subscription_renew, permission_classes=STAFF)
    subscription_delete: SubscriptionsPayload = strawberry.mutation(
        resolver=rs.subscription_delete, permission_classes=STAFF)
    customer_create: CustomerPayload = strawberry.mutation(resolver=rc.customer_create, permission_classes=STAFF)
    customer_update: CustomerPayload = strawberry.mutation(resolver=rc.customer_update, permission_classes=STAFF)
    customer_login_change: CustomerLoginChangePayload = strawberry.mutation(
        resolver=rc.customer_login_change, permission_classes=STAFF)
    customer_suspend: CustomersPayload = strawberry.mutation(resolver=rc.customer_suspend, permission_classes=STAFF)
    customer_activate: CustomersPayload = strawberry.mutation(resolver=rc.customer_activate, permission_classes=STAFF)
    customer_delete: CustomersPayload = strawberry.mutation(resolver=rc.customer_delete, permission_classes=STAFF)

"""Inputs and payloads of plans and customer operations, and the hosting Query/Mutation fields."""

from __future__ import annotations

import enum

import strawberry

from comptoir.schema.customers import Customer, CustomerFilterInput
from comptoir.schema.hosting import BackgroundJob, HostingError, Plan, PlanKind, PlanValuesInput


@strawberry.enum
class PlanSyncMode(enum.Enum):
    OK = "ok"  # the plan had no subscriptions
    UPDATE_AND_SYNC = "update_and_sync"


@strawberry.input
class PlanCreateInput:
    kind: PlanKind
    name: str
    values: PlanValuesInput | None = strawberry.field(
        default=None, description="Service plans start from the default plan's values, add-ons from nothing.")


@strawberry.input
class PlanUpdateInput:
    id: strawberry.ID
    name: str | None = None
    values: PlanValuesInput | None = None


@strawberry.input
class PlanIdInput:
    id: strawberry.ID


@strawberry.type
class PlanPayload:
    plan: Plan | None = None
    errors: list[HostingError] = strawberry.field(default_factory=list)


@strawberry.type
class PlanUpdatePayload:
    plan: Plan | None = None
    mode: PlanSyncMode | None = None
    synced_subscriptions: int = 0
    unsynced_subscriptions: int = 0
    job: BackgroundJob | None = strawberry.field(default=None, description="Set when many subscriptions sync "
                                                                            "in the background; poll its progress.")
    errors: list[HostingError] = strawberry.field(default_factory=list)


@strawberry.type
class PlanDeletePayload:
    deleted_id: strawberry.ID | None = None
    errors: list[HostingError] = strawberry.field(default_factory=list)


@strawberry.input
class CustomerContactInput:
    contact_name: str | None = None
    company_name: str | None = None
    email: str | None = None
    phone: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None
    locale: str | None = None


@strawberry.input
class FirstSubscriptionInput:
    domain_name: str
    ip_pool_entry_id: strawberry.ID
    system_login: str
    system_password: str
    plan_id: strawberry.ID | None = None
    addon_ids: list[strawberry.ID] = strawberry.field(default_factory=list)


@strawberry.input
class CustomerCreateInput:
    contact: CustomerContactInput
    username: str
    password: str
    subscription: FirstSubscriptionInput | None = strawberry.field(
        default=None, description="Without a subscription the customer cannot log in yet.")


@strawberry.input
class CustomerOperationInput:
    id: strawberry.ID
    contact: CustomerContactInput


@strawberry.input
class CustomerLoginChangeInput:
    id: strawberry.ID
    username: str | None = None
    password: str | None = None


@strawberry.type
class CustomerPayload:
    customer: Customer | None = None
    errors: list[HostingError] = strawberry.field(default_factory=list)


@strawberry.type
class CustomerLoginChangePayload:
    customer: Customer | None = None
    customer_notified: bool = strawberry.field(
        default=False, description="Always false: tell the customer the new log-in yourself.")
    errors: list[HostingError] = strawberry.field(default_factory=list)


@strawberry.input
class CustomerSelectionInput:
    ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    filter: CustomerFilterInput | None = strawberry.field(
        default=None, description="Also act on every customer matching this filter.")
    confirm: bool = strawberry.field(default=False, description="Required to delete.")


@strawberry.type
class CustomerResult:
    id: strawberry.ID
    customer: Customer | None = None
    errors: list[HostingError] = strawberry.field(default_factory=list)


@strawberry.type
class CustomersPayload:
    results: list[CustomerResult] = strawberry.field(default_factory=list)
    errors: list[HostingError] = strawberry.field(default_factory=list)

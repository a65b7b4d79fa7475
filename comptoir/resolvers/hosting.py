"""Resolvers for plans, add-ons, subscriptions and customer operations."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import strawberry
from sqlalchemy import select
from sqlalchemy.orm import Session
from strawberry.types import Info

from comptoir.database.pagination import Page
from comptoir.errors import DomainError, under
from comptoir.hosting import (
    customer_accounts,
    php_settings,
    plans,
    subscription_lifecycle,
    subscription_plans,
    subscriptions,
    sync,
)
from comptoir.hosting import plan_values as pv
from comptoir.hosting.models import ServicePlan
from comptoir.hosting.models import Subscription as SubscriptionModel
from comptoir.schema.base import (
    Connection,
    Outcome,
    check_bulk,
    error_payload,
    mutate,
    mutate_each,
    page_request,
    selects,
)
from comptoir.schema.context import Context
from comptoir.schema.customers import Customer
from comptoir.schema.dataloaders import documents_deferred
from comptoir.schema.hosting import BackgroundJob, HostingError, Plan, PlanKind
from comptoir.schema.hosting_api import (
    CustomerContactInput,
    CustomerCreateInput,
    CustomerLoginChangeInput,
    CustomerLoginChangePayload,
    CustomerOperationInput,
    CustomerPayload,
    CustomerResult,
    CustomerSelectionInput,
    CustomersPayload,
    PlanCreateInput,
    PlanDeletePayload,
    PlanIdInput,
    PlanPayload,
    PlanSyncMode,
    PlanUpdateInput,
    PlanUpdatePayload,
)
from comptoir.schema.ids import decode_id, encode_id
from comptoir.schema.subscriptions import (
    Subscription,
    SubscriptionAddonInput,
    SubscriptionChangePlanInput,
    SubscriptionCreateInput,
    SubscriptionCustomizeInput,
    SubscriptionDeleteInput,
    SubscriptionFilterInput,
    SubscriptionHostingSettingsInput,
    SubscriptionIdsInput,
    SubscriptionPayload,
    SubscriptionPhpSettingsInput,
    SubscriptionRenewInput,
    SubscriptionResult,
    SubscriptionSortInput,
    SubscriptionsPayload,
    SubscriptionTransferInput,
    TransferPreview,
)
from comptoir.tenancy import customers
from comptoir.tenancy.context import Role
from comptoir.tenancy.models import Customer as CustomerModel

# ---- plans ---------------------------------------------------------------------------------

async def plans_list(info: Info, kind: PlanKind | None = None, search: str | None = None) -> list[Plan]:
    seller_id = info.context.tenant.seller_id

    def load(session: Session) -> list[Plan]:
        rows = plans.list_plans(session, seller_id=seller_id, kind=plans.PlanKind(kind.value) if kind else None,
                                search=search)
        return [Plan.from_model(r) for r in rows]

    found = await info.context.run(load)
    if selects(info, "subscriptionCount"):
        await info.context.loaders.plan_usage.warm([p.model.id for p in found])
    return found


async def load_plan(info: Info, plan_id: uuid.UUID) -> Plan | None:
    return await info.context.loaders.plans.load(plan_id)  # type: ignore[no-any-return]


async def plan(info: Info, id: strawberry.ID) -> Plan | None:
    try:
        return await load_plan(info, decode_id(id, "Plan"))
    except DomainError:
        return None


async def _plan_payload(info: Info, plan_id: uuid.UUID) -> PlanPayload:
    return PlanPayload(plan=await load_plan(info, plan_id))


async def plan_create(info: Info, input: PlanCreateInput) -> PlanPayload:
    seller_id = info.context.tenant.seller_id
    base = pv.default_plan_values() if input.kind is PlanKind.SERVICE else pv.PlanValues()
    return await mutate(info, PlanPayload, lambda s: plans.create(
        session=s, seller_id=seller_id, kind=plans.PlanKind(input.kind.value), name=input.name,
        values=input.values.apply(base) if input.values else base), lambda plan: _plan_payload(info, plan.id))


async def plan_update(info: Info, input: PlanUpdateInput) -> PlanUpdatePayload:
    """ "OK" when no subscription uses the plan; "Update & Sync" pushes the change to its subscriptions."""

    def work(session: Session) -> tuple[uuid.UUID, sync.SyncOutcome]:
        plan_id = decode_id(input.id, "Plan")
        current = plans.values_of(plans.get_or_raise(session, plan_id=plan_id))
        updated = plans.update(session=session, plan_id=plan_id, name=input.name,
                               values=input.values.apply(current) if input.values else None)
        return updated.id, sync.update_and_sync(session, plan_id=updated.id)

    async def done(result: tuple[uuid.UUID, sync.SyncOutcome]) -> PlanUpdatePayload:
        plan_id, outcome = result
        return PlanUpdatePayload(
            plan=await load_plan(info, plan_id),
            mode=PlanSyncMode.UPDATE_AND_SYNC if outcome.subscriptions else PlanSyncMode.OK,
            synced_subscriptions=outcome.subscriptions - outcome.unsynced if outcome.job_id is None else 0,
            unsynced_subscriptions=outcome.unsynced,
            job=await load_job(info, outcome.job_id) if outcome.job_id else None,
        )

    return await mutate(info, PlanUpdatePayload, work, done)


async def plan_accept_available_values(info: Info, input: PlanIdInput) -> PlanUpdatePayload:
    async def done(result: tuple[uuid.UUID, sync.SyncOutcome]) -> PlanUpdatePayload:
        plan_id, outcome = result
        return PlanUpdatePayload(plan=await load_plan(info, plan_id), mode=PlanSyncMode.UPDATE_AND_SYNC,
                                 synced_subscriptions=outcome.subscriptions - outcome.unsynced,
                                 unsynced_subscriptions=outcome.unsynced,
                                 job=await load_job(info, outcome.job_id) if outcome.job_id else None)

    return await mutate(info, PlanUpdatePayload, lambda s: (decode_id(input.id, "Plan"), sync.accept_available_for_plan(
        s, plan_id=decode_id(input.id, "Plan"))), done)


async def plan_delete(info: Info, input: PlanIdInput) -> PlanDeletePayload:
    return await mutate(info, PlanDeletePayload, lambda s: plans.delete(session=s, plan_id=decode_id(input.id, "Plan")),
                        lambda deleted: PlanDeletePayload(deleted_id=strawberry.ID(encode_id("Plan", deleted))))


async def plan_duplicate(info: Info, input: PlanIdInput) -> PlanPayload:
    return await mutate(info, PlanPayload, lambda s: plans.duplicate(session=s, plan_id=decode_id(input.id, "Plan")),
                        lambda plan: _plan_payload(info, plan.id))


async def load_job(info: Info, job_id: uuid.UUID) -> BackgroundJob | None:
    job = await info.context.loaders.jobs.load(job_id)
    return BackgroundJob.from_model(job) if job else None


async def background_job(info: Info, id: strawberry.ID) -> BackgroundJob | None:
    try:
        return await load_job(info, decode_id(id, "BackgroundJob"))
    except DomainError:
        return None


# ---- subscriptions -------------------------------------------------------------------------

def build(session: Session, rows: Sequence[SubscriptionModel]) -> list[Subscription]:
    """Subscription objects from their rows (relations come from the loaders when selected)."""
    loaders = Context.of(session).loaders
    return [Subscription.from_model(r, loaders) for r in rows]


# The loader and key of each relation of a subscription, by the field that shows it.
_SUBSCRIPTION_RELATIONS: dict[str, tuple[str, Callable[[SubscriptionModel], Any]]] = {
    "plan": ("plans", lambda row: row.plan_id),
    "name": ("plans", lambda row: row.plan_id),
    "addons": ("addons", lambda row: row.id),
    "customer": ("customers", lambda row: row.customer_id),
    "ipAddress": ("pool_addresses", lambda row: row.ip_pool_id),
    "sites": ("sites", lambda row: row.id),
    "effectiveValues": ("effective_values", lambda row: row),
    "phpSettings": ("php_settings", lambda row: (row, None)),  # at the subscription level (no siteId)
}


# Fields that read a subscription's JSON documents (values, customisation, conflicts).
_DOCUMENT_FIELDS = ("values", "conflicts", "visibleFeatures", "effectiveValues", "phpSettings", "usage",
                    "serviceSettings")


async def warm_subscription_loaders(info: Info, rows: Sequence[SubscriptionModel], *at: str) -> None:
    """Ask the loaders at once for every relation of the page the client selected, one query each.

    Not needed for correctness (an object built before its relations are loaded holds awaitables that load
    them through the same loaders), but the objects then hold plain values: no task per field.
    """
    keys: dict[str, set[Any]] = defaultdict(set)
    for name, (loader, key_of) in _SUBSCRIPTION_RELATIONS.items():
        if selects(info, *at, name):
            keys[loader].update(key for key in map(key_of, rows) if key is not None)
    loaders = info.context.loaders
    # Effective values and PHP settings read the plans and add-ons through their loaders: those go first.
    derived = {"effective_values", "php_settings"}
    for stage in (set(keys) - derived, set(keys) & derived):
        if stage:
            await asyncio.gather(*(getattr(loaders, loader).warm(keys[loader]) for loader in stage))


async def subscriptions_connection(info: Info, first: int | None = None, after: str | None = None,
                                   filter: SubscriptionFilterInput | None = None,
                                   sort: SubscriptionSortInput | None = None) -> Connection[Subscription]:
    tenant = info.context.tenant
    sort = sort or SubscriptionSortInput()
    request = page_request(info, first, after, sort.direction)

    def load(session: Session) -> Page[SubscriptionModel]:
        f = filter or SubscriptionFilterInput()
        customer_id = tenant.customer_id if tenant.role is Role.CUSTOMER else (
            decode_id(f.customer_id, "Customer", field="customerId") if f.customer_id else None)
        service_filter = subscriptions.SubscriptionFilter(
            status=f.status.value if f.status else None, sync_state=f.sync_state.value if f.sync_state else None,
            plan_id=decode_id(f.plan_id, "Plan", field="planId") if f.plan_id else None,
            customer_id=customer_id, search=f.search)
        return subscriptions.list_page(session, seller_id=tenant.seller_id, filter_=service_filter, page=request,
                                       sort=sort.field.value, options=options)

    shows_documents = any(selects(info, "edges", "node", name) for name in _DOCUMENT_FIELDS)
    options = () if shows_documents else documents_deferred()

    # A bad filter id is the client's mistake, reported as such (BAD_USER_INPUT), never an empty page.
    page = await info.context.run(load)
    await warm_subscription_loaders(info, page.items, "edges", "node")
    loaders = info.context.loaders
    return Connection[Subscription].from_page(page, lambda row: Subscription.from_model(row, loaders))


async def load_subscription(info: Info, subscription_id: uuid.UUID) -> Subscription | None:
    row = await info.context.loaders.subscriptions.load(subscription_id)
    return Subscription.from_model(row, info.context.loaders) if row else None


async def subscription(info: Info, id: strawberry.ID) -> Subscription | None:
    try:
        return await load_subscription(info, decode_id(id, "Subscription"))
    except DomainError:
        return None


def _optional_id(value: strawberry.ID | None, type_name: str, field: str) -> uuid.UUID | None:
    return decode_id(value, type_name, field=field) if value else None


async def subscription_create(info: Info, input: SubscriptionCreateInput) -> SubscriptionPayload:
    seller_id = info.context.tenant.seller_id

    def work(session: Session) -> SubscriptionModel:
        new = subscriptions.NewSubscription(
            domain_name=input.domain_name, system_login=input.system_login, system_password=input.system_password,
            ip_pool_id=decode_id(input.ip_pool_entry_id, "IpPoolEntry", field="ipPoolEntryId"),
            customer_id=_optional_id(input.customer_id, "Customer", "customerId"),
            plan_id=_optional_id(input.plan_id, "Plan", "planId"),
            addon_ids=tuple(decode_id(a, "Plan", field="addonIds") for a in input.addon_ids))
        return subscriptions.create(session, seller_id=seller_id, new=new, lock=input.proceed_to_customize)

    return await mutate(info, SubscriptionPayload, work, lambda row: _subscription_payload(info, row.id))


async def _for_each(info: Info, ids: Sequence[strawberry.ID],
                    operation: Callable[[Session, uuid.UUID], Any]) -> SubscriptionsPayload:
    """A bulk operation: each id in its own savepoint, a result (or errors) per id."""
    def work(session: Session, global_id: strawberry.ID) -> uuid.UUID:
        subscription_id = decode_id(global_id, "Subscription")
        operation(session, subscription_id)
        return subscription_id

    async def done(outcomes: list[Outcome[uuid.UUID]]) -> SubscriptionsPayload:
        changed = [o.result for o in outcomes if o.result]
        built = await info.context.run(lambda s: {v.model.id: v for v in build(
            s, list(s.scalars(select(SubscriptionModel).where(SubscriptionModel.id.in_(changed)))))})
        return SubscriptionsPayload(results=[
            SubscriptionResult(id=o.id, subscription=built.get(o.result) if o.result else None,
                               errors=o.errors(HostingError)) for o in outcomes])

    return await mutate_each(info, SubscriptionsPayload, ids, work, done)


async def _for_each_with(info: Info, ids: Sequence[strawberry.ID], other: strawberry.ID, field: str,
                         operation: Callable[[Session, uuid.UUID, uuid.UUID], Any]) -> SubscriptionsPayload:
    """A bulk operation that also names a plan or add-on: a bad id for it fails the whole request."""
    try:
        plan_id = decode_id(other, "Plan", field=field)
    except DomainError as error:
        return error_payload(SubscriptionsPayload, error)
    return await _for_each(info, ids, lambda s, i: operation(s, i, plan_id))


async def subscription_change_plan(info: Info, input: SubscriptionChangePlanInput) -> SubscriptionsPayload:
    return await _for_each_with(info, input.ids, input.plan_id, "planId", lambda s, i, p: subscription_plans.change_plan(
        session=s, subscription_id=i, plan_id=p))


async def subscription_add_addon(info: Info, input: SubscriptionAddonInput) -> SubscriptionsPayload:
    return await _for_each_with(info, input.ids, input.addon_id, "addonId", lambda s, i, a: subscription_plans.add_addon(
        session=s, subscription_id=i, addon_id=a))


async def subscription_remove_addon(info: Info, input: SubscriptionAddonInput) -> SubscriptionsPayload:
    return await _for_each_with(info, input.ids, input.addon_id, "addonId",
                                lambda s, i, a: subscription_plans.remove_addon(session=s, subscription_id=i, addon_id=a))


async def _subscription_payload(info: Info, subscription_id: uuid.UUID) -> SubscriptionPayload:
    return SubscriptionPayload(subscription=await load_subscription(info, subscription_id))


async def _single(info: Info, global_id: strawberry.ID, operation: Callable[[Session, uuid.UUID], Any]
                  ) -> SubscriptionPayload:
    return await mutate(info, SubscriptionPayload, lambda s: operation(s, decode_id(global_id, "Subscription")),
                        lambda row: _subscription_payload(info, row.id))


async def subscription_customize(info: Info, input: SubscriptionCustomizeInput) -> SubscriptionPayload:
    """ "Update & Lock": resources and permissions only (hosting, mail and DNS settings are the owner's)."""
    return await _single(info, input.id, lambda s, i: subscription_plans.customize(
        session=s, subscription_id=i, limits=[(item.resource, item.limit) for item in input.limits],
        permissions={p.permission: p.granted for p in input.permissions}))


async def subscription_unlock_and_sync(info: Info, input: SubscriptionIdsInput) -> SubscriptionsPayload:
    return await _for_each(info, input.ids, lambda s, i: subscription_plans.unlock_and_sync(session=s, subscription_id=i))


async def subscription_synchronize(info: Info, input: SubscriptionIdsInput) -> SubscriptionsPayload:
    """Retry unsynced subscriptions; each result carries its conflict report."""
    return await _for_each(info, input.ids, lambda s, i: subscription_plans.synchronize(session=s, subscription_id=i))


async def subscription_accept_available_values(info: Info, input: SubscriptionIdsInput) -> SubscriptionsPayload:
    return await _for_each(info, input.ids, lambda s, i: subscription_plans.accept_available(session=s, subscription_id=i))


async def subscription_detach(info: Info, input: SubscriptionIdsInput) -> SubscriptionsPayload:
    return await _for_each(info, input.ids, lambda s, i: subscription_plans.detach(session=s, subscription_id=i))


async def subscription_hosting_settings_update(info: Info, input: SubscriptionHostingSettingsInput
                                               ) -> SubscriptionPayload:
    return await _single(info, input.id, lambda s, i: subscription_lifecycle.change_hosting_settings(
        session=s, subscription_id=i, ip_pool_id=_optional_id(input.ip_pool_entry_id, "IpPoolEntry", "ipPoolEntryId"),
        system_login=input.system_login, system_password=input.system_password))


async def subscription_transfer_preview(info: Info, input: SubscriptionTransferInput) -> list[TransferPreview]:
    """What a transfer would change, per subscription, before it is confirmed."""

    def load(session: Session) -> list[TransferPreview]:
        to_customer = _optional_id(input.to_customer_id, "Customer", "toCustomerId")
        previews = [subscription_lifecycle.preview_transfer(session=session, subscription_id=decode_id(gid, "Subscription"),
                                                   to_customer_id=to_customer) for gid in input.ids]
        plan_ids = {p for preview in previews for p in (preview.plan_removed, *preview.addons_removed) if p}
        names = {plan_id: name for plan_id, name in session.execute(
            select(ServicePlan.id, ServicePlan.name).where(ServicePlan.id.in_(plan_ids)))} if plan_ids else {}
        return [TransferPreview(
            subscription_id=gid, becomes_custom=preview.becomes_custom,
            plan_removed=names.get(preview.plan_removed) if preview.plan_removed else None,
            addons_removed=[names[a] for a in preview.addons_removed],
            from_customer_id=strawberry.ID(encode_id("Customer", preview.from_owner)) if preview.from_owner else None,
            to_customer_id=input.to_customer_id) for gid, preview in zip(input.ids, previews)]

    check_bulk(input.ids)  # a refused id or too many ids is the client's mistake (BAD_USER_INPUT)
    return await info.context.run(load)


async def subscription_transfer(info: Info, input: SubscriptionTransferInput) -> SubscriptionsPayload:
    try:
        to_customer = _optional_id(input.to_customer_id, "Customer", "toCustomerId")
    except DomainError as error:
        return error_payload(SubscriptionsPayload, error)
    return await _for_each(info, input.ids, lambda s, i: subscription_lifecycle.transfer(
        session=s, subscription_id=i, to_customer_id=to_customer))


async def subscription_suspend(info: Info, input: SubscriptionIdsInput) -> SubscriptionsPayload:
    return await _for_each(info, input.ids, lambda s, i: subscription_lifecycle.suspend(session=s, subscription_id=i))


async def subscription_activate(info: Info, input: SubscriptionIdsInput) -> SubscriptionsPayload:
    return await _for_each(info, input.ids, lambda s, i: subscription_lifecycle.activate(session=s, subscription_id=i))


async def subscription_renew(info: Info, input: SubscriptionRenewInput) -> SubscriptionPayload:
    return await _single(info, input.id, lambda s, i: subscription_lifecycle.renew(
        session=s, subscription_id=i, expiration=input.expiration_date))


async def subscription_delete(info: Info, input: SubscriptionDeleteInput) -> SubscriptionsPayload:
    return await _for_each(info, input.ids, lambda s, i: subscription_lifecycle.delete_subscription(
        session=s, subscription_id=i, confirm=input.confirm))


# ---- customers -----------------------------------------------------------------------------

def _contact(data: CustomerContactInput | None) -> customer_accounts.ContactDetails:
    if data is None:
        return customer_accounts.ContactDetails()
    return customer_accounts.ContactDetails(**{f.name: getattr(data, f.name)
                                               for f in dataclasses.fields(customer_accounts.ContactDetails)})


async def _load_customer(info: Info, customer_id: uuid.UUID) -> Customer | None:
    row = await info.context.run(lambda s: s.get(CustomerModel, customer_id))
    return Customer.from_model(row) if row else None


async def customer_create(info: Info, input: CustomerCreateInput) -> CustomerPayload:
    seller_id = info.context.tenant.seller_id

    def work(session: Session) -> CustomerModel:
        first = None
        if input.subscription is not None:
            sub = input.subscription
            with under("subscription"):
                first = subscriptions.NewSubscription(
                    domain_name=sub.domain_name, system_login=sub.system_login, system_password=sub.system_password,
                    ip_pool_id=decode_id(sub.ip_pool_entry_id, "IpPoolEntry", field="ipPoolEntryId"),
                    plan_id=_optional_id(sub.plan_id, "Plan", "planId"),
                    addon_ids=tuple(decode_id(a, "Plan", field="addonIds") for a in sub.addon_ids))
        return customer_accounts.create(session=session, seller_id=seller_id, contact=_contact(input.contact),
                                        username=input.username, password=input.password, first_subscription=first)

    return await mutate(info, CustomerPayload, work, lambda row: _customer_payload(info, row.id))


async def _customer_payload(info: Info, customer_id: uuid.UUID) -> CustomerPayload:
    return CustomerPayload(customer=await _load_customer(info, customer_id))


async def customer_update(info: Info, input: CustomerOperationInput) -> CustomerPayload:
    return await mutate(info, CustomerPayload, lambda s: customer_accounts.update_contact(
        session=s, customer_id=decode_id(input.id, "Customer"), contact=_contact(input.contact)),
        lambda row: _customer_payload(info, row.id))


async def customer_login_change(info: Info, input: CustomerLoginChangeInput) -> CustomerLoginChangePayload:
    async def done(row: CustomerModel) -> CustomerLoginChangePayload:
        return CustomerLoginChangePayload(customer=await _load_customer(info, row.id), customer_notified=False)

    return await mutate(info, CustomerLoginChangePayload, lambda s: customer_accounts.change_login(
        session=s, customer_id=decode_id(input.id, "Customer"), username=input.username, password=input.password), done)


async def _customers_each(info: Info, ids: Sequence[strawberry.ID],
                          operation: Callable[[Session, uuid.UUID], Any]) -> CustomersPayload:
    async def done(outcomes: list[Outcome[Any]]) -> CustomersPayload:
        results = []
        for outcome in outcomes:
            customer = None
            if isinstance(outcome.result, uuid.UUID):
                customer = await _load_customer(info, outcome.result)
            elif outcome.result is not None:
                customer = Customer.from_model(outcome.result)
            results.append(CustomerResult(id=outcome.id, customer=customer, errors=outcome.errors(HostingError)))
        return CustomersPayload(results=results)

    return await mutate_each(info, CustomersPayload, ids, lambda s, gid: operation(s, decode_id(gid, "Customer")),
                             done)


async def _selected(info: Info, selection: CustomerSelectionInput) -> list[strawberry.ID]:
    """The ids given plus every customer matching the filter (bulk operations by status filter)."""
    ids = list(selection.ids)
    if selection.filter is not None:
        seller_id = info.context.tenant.seller_id
        status = selection.filter.status.value if selection.filter.status else None

        def matching(session: Session) -> list[uuid.UUID]:
            return customers.matching_ids(session, seller_id=seller_id, filter_=customers.CustomerFilter(
                status=status, search=selection.filter.search))

        ids += [strawberry.ID(encode_id("Customer", i)) for i in await info.context.run(matching)]
    return list(dict.fromkeys(ids))


async def customer_suspend(info: Info, input: CustomerSelectionInput) -> CustomersPayload:
    return await _customers_each(info, await _selected(info, input),
                                 lambda s, i: customer_accounts.suspend(session=s, customer_id=i))


async def customer_activate(info: Info, input: CustomerSelectionInput) -> CustomersPayload:
    return await _customers_each(info, await _selected(info, input),
                                 lambda s, i: customer_accounts.activate(session=s, customer_id=i))


async def customer_delete(info: Info, input: CustomerSelectionInput) -> CustomersPayload:
    return await _customers_each(info, await _selected(info, input), lambda s, i: customer_accounts.delete(
        session=s, customer_id=i, confirm=input.confirm))


async def subscription_php_settings_update(info: Info, input: SubscriptionPhpSettingsInput) -> SubscriptionPayload:
    """PHP directives at the subscription or one of its sites; "Default" inherits again."""
    as_customer = info.context.tenant.role is Role.CUSTOMER
    return await _single(info, input.id, lambda s, i: php_settings.set_directives(
        session=s, subscription_id=i, site_id=_optional_id(input.site_id, "Site", "siteId"), as_customer=as_customer,
        directives={d.name: d.value for d in input.directives}))

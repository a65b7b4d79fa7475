"""Resolvers for subscriptions: the list and its loaders, and every subscription operation (SPEC §4.7)."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import strawberry
from sqlalchemy import select
from sqlalchemy.orm import Session
from strawberry.types import Info

from comptoir.database.pagination import Page
from comptoir.errors import DomainError
from comptoir.hosting import (
    php_settings,
    subscription_lifecycle,
    subscription_plans,
    subscriptions,
)
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
from comptoir.schema.dataloaders import documents_deferred
from comptoir.schema.hosting import HostingError
from comptoir.schema.ids import decode_id, decode_optional_id, encode_id
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
from comptoir.tenancy.context import Role

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


async def subscription_create(info: Info, input: SubscriptionCreateInput) -> SubscriptionPayload:
    seller_id = info.context.tenant.seller_id

    def work(session: Session) -> SubscriptionModel:
        new = subscriptions.NewSubscription(
            domain_name=input.domain_name, system_login=input.system_login, system_password=input.system_password,
            ip_pool_id=decode_id(input.ip_pool_entry_id, "IpPoolEntry", field="ipPoolEntryId"),
            customer_id=decode_optional_id(input.customer_id, "Customer", field="customerId"),
            plan_id=decode_optional_id(input.plan_id, "Plan", field="planId"),
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
        session=s, subscription_id=i,
        ip_pool_id=decode_optional_id(input.ip_pool_entry_id, "IpPoolEntry", field="ipPoolEntryId"),
        system_login=input.system_login, system_password=input.system_password))


async def subscription_transfer_preview(info: Info, input: SubscriptionTransferInput) -> list[TransferPreview]:
    """What a transfer would change, per subscription, before it is confirmed."""

    def load(session: Session) -> list[TransferPreview]:
        to_customer = decode_optional_id(input.to_customer_id, "Customer", field="toCustomerId")
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
        to_customer = decode_optional_id(input.to_customer_id, "Customer", field="toCustomerId")
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


async def subscription_php_settings_update(info: Info, input: SubscriptionPhpSettingsInput) -> SubscriptionPayload:
    """PHP directives at the subscription or one of its sites; "Default" inherits again."""
    as_customer = info.context.tenant.role is Role.CUSTOMER
    return await _single(info, input.id, lambda s, i: php_settings.set_directives(
        session=s, subscription_id=i, site_id=decode_optional_id(input.site_id, "Site", field="siteId"),
        as_customer=as_customer,
        directives={d.name: d.value for d in input.directives}))

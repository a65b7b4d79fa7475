"""A subscription's plan, add-ons and customisation, and its synchronisation with them (SPEC §4.6)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.errors import DomainError
from comptoir.hosting import capacity, ip_pools, plans, rules
from comptoir.hosting import plan_values as pv
from comptoir.hosting.errors import HostingErrorCode as E
from comptoir.hosting.inspection import SUBSCRIPTION_PHP_KEY
from comptoir.hosting.models import Subscription, SubscriptionAddon
from comptoir.hosting.provisioning import request_provisioning
from comptoir.hosting.subscriptions import (
    SyncState,
    addon_ids,
    apply_customization,
    conflict_report,
    current_values,
    delivered,
    get_or_raise,
    resync,
    target_values,
)
from comptoir.hosting.vocabulary import Resource, SubscriptionPermission


def own_php_only(subscription: Subscription) -> dict[str, Any]:
    """What "Unlock & Sync" keeps of a customisation: the subscription's own PHP level (SPEC §4.5)."""
    return {k: v for k, v in subscription.customization.items() if k == SUBSCRIPTION_PHP_KEY}


def change_plan(*, session: Session, subscription_id: uuid.UUID, plan_id: uuid.UUID) -> Subscription:
    subscription = get_or_raise(session, subscription_id=subscription_id, for_update=True)
    plans.get_or_raise(session, plan_id=plan_id, kind=plans.PlanKind.SERVICE, seller_id=subscription.seller_id,
                       field="planId")
    subscription.plan_id = plan_id
    subscription.customization = own_php_only(subscription)
    subscription.sync_state = SyncState.SYNCED.value
    return ip_pools.require_dedicated_ip_for(session, resync(session, subscription))


def add_addon(*, session: Session, subscription_id: uuid.UUID, addon_id: uuid.UUID) -> Subscription:
    """Attach an add-on plan; a subscription holds each add-on at most once, and only with a plan."""
    subscription = get_or_raise(session, subscription_id=subscription_id, for_update=True)
    if subscription.plan_id is None:
        raise DomainError(E.ADDON_NEEDS_PLAN, "Add-ons need a service plan.", field="subscriptionId")
    plans.get_or_raise(session, plan_id=addon_id, kind=plans.PlanKind.ADDON, seller_id=subscription.seller_id,
                       field="addonId")
    if addon_id in addon_ids(session, subscription.id):
        raise DomainError(E.ADDON_ALREADY_ADDED, "This add-on is already on the subscription.", field="addonId")
    session.add(SubscriptionAddon(seller_id=subscription.seller_id, subscription_id=subscription.id,
                                  addon_id=addon_id, customer_id=subscription.customer_id))
    session.flush()
    return ip_pools.require_dedicated_ip_for(session, resync(session, subscription))


def remove_addon(*, session: Session, subscription_id: uuid.UUID, addon_id: uuid.UUID) -> Subscription:
    subscription = get_or_raise(session, subscription_id=subscription_id, for_update=True)
    removed = session.execute(delete(SubscriptionAddon).where(
        SubscriptionAddon.subscription_id == subscription.id, SubscriptionAddon.addon_id == addon_id)).rowcount
    if not removed:
        raise DomainError(E.ADDON_NOT_ADDED, "This add-on is not on the subscription.", field="addonId")
    return resync(session, subscription)


def customize(*, session: Session, subscription_id: uuid.UUID, limits: Sequence[tuple[Resource, int | None]] = (),
              permissions: dict[SubscriptionPermission, bool] | None = None) -> Subscription:
    """ "Update & Lock": change resources and permissions without changing the plan (admin side only)."""
    subscription = get_or_raise(session, subscription_id=subscription_id, for_update=True)
    changes: dict[str, Any] = {}
    for resource, limit in limits:
        if resource not in pv.PLAN_RESOURCES or (limit is not None and not 0 <= limit <= 2**31 - 1):
            raise DomainError(E.INVALID_LIMIT, f"Invalid limit for {resource.name}.", field="limits")
        changes[f"limit.{resource.value}"] = limit
    for permission, granted in (permissions or {}).items():
        changes[f"permission.{permission.value}"] = granted
    customization = dict(subscription.customization) | changes
    values = apply_customization(current_values(subscription), changes)
    if problems := rules.permission_problems(values.permissions):
        raise DomainError(E.NEEDS_HOSTING_SETTINGS_MANAGEMENT,
                          f"{', '.join(p.name for p in problems)} need HOSTING_SETTINGS_MANAGEMENT.",
                          field="permissions")
    room = capacity.room_for_change(session, seller_id=subscription.seller_id, subscription_id=subscription.id)
    if over := capacity.exceeded(values, room):
        resource, _, available = over[0]
        raise DomainError(E.ALLOCATION_EXCEEDED, f"{resource.name}: {available} remain in your allocation.",
                          field="limits")
    values, withheld = delivered(session, subscription.seller_id, values)
    subscription.customization = customization
    subscription.values = pv.to_json(values)
    subscription.conflicts = conflict_report(withheld)
    if subscription.plan_id is not None:
        subscription.sync_state = SyncState.LOCKED.value
    subscription.updated_at = clock.now()
    ip_pools.require_dedicated_ip_for(session, subscription)
    request_provisioning(session, subscription)
    return subscription


def unlock_and_sync(*, session: Session, subscription_id: uuid.UUID) -> Subscription:
    subscription = get_or_raise(session, subscription_id=subscription_id, for_update=True)
    if subscription.plan_id is None:
        raise DomainError(E.NOT_LOCKED, "A custom subscription has no plan to sync with.", field="id")
    subscription.sync_state = SyncState.SYNCED.value
    subscription.customization = own_php_only(subscription)
    return resync(session, subscription)


def synchronize(*, session: Session, subscription_id: uuid.UUID) -> Subscription:
    """Retry an unsynced subscription; its conflict report says what still cannot be provided."""
    subscription = get_or_raise(session, subscription_id=subscription_id, for_update=True)
    if subscription.sync_state != SyncState.UNSYNCED.value:
        raise DomainError(E.NOT_UNSYNCED, "This subscription is not unsynced.", field="id")
    return resync(session, subscription)


def accept_available(*, session: Session, subscription_id: uuid.UUID) -> Subscription:
    """Apply the available values of the conflict report; the subscription then differs from its plan
    (locked), until "Unlock & Sync" succeeds."""
    subscription = synchronize(session=session, subscription_id=subscription_id)
    if subscription.sync_state != SyncState.UNSYNCED.value:
        return subscription
    own = subscription.customization if subscription.plan_id is None else own_php_only(subscription)
    # Every kind the report lists is accepted (limits, hard quota, PHP, scripting, SSH, OS-specific
    # switches); withheld reseller permissions are no choice of the subscription's.
    accepted = own | {c["name"]: c["available_value"] for c in subscription.conflicts
                      if c.get("reason") != rules.ConflictReason.RESELLER_PERMISSION.value}
    target = target_values(session, subscription.plan_id, addon_ids(session, subscription.id), {})
    values, withheld = delivered(session, subscription.seller_id, apply_customization(target, accepted))
    subscription.values = pv.to_json(values)
    subscription.customization = accepted
    subscription.conflicts = conflict_report(withheld)
    subscription.sync_state = (SyncState.LOCKED if subscription.plan_id else SyncState.SYNCED).value
    subscription.updated_at = clock.now()
    request_provisioning(session, subscription)
    return subscription


def detach(*, session: Session, subscription_id: uuid.UUID) -> Subscription:
    """Detach from plan and add-ons: the subscription keeps its values and becomes custom."""
    subscription = get_or_raise(session, subscription_id=subscription_id, for_update=True)
    make_custom(session, subscription)
    return subscription


def make_custom(session: Session, subscription: Subscription) -> None:
    """Drop plan and add-ons, keeping every value as the subscription's own (custom, SPEC §4.7): limits,
    permissions, every settings group, and the plan's and add-ons' PHP directives at the subscription's level,
    so that a later renewal or resync rebuilds exactly these values, never the default plan's."""
    session.execute(delete(SubscriptionAddon).where(SubscriptionAddon.subscription_id == subscription.id))
    values = current_values(subscription)
    own_php = subscription.customization.get(SUBSCRIPTION_PHP_KEY, {})
    inherited_php = dict(values.php.directives) if subscription.plan_id else {}
    subscription.plan_id = None
    subscription.customization = pv.plain_flat(rules.flatten(values)) | {
        SUBSCRIPTION_PHP_KEY: inherited_php | own_php}
    subscription.sync_state = SyncState.SYNCED.value
    subscription.conflicts = []
    subscription.updated_at = clock.now()

"""Subscriptions: creation on a plan (+ add-ons) or custom, plan and add-on changes, customisation,
synchronisation states, transfer, suspension, expiration and renewal (SPEC §4.1, §4.6, §4.7)."""

from __future__ import annotations

import enum
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.database.errors import constraint_name
from comptoir.errors import DomainError
from comptoir.hosting import capacity, plans, rules
from comptoir.hosting import plan_values as pv
from comptoir.hosting.errors import HostingErrorCode as E
from comptoir.hosting.models import IpPoolEntry, ServicePlan, Site, Subscription, SubscriptionAddon
from comptoir.hosting.provisioning import Action, request_if_changed, request_provisioning
from comptoir.hosting.vocabulary import Resource, SubscriptionPermission
from comptoir.tenancy.models import Customer

DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$")
SYSTEM_LOGIN = re.compile(r"^[a-z_][a-z0-9_.-]{0,31}$")


class SyncState(enum.Enum):
    SYNCED = "synced"
    LOCKED = "locked"
    UNSYNCED = "unsynced"


class Status(enum.Enum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


@dataclass(frozen=True)
class NewSubscription:
    domain_name: str
    ip_pool_id: uuid.UUID
    system_login: str
    system_password: str
    customer_id: uuid.UUID | None = None  # None: for the seller itself
    plan_id: uuid.UUID | None = None  # None: custom
    addon_ids: tuple[uuid.UUID, ...] = ()


# ---- reading -------------------------------------------------------------------------------

def get_or_raise(session: Session, *, subscription_id: uuid.UUID, for_update: bool = False) -> Subscription:
    statement = select(Subscription).where(Subscription.id == subscription_id)
    if for_update:
        statement = statement.with_for_update()
    subscription = session.scalars(statement).one_or_none()
    if subscription is None:
        raise DomainError(E.NOT_FOUND, "No such subscription.", field="id")
    return subscription


def addon_ids(session: Session, subscription_id: uuid.UUID) -> list[uuid.UUID]:
    return list(session.scalars(select(SubscriptionAddon.addon_id).where(
        SubscriptionAddon.subscription_id == subscription_id).order_by(SubscriptionAddon.created_at)))


def display_name(subscription: Subscription, plan_name: str | None) -> str:
    """ "domain (Plan)" or "domain (Custom)"."""
    return f"{subscription.domain_name} ({plan_name or 'Custom'})"


def current_values(subscription: Subscription) -> pv.PlanValues:
    return pv.from_json(subscription.values)


def permissions_of(subscription: Subscription) -> frozenset[SubscriptionPermission]:
    return current_values(subscription).permissions


# ---- what a subscription should have -------------------------------------------------------

def _addons(session: Session, ids: Sequence[uuid.UUID]) -> list[ServicePlan]:
    if not ids:
        return []
    found = {p.id: p for p in session.scalars(select(ServicePlan).where(ServicePlan.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def target_values(session: Session, plan_id: uuid.UUID | None, addon_plan_ids: Sequence[uuid.UUID],
                  customization: dict[str, Any]) -> pv.PlanValues:
    """Plan + add-ons (or the default plan for a custom subscription), then its customisation."""
    base = plans.values_of(plans.get_or_raise(session, plan_id=plan_id)) if plan_id else pv.default_plan_values()
    combined = rules.combine(base, [plans.values_of(a) for a in _addons(session, addon_plan_ids)])
    return apply_customization(combined, customization)


def apply_customization(values: pv.PlanValues, customization: dict[str, Any]) -> pv.PlanValues:
    """Overrides (limits, permissions, accepted available values) on top of plan values."""
    flat = rules.flatten(values)
    overrides = pv.coerce_flat({k: v for k, v in customization.items() if k in flat})
    if not overrides:
        return values
    unflattened = pv.unflatten(flat | overrides)
    php = replace(values.php, **{k[4:]: v for k, v in overrides.items() if k.startswith("php.")})
    return replace(unflattened, php=php, validity=values.validity)


def agent_conflicts(values: pv.PlanValues) -> list[rules.Conflict]:
    """What the hosting agent reports it cannot provide of these values."""
    from comptoir.provisioning.hosting_agent import get_hosting_agent

    return get_hosting_agent().capabilities().conflicts(rules.flatten(values))


def conflict_report(found: Sequence[rules.Conflict]) -> list[dict[str, Any]]:
    from comptoir.provisioning.hosting_agent import plain_value

    return [{"name": c.name, "plan_value": plain_value(c.plan_value), "available_value": plain_value(c.available_value)}
            for c in found]


def synchronise(subscription: Subscription, target: pv.PlanValues, room: dict[Resource, int | None]) -> None:
    """Apply `target` except what the owner manages himself; unsynced with a report if it cannot fit."""
    current = current_values(subscription)
    kept = rules.synchronised(rules.flatten(current), rules.flatten(target), current.permissions & target.permissions)
    wanted = replace(pv.unflatten(kept), php=target.php, validity=target.validity)
    found = [rules.Conflict(f"limit.{r.value}", w, a) for r, w, a in capacity.exceeded(wanted, room)]
    found += [c for c in agent_conflicts(wanted) if c.name not in {f.name for f in found}]
    if found:
        subscription.sync_state = SyncState.UNSYNCED.value
        subscription.conflicts = conflict_report(found)
    else:
        subscription.values = pv.to_json(wanted)
        subscription.conflicts = []
        if subscription.sync_state == SyncState.UNSYNCED.value:
            subscription.sync_state = SyncState.SYNCED.value
    subscription.updated_at = clock.now()


def resync(session: Session, subscription: Subscription) -> Subscription:
    """Recompute from plan + add-ons (+ customisation) and apply; locked subscriptions are left alone."""
    if subscription.sync_state == SyncState.LOCKED.value:
        return subscription
    target = target_values(session, subscription.plan_id, addon_ids(session, subscription.id),
                           subscription.customization if subscription.plan_id is None else {})
    room = capacity.room_for_change(session, seller_id=subscription.seller_id, subscription_id=subscription.id)
    previous_values = subscription.values
    synchronise(subscription, target, room)
    request_if_changed(session, subscription, previous_values=previous_values)
    return subscription


# ---- creation ------------------------------------------------------------------------------

def _check_new(session: Session, seller_id: uuid.UUID, new: NewSubscription) -> str:
    domain = new.domain_name.strip().lower().rstrip(".")
    if not DOMAIN.match(domain):
        raise DomainError(E.INVALID_DOMAIN, "Not a valid domain name.", field="domainName")
    if not SYSTEM_LOGIN.match(new.system_login):
        raise DomainError(E.INVALID_LOGIN, "System user: 1–32 lowercase letters, digits, _ . -; not a digit first.",
                          field="systemLogin")
    if not 8 <= len(new.system_password) <= 255:
        raise DomainError(E.PASSWORD_TOO_SHORT, "The system user's password needs 8 to 255 characters.",
                          field="systemPassword")
    if new.addon_ids and new.plan_id is None:
        raise DomainError(E.ADDON_NEEDS_PLAN, "Add-ons need a service plan.", field="addonIds")
    if len(set(new.addon_ids)) != len(new.addon_ids):
        raise DomainError(E.ADDON_ALREADY_ADDED, "Each add-on can be added once.", field="addonIds")
    if new.plan_id is not None:
        plans.get_or_raise(session, plan_id=new.plan_id, kind=plans.PlanKind.SERVICE)
    for addon_id in new.addon_ids:
        plans.get_or_raise(session, plan_id=addon_id, kind=plans.PlanKind.ADDON)
    if new.customer_id is not None:
        customer = session.get(Customer, new.customer_id)
        if customer is None or customer.seller_id != seller_id:
            raise DomainError(E.OWNER_NOT_FOUND, "No such customer.", field="customerId")
    _check_ip(session, seller_id, new.ip_pool_id, new.customer_id)
    return domain


def _check_ip(session: Session, seller_id: uuid.UUID, ip_pool_id: uuid.UUID, owner: uuid.UUID | None,
              *, ignoring: uuid.UUID | None = None) -> IpPoolEntry:
    """The address must be in the seller's pool; a dedicated one serves one customer only."""
    from comptoir.hosting import ip_addresses

    try:
        return ip_addresses.check_use(session, seller_id=seller_id, ip_pool_id=ip_pool_id, owner=owner,
                                      ignoring=ignoring)
    except DomainError as error:
        code = E.__members__.get(error.code.name, E.IP_NOT_AVAILABLE)
        raise DomainError(code, error.message, field=error.field) from None


def _flush_unique(session: Session) -> None:
    """Flush, turning unique violations on domain or system login into typed errors."""
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as error:
        constraint = constraint_name(error)
        if constraint == "subscriptions_domain_unique":
            raise DomainError(E.DOMAIN_TAKEN, "This domain is already hosted.", field="domainName") from None
        if "system_login" in constraint:
            raise DomainError(E.LOGIN_TAKEN, "This system user name is taken.", field="systemLogin") from None
        raise


def create(session: Session, *, seller_id: uuid.UUID, new: NewSubscription, lock: bool = False) -> Subscription:
    """A subscription bound for good to one domain, IP address and system user."""
    domain = _check_new(session, seller_id, new)
    values = target_values(session, new.plan_id, new.addon_ids, {})
    capacity.check_new_subscription(session, seller_id=seller_id, values=values)
    unprovidable = agent_conflicts(values)
    state = SyncState.UNSYNCED if unprovidable else SyncState.LOCKED if lock else SyncState.SYNCED
    subscription = Subscription(
        seller_id=seller_id, customer_id=new.customer_id, plan_id=new.plan_id, domain_name=domain,
        ip_pool_id=new.ip_pool_id, system_login=new.system_login, system_password=new.system_password,
        values=pv.to_json(values), expiration_date=expiration_date(values.validity, clock.today()),
        sync_state=state.value, conflicts=conflict_report(unprovidable),
    )
    session.add(subscription)
    _flush_unique(session)
    session.add_all([SubscriptionAddon(seller_id=seller_id, subscription_id=subscription.id, addon_id=addon_id,
                                       customer_id=new.customer_id) for addon_id in new.addon_ids])
    session.add(Site(seller_id=seller_id, subscription_id=subscription.id, customer_id=new.customer_id,
                     domain_name=domain))
    session.flush()
    request_provisioning(session, subscription, action=Action.CREATE)
    return subscription


def expiration_date(validity: pv.ValidityPeriod | None, start: date) -> date | None:
    if validity is None:
        return None
    from comptoir.hosting.dates import add_period

    return add_period(start, validity.count, validity.unit)


# ---- plan, add-ons, customisation ------------------------------------------------------------

def change_plan(session: Session, *, subscription_id: uuid.UUID, plan_id: uuid.UUID) -> Subscription:
    subscription = get_or_raise(session, subscription_id=subscription_id, for_update=True)
    plans.get_or_raise(session, plan_id=plan_id, kind=plans.PlanKind.SERVICE)
    subscription.plan_id = plan_id
    subscription.customization = {}
    subscription.sync_state = SyncState.SYNCED.value
    return resync(session, subscription)


def add_addon(session: Session, *, subscription_id: uuid.UUID, addon_id: uuid.UUID) -> Subscription:
    """Attach an add-on plan; a subscription holds each add-on at most once, and only with a plan."""
    subscription = get_or_raise(session, subscription_id=subscription_id, for_update=True)
    if subscription.plan_id is None:
        raise DomainError(E.ADDON_NEEDS_PLAN, "Add-ons need a service plan.", field="subscriptionId")
    plans.get_or_raise(session, plan_id=addon_id, kind=plans.PlanKind.ADDON)
    if addon_id in addon_ids(session, subscription.id):
        raise DomainError(E.ADDON_ALREADY_ADDED, "This add-on is already on the subscription.", field="addonId")
    session.add(SubscriptionAddon(seller_id=subscription.seller_id, subscription_id=subscription.id,
                                  addon_id=addon_id, customer_id=subscription.customer_id))
    session.flush()
    return resync(session, subscription)


def remove_addon(session: Session, *, subscription_id: uuid.UUID, addon_id: uuid.UUID) -> Subscription:
    subscription = get_or_raise(session, subscription_id=subscription_id, for_update=True)
    removed = session.execute(delete(SubscriptionAddon).where(
        SubscriptionAddon.subscription_id == subscription.id, SubscriptionAddon.addon_id == addon_id)).rowcount
    if not removed:
        raise DomainError(E.ADDON_NOT_ADDED, "This add-on is not on the subscription.", field="addonId")
    return resync(session, subscription)


def customize(session: Session, *, subscription_id: uuid.UUID, limits: Sequence[tuple[Resource, int | None]] = (),
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
    subscription.customization = customization
    subscription.values = pv.to_json(values)
    if subscription.plan_id is not None:
        subscription.sync_state = SyncState.LOCKED.value
    subscription.updated_at = clock.now()
    request_provisioning(session, subscription)
    return subscription


def unlock_and_sync(session: Session, *, subscription_id: uuid.UUID) -> Subscription:
    subscription = get_or_raise(session, subscription_id=subscription_id, for_update=True)
    if subscription.plan_id is None:
        raise DomainError(E.NOT_LOCKED, "A custom subscription has no plan to sync with.", field="id")
    subscription.sync_state = SyncState.SYNCED.value
    subscription.customization = {}
    return resync(session, subscription)


def synchronize(session: Session, *, subscription_id: uuid.UUID) -> Subscription:
    """Retry an unsynced subscription; its conflict report says what still cannot be provided."""
    subscription = get_or_raise(session, subscription_id=subscription_id, for_update=True)
    if subscription.sync_state != SyncState.UNSYNCED.value:
        raise DomainError(E.NOT_UNSYNCED, "This subscription is not unsynced.", field="id")
    return resync(session, subscription)


def accept_available(session: Session, *, subscription_id: uuid.UUID) -> Subscription:
    """Apply the available values of the conflict report; the subscription then differs from its plan
    (locked), until "Unlock & Sync" succeeds."""
    subscription = synchronize(session, subscription_id=subscription_id)
    if subscription.sync_state != SyncState.UNSYNCED.value:
        return subscription
    own = subscription.customization if subscription.plan_id is None else {}
    accepted = own | {c["name"]: c["available_value"] for c in subscription.conflicts}
    target = target_values(session, subscription.plan_id, addon_ids(session, subscription.id), {})
    subscription.values = pv.to_json(apply_customization(target, accepted))
    subscription.customization = accepted
    subscription.conflicts = []
    subscription.sync_state = (SyncState.LOCKED if subscription.plan_id else SyncState.SYNCED).value
    subscription.updated_at = clock.now()
    request_provisioning(session, subscription)
    return subscription


def detach(session: Session, *, subscription_id: uuid.UUID) -> Subscription:
    """Detach from plan and add-ons: the subscription keeps its values and becomes custom."""
    subscription = get_or_raise(session, subscription_id=subscription_id, for_update=True)
    _make_custom(session, subscription)
    return subscription


def _make_custom(session: Session, subscription: Subscription) -> None:
    session.execute(delete(SubscriptionAddon).where(SubscriptionAddon.subscription_id == subscription.id))
    values = current_values(subscription)
    subscription.plan_id = None
    subscription.customization = {k: v for k, v in rules.flatten(values).items()
                                  if k.startswith(("limit.", "permission."))}
    subscription.sync_state = SyncState.SYNCED.value
    subscription.conflicts = []
    subscription.updated_at = clock.now()


# ---- hosting settings, transfer ---------------------------------------------------------------

def change_hosting_settings(session: Session, *, subscription_id: uuid.UUID, ip_pool_id: uuid.UUID | None = None,
                            system_login: str | None = None, system_password: str | None = None) -> Subscription:
    subscription = get_or_raise(session, subscription_id=subscription_id, for_update=True)
    if ip_pool_id is not None and ip_pool_id != subscription.ip_pool_id:
        _check_ip(session, subscription.seller_id, ip_pool_id, subscription.customer_id, ignoring=subscription.id)
        subscription.ip_pool_id = ip_pool_id
    if system_login is not None:
        if not SYSTEM_LOGIN.match(system_login):
            raise DomainError(E.INVALID_LOGIN, "Invalid system user name.", field="systemLogin")
        if system_login != subscription.system_login:
            request_provisioning(session, subscription)  # the webspace's system user is renamed
        subscription.system_login = system_login
    if system_password is not None:
        if not 8 <= len(system_password) <= 255:
            raise DomainError(E.PASSWORD_TOO_SHORT, "The password needs 8 to 255 characters.",
                              field="systemPassword")
        subscription.system_password = system_password
    subscription.updated_at = clock.now()
    _flush_unique(session)
    return subscription


@dataclass(frozen=True)
class TransferPreview:
    subscription_id: uuid.UUID
    from_owner: uuid.UUID | None
    to_owner: uuid.UUID | None
    plan_removed: uuid.UUID | None
    addons_removed: tuple[uuid.UUID, ...]
    becomes_custom: bool


def preview_transfer(session: Session, *, subscription_id: uuid.UUID, to_customer_id: uuid.UUID | None
                     ) -> TransferPreview:
    """What a transfer will change, shown before it is confirmed."""
    subscription = get_or_raise(session, subscription_id=subscription_id)
    if to_customer_id is not None:
        customer = session.get(Customer, to_customer_id)
        if customer is None or customer.seller_id != subscription.seller_id:
            raise DomainError(E.OWNER_NOT_FOUND, "No such customer.", field="toCustomerId")
    if to_customer_id == subscription.customer_id:
        raise DomainError(E.SAME_OWNER, "The subscription already belongs to this owner.", field="toCustomerId")
    return TransferPreview(subscription.id, subscription.customer_id, to_customer_id, subscription.plan_id,
                           tuple(addon_ids(session, subscription.id)), True)


def transfer(session: Session, *, subscription_id: uuid.UUID, to_customer_id: uuid.UUID | None) -> Subscription:
    """Give the subscription to another customer (or the seller): it is detached and becomes custom."""
    preview_transfer(session, subscription_id=subscription_id, to_customer_id=to_customer_id)
    subscription = get_or_raise(session, subscription_id=subscription_id, for_update=True)
    _check_ip(session, subscription.seller_id, subscription.ip_pool_id, to_customer_id, ignoring=subscription.id)
    _make_custom(session, subscription)
    subscription.customer_id = to_customer_id
    session.flush()
    session.execute(Site.__table__.update().where(Site.subscription_id == subscription.id).values(
        customer_id=to_customer_id))
    return subscription


# ---- suspension, expiration, renewal, deletion ------------------------------------------------

def suspend(session: Session, *, subscription_id: uuid.UUID, reason: str = "manual") -> Subscription:
    subscription = get_or_raise(session, subscription_id=subscription_id, for_update=True)
    subscription.status, subscription.suspension_reason = Status.SUSPENDED.value, reason
    subscription.updated_at = clock.now()
    request_provisioning(session, subscription, action=Action.SUSPEND)
    return subscription


def activate(session: Session, *, subscription_id: uuid.UUID) -> Subscription:
    """Reactivate; an expired subscription activated by hand is suspended again by the next daily check."""
    subscription = get_or_raise(session, subscription_id=subscription_id, for_update=True)
    subscription.status, subscription.suspension_reason = Status.ACTIVE.value, ""
    subscription.updated_at = clock.now()
    request_provisioning(session, subscription, action=Action.ACTIVATE)
    return subscription


def process_expirations(session: Session, *, today: date) -> list[uuid.UUID]:
    """Daily check: suspend every active subscription whose expiration date has come."""
    due = list(session.scalars(select(Subscription).where(
        Subscription.status == Status.ACTIVE.value, Subscription.expiration_date <= today).with_for_update(
        skip_locked=True)))
    for subscription in due:
        subscription.status, subscription.suspension_reason = Status.SUSPENDED.value, "expired"
        subscription.updated_at = clock.now()
        request_provisioning(session, subscription, action=Action.SUSPEND)
    return [s.id for s in due]


def renew(session: Session, *, subscription_id: uuid.UUID, expiration: date | None) -> Subscription:
    """Renew an expired subscription: activate, new expiration date (or unlimited), unlock & sync."""
    subscription = get_or_raise(session, subscription_id=subscription_id, for_update=True)
    if expiration is not None and expiration <= clock.today():
        raise DomainError(E.INVALID, "The new expiration date must be in the future.", field="expirationDate")
    subscription.expiration_date = expiration
    subscription.status, subscription.suspension_reason = Status.ACTIVE.value, ""
    request_provisioning(session, subscription, action=Action.ACTIVATE)
    if subscription.plan_id is not None:
        subscription.sync_state = SyncState.SYNCED.value
        subscription.customization = {}
    return resync(session, subscription)


def delete_subscription(session: Session, *, subscription_id: uuid.UUID, confirm: bool) -> uuid.UUID:
    if not confirm:
        raise DomainError(E.CONFIRMATION_REQUIRED, "Deleting removes the subscription and its sites: confirm it.",
                          field="confirm")
    subscription = get_or_raise(session, subscription_id=subscription_id, for_update=True)
    request_provisioning(session, subscription, action=Action.DELETE)
    session.delete(subscription)
    session.flush()
    return subscription_id



# ---- listing -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class SubscriptionFilter:
    status: str | None = None
    sync_state: str | None = None
    plan_id: uuid.UUID | None = None
    customer_id: uuid.UUID | None = None
    search: str | None = None


SORT_COLUMNS = {"domain_name": Subscription.domain_name, "created_at": Subscription.created_at,
                "status": Subscription.status, "expiration_date": Subscription.expiration_date}


def list_page(session: Session, *, seller_id: uuid.UUID, filter_: SubscriptionFilter, page: Any,
              sort: str = "created_at", options: Sequence[Any] = ()) -> Any:
    """options: loader options of the rows (the API defers the JSON documents a page does not show)."""
    from comptoir.database.pagination import paginate

    statement = select(Subscription).options(*options).where(Subscription.seller_id == seller_id)
    if filter_.status:
        statement = statement.where(Subscription.status == filter_.status)
    if filter_.sync_state:
        statement = statement.where(Subscription.sync_state == filter_.sync_state)
    if filter_.plan_id:
        statement = statement.where(Subscription.plan_id == filter_.plan_id)
    if filter_.customer_id:
        statement = statement.where(Subscription.customer_id == filter_.customer_id)
    if filter_.search:
        statement = statement.where(Subscription.domain_name.ilike(f"%{filter_.search.strip().lower()}%"))
    return paginate(session, statement, page, sort_column=SORT_COLUMNS[sort], id_column=Subscription.id)

"""Subscriptions: states, creation on a plan (+ add-ons) or custom, what a subscription should have and
its synchronisation, listing (SPEC §4.1, §4.6). Changes of plan and add-ons live in subscription_plans,
the rest of the life cycle (settings, transfer, suspension, renewal, deletion) in subscription_lifecycle."""

from __future__ import annotations

import enum
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.database.errors import constraint_name
from comptoir.errors import DomainError, collect_errors
from comptoir.hosting import capacity, ip_pools, plans, rules, servers
from comptoir.hosting import plan_values as pv
from comptoir.hosting.errors import HostingErrorCode as E
from comptoir.hosting.models import IpPoolEntry, ServicePlan, Site, Subscription, SubscriptionAddon
from comptoir.hosting.provisioning import Action, request_if_changed, request_provisioning
from comptoir.hosting.vocabulary import Resource, SubscriptionPermission
from comptoir.security import secrets
from comptoir.tenancy.listing import LIKE_ESCAPE, contains_pattern
from comptoir.tenancy.models import Customer, ResellerAllocation
from comptoir.webhooks import events as webhook_events

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


def agent_conflicts(values: pv.PlanValues, subscription: Subscription | None = None) -> list[rules.Conflict]:
    """What the subscription's hosting server reports it cannot provide of these values."""
    return servers.conflicts_on_server(subscription, values) + ip_pools.dedicated_ip_conflicts(subscription, values)


def conflict_report(found: Sequence[rules.Conflict]) -> list[dict[str, Any]]:
    return [{"name": c.name, "plan_value": pv.plain(c.plan_value), "available_value": pv.plain(c.available_value),
             "reason": c.reason.value} for c in found]


def reseller_permissions(session: Session, seller_id: uuid.UUID) -> frozenset[SubscriptionPermission] | None:
    """The subscription permissions of the seller's reseller allocation; None for the provider (no allocation)."""
    granted = session.scalar(select(ResellerAllocation.permissions).where(ResellerAllocation.seller_id == seller_id))
    if granted is None:
        return None
    return frozenset(p for p in SubscriptionPermission if granted.get(p.value))


def delivered(session: Session, seller_id: uuid.UUID, values: pv.PlanValues
              ) -> tuple[pv.PlanValues, list[rules.Conflict]]:
    """What the subscription really gets of `values` under its reseller's permissions (SPEC §2)."""
    return rules.cascade(values, reseller_permissions(session, seller_id))


def synchronise(subscription: Subscription, target: pv.PlanValues, room: dict[Resource, int | None],
                reseller: frozenset[SubscriptionPermission] | None = None) -> None:
    """Apply `target` except what the owner manages himself (SPEC §4.6) and what the reseller may not give;
    unsynced with a report if it cannot fit."""
    current = current_values(subscription)
    # An owner-managed value the server cannot provide (kept from an unsynced creation) follows the plan.
    unprovidable = {c.name for c in agent_conflicts(current, subscription)}
    own = {k: v for k, v in rules.flatten(current).items() if k not in unprovidable}
    kept = rules.synchronised(own, rules.flatten(target), current.permissions & target.permissions)
    php = replace(target.php, **{k[4:]: v for k, v in kept.items() if k.startswith("php.")})
    wanted, withheld = rules.cascade(replace(pv.unflatten(kept), php=php, validity=target.validity), reseller)
    found = [rules.Conflict(f"limit.{r.value}", w, a, rules.ConflictReason.ALLOCATION)
             for r, w, a in capacity.exceeded(wanted, room)]
    found += [c for c in agent_conflicts(wanted, subscription) if c.name not in {f.name for f in found}]
    if found:
        subscription.sync_state = SyncState.UNSYNCED.value
        subscription.conflicts = conflict_report(found + withheld)
    else:
        subscription.values = pv.to_json(wanted)
        subscription.conflicts = conflict_report(withheld)
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
    synchronise(subscription, target, room, reseller_permissions(session, subscription.seller_id))
    request_if_changed(session, subscription, previous_values=previous_values)
    return subscription


# ---- creation ------------------------------------------------------------------------------

def check_fields(new: NewSubscription) -> str:
    """The checks that need no database, every refused field reported at once; the domain as stored."""
    domain = new.domain_name.strip().lower().rstrip(".")
    with collect_errors() as errors:
        if not DOMAIN.match(domain):
            errors.add(DomainError(E.INVALID_DOMAIN, "Not a valid domain name.", field="domainName"))
        if not SYSTEM_LOGIN.match(new.system_login):
            errors.add(DomainError(E.INVALID_LOGIN, "System user: 1–32 lowercase letters, digits, _ . -;"
                                                    " not a digit first.", field="systemLogin"))
        if not 8 <= len(new.system_password) <= 255:
            errors.add(DomainError(E.PASSWORD_TOO_SHORT, "The system user's password needs 8 to 255 characters.",
                                   field="systemPassword"))
        if new.addon_ids and new.plan_id is None:
            errors.add(DomainError(E.ADDON_NEEDS_PLAN, "Add-ons need a service plan.", field="addonIds"))
        if len(set(new.addon_ids)) != len(new.addon_ids):
            errors.add(DomainError(E.ADDON_ALREADY_ADDED, "Each add-on can be added once.", field="addonIds"))
    return domain


def _check_new(session: Session, seller_id: uuid.UUID, new: NewSubscription) -> str:
    domain = check_fields(new)
    if new.plan_id is not None:
        plans.get_or_raise(session, plan_id=new.plan_id, kind=plans.PlanKind.SERVICE, seller_id=seller_id,
                           field="planId")
    for addon_id in new.addon_ids:
        plans.get_or_raise(session, plan_id=addon_id, kind=plans.PlanKind.ADDON, seller_id=seller_id,
                           field="addonIds")
    if new.customer_id is not None:
        customer = session.get(Customer, new.customer_id)
        if customer is None or customer.seller_id != seller_id:
            raise DomainError(E.OWNER_NOT_FOUND, "No such customer.", field="customerId")
    check_ip(session, seller_id, new.ip_pool_id, new.customer_id)
    return domain


def check_ip(session: Session, seller_id: uuid.UUID, ip_pool_id: uuid.UUID, owner: uuid.UUID | None,
              *, ignoring: uuid.UUID | None = None) -> IpPoolEntry:
    """The address must be in the seller's pool; a dedicated one serves one customer only."""
    return ip_pools.check_use(session=session, seller_id=seller_id, ip_pool_id=ip_pool_id, owner=owner,
                              ignoring=ignoring)


def flush_unique(session: Session) -> None:
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


def initial_state(*, unprovidable: bool, lock: bool, custom: bool) -> SyncState:
    """ "Proceed to customise" locks a subscription on a plan; a custom one has no plan to be locked against."""
    if unprovidable:
        return SyncState.UNSYNCED
    return SyncState.LOCKED if lock and not custom else SyncState.SYNCED


def create(session: Session, *, seller_id: uuid.UUID, new: NewSubscription, lock: bool = False) -> Subscription:
    """A subscription bound for good to one domain, IP address and system user."""
    domain = _check_new(session, seller_id, new)
    values = target_values(session, new.plan_id, new.addon_ids, {})
    capacity.check_new_subscription(session, seller_id=seller_id, values=values)
    values, withheld = delivered(session, seller_id, values)
    ip_pools.require_dedicated_ip(session, ip_pool_id=new.ip_pool_id, values=values)
    server = servers.place(session, seller_id=seller_id, plan_id=new.plan_id, values=values)
    unprovidable = servers.capabilities_of(server).conflicts(rules.flatten(values))
    state = initial_state(unprovidable=bool(unprovidable), lock=lock, custom=new.plan_id is None)
    subscription = Subscription(
        seller_id=seller_id, customer_id=new.customer_id, plan_id=new.plan_id, domain_name=domain,
        ip_pool_id=new.ip_pool_id, system_login=new.system_login,
        system_password=secrets.seal(new.system_password, seller_id=seller_id),
        values=pv.to_json(values), expiration_date=expiration_date(values.validity, clock.today()),
        sync_state=state.value, conflicts=conflict_report(unprovidable + withheld), server_pool_id=server and server.id,
    )
    session.add(subscription)
    flush_unique(session)
    session.add_all([SubscriptionAddon(seller_id=seller_id, subscription_id=subscription.id, addon_id=addon_id,
                                       customer_id=new.customer_id) for addon_id in new.addon_ids])
    session.add(Site(seller_id=seller_id, subscription_id=subscription.id, customer_id=new.customer_id,
                     domain_name=domain))
    session.flush()
    if has_webspace(values):
        request_provisioning(session, subscription, action=Action.CREATE)
    webhook_events.subscription_changed(session, subscription, webhook_events.EventType.SUBSCRIPTION_CREATED)
    return subscription


def has_webspace(values: pv.PlanValues) -> bool:
    """A mail-only plan (hosting off) serves mailboxes of its domain and has no webspace (SPEC §4.4)."""
    return values.hosting.hosting_enabled is not False


def expiration_date(validity: pv.ValidityPeriod | None, start: date) -> date | None:
    if validity is None:
        return None
    from comptoir.hosting.dates import add_period

    return add_period(start, validity.count, validity.unit)


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
        statement = statement.where(Subscription.domain_name.ilike(contains_pattern(filter_.search.lower()),
                                                                   escape=LIKE_ESCAPE))
    return paginate(session, statement, page, sort_column=SORT_COLUMNS[sort], id_column=Subscription.id)

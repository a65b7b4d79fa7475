"""Builders for hosting tests: a seller with an IP pool entry, plans and subscriptions, via the services."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import replace

from comptoir.database.engine import session_scope
from comptoir.hosting import plan_values as pv
from comptoir.hosting import plans, subscriptions
from comptoir.hosting.models import IpAddress, IpPoolEntry
from comptoir.hosting.vocabulary import Resource
from comptoir.tenancy.context import Role, TenantContext

_numbers = itertools.count(1)


def system(seller_id: uuid.UUID) -> TenantContext:
    return TenantContext(Role.SYSTEM, seller_id)


def pool_entry(provider_id: uuid.UUID, seller_id: uuid.UUID, *, kind: str = "shared") -> uuid.UUID:
    """An address registered by the provider and put in `seller_id`'s pool."""
    n = next(_numbers)
    with session_scope(TenantContext(Role.PROVIDER, provider_id)) as session:
        address = IpAddress(seller_id=provider_id, address=f"192.0.2.{n % 250 + 1}" if n < 250 else f"198.51.100.{n % 250}")
        session.add(address)
        session.flush()
        entry = IpPoolEntry(seller_id=seller_id, ip_address_id=address.id, address=address.address, type=kind)
        session.add(entry)
        session.flush()
        return entry.id


def plan(seller_id: uuid.UUID, name: str = "Gold", *, limits: dict[Resource, int | None] | None = None,
         kind: plans.PlanKind = plans.PlanKind.SERVICE, values: pv.PlanValues | None = None) -> uuid.UUID:
    base = values or (pv.default_plan_values() if kind is plans.PlanKind.SERVICE else pv.PlanValues())
    if limits:
        base = base.with_limits(base.limits_map() | limits)
    with session_scope(system(seller_id)) as session:
        return plans.create(session=session, seller_id=seller_id, kind=kind, name=name, values=base).id


def addon(seller_id: uuid.UUID, name: str, **kwargs) -> uuid.UUID:  # type: ignore[no-untyped-def]
    return plan(seller_id, name, kind=plans.PlanKind.ADDON, **kwargs)


def new(ip_pool_id: uuid.UUID, *, domain: str | None = None, **kwargs) -> subscriptions.NewSubscription:  # type: ignore[no-untyped-def]
    n = next(_numbers)
    return replace(subscriptions.NewSubscription(
        domain_name=domain or f"site{n}.example.com", ip_pool_id=ip_pool_id, system_login=f"user{n}",
        system_password="s3cret-password"), **kwargs)


def subscribe(seller_id: uuid.UUID, ip_pool_id: uuid.UUID, **kwargs) -> uuid.UUID:  # type: ignore[no-untyped-def]
    with session_scope(system(seller_id)) as session:
        return subscriptions.create(session, seller_id=seller_id, new=new(ip_pool_id, **kwargs)).id

"""Builders shared by the IP address and pool tests."""

from __future__ import annotations

import enum
import itertools
import uuid

import pytest
from sqlalchemy import select

from comptoir.database.engine import session_scope
from comptoir.errors import DomainError
from comptoir.hosting import ip_addresses, ip_pools
from comptoir.hosting.ip_rules import (
    IpAddressErrorCode,
    IpType,
)
from comptoir.hosting.models import IpPoolEntry, Site, Subscription
from comptoir.tenancy.context import Role, TenantContext
from tests import factories

E = IpAddressErrorCode
SHARED, DEDICATED = IpType.SHARED, IpType.DEDICATED
_numbers = itertools.count(1)


# ---- builders ------------------------------------------------------------------------------

def as_provider(provider: factories.Actor):  # type: ignore[no-untyped-def]
    return session_scope(TenantContext(Role.PROVIDER, provider.seller_id))


def as_seller(seller: factories.Actor):  # type: ignore[no-untyped-def]
    return session_scope(TenantContext(Role.SYSTEM, seller.seller_id))


def register(provider: factories.Actor, address: str = "203.0.113.10",
             **kwargs) -> uuid.UUID:  # type: ignore[no-untyped-def]
    with as_provider(provider) as session:
        return ip_addresses.register(session=session, provider_id=provider.seller_id, address=address,
                                     interface=kwargs.pop("interface", "eth0"), **kwargs).id


def own_entry(provider: factories.Actor, address_id: uuid.UUID) -> uuid.UUID:
    with as_provider(provider) as session:
        return session.scalars(select(IpPoolEntry.id).where(
            IpPoolEntry.ip_address_id == address_id, IpPoolEntry.seller_id == provider.seller_id)).one()


def assign(provider: factories.Actor, address_id: uuid.UUID, reseller: factories.Actor,
           type: IpType = SHARED) -> uuid.UUID:
    with as_provider(provider) as session:
        return ip_pools.assign(session=session, address_id=address_id, reseller_id=reseller.seller_id,
                                   type=type).id


def host(seller: factories.Actor, entry_id: uuid.UUID, owner: factories.Actor | None = None,
         domain: str | None = None) -> uuid.UUID:
    """A subscription with its site on a pool entry, written directly (owner None: the seller's own)."""
    n = next(_numbers)
    domain = domain or f"site{n}.example.com"
    customer_id = owner.customer_id if owner else None
    with as_seller(seller) as session:
        subscription = Subscription(seller_id=seller.seller_id, customer_id=customer_id, domain_name=domain,
                                    ip_pool_id=entry_id, system_login=f"user{n}")
        session.add(subscription)
        session.flush()
        session.add(Site(seller_id=seller.seller_id, subscription_id=subscription.id, customer_id=customer_id,
                         domain_name=domain))
        return subscription.id


def refused(code: enum.Enum, call, *args, **kwargs) -> DomainError:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    assert caught.value.code is code, caught.value.message
    return caught.value


def set_type(provider: factories.Actor, entry_id: uuid.UUID, type: IpType) -> IpPoolEntry:
    with as_provider(provider) as session:
        return ip_pools.set_type(session=session, entry_id=entry_id, type=type)


def entry_row(actor: factories.Actor, entry_id: uuid.UUID, *, provider: bool = True) -> IpPoolEntry | None:
    with (as_provider(actor) if provider else as_seller(actor)) as session:
        return session.get(IpPoolEntry, entry_id)

"""Data the branding and custom-button tests need beyond tests.factories: more staff, subscriptions."""

from __future__ import annotations

import itertools
import uuid

from sqlalchemy import select

from comptoir.database.engine import session_scope
from comptoir.hosting.models import IpAddress, IpPoolEntry, Subscription
from comptoir.security.secrets import seal
from comptoir.tenancy import users
from comptoir.tenancy.context import Role, TenantContext
from comptoir.tenancy.models import User
from comptoir.tenancy.security import hash_password
from tests import factories

_addresses = itertools.count(1)


def _as_provider(actor: factories.Actor):  # type: ignore[no-untyped-def]
    return session_scope(TenantContext(Role.PROVIDER, actor.seller_id))


def user_id_of(actor: factories.Actor) -> uuid.UUID:
    with _as_provider(actor) as session:
        return session.scalars(select(User.id).where(User.username == actor.username)).one()


def add_staff(seller: factories.Actor, username: str, *, role: str = "reseller") -> factories.Actor:
    """Another administrator of the same seller."""
    with _as_provider(seller) as session:
        users.add(session, User(seller_id=seller.seller_id, role=role, username=username,
                                email=f"{username}@r.test", password_hash=hash_password(factories.PASSWORD)))
    return factories.Actor(seller.seller_id, username)


def subscription(seller: factories.Actor, owner: factories.Actor | None, *, domain: str, login: str,
                 password: str = "ftp-secret-1") -> uuid.UUID:
    """A subscription row as the hosting service would leave it (its address in the seller's pool, its
    password sealed)."""
    with _as_provider(seller) as session:
        address = IpAddress(seller_id=seller.seller_id, address=_next_address())
        session.add(address)
        session.flush()
        pool = IpPoolEntry(seller_id=seller.seller_id, ip_address_id=address.id, address=address.address)
        session.add(pool)
        session.flush()
        row = Subscription(seller_id=seller.seller_id, customer_id=owner.customer_id if owner else None,
                           domain_name=domain, ip_pool_id=pool.id, system_login=login,
                           system_password=seal(password, seller_id=seller.seller_id))
        session.add(row)
        session.flush()
        return row.id


def _next_address() -> str:
    number = next(_addresses)
    return f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}"


def customer_context(customer: factories.Actor) -> TenantContext:
    return TenantContext(Role.CUSTOMER, customer.seller_id, customer_id=customer.customer_id,
                         user_id=user_id_of(customer))


def staff_context(staff: factories.Actor, *, role: Role = Role.RESELLER) -> TenantContext:
    return TenantContext(role, staff.seller_id, user_id=user_id_of(staff))

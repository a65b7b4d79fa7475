"""Tenant-aware builders for test data, going through the real services."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass

from comptoir.database.engine import session_scope
from comptoir.hosting.vocabulary import Resource
from comptoir.security.secrets import seal
from comptoir.tenancy import customers, resellers
from comptoir.tenancy.allocation import ResellerPermission
from comptoir.tenancy.context import Role, TenantContext
from comptoir.tenancy.models import Seller, User
from comptoir.tenancy.security import hash_password

PASSWORD = "correct-horse-battery"


@dataclass(frozen=True)
class Actor:
    seller_id: uuid.UUID
    username: str
    password: str = PASSWORD
    customer_id: uuid.UUID | None = None


def provider(username: str = "admin") -> Actor:
    provider_id = uuid.uuid4()
    with session_scope(TenantContext(Role.PROVIDER, provider_id)) as session:
        session.add(Seller(id=provider_id, kind="provider", name="Provider"))
        session.flush()
        session.add(User(seller_id=provider_id, role="provider", username=username, email=f"{username}@p.test",
                         password_hash=hash_password(PASSWORD)))
    return Actor(provider_id, username)


def reseller(provider_actor: Actor, name: str, username: str,
             limits: list[tuple[Resource, int | None]] | None = None,
             permissions: list[enum.Enum] | None = None) -> Actor:
    """A reseller; by default its allocation grants every permission (panel and API access included) but that
    of setting its own overselling policy."""
    granted = permissions if permissions is not None else [
        p for p in ResellerPermission if p.value != "set_overselling_policy"]  # type: ignore[attr-defined]
    with session_scope(TenantContext(Role.PROVIDER, provider_actor.seller_id)) as session:
        seller = resellers.create(
            session, name=name, email=f"{username}@r.test",
            admin=resellers.ResellerAdmin(username=username, password=PASSWORD, email=f"{username}@r.test"),
            limits=limits or [], permissions=granted)
        return Actor(seller.id, username)


def customer(seller: Actor, username: str, *, email: str | None = None, subscribed: bool = True) -> Actor:
    """A customer with its log-in; `subscribed` gives it a subscription, without which it cannot log in."""
    with session_scope(TenantContext(Role.SYSTEM, seller.seller_id)) as session:
        made = customers.create(session, seller_id=seller.seller_id, contact_name=username.title(),
                                email=email or f"{username}@c.test", username=username, password=PASSWORD)
        if subscribed:
            _first_subscription(session, seller.seller_id, made.id, username)
        return Actor(seller.seller_id, username, customer_id=made.id)


def _first_subscription(session, seller_id: uuid.UUID, customer_id: uuid.UUID, username: str) -> None:  # type: ignore[no-untyped-def]
    """Test data written directly: a custom subscription on a private pool entry of the seller."""
    from comptoir.hosting import plan_values as pv
    from comptoir.hosting.models import IpAddress, IpPoolEntry, Subscription

    handle = "".join(ch for ch in username.lower() if ch.isalnum())[:20] or "customer"
    # a pool entry names a registered address (a foreign key): one of the seller's own, made up here
    address = IpAddress(seller_id=seller_id, address=f"2001:db8::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}")
    session.add(address)
    session.flush()
    entry = IpPoolEntry(seller_id=seller_id, ip_address_id=address.id, address=address.address, type="shared")
    session.add(entry)
    session.flush()
    session.add(Subscription(seller_id=seller_id, customer_id=customer_id, domain_name=f"{handle}-{uuid.uuid4().hex[:8]}.test",
                             ip_pool_id=entry.id, system_login=f"u{uuid.uuid4().hex[:12]}", system_password=seal("unused-pw", seller_id=seller_id),
                             values=pv.to_json(pv.default_plan_values())))
    session.flush()


def log_in(actor: Actor, *, client_address: str = "198.51.100.10") -> str:
    """Open a session through the real log-in service; returns its bearer token."""
    from comptoir.tenancy import auth

    with session_scope(None) as session:
        return auth.log_in(session, username=actor.username, password=actor.password,
                           client_address=client_address).token


def request_password_reset(actor: Actor, *, email: str, client_address: str = "198.51.100.10") -> None:
    """Ask for a reset link through the real service: writes password_resets, email_outbox, auth_throttle."""
    from comptoir.tenancy import auth

    with session_scope(None) as session:
        auth.request_password_reset(session, username=actor.username, email=email,
                                    client_address=client_address)

"""Demo data: the provider, two resellers ("Alpha Hosting", "Beta Web") and a few customers each."""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comptoir.database.engine import session_scope
from comptoir.hosting.vocabulary import Resource, SubscriptionPermission
from comptoir.tenancy import customers, resellers
from comptoir.tenancy.allocation import ResellerOnlyPermission
from comptoir.tenancy.context import Role, TenantContext
from comptoir.tenancy.models import Seller, User
from comptoir.tenancy.security import hash_password


@dataclass(frozen=True)
class Credential:
    role: str
    seller: str
    username: str
    password: str


PROVIDER_NAME = "Comptoir Hosting"
RESELLERS = {
    "Alpha Hosting": ("alpha", ["Alice Martin", "Arthur Blanc", "Amélie Roux"]),
    "Beta Web": ("beta", ["Bruno Keller", "Berta Vogel", "Boris Lang"]),
}
PROVIDER_CUSTOMERS = ["Paula Direct", "Pierre Direct"]
DEMO_LIMITS = [(Resource.DISK_SPACE, 100_000), (Resource.TRAFFIC, 1_000_000), (Resource.SUBSCRIPTIONS, 50),
               (Resource.CUSTOMERS, 25), (Resource.DOMAINS, 100), (Resource.MAILBOXES, 500)]


def is_empty(session: Session) -> bool:
    return session.scalar(select(func.count()).select_from(Seller)) == 0


def _username(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name.lower()).encode("ascii", "ignore").decode()
    first, last = plain.split()[:2]
    return f"{first}.{last}"


def load(*, only_if_empty: bool = True) -> list[Credential]:
    """Create the demo tenants; returns the log-in credentials to print."""
    provider_id = uuid.uuid4()
    credentials: list[Credential] = []
    with session_scope(TenantContext(Role.PROVIDER, provider_id)) as session:
        if only_if_empty and not is_empty(session):
            return []
        session.add(Seller(id=provider_id, kind="provider", name=PROVIDER_NAME, email="admin@comptoir.test",
                           country="FR"))
        session.flush()
        session.add(User(seller_id=provider_id, role="provider", username="admin", email="admin@comptoir.test",
                         password_hash=hash_password("admin-password"), full_name="Provider Administrator"))
        credentials.append(Credential("provider", PROVIDER_NAME, "admin", "admin-password"))
        credentials += _customers(session, provider_id, PROVIDER_NAME, PROVIDER_CUSTOMERS)
        for name, (slug, people) in RESELLERS.items():
            password = f"{slug}-password"
            reseller = resellers.create(
                session, name=name, email=f"{slug}@comptoir.test", country="FR",
                admin=resellers.ResellerAdmin(username=slug, password=password, email=f"{slug}@comptoir.test"),
                limits=DEMO_LIMITS, permissions=DEMO_PERMISSIONS,
            )
            credentials.append(Credential("reseller", name, slug, password))
            credentials += _customers(session, reseller.id, name, people)
        _hosting(session, provider_id)
    return credentials


# Every subscription permission: a reseller lacking one never delivers it (SPEC §2), the demo shows all.
DEMO_PERMISSIONS = [ResellerOnlyPermission.CREATE_SUBSCRIPTIONS, ResellerOnlyPermission.CREATE_CUSTOMERS,
                    ResellerOnlyPermission.PANEL_ACCESS, ResellerOnlyPermission.REMOTE_API_ACCESS,
                    *SubscriptionPermission]
DEMO_ADDRESSES = {PROVIDER_NAME: "192.0.2.10", "Alpha Hosting": "192.0.2.20", "Beta Web": "192.0.2.30"}
STARTER_LIMITS = {Resource.DISK_SPACE: 2_000, Resource.TRAFFIC: 20_000, Resource.DOMAINS: 5, Resource.MAILBOXES: 20}


def _hosting(session: Session, provider_id: uuid.UUID) -> None:
    """An address in each seller's pool, a "Starter" plan each, and a subscription per customer."""
    from comptoir.hosting import ip_addresses, ip_pools, plans, subscriptions
    from comptoir.hosting import plan_values as pv
    from comptoir.tenancy.models import Customer

    for seller in session.scalars(select(Seller).order_by(Seller.created_at)):
        address = ip_addresses.register(session=session, provider_id=provider_id, address=DEMO_ADDRESSES[seller.name],
                                        interface="eth0")
        if seller.kind == "reseller":
            entry_id = ip_pools.assign(session=session, address_id=address.id, reseller_id=seller.id).id
        else:
            entry_id = ip_addresses.entries_by_address(session, [address.id])[address.id][0].id
        base = pv.default_plan_values()
        starter = plans.create(session=session, seller_id=seller.id, kind=plans.PlanKind.SERVICE, name="Starter",
                               values=base.with_limits(base.limits_map() | STARTER_LIMITS))
        for customer in session.scalars(select(Customer).where(Customer.seller_id == seller.id)):
            handle = customer.contact_name.split()[0].lower().encode("ascii", "ignore").decode()
            subscriptions.create(session, seller_id=seller.id, new=subscriptions.NewSubscription(
                domain_name=f"{handle}.example.com", ip_pool_id=entry_id, system_login=handle,
                system_password=f"{handle}-ftp-password", customer_id=customer.id, plan_id=starter.id))


def _customers(session: Session, seller_id: uuid.UUID, seller_name: str, people: list[str]) -> list[Credential]:
    made = []
    for person in people:
        username = _username(person)
        password = f"{username.split('.')[0]}-password"
        customers.create(session, seller_id=seller_id, contact_name=person, username=username, password=password,
                         email=f"{username}@example.test", country="FR")
        made.append(Credential("customer", seller_name, username, password))
    return made


def has_ip_addresses() -> bool:
    """Whether the demo world came with IP addresses in the resellers' pools."""
    from comptoir.hosting.models import IpPoolEntry

    with session_scope(TenantContext(Role.PROVIDER, uuid.uuid4())) as session:
        return session.scalar(select(func.count()).select_from(IpPoolEntry)) > 0

"""Domain test data through the real services: a reseller with a sandbox registrar account and a customer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from comptoir.database.engine import session_scope
from comptoir.domains import registrars
from comptoir.tenancy.context import Role, TenantContext
from tests import factories
from tests.factories import Actor


@dataclass(frozen=True)
class Registrar:
    seller: Actor
    customer: Actor
    account_id: uuid.UUID
    username: str  # the sandbox registry's key


def system(seller_id: uuid.UUID) -> TenantContext:
    return TenantContext(Role.SYSTEM, seller_id)


def staff(seller_id: uuid.UUID) -> TenantContext:
    return TenantContext(Role.RESELLER, seller_id)


def add_registrar(seller_id: uuid.UUID, name: str = "Sandbox", **settings: Any) -> tuple[uuid.UUID, str]:
    username = settings.pop("username", f"sbx-{uuid.uuid4().hex[:10]}")
    with session_scope(staff(seller_id)) as session:
        account = registrars.create(session, seller_id=seller_id, driver="sandbox", name=name,
                                    settings={"username": username, "password": "s3cret", **settings})
        return account.id, username


def seller_with_registrar(prefix: str = "alpha", **settings: Any) -> Registrar:
    provider = factories.provider(f"{prefix}_prov")
    seller = factories.reseller(provider, f"{prefix.title()} Hosting", f"{prefix}_admin")
    customer = factories.customer(seller, f"{prefix}_cust")
    account_id, username = add_registrar(seller.seller_id, **settings)
    return Registrar(seller, customer, account_id, username)

"""A seller in a country with customers and a store, for the billing tests (written from the models)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from comptoir.database.engine import session_scope
from comptoir.storefront.models import Store
from comptoir.tenancy.context import Role, TenantContext
from comptoir.tenancy.models import Customer, Seller
from tests import factories


@dataclass(frozen=True)
class Shop:
    seller_id: uuid.UUID
    store_id: uuid.UUID
    staff: factories.Actor

    @property
    def system(self) -> TenantContext:
        return TenantContext(Role.SYSTEM, self.seller_id)

    @property
    def reseller(self) -> TenantContext:
        return TenantContext(Role.RESELLER, self.seller_id)


def shop(country: str = "FR", *, name: str = "Alpha Hosting", prefix: str = "alpha") -> Shop:
    staff = factories.reseller(factories.provider(f"{prefix}_prov"), name, f"{prefix}_admin")
    with session_scope(TenantContext(Role.SYSTEM, staff.seller_id)) as session:
        session.get(Seller, staff.seller_id).country = country
        store = Store(seller_id=staff.seller_id, name="Shop", slug=f"{prefix}-shop", currency="EUR",
                      languages=["en"], default_language="en", published=True)
        session.add(store)
        session.flush()
        return Shop(staff.seller_id, store.id, staff)


def buyer(shop_: Shop, country: str, region: str = "", *, name: str = "Buyer") -> uuid.UUID:
    with session_scope(shop_.system) as session:
        customer = Customer(seller_id=shop_.seller_id, contact_name=name, email=f"{uuid.uuid4().hex[:8]}@c.test",
                            country=country, region=region)
        session.add(customer)
        session.flush()
        return customer.id

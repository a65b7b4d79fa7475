"""Storefront test data through the real services: a seller's published store selling a plan and an add-on."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from comptoir.database.engine import session_scope
from comptoir.storefront import offers, stores
from comptoir.storefront.offers import OfferChanges
from comptoir.storefront.rules import FraudPolicy
from comptoir.storefront.stores import StoreChanges
from comptoir.tenancy.context import Role, TenantContext
from tests.hosting import support as hosting


@dataclass(frozen=True)
class ShopFixture:
    seller_id: uuid.UUID
    store_id: uuid.UUID
    plan_offer_id: uuid.UUID
    addon_offer_id: uuid.UUID
    hidden_offer_id: uuid.UUID
    slug: str
    hostname: str


def shop(seller_id: uuid.UUID, slug: str, *, published: bool = True, currency: str = "EUR",
         policy: FraudPolicy | None = None) -> ShopFixture:
    """A store with terms, a plan offer (monthly 9.90, annual 99.00, setup 5.00), an add-on sold with it and
    a hidden plan offer."""
    plan_id = hosting.plan(seller_id, f"Gold {slug}")
    addon_id = hosting.addon(seller_id, f"Backup {slug}")
    hidden_plan_id = hosting.plan(seller_id, f"Secret {slug}")
    with session_scope(TenantContext(Role.SYSTEM, seller_id)) as session:
        store = stores.create(session, seller_id=seller_id, changes=StoreChanges(
            name=f"Shop {slug}", slug=slug, hostnames=[f"shop.{slug}.test"], currency=currency,
            languages=["en", "fr"], default_language="en", payment_methods=["bank_transfer"],
            fraud_policy=policy or FraudPolicy(), published=published))
        stores.publish_terms(session, store_id=store.id, body=f"Terms of {slug}, version 1.")
        addon = offers.create(session, store_id=store.id, changes=OfferChanges(
            plan_id=addon_id, names={"en": "Daily backup", "fr": "Sauvegarde quotidienne"},
            prices={"monthly": 200, "annual": 2000}))
        plan = offers.create(session, store_id=store.id, changes=OfferChanges(
            plan_id=plan_id, names={"en": "Gold hosting", "fr": "Hébergement Or"},
            descriptions={"en": "Ten sites."}, prices={"monthly": 990, "annual": 9900}, setup_fee=500,
            addon_offer_ids=[addon.id], position=1))
        hidden = offers.create(session, store_id=store.id, changes=OfferChanges(
            plan_id=hidden_plan_id, names={"en": "Secret plan"}, prices={"monthly": 100}, hidden=True, position=2))
        return ShopFixture(seller_id, store.id, plan.id, addon.id, hidden.id, slug, f"shop.{slug}.test")

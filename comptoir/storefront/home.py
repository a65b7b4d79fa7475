"""The seller home (SPEC §8): what awaits the seller, how big its business is, and the setup checklist
of the guide's "prepare your company for launch".

Every count names the seller explicitly: the provider's row-level view spans all sellers, and its home
is about its own business. Invoices count 0 until the billing tables exist.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from comptoir.hosting.models import Subscription
from comptoir.settings import Settings, get_settings
from comptoir.storefront import todos
from comptoir.storefront.models import Offer, Order, Store
from comptoir.tenancy.models import Customer, Seller

# Customers who count as the seller's clientele: not awaiting review, not turned away.
CLIENTELE = ("active", "suspended")


@dataclass(frozen=True)
class Overview:
    pending_customers: int
    customers: int
    subscriptions: int
    orders: int
    invoices: int
    open_todos: int


@dataclass(frozen=True)
class SetupStep:
    id: str  # stable: a client links each step to the page where it is done
    title: str
    done: bool


def _count(session: Session, model: type, *conditions: object) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0  # type: ignore[arg-type]


def overview(session: Session, *, seller_id: uuid.UUID) -> Overview:
    return Overview(
        pending_customers=_count(session, Customer, Customer.seller_id == seller_id, Customer.status == "pending"),
        customers=_count(session, Customer, Customer.seller_id == seller_id, Customer.status.in_(CLIENTELE)),
        subscriptions=_count(session, Subscription, Subscription.seller_id == seller_id),
        orders=_count(session, Order, Order.seller_id == seller_id),
        invoices=0,
        open_todos=todos.count_open(session, seller_id=seller_id))


def _exists(session: Session, model: type, *conditions: object) -> bool:
    return bool(session.scalar(select(exists().where(*conditions))))  # type: ignore[arg-type]


def smtp_configured(settings: Settings) -> bool:
    """The instance sends mail through a server of its own choosing: its SMTP host is set (the default is
    none: embedded mode then only catches e-mails locally)."""
    default = Settings.model_fields["smtp_host"].default
    return bool(settings.smtp_host) and settings.smtp_host != default


def checklist(session: Session, *, seller_id: uuid.UUID) -> list[SetupStep]:
    seller = session.get_one(Seller, seller_id)
    on_sale = (Offer.seller_id == seller_id, Offer.kind == "service", Offer.published,
               Offer.store_id.in_(select(Store.id).where(Store.seller_id == seller_id, Store.published)))
    return [
        SetupStep("company_details", "Fill in your company details",
                  bool(seller.company_name and seller.email and seller.country)),
        SetupStep("store", "Create an online store", _exists(session, Store, Store.seller_id == seller_id)),
        SetupStep("payment_method", "Offer a payment method in a store",
                  _exists(session, Store, Store.seller_id == seller_id, func.cardinality(Store.payment_methods) > 0)),
        SetupStep("plan_on_sale", "Put a plan on sale in a published store", _exists(session, Offer, *on_sale)),
        # Mail leaves through the instance's SMTP server, from the seller's own address.
        SetupStep("email_settings", "Set up e-mail: a sender address and an SMTP server",
                  bool(seller.email) and smtp_configured(get_settings())),
    ]

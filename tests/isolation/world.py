"""Two resellers and the provider, each with staff and customers, populated through the real services."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import select

from comptoir import clock
from comptoir.automation.models import ScheduledEvent
from comptoir.database.engine import session_scope
from comptoir.documents import models as document_models
from comptoir.hosting import models as hosting
from comptoir.hosting import usage_models
from comptoir.hosting import server_models as servers
from comptoir.hosting.vocabulary import Resource
from comptoir.panel import models as panel
from comptoir.storefront import models as storefront
from comptoir.storefront import todos
from comptoir.tenancy.context import Role, TenantContext
from comptoir.tenancy.models import User
from tests import factories
from tests.factories import Actor
from tests.isolation.catalog import PUBLIC_TABLES, Tables, customer_column

Connection = psycopg.Connection[Any]

ALPHA_CUSTOMER_LIMIT = 11
BRAVO_CUSTOMER_LIMIT = 22


@dataclass(frozen=True)
class Member:
    """A user who can log in, with the e-mail address its password reset goes to."""

    actor: Actor
    email: str

    @property
    def username(self) -> str:
        return self.actor.username


@dataclass(frozen=True)
class Tenant:
    seller_id: uuid.UUID
    name: str
    staff: Member
    customers: tuple[Member, ...]

    @property
    def members(self) -> tuple[Member, ...]:
        return (self.staff, *self.customers)

    def staff_context(self) -> TenantContext:
        return TenantContext(Role.RESELLER, self.seller_id)


@dataclass(frozen=True)
class World:
    provider: Tenant
    alpha: Tenant
    bravo: Tenant
    tokens: dict[str, str]  # username -> bearer token of the session its log-in opened


def build_world(superuser: Connection) -> World:
    """Staff and two customers per reseller, one customer of the provider, hosting rows for each seller;
    everyone logs in and asks for a password reset."""
    provider_staff = factories.provider("prov_admin")
    provider = Tenant(provider_staff.seller_id, "Provider", Member(provider_staff, "prov_admin@p.test"),
                      (_customer(provider_staff, "prov_cust1"),))
    alpha = _reseller(provider_staff, "Alpha Hosting", "alpha", ALPHA_CUSTOMER_LIMIT)
    bravo = _reseller(provider_staff, "Bravo Hosting", "bravo", BRAVO_CUSTOMER_LIMIT)
    tokens = {}
    for number, tenant in enumerate((provider, alpha, bravo)):
        _hosting(tenant, number)
        _usage_settings(tenant, number)
        _storefront(tenant, number)
        _documents(tenant, number)
        for member in tenant.members:
            address = f"198.51.100.{number + 1}"
            tokens[member.username] = factories.log_in(member.actor, client_address=address)
            factories.request_password_reset(member.actor, email=member.email, client_address=address)
    # The sandbox clock's row (on time: the wall clock) exists once a provider has moved the clock.
    superuser.execute("INSERT INTO sandbox_clock (ahead_by) VALUES ('0') ON CONFLICT DO NOTHING")
    return World(provider, alpha, bravo, tokens)


def _reseller(provider: Actor, name: str, prefix: str, customer_limit: int) -> Tenant:
    staff = factories.reseller(provider, name, f"{prefix}_admin",
                               limits=[(Resource.CUSTOMERS, customer_limit)])
    customers = tuple(_customer(staff, f"{prefix}_cust{n}") for n in (1, 2))
    return Tenant(staff.seller_id, name, Member(staff, f"{prefix}_admin@r.test"), customers)


def _customer(seller: Actor, username: str) -> Member:
    return Member(factories.customer(seller, username), f"{username}@c.test")


def _hosting(tenant: Tenant, number: int) -> None:
    """A plan and an add-on, an IP address in the pool, a subscription with its site per customer, a job,
    a skeleton, branding and a custom button: written from the models in the tenant's own context (only
    the rows' owners matter here)."""
    with session_scope(TenantContext(Role.SYSTEM, tenant.seller_id)) as session:
        plan = hosting.ServicePlan(seller_id=tenant.seller_id, kind="service", name="Basic")
        addon = hosting.ServicePlan(seller_id=tenant.seller_id, kind="addon", name="More disk")
        address = hosting.IpAddress(seller_id=tenant.seller_id, address=f"192.0.2.{number + 1}")
        session.add_all([plan, addon, address])
        session.flush()
        server = servers.HostingServer(seller_id=tenant.seller_id, name="web1", driver="local")
        certificate = servers.SslCertificate(seller_id=tenant.seller_id, name="shop", certificate_pem="-",
                                             private_key_pem="-", expires_at=clock.now())
        session.add_all([server, certificate])
        session.flush()
        server_entry = servers.ServerPoolEntry(seller_id=tenant.seller_id, server_id=server.id, name="web1",
                                               driver="local")
        pool = hosting.IpPoolEntry(seller_id=tenant.seller_id, ip_address_id=address.id,
                                   address=address.address, certificate_id=certificate.id)
        session.add_all([pool, server_entry])
        session.flush()
        for member in tenant.customers:
            domain = f"{member.username.replace('_', '-')}.example.test"
            subscription = hosting.Subscription(
                seller_id=tenant.seller_id, customer_id=member.actor.customer_id, plan_id=plan.id,
                domain_name=domain, ip_pool_id=pool.id, system_login=member.username,
                server_pool_id=server_entry.id)
            session.add(subscription)
            session.flush()
            session.add_all([
                usage_models.SubscriptionUsage(seller_id=tenant.seller_id, subscription_id=subscription.id,
                                               day=clock.today(), disk_bytes=4096, traffic_bytes=512),
                usage_models.UsageAlert(seller_id=tenant.seller_id, subscription_id=subscription.id,
                                        alert="disk_soft"),
                hosting.SubscriptionAddon(seller_id=tenant.seller_id, subscription_id=subscription.id,
                                          addon_id=addon.id, customer_id=member.actor.customer_id),
                hosting.Site(seller_id=tenant.seller_id, subscription_id=subscription.id,
                             customer_id=member.actor.customer_id, domain_name=domain),
            ])
        archive = f"skeleton of {tenant.name}".encode()
        staff_user = session.scalars(select(User.id).where(User.username == tenant.staff.username)).one()
        session.add_all([
            hosting.BackgroundJob(seller_id=tenant.seller_id, kind="plan_sync", subject_id=plan.id),
            # one per customer: a customer may read and write its own subscriptions' requests
            *(hosting.ProvisioningRequest(seller_id=tenant.seller_id, subscription_id=subscription.id,
                                          action="update",
                                          status="done")  # written directly: nothing is dispatched
              for subscription in session.scalars(select(hosting.Subscription).where(
                  hosting.Subscription.seller_id == tenant.seller_id))),
            hosting.Skeleton(seller_id=tenant.seller_id, filename="skeleton.zip", archive=archive,
                             sha256=hashlib.sha256(archive).hexdigest()),
            panel.Branding(seller_id=tenant.seller_id, title_text=tenant.name),
            panel.CustomButton(seller_id=tenant.seller_id, owner_user_id=staff_user, label="Help",
                                 location="common", url="https://help.example.test/"),
            ScheduledEvent(seller_id=tenant.seller_id, kind="expiration_check", run_at=clock.now(),
                           recurrence="P1D"),
            # buttons no customer may see: on the seller's home, and one its owner keeps to itself
            panel.CustomButton(seller_id=tenant.seller_id, owner_user_id=staff_user, label="Staff",
                                 location="seller_home", url="https://staff.example.test/"),
            panel.CustomButton(seller_id=tenant.seller_id, owner_user_id=staff_user, label="Mine",
                                 location="customer_home", visible_only_to_me=True,
                                 url="https://mine.example.test/"),
        ])


def _usage_settings(tenant: Tenant, number: int) -> None:
    """Who is told about overuse: the seller's staff choose it (workers only read it)."""
    role = Role.PROVIDER if number == 0 else Role.RESELLER
    with session_scope(TenantContext(role, tenant.seller_id)) as session:
        session.add(usage_models.UsageNotificationSettings(seller_id=tenant.seller_id, extra_addresses=["ops@r.test"]))


def _storefront(tenant: Tenant, number: int) -> None:
    """A published store with terms and a published offer; per customer a cart with a line, the order
    its checkout made (the customer's own) and the idempotency key: written from the models."""
    with session_scope(TenantContext(Role.SYSTEM, tenant.seller_id)) as session:
        plan = hosting.ServicePlan(seller_id=tenant.seller_id, kind="service", name="On sale")
        store = storefront.Store(seller_id=tenant.seller_id, name=f"{tenant.name} store", slug=f"store-{number}",
                                 hostnames=[f"shop{number}.example.test"], currency="EUR", languages=["en"],
                                 default_language="en", payment_methods=["bank_transfer"], published=True)
        session.add_all([plan, store])
        session.flush()
        offer = storefront.Offer(seller_id=tenant.seller_id, store_id=store.id, plan_id=plan.id, kind="service",
                                 names={"en": "Plan"}, prices={"monthly": 100})
        session.add_all([offer, storefront.StoreTerms(seller_id=tenant.seller_id, store_id=store.id, version=1,
                                                      body="Terms")])
        session.flush()
        for index, member in enumerate(tenant.customers):
            token = hashlib.sha256(f"cart {number} {index}".encode()).digest()
            cart = storefront.Cart(seller_id=tenant.seller_id, store_id=store.id, token_hash=token, currency="EUR",
                                   status="completed")
            session.add(cart)
            session.flush()
            order = storefront.Order(
                seller_id=tenant.seller_id, store_id=store.id, cart_id=cart.id, customer_id=member.actor.customer_id,
                currency="EUR", total=100, lines=[], buyer={}, payment_method="bank_transfer", terms_version=1,
                terms_accepted_at=clock.now(), review="automatic")
            session.add_all([order, storefront.CartLine(seller_id=tenant.seller_id, cart_id=cart.id,
                                                        offer_id=offer.id, cycle="monthly", domain_name="x.test")])
            session.flush()
            session.add(storefront.CheckoutKey(seller_id=tenant.seller_id, store_id=store.id, key=f"k{index}",
                                               cart_id=cart.id, fingerprint=token, order_id=order.id))
            todos.create(session, seller_id=tenant.seller_id, todo=todos.NewTodo(
                kind="review_order", subject=todos.Subject("Order", order.id), title=f"Look at order {number}.{index}"))


def _documents(tenant: Tenant, number: int) -> None:
    """A layout; per customer a render request and its stored invoice, and a schet-factura for the first
    (staff only): written from the models, with stand-in bytes."""
    staff = Role.PROVIDER if number == 0 else Role.RESELLER
    with session_scope(TenantContext(staff, tenant.seller_id)) as session:
        session.add(document_models.InvoiceLayout(seller_id=tenant.seller_id, header_text=f"Seller {number}"))
    with session_scope(TenantContext(Role.SYSTEM, tenant.seller_id)) as session:
        for index, member in enumerate(tenant.customers):
            for kind in ("invoice", "schet_factura") if index == 0 else ("invoice",):
                subject = uuid.uuid4()
                common = {"seller_id": tenant.seller_id, "kind": kind, "subject_type": "Invoice",
                          "subject_id": subject, "customer_id": member.actor.customer_id, "language": "en",
                          "filename": f"{kind}-{number}-{index}.pdf"}
                session.add(document_models.DocumentRender(id=uuid.uuid4(), snapshot="{}", layout="{}", **common))
                content = f"%PDF-1.7 {kind} {number}.{index}".encode()
                session.add(document_models.StoredDocument(
                    id=uuid.uuid4(), content=content, sha256=hashlib.sha256(content).hexdigest(),
                    byte_size=len(content), **common))


def count_rows(connection: Connection, table: str, where: str = "true", *params: Any) -> int:
    query = sql.SQL("SELECT count(*) FROM {} WHERE ").format(sql.Identifier(table)) + sql.SQL(where)
    return connection.execute(query, params).fetchone()[0]


def assert_populated(superuser: Connection, tables: Tables, world: World) -> None:
    """Each check below is only meaningful if the other tenant (or sibling customer) has rows to leak."""
    for table in tables.tenant:
        for tenant in (world.alpha, world.bravo):
            assert count_rows(superuser, table, "seller_id = %s", tenant.seller_id), (
                f"add table {table} to the isolation fixture (tests/isolation/world.py): "
                f"no rows of {tenant.name}")
    for table in tables.customer_owned:
        column = customer_column(superuser, table)
        for member in (*world.alpha.customers, *world.bravo.customers):
            assert count_rows(superuser, table, f"{column} = %s", member.actor.customer_id), (
                f"add table {table} to the isolation fixture (tests/isolation/world.py): "
                f"no rows of customer {member.username}")
    for table in tables.internal:
        assert count_rows(superuser, table), (
            f"add table {table} to the isolation fixture (tests/isolation/world.py): it is empty, so "
            "'the app reads nothing' would prove nothing")


def snapshot(superuser: Connection) -> dict[str, list[str]]:
    """Every row of every table in public, as sorted JSON text, to compare before and after."""
    tables = [row[0] for row in superuser.execute(PUBLIC_TABLES)]
    query = sql.SQL(" UNION ALL ").join(
        sql.SQL("SELECT {name}, to_jsonb(t)::text FROM {table} t").format(name=sql.Literal(table),
                                                                          table=sql.Identifier(table))
        for table in tables)
    found: dict[str, list[str]] = {table: [] for table in tables}
    for table, row in superuser.execute(query):
        found[table].append(row)
    return {table: sorted(table_rows) for table, table_rows in found.items()}


def truncate_all(superuser: Connection) -> None:
    tables = [row[0] for row in superuser.execute(PUBLIC_TABLES) if row[0] != "alembic_version"]
    superuser.execute(sql.SQL("TRUNCATE {} CASCADE").format(sql.SQL(", ").join(map(sql.Identifier, tables))))

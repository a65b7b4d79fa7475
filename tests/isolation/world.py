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
from comptoir.audit import recorder
from comptoir.audit.models import AuditArchive
from comptoir.automation.models import ScheduledEvent
from comptoir.billing import coupon_models, tax_models
from comptoir.database.engine import session_scope
from comptoir.domains import models as domains
from comptoir.domains import registrars
from comptoir.documents import models as document_models
from comptoir.hosting import models as hosting
from comptoir.hosting import server_models as servers
from comptoir.hosting import usage_models
from comptoir.hosting.vocabulary import Resource
from comptoir.messaging import models as messaging
from comptoir.panel import models as panel
from comptoir.payments import models as payments
from comptoir.storefront import models as storefront
from comptoir.storefront import todos
from comptoir.tenancy.context import Role, TenantContext
from comptoir.tenancy.models import User
from comptoir.webhooks import service as webhooks
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
        _audit(tenant, number)
        _webhooks(tenant)
        _taxes_and_coupons(tenant)
        _billing(tenant)
        _payments(tenant, number)
        _domains(tenant, number)
        _documents(tenant, number)
        for member in tenant.members:
            address = f"198.51.100.{number + 1}"
            tokens[member.username] = factories.log_in(member.actor, client_address=address)
            factories.request_password_reset(member.actor, email=member.email, client_address=address)
        _mail(tenant, number)
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
            session.add(storefront.OrderStep(seller_id=tenant.seller_id, order_id=order.id, step="invoice"))
            todos.create(session, seller_id=tenant.seller_id, todo=todos.NewTodo(
                kind="review_order", subject=todos.Subject("Order", order.id), title=f"Look at order {number}.{index}"))


def _audit(tenant: Tenant, number: int) -> None:
    """An action of each customer in the log (its own rows), and an archive file's record."""
    for member in tenant.customers:
        context = TenantContext(Role.CUSTOMER, tenant.seller_id, customer_id=member.actor.customer_id)
        with session_scope(context) as session:
            recorder.record_operation(session, "worldAction")
    with session_scope(TenantContext(Role.SYSTEM, tenant.seller_id)) as session:
        session.add(AuditArchive(seller_id=tenant.seller_id, path=f"{tenant.seller_id}/{number}.jsonl.gz", entries=1,
                                 oldest_at=clock.now(), newest_at=clock.now(), sha256="0" * 64, size_bytes=1,
                                 created_at=clock.now()))


def _webhooks(tenant: Tenant) -> None:
    """An endpoint subscribed to customer.created, and the delivery of one such event."""
    with session_scope(TenantContext(Role.SYSTEM, tenant.seller_id)) as session:
        webhooks.create_endpoint(session, seller_id=tenant.seller_id, given=webhooks.EndpointInput(
            "https://hooks.example.test/in", (webhooks.EventType.CUSTOMER_CREATED,)))
        webhooks.emit(session, seller_id=tenant.seller_id, event_type=webhooks.EventType.CUSTOMER_CREATED, data={})
def _taxes_and_coupons(tenant: Tenant) -> None:
    """A zone with a rate, a store's price mode, per customer a tax profile and a redemption of a coupon,
    applied to one invoice: written from the models."""
    with session_scope(TenantContext(Role.SYSTEM, tenant.seller_id)) as session:
        zone = tax_models.TaxZone(seller_id=tenant.seller_id, name="France", areas=["FR"])
        coupon = coupon_models.Coupon(seller_id=tenant.seller_id, code="WELCOME", kind="fixed", amount_minor=500,
                                      currency="EUR", duration="first_period")
        session.add_all([zone, coupon])
        session.flush()
        store_id = session.scalars(select(storefront.Store.id).where(
            storefront.Store.seller_id == tenant.seller_id)).first()
        session.add_all([
            tax_models.TaxRate(seller_id=tenant.seller_id, zone_id=zone.id, category="S", rate=20,
                               valid_from=clock.today()),
            tax_models.StoreTaxSettings(seller_id=tenant.seller_id, store_id=store_id, prices_include_tax=True)])
        for member in tenant.customers:
            redemption = coupon_models.CouponRedemption(
                seller_id=tenant.seller_id, coupon_id=coupon.id, customer_id=member.actor.customer_id,
                service_id=uuid.uuid4())
            session.add_all([redemption, tax_models.CustomerTaxProfile(
                seller_id=tenant.seller_id, customer_id=member.actor.customer_id, b2b=True, vat_id="FR40303265045")])
            session.flush()
            session.add(coupon_models.CouponApplication(seller_id=tenant.seller_id, redemption_id=redemption.id,
                                                        invoice_id=uuid.uuid4(), amount_minor=500))
def _billing(tenant: Tenant) -> None:
    """Per customer a billed service invoiced at order time and paid in part (settings, counter, ledger,
    allocation) and some credit; one draft invoice with a line (the lines of issued ones never change)."""
    from comptoir.billing import services, settlement
    from comptoir.billing.invoicing import DraftLine
    from comptoir.billing.models import Invoice, InvoiceLine
    from comptoir.billing.rules import Cycle, LineKind, ServiceKind
    from comptoir.money import Money

    with session_scope(TenantContext(Role.SYSTEM, tenant.seller_id)) as session:
        today = clock.today()
        for member in tenant.customers:
            customer_id = member.actor.customer_id
            service = services.start_service(
                session, seller_id=tenant.seller_id, customer_id=customer_id, kind=ServiceKind.HOSTING,
                description="Hosting", currency="EUR", cycle=Cycle.MONTHLY, price_minor=1000, started_on=today)
            services.issue_first_invoice(session, seller_id=tenant.seller_id, service_ids=[service.id], today=today)
            settlement.record_payment(session, seller_id=tenant.seller_id, customer_id=customer_id,
                                      amount=Money(400, "EUR"), method="cash", reference="r1", on=today)
            settlement.add_credit(session, seller_id=tenant.seller_id, customer_id=customer_id,
                                  amount=Money(100, "EUR"), kind="manual", on=today)
            draft = Invoice(seller_id=tenant.seller_id, customer_id=customer_id, currency="EUR")
            session.add(draft)
            session.flush()
            line = DraftLine("One-off", 500, LineKind.ONE_OFF)
            session.add(InvoiceLine(seller_id=tenant.seller_id, invoice_id=draft.id, customer_id=customer_id,
                                    position=1, description=line.description, unit_price_minor=500, net_minor=500,
                                    kind=line.kind.value))
            from comptoir.billing.models import PaymentQueueRow
            session.add(PaymentQueueRow(seller_id=tenant.seller_id, queue_id=uuid.uuid4(), invoice_id=draft.id,
                                        customer_id=customer_id, amount_minor=500, currency="EUR", position=1,
                                        generated_on=today))


def _payments(tenant: Tenant, number: int) -> None:
    """A gateway offered by the store, payment settings; per customer a stored card, a payment with its
    charge intent and a refund; an incoming webhook event: written from the models."""
    role = Role.PROVIDER if number == 0 else Role.RESELLER
    with session_scope(TenantContext(role, tenant.seller_id)) as session:
        config = payments.GatewayConfig(seller_id=tenant.seller_id, name="Cards", driver="sandbox_card",
                                        settings={"merchant_id": "m"})
        session.add_all([config, payments.PaymentSettings(seller_id=tenant.seller_id)])
        session.flush()
        store_id = session.scalars(select(storefront.Store.id)).first()
        session.add(payments.StoreGateway(seller_id=tenant.seller_id, store_id=store_id, gateway_config_id=config.id))
        for index, member in enumerate(tenant.customers):
            method = payments.PaymentMethod(seller_id=tenant.seller_id, customer_id=member.actor.customer_id,
                                            gateway_config_id=config.id, kind="card", token="s1:sealed", brand="visa",
                                            last4="4242", expiry_month=12, expiry_year=2030)
            session.add(method)
            session.flush()
            payment = payments.Payment(seller_id=tenant.seller_id, customer_id=member.actor.customer_id,
                                       gateway_config_id=config.id, payment_method_id=method.id, kind="card",
                                       initiator="merchant", amount=1000, captured=1000, currency="EUR",
                                       status="captured", idempotency_key=f"key-{index}", gateway_reference=f"ch_{index}")
            session.add(payment)
            session.flush()
            session.add_all([
                payments.PaymentCharge(seller_id=tenant.seller_id, payment_id=payment.id,
                                       customer_id=member.actor.customer_id, status="done"),
                payments.PaymentRefund(seller_id=tenant.seller_id, payment_id=payment.id, amount=100),
            ])
        config_id = config.id
    with session_scope(TenantContext(Role.SYSTEM, tenant.seller_id)) as session:
        session.add(payments.WebhookEvent(seller_id=tenant.seller_id, gateway_config_id=config_id, event_id="evt_1",
                                          type="payment.captured", reference="ch_0"))


def _mail(tenant: Tenant, number: int) -> None:
    """A template override, the seller's SMTP server, a mailing, and a file on one of its e-mails (the
    password resets above wrote the e-mails): written from the models."""
    with session_scope(TenantContext(Role.SYSTEM, tenant.seller_id)) as session:
        email = session.scalars(select(messaging.OutboundEmail).where(
            messaging.OutboundEmail.seller_id == tenant.seller_id,
            messaging.OutboundEmail.template == "password_reset").limit(1)).one()
        session.add_all([
            messaging.EmailTemplateOverride(seller_id=tenant.seller_id, template="password_reset", language="en",
                                            subject="Reset", body_text="{{ link }}"),
            messaging.MassEmail(seller_id=tenant.seller_id, subject="News", body_text="Hello", status="done"),
            messaging.EmailAttachment(seller_id=tenant.seller_id, email_id=email.id, position=0,
                                      filename="a.txt", content_type="text/plain", content=b"a"),
        ])
    with session_scope(TenantContext(Role.PROVIDER if number == 0 else Role.RESELLER, tenant.seller_id)) as session:
        session.add(messaging.SmtpSettings(seller_id=tenant.seller_id, host="smtp.example.test", port=587))


def _domains(tenant: Tenant, number: int) -> None:
    """A registrar account (its TLDs activated), a domain plan, a certificate provider and plan; per customer
    a domain, its registration and a certificate order: through the registrar service, then the models."""
    with session_scope(TenantContext(Role.SYSTEM, tenant.seller_id)) as session:
        account = registrars.create(session, seller_id=tenant.seller_id, driver="sandbox", name="Registrar",
                                    settings={"username": f"world-{number}", "password": "registrar-secret"})
        tld = session.scalars(select(domains.Tld).where(domains.Tld.name == "com")).one()
        plan = domains.DomainPlan(seller_id=tenant.seller_id, name="Domains")
        provider = domains.CertificateProvider(seller_id=tenant.seller_id, driver="sandbox", name="CA",
                                               settings={"api_key": "sealed-elsewhere"})
        session.add_all([plan, provider])
        session.flush()
        certificate_plan = domains.CertificatePlan(seller_id=tenant.seller_id, provider_id=provider.id, name="DV",
                                                   product="dv", currency="EUR", yearly_price=1000)
        session.add_all([certificate_plan, domains.DomainPlanTld(
            seller_id=tenant.seller_id, plan_id=plan.id, tld_id=tld.id, currency="EUR", register=[1000],
            transfer=[900], renew=[1100])])
        session.flush()
        for index, member in enumerate(tenant.customers):
            name = f"world-{number}-{index}.com"
            domain = domains.Domain(seller_id=tenant.seller_id, customer_id=member.actor.customer_id, name=name,
                                    tld="com", registrar_account_id=account.id, status="active")
            session.add(domain)
            session.flush()
            session.add_all([
                domains.DomainOperation(seller_id=tenant.seller_id, customer_id=member.actor.customer_id,
                                        domain_id=domain.id, action="register", name=name, years=1,
                                        registrar_account_id=account.id, status="done"),
                domains.CertificateOrder(seller_id=tenant.seller_id, customer_id=member.actor.customer_id,
                                         plan_id=certificate_plan.id, common_name=name, status="done")])


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

"""Hosting benchmarks: the `subscriptions` connection at scale, and plan "Update & Sync" over many subscriptions.

Their own database, comptoir_bench_hosting, seeded once with multi-row INSERTs as the superuser (the
services would take far too long for 100k subscriptions; COPY is refused under row-level security) and
reused while its counts match the sizes asked for:

- `--resellers` resellers ("Hosting Reseller NNN", unlimited allocations) sharing `--subscriptions`
  subscriptions, each reseller with 3 service plans, 2 add-ons (on a quarter of its subscriptions),
  one customer per 10 subscriptions and one shared address; the first reseller has an administrator,
  the user the `subscriptions` query is measured as;
- one more reseller ("Sync Reseller", unlimited allocation) with `--sync-subscriptions` subscriptions
  on one plan, for "Update & Sync".
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import psycopg
from psycopg.types.json import Jsonb
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bench.database import APP_PASSWORD, OWNER_PASSWORD, PASSWORD, PERMISSIONS
from comptoir.database import migrate
from comptoir.database.bootstrap import bootstrap
from comptoir.hosting import plan_values as pv
from comptoir.hosting import rules
from comptoir.hosting.vocabulary import Resource
from comptoir.tenancy import allocation
from comptoir.tenancy.allocation import ResellerOnlyPermission

DATABASE = os.environ.get("BENCH_DATABASE", "comptoir_bench") + "_hosting"
RESELLER_ADMIN = "hostingreseller"
RESELLER_PREFIX = "Hosting Reseller "
SYNC_RESELLER = "Sync Reseller"
SYNC_PLAN = "Sync Plan"
SUBSCRIPTIONS_PER_CUSTOMER = 10
ROWS_PER_INSERT = 1000
RESELLER_PERMISSIONS = [*PERMISSIONS, ResellerOnlyPermission.CREATE_SUBSCRIPTIONS,
                        ResellerOnlyPermission.CREATE_CUSTOMERS, ResellerOnlyPermission.PANEL_ACCESS]
SYNC_RESOURCE = Resource.MAILBOXES

SUBSCRIPTIONS_QUERY = """{ subscriptions(first: 50) { totalCount edges { node { id name domainName status
  syncState ipAddress plan { id name } addons { id name } customer { id contactName email } } } } }"""
# The same page with the nested fields that cost a query per item before DataLoaders (90 effective values
# and 16 PHP directives per subscription: about 0.9 MB of JSON).
NESTED_QUERY = """{ subscriptions(first: 50) { totalCount edges { node { id name domainName status
  syncState ipAddress plan { id name } addons { id name } customer { id contactName email }
  sites { id domainName } phpSettings { directive value level levelName runtimeChangeable }
  effectiveValues { property value origin sourceName } } } } }"""
QUERIES = {"subscriptions": SUBSCRIPTIONS_QUERY, "subscriptions-nested": NESTED_QUERY}


@dataclass(frozen=True)
class Sizes:
    subscriptions: int
    resellers: int
    sync_subscriptions: int


@dataclass(frozen=True)
class HostingDatabase:
    app_url: str
    superuser_url: str
    seeded_seconds: float | None  # None: reused as a previous run seeded it


def _url(superuser: str, *, role: str | None = None, password: str | None = None) -> str:
    url = make_url(superuser).set(database=DATABASE, drivername="postgresql")
    if role:
        url = url.set(username=role, password=password)
    return url.render_as_string(hide_password=False)


def _progress(label: str, done: int, total: int, started: float) -> None:
    elapsed = time.monotonic() - started
    rate = done / elapsed if elapsed else 0.0
    line = f"  {label}: {done:>7}/{total} rows  {elapsed:6.1f} s  {rate:8.0f} rows/s"
    if sys.stderr.isatty():
        print("\r" + line, end="" if done < total else "\n", file=sys.stderr, flush=True)
    elif done == total or done % (10 * ROWS_PER_INSERT) < ROWS_PER_INSERT:
        print(line, file=sys.stderr, flush=True)


def _seeded(superuser: str, sizes: Sizes) -> bool:
    try:
        with psycopg.connect(_url(superuser)) as connection:
            row = connection.execute(
                """SELECT (SELECT count(*) FROM sellers WHERE kind = 'reseller' AND name LIKE %(prefix)s),
                          (SELECT count(*) FROM subscriptions s JOIN sellers r ON r.id = s.seller_id
                            WHERE r.name LIKE %(prefix)s),
                          (SELECT count(*) FROM subscriptions s JOIN sellers r ON r.id = s.seller_id
                            WHERE r.name = %(sync)s),
                          (SELECT count(*) FROM users WHERE username = %(admin)s)""",
                {"prefix": RESELLER_PREFIX + "%", "sync": SYNC_RESELLER, "admin": RESELLER_ADMIN}).fetchone()
    except psycopg.Error:  # no database or no tables yet
        return False
    return row == (sizes.resellers, sizes.subscriptions, sizes.sync_subscriptions, 1)


def prepare(superuser: str, sizes: Sizes, *, fresh: bool = False) -> HostingDatabase:
    """Create, migrate and seed comptoir_bench_hosting, or reuse it when its counts match `sizes`."""
    reuse = not fresh and _seeded(superuser, sizes)
    bootstrap(superuser, DATABASE, app_password=APP_PASSWORD, owner_password=OWNER_PASSWORD, drop_first=not reuse)
    migrate.upgrade(_url(superuser, role="comptoir_owner", password=OWNER_PASSWORD))
    app_url = _url(superuser, role="comptoir_app", password=APP_PASSWORD)
    seconds = None
    if not reuse:
        print(f"seeding {DATABASE}: {sizes.subscriptions} subscriptions over {sizes.resellers} resellers"
              f" + {sizes.sync_subscriptions} on one plan…", file=sys.stderr, flush=True)
        started = time.monotonic()
        seed(superuser, app_url, sizes)
        seconds = time.monotonic() - started
        print(f"  seeded in {seconds:.1f} s", file=sys.stderr, flush=True)
    return HostingDatabase(app_url, superuser, seconds)


# ---- seeding ---------------------------------------------------------------------------------

def _insert(connection: psycopg.Connection[Any], table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]],
            *, on_batch: Callable[[int], None] | None = None) -> None:
    """Multi-row INSERTs of ROWS_PER_INSERT rows each."""
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    batch: list[Sequence[Any]] = []

    def flush() -> None:
        connection.execute(head + ", ".join([one] * len(batch)), [v for row in batch for v in row])
        if on_batch:
            on_batch(len(batch))
        batch.clear()

    for row in rows:
        batch.append(row)
        if len(batch) == ROWS_PER_INSERT:
            flush()
    if batch:
        flush()


def _address(n: int) -> str:
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255 or 1}" if n else "10.255.255.254"


def _service_plans() -> list[tuple[str, pv.PlanValues]]:
    base = pv.default_plan_values()
    return [(name, base.with_limits(base.limits_map() | {Resource.DISK_SPACE: disk, Resource.MAILBOXES: mail,
                                                          Resource.DOMAINS: domains}))
            for name, disk, mail, domains in (("Bronze", 2_000, 10, 1), ("Silver", 10_000, 50, 5),
                                              ("Gold", 50_000, 200, 20))]


def _addons() -> list[tuple[str, pv.PlanValues]]:
    return [("Extra Mail", pv.PlanValues().with_limits({Resource.MAILBOXES: 100})),
            ("Extra Disk", pv.PlanValues().with_limits({Resource.DISK_SPACE: 20_000}))]


def _reseller_rows(connection: psycopg.Connection[Any], provider_id: uuid.UUID, seller_id: uuid.UUID, name: str,
                   number: int, *, create_seller: bool) -> uuid.UUID:
    """The seller (unless made by the service), its unlimited allocation and a shared address; the pool id."""
    if create_seller:
        connection.execute("INSERT INTO sellers (id, kind, name, email) VALUES (%s, 'reseller', %s, %s)",
                           (seller_id, name, f"reseller{number}@r.test"))
        connection.execute(
            "INSERT INTO reseller_allocations (seller_id, limits, permissions) VALUES (%s, %s, %s)",
            (seller_id, Jsonb(allocation.merge_limits({}, [])), Jsonb(allocation.stored_permissions(RESELLER_PERMISSIONS))))
    address_id, pool_id = uuid.uuid4(), uuid.uuid4()
    connection.execute("INSERT INTO ip_addresses (id, seller_id, address, interface) VALUES (%s, %s, %s, 'eth0')",
                       (address_id, provider_id, _address(number)))
    connection.execute("INSERT INTO ip_pool (id, seller_id, ip_address_id, address) VALUES (%s, %s, %s, %s)",
                       (pool_id, seller_id, address_id, _address(number)))
    return pool_id


def _plan_rows(connection: psycopg.Connection[Any], seller_id: uuid.UUID, kind: str,
               plans: list[tuple[str, pv.PlanValues]]) -> list[uuid.UUID]:
    ids = [uuid.uuid4() for _ in plans]
    _insert(connection, "service_plans", ("id", "seller_id", "kind", "name", "values"),
            [(i, seller_id, kind, name, Jsonb(pv.to_json(values))) for i, (name, values) in zip(ids, plans)])
    return ids


def _admin_reseller(app_url: str, provider_id: uuid.UUID) -> uuid.UUID:
    """The first reseller, through the service: it has the administrator the query is measured as."""
    from comptoir.database.engine import session_scope
    from comptoir.tenancy import resellers
    from comptoir.tenancy.context import Role, TenantContext

    with session_scope(TenantContext(Role.PROVIDER, provider_id), app_url) as session:
        return resellers.create(session, name=f"{RESELLER_PREFIX}000", email="reseller0@r.test",
                                permissions=RESELLER_PERMISSIONS,
                                admin=resellers.ResellerAdmin(username=RESELLER_ADMIN, password=PASSWORD,
                                                              email="hostingreseller@r.test")).id


def seed(superuser: str, app_url: str, sizes: Sizes) -> None:
    provider_id = uuid.uuid4()
    with psycopg.connect(_url(superuser), autocommit=True) as connection:
        connection.execute("INSERT INTO sellers (id, kind, name) VALUES (%s, 'provider', 'Hosting Bench Provider')",
                           (provider_id,))
    first = _admin_reseller(app_url, provider_id)
    service_plans, addons = _service_plans(), _addons()
    combined = [[Jsonb(pv.to_json(rules.combine(plan, extra))) for extra in ([], [addons[0][1]], [addons[1][1]])]
                for _, plan in service_plans]
    now = datetime.now(UTC)
    started, done = time.monotonic(), 0
    total = sizes.subscriptions + sizes.sync_subscriptions

    def advance(rows: int) -> None:
        nonlocal done
        done += rows
        _progress("subscriptions", done, total, started)

    with psycopg.connect(_url(superuser)) as connection:
        for n in range(sizes.resellers):
            count = sizes.subscriptions // sizes.resellers + (n < sizes.subscriptions % sizes.resellers)
            seller_id = first if n == 0 else uuid.uuid4()
            pool_id = _reseller_rows(connection, provider_id, seller_id, f"{RESELLER_PREFIX}{n:03}", n + 1,
                                     create_seller=n != 0)
            plan_ids = _plan_rows(connection, seller_id, "service", service_plans)
            addon_ids = _plan_rows(connection, seller_id, "addon", addons)
            customer_ids = [uuid.uuid4() for _ in range(max(1, -(-count // SUBSCRIPTIONS_PER_CUSTOMER)))]
            _insert(connection, "customers", ("id", "seller_id", "contact_name", "email"),
                    [(c, seller_id, f"Customer {n:03}-{k:04}", f"c{n:03}-{k:04}@c.test")
                     for k, c in enumerate(customer_ids)])
            rows = []
            links = []
            for i in range(count):
                subscription_id = uuid.uuid4()
                addon = (i // 4) % 2 + 1 if i % 4 == 0 else 0
                customer_id = customer_ids[i % len(customer_ids)]
                rows.append((subscription_id, seller_id, customer_id, plan_ids[i % 3], f"r{n:03}-s{i:06}.example.com",
                             pool_id, f"u{i:06}", "s3cret-password", combined[i % 3][addon],
                             now - timedelta(seconds=i)))
                if addon:
                    links.append((seller_id, subscription_id, addon_ids[addon - 1], customer_id))
            _insert(connection, "subscriptions", ("id", "seller_id", "customer_id", "plan_id", "domain_name",
                                                  "ip_pool_id", "system_login", "system_password", "values",
                                                  "created_at"), rows, on_batch=advance)
            _insert(connection, "subscription_addons", ("seller_id", "subscription_id", "addon_id", "customer_id"),
                    links)
            connection.commit()

        sync_id = uuid.uuid4()
        pool_id = _reseller_rows(connection, provider_id, sync_id, SYNC_RESELLER, sizes.resellers + 1,
                                 create_seller=True)
        (plan_id,) = _plan_rows(connection, sync_id, "service", [(SYNC_PLAN, service_plans[1][1])])
        values = Jsonb(pv.to_json(service_plans[1][1]))
        _insert(connection, "subscriptions", ("id", "seller_id", "plan_id", "domain_name", "ip_pool_id",
                                              "system_login", "system_password", "values", "created_at"),
                [(uuid.uuid4(), sync_id, plan_id, f"sync-s{i:06}.example.com", pool_id, f"u{i:06}",
                  "s3cret-password", values, now - timedelta(seconds=i)) for i in range(sizes.sync_subscriptions)],
                on_batch=advance)
        connection.commit()
        connection.execute("ANALYZE")
    if not total:
        _progress("subscriptions", 0, 0, started)


def reseller_token(app_url: str) -> str:
    from comptoir.database.engine import session_scope
    from comptoir.tenancy import auth

    with session_scope(None, app_url) as session:
        return auth.log_in(session, username=RESELLER_ADMIN, password=PASSWORD, client_address="127.0.0.1").token


def check_subscriptions(data: dict[str, Any], per_reseller: int) -> None:
    connection = data["subscriptions"]
    edges = connection["edges"]
    assert connection["totalCount"] == per_reseller, connection["totalCount"]
    assert len(edges) == min(50, per_reseller), len(edges)
    assert all(e["node"]["plan"] and e["node"]["customer"] and e["node"]["ipAddress"] for e in edges), edges[:1]
    assert any(e["node"]["addons"] for e in edges) or per_reseller < 4, "no add-ons on the page"


# ---- plan "Update & Sync" --------------------------------------------------------------------

def plan_sync(app_url: str) -> dict[str, Any]:
    """Change the sync plan's mailbox limit, then "Update & Sync" (the background-job path), timed."""
    os.environ["COMPTOIR_DATABASE_URL"] = app_url  # run_plan_sync_job opens sessions on the default URL
    from comptoir.settings import get_settings

    get_settings.cache_clear()
    from comptoir.database.engine import session_scope
    from comptoir.hosting import plans, sync
    from comptoir.hosting.models import ServicePlan, Subscription
    from comptoir.tenancy.context import Role, TenantContext
    from comptoir.tenancy.models import Seller

    with session_scope(TenantContext(Role.PROVIDER, uuid.uuid4()), app_url) as session:
        seller_id = session.scalars(select(Seller.id).where(Seller.name == SYNC_RESELLER)).one()
        plan_id = session.scalars(select(ServicePlan.id).where(ServicePlan.seller_id == seller_id,
                                                               ServicePlan.name == SYNC_PLAN)).one()
    context = TenantContext(Role.SYSTEM, seller_id)
    # The job is run below, in this process and timed; the commit hook would start it on a thread too.
    with mock.patch.object(sync, "dispatch_plan_sync", lambda *_: None):
        started = time.perf_counter()
        with session_scope(context, app_url) as session:
            plan = plans.get_or_raise(session, plan_id=plan_id)
            values = plans.values_of(plan)
            before = values.limit(SYNC_RESOURCE)
            after = 300 if before != 300 else 400
            plans.update(session=session, plan_id=plan_id, name=None,
                         values=values.with_limits(values.limits_map() | {SYNC_RESOURCE: after}))
            outcome = sync.update_and_sync(session, plan_id=plan_id)
        enqueue_s = time.perf_counter() - started
    if outcome.job_id is None:
        raise RuntimeError(f"{outcome.subscriptions} subscriptions synced inline: fewer than the"
                           f" background-job threshold ({sync.INLINE_LIMIT})")
    print(f"  plan sync: {SYNC_RESOURCE.value} {before} → {after} on {outcome.subscriptions} subscriptions"
          f" (job queued in {enqueue_s:.2f} s), running the job…", file=sys.stderr, flush=True)
    started = time.perf_counter()
    status = sync.run_plan_sync_job(seller_id, outcome.job_id)
    job_s = time.perf_counter() - started

    key = SYNC_RESOURCE.value
    with session_scope(context, app_url) as session:
        sample = session.scalars(select(Subscription).where(Subscription.plan_id == plan_id)
                                 .order_by(Subscription.domain_name).limit(1)).one()
        sample_value = pv.from_json(sample.values).limit(SYNC_RESOURCE)
        updated = session.scalar(select(func.count()).select_from(Subscription).where(
            Subscription.plan_id == plan_id,
            Subscription.values["limits"][key].as_integer() == after)) or 0
    print(f"  sample {sample.domain_name}: {key} = {sample_value} (expected {after}), sync state"
          f" {sample.sync_state}; {updated}/{outcome.subscriptions} subscriptions have the new value",
          file=sys.stderr, flush=True)
    return {"subscriptions": outcome.subscriptions, "job_status": status, "resource": key, "before": before,
            "after": after, "update_and_sync_s": enqueue_s, "job_s": job_s,
            "rows_per_second": outcome.subscriptions / job_s if job_s else None,
            "sample": {"domain_name": sample.domain_name, "value": sample_value, "sync_state": sample.sync_state},
            "subscriptions_with_new_value": updated}

"""The benchmark's own database: comptoir_bench, migrated, seeded once with a provider and 50 resellers."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from comptoir.database import migrate
from comptoir.database.bootstrap import bootstrap
from comptoir.database.engine import session_scope
from comptoir.hosting.vocabulary import Resource
from comptoir.tenancy import auth, customers, resellers
from comptoir.tenancy.allocation import ResellerPermission
from comptoir.tenancy.context import Role, TenantContext
from comptoir.tenancy.models import Seller, User
from comptoir.tenancy.security import hash_password

LOCAL_SUPERUSER = "postgresql://postgres@127.0.0.1:5432/postgres"
# BENCH_DATABASE names another one: worktrees at different migrations each keep their own.
DATABASE = os.environ.get("BENCH_DATABASE", "comptoir_bench")
APP_PASSWORD = "comptoir_app"
OWNER_PASSWORD = "comptoir_owner"
PROVIDER = "bench-provider"
PASSWORD = "bench-password-123"
RESELLERS = 50
CUSTOMERS_OF_FIRST_RESELLER = 3
LIMITS = [(Resource.CUSTOMERS, 100), (Resource.DOMAINS, 500), (Resource.DISK_SPACE, 102_400),
          (Resource.MAILBOXES, 1_000)]
PERMISSIONS = list(ResellerPermission)[:5]


@dataclass(frozen=True)
class BenchDatabase:
    app_url: str
    superuser_url: str
    where: str


def superuser_url() -> tuple[str, str]:
    """The local server on 127.0.0.1:5432 if it answers, else a private one under var/bench-postgres."""
    try:
        psycopg.connect(LOCAL_SUPERUSER, connect_timeout=3).close()
        return LOCAL_SUPERUSER, "127.0.0.1:5432"
    except psycopg.OperationalError:
        import pgserver

        data_dir = Path(__file__).resolve().parents[1] / "var" / "bench-postgres"
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        server = pgserver.get_server(str(data_dir), cleanup_mode="stop")  # type: ignore[attr-defined]
        return server.get_uri(), "embedded pgserver"


def _role_url(superuser: str, role: str, password: str) -> str:
    return make_url(superuser).set(username=role, password=password, database=DATABASE).render_as_string(
        hide_password=False)


def _is_seeded(superuser: str) -> bool:
    url = make_url(superuser).set(database=DATABASE, drivername="postgresql").render_as_string(
        hide_password=False)
    try:
        with psycopg.connect(url) as connection:
            row = connection.execute(
                "SELECT (SELECT count(*) FROM users WHERE username = %s),"
                " (SELECT count(*) FROM sellers WHERE kind = 'reseller')", (PROVIDER,)).fetchone()
    except psycopg.Error:  # no database or no tables yet
        return False
    return row == (1, RESELLERS)


def prepare(*, fresh: bool = False) -> BenchDatabase:
    """Create, migrate and seed the database; a database a previous run seeded is reused (and migrated)."""
    superuser, where = superuser_url()
    reuse = not fresh and _is_seeded(superuser)
    bootstrap(superuser, DATABASE, app_password=APP_PASSWORD, owner_password=OWNER_PASSWORD,
              drop_first=not reuse)
    migrate.upgrade(_role_url(superuser, "comptoir_owner", OWNER_PASSWORD))
    app_url = _role_url(superuser, "comptoir_app", APP_PASSWORD)
    if not reuse:
        seed(app_url)
    return BenchDatabase(app_url, superuser, where)


def seed(app_url: str) -> None:
    """A provider and its resellers, through the services (as tests/factories.py builds them)."""
    provider_id = uuid.uuid4()
    with session_scope(TenantContext(Role.PROVIDER, provider_id), app_url) as session:
        session.add(Seller(id=provider_id, kind="provider", name="Bench Provider"))
        session.flush()
        session.add(User(seller_id=provider_id, role="provider", username=PROVIDER,
                         email=f"{PROVIDER}@p.test", password_hash=hash_password(PASSWORD)))
    first: uuid.UUID | None = None
    for n in range(RESELLERS):
        with session_scope(TenantContext(Role.PROVIDER, provider_id), app_url) as session:
            seller = resellers.create(
                session, name=f"Reseller {n:02}", email=f"reseller{n:02}@r.test", limits=LIMITS,
                permissions=PERMISSIONS,
                admin=resellers.ResellerAdmin(username=f"reseller{n:02}", password=PASSWORD,
                                              email=f"reseller{n:02}@r.test"))
            first = first or seller.id
    assert first is not None
    for n in range(CUSTOMERS_OF_FIRST_RESELLER):
        with session_scope(TenantContext(Role.SYSTEM, first), app_url) as session:
            customers.create(session, seller_id=first, contact_name=f"Customer {n}",
                             email=f"customer{n}@c.test", username=f"customer{n:02}", password=PASSWORD)


def provider_token(app_url: str) -> str:
    """A bearer token of the provider, as a log-in would give it."""
    with session_scope(None, app_url) as session:
        return auth.log_in(session, username=PROVIDER, password=PASSWORD, client_address="127.0.0.1").token

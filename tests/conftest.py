"""Test set-up: a fresh migrated database, the app role's URL in the environment, clean tables per test."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.database import TEST_DATABASE, superuser_url

SUPERUSER = superuser_url()


def _url(user: str, password: str) -> str:
    return make_url(SUPERUSER).set(username=user, password=password, database=TEST_DATABASE).render_as_string(
        hide_password=False)


os.environ.update({
    "COMPTOIR_DATABASE_NAME": TEST_DATABASE,
    "COMPTOIR_DATABASE_URL": _url("comptoir_app", "comptoir_app"),
    "COMPTOIR_MIGRATION_DATABASE_URL": _url("comptoir_owner", "comptoir_owner"),
    "COMPTOIR_BOOTSTRAP_DATABASE_URL": SUPERUSER,
    "COMPTOIR_PUBLIC_URL": "https://panel.example.test",
    "COMPTOIR_POOL_SIZE": "5",
    # Real argon2id, at minimal cost: the same code paths in milliseconds.
    "COMPTOIR_PASSWORD_HASH_TIME_COST": "1",
    "COMPTOIR_PASSWORD_HASH_MEMORY_KIB": "8",
    "COMPTOIR_PASSWORD_HASH_PARALLELISM": "1",
    # Webhook receivers in tests listen on loopback over plain HTTP.
    "COMPTOIR_WEBHOOKS_ALLOW_HTTP": "true",
    "COMPTOIR_WEBHOOKS_ALLOW_PRIVATE": "true",
})
os.environ.setdefault("COMPTOIR_BROKER_URL", "")
os.environ.setdefault("COMPTOIR_EMBEDDED_TICK_SECONDS", "0")  # servers started by tests tick only when told

import comptoir.app  # noqa: E402,F401 -- installs the real intent publisher once, before fixtures replace it
from comptoir.database import migrate  # noqa: E402
from comptoir.database.bootstrap import bootstrap  # noqa: E402

SUPERUSER_IN_TEST_DB = make_url(SUPERUSER).set(database=TEST_DATABASE).render_as_string(hide_password=False)


@pytest.fixture(scope="session", autouse=True)
def database() -> Iterator[str]:
    """Create roles and a fresh test database, migrated to head, once per run."""
    bootstrap(SUPERUSER, TEST_DATABASE, app_password="comptoir_app", owner_password="comptoir_owner",
              drop_first=True)
    migrate.upgrade(os.environ["COMPTOIR_MIGRATION_DATABASE_URL"])
    yield os.environ["COMPTOIR_DATABASE_URL"]


@pytest.fixture(scope="session")
def superuser_connection(database: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(make_url(SUPERUSER_IN_TEST_DB).set(drivername="postgresql").render_as_string(
            hide_password=False), autocommit=True) as connection:
        yield connection


_NON_EMPTY_TABLES = ""


@pytest.fixture(scope="session", autouse=True)
def _non_empty_tables_query(superuser_connection: psycopg.Connection[Any]) -> None:
    """One statement naming the tables that still hold rows (built once: the schema does not change)."""
    global _NON_EMPTY_TABLES
    tables = [row[0] for row in superuser_connection.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'")]
    _NON_EMPTY_TABLES = " UNION ALL ".join(
        f"SELECT '{table}' WHERE EXISTS (SELECT 1 FROM {table})" for table in tables)


@pytest.fixture(autouse=True)
def clean_tables(superuser_connection: psycopg.Connection[Any]) -> Iterator[None]:
    """Every test starts with empty tables (the schema stays)."""
    yield
    # Deleting the sellers cascades to every tenant row: much cheaper than TRUNCATE for a few rows.
    superuser_connection.execute("DELETE FROM auth_throttle")
    with superuser_connection.transaction():
        superuser_connection.execute("DELETE FROM sellers")
    # What no foreign key ties to a seller (the audit log, instance-wide tables) is emptied table by table:
    # truncating every table after each test costs far more than the test once there are ~100 tables.
    left = [row[0] for row in superuser_connection.execute(_NON_EMPTY_TABLES)] if _NON_EMPTY_TABLES else []
    if left:
        superuser_connection.execute(f"TRUNCATE {', '.join(left)} CASCADE")


@pytest.fixture(autouse=True)
def published_intents() -> Iterator[dict[str, list[tuple[Any, Any]]]]:
    """Record the intents announced after each commit, by kind, instead of performing them on threads: a
    thread still running at teardown would race the table cleaning (and count in query budgets). Tests
    perform intents by hand (automation.intents.perform), or install the real publisher."""
    from collections import defaultdict

    from comptoir.database import intents

    published: dict[str, list[tuple[Any, Any]]] = defaultdict(list)

    def record(announcements: list[tuple[str, Any, Any]]) -> None:
        for kind, seller_id, intent_id in announcements:
            published[kind].append((seller_id, intent_id))

    previous = intents.install_publisher(record)
    yield published
    intents.install_publisher(previous)


@pytest.fixture
def provisioning_dispatches(published_intents: dict[str, list[tuple[Any, Any]]]) -> list[tuple[Any, Any]]:
    return published_intents["provisioning"]


@pytest.fixture
async def client() -> AsyncIterator[Any]:
    import httpx

    from comptoir.app import create_app

    transport = httpx.ASGITransport(app=create_app(), client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield GraphQLClient(http)


class GraphQLClient:
    """POSTs GraphQL to the app in-process; `token` makes the request as a logged-in user."""

    def __init__(self, http: Any) -> None:
        self.http = http

    async def execute(self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None,
                      accept: str = "application/json") -> dict[str, Any]:
        headers = {"accept": accept}
        if token:
            headers["authorization"] = f"Bearer {token}"
        response = await self.http.post("/graphql", json={"query": query, "variables": variables or {}},
                                        headers=headers)
        assert response.status_code in (200, 400), response.text
        return response.json()

    async def login(self, username: str, password: str) -> str:
        result = await self.execute(LOGIN, {"u": username, "p": password})
        payload = result["data"]["sessionCreate"]
        assert payload["errors"] == [], payload
        return payload["token"]


LOGIN = """mutation Login($u: String!, $p: String!) {
  sessionCreate(input: {username: $u, password: $p}) { token errors { code field message } }
}"""

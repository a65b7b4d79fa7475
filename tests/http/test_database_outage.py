"""A stalled or absent database: bounded connect and statement times, a request deadline, /readyz answers
503 quickly, and an outage is a 503 (the client may retry), not a 500."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import exc, text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from comptoir import http_graphql
from comptoir.app import create_app
from comptoir.database import engine as engines
from comptoir.database.urls import resolve_app_url
from comptoir.settings import get_settings
from comptoir.tenancy import resellers
from tests import factories

RESELLERS = "{ resellers(first: 5) { totalCount } }"
ACTIVE_SLEEPS = "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%' AND state = 'active'"


@pytest.fixture
def stalled_port() -> Iterator[int]:
    """A loopback port that accepts connections (the kernel's backlog) and never says a word."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]


@pytest.fixture
def closed_port() -> Iterator[int]:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        yield holder.getsockname()[1]


@pytest.fixture
def quick_connect(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "database_connect_timeout_seconds", 2)  # libpq's minimum


def _engine_at(port: int) -> AsyncEngine:
    """An engine built like the application's, for a database at `port` that is not there."""
    return engines._async_engine.__wrapped__(f"postgresql://comptoir_app:x@127.0.0.1:{port}/comptoir")


@pytest.fixture
def http() -> Iterator[httpx.AsyncClient]:
    yield httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app()), base_url="http://testserver")


async def test_the_app_connections_carry_the_statement_timeout(http):
    async with engines.async_engine().connect() as connection:
        value = (await connection.execute(text("SHOW statement_timeout"))).scalar()
    assert value == f"{get_settings().database_statement_timeout_ms // 1000}s"


async def test_a_statement_past_its_timeout_is_cancelled_by_the_server(monkeypatch):
    # given
    monkeypatch.setattr(get_settings(), "database_statement_timeout_ms", 200)
    engine = engines._async_engine.__wrapped__(resolve_app_url())
    started = time.monotonic()
    # when
    with pytest.raises(exc.OperationalError, match="statement timeout"):
        async with engine.connect() as connection:
            await connection.execute(text("SELECT pg_sleep(5)"))
    # then
    assert time.monotonic() - started < 2
    await engine.dispose()


async def test_connecting_to_a_stalled_database_gives_up_after_the_connect_timeout(stalled_port, quick_connect):
    engine = _engine_at(stalled_port)
    started = time.monotonic()
    with pytest.raises(exc.OperationalError):
        async with engine.connect():
            pass
    assert time.monotonic() - started < 4
    await engine.dispose()


@pytest.mark.parametrize("port_fixture", ["stalled_port", "closed_port"])
async def test_readyz_answers_503_quickly_whatever_the_database_does(request, port_fixture, quick_connect):
    engine = _engine_at(request.getfixturevalue(port_fixture))
    started = time.monotonic()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(readiness_engine=lambda: engine)),
                                 base_url="http://testserver") as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    assert time.monotonic() - started < 3
    await engine.dispose()


@pytest.fixture
def database_down(closed_port: int, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    engine = _engine_at(closed_port)
    monkeypatch.setattr(http_graphql, "async_sessionmaker_for", lambda: async_sessionmaker(engine))
    yield


@pytest.mark.parametrize("query, token", [
    ("{ me { username } }", "some-token"),  # the token check itself needs the database
    ('mutation { sessionCreate(input: {username: "a", password: "b"}) { token } }', None),
])
async def test_a_database_outage_is_a_503_with_retry_after(http, database_down, caplog, query, token):
    # when
    headers = {"authorization": f"Bearer {token}"} if token else {}
    async with http:
        response = await http.post("/graphql", json={"query": query}, headers=headers)
    # then
    assert response.status_code == 503
    assert response.headers["retry-after"]
    codes = [e["extensions"]["code"] for e in response.json()["errors"]]
    assert codes == ["SERVICE_UNAVAILABLE"]
    assert not [r for r in caplog.records if r.exc_info]


async def test_a_request_past_its_deadline_is_a_503_and_its_statement_is_cancelled(
        client, monkeypatch, superuser_connection):
    # given
    factories.provider("boss")
    token = await client.login("boss", factories.PASSWORD)
    monkeypatch.setattr(get_settings(), "request_timeout_seconds", 0.5)
    monkeypatch.setattr(resellers, "list_page", lambda session, **kwargs: session.execute(
        text("SELECT pg_sleep(10)")))
    started = time.monotonic()
    # when
    response = await client.http.post("/graphql", json={"query": RESELLERS},
                                      headers={"authorization": f"Bearer {token}"})
    # then
    assert time.monotonic() - started < 3
    assert response.status_code == 503
    assert response.json()["errors"][0]["extensions"] == {"code": "SERVICE_UNAVAILABLE"}
    assert superuser_connection.execute(ACTIVE_SLEEPS).fetchone() == (0,)
    # and the pool is sound afterwards
    monkeypatch.undo()
    assert (await client.execute("{ __typename }"))["data"] == {"__typename": "Query"}

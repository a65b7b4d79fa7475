"""/healthz (the process answers) and /readyz (the database answers, at the migrations' head)."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Callable, Iterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from starlette.applications import Starlette

from comptoir import app as app_module
from comptoir.app import create_app
from comptoir.database.migrate import head_revision


@pytest.fixture
def http_for() -> Callable[[Starlette], httpx.AsyncClient]:
    def make(app: Starlette) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")

    return make


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port bound but never listening: connecting to it is refused at once."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        yield holder.getsockname()[1]


@pytest.fixture
async def unreachable_engine(closed_port: int) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(f"postgresql+psycopg://comptoir_app:x@127.0.0.1:{closed_port}/comptoir")
    yield engine
    await engine.dispose()


async def test_healthz_answers_without_the_database(http_for, unreachable_engine):
    async with http_for(create_app(readiness_engine=lambda: unreachable_engine)) as http:
        response = await http.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_readyz_is_ready_with_the_revision_at_head(http_for):
    async with http_for(create_app()) as http:
        response = await http.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "revision": head_revision()}


async def test_readyz_is_503_when_the_database_is_unreachable(http_for, unreachable_engine):
    # when
    async with http_for(create_app(readiness_engine=lambda: unreachable_engine)) as http:
        response = await http.get("/readyz")
    # then
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "OperationalError"}
    # and the application's own cached engine is untouched
    async with http_for(create_app()) as http:
        assert (await http.get("/readyz")).status_code == 200


async def test_readyz_is_503_while_migrations_are_pending(http_for, monkeypatch):
    # given code one migration ahead of the database
    monkeypatch.setattr(app_module, "head_revision", lambda: "9999")
    current = head_revision()
    # when
    async with http_for(create_app()) as http:
        response = await http.get("/readyz")
    # then
    assert response.status_code == 503
    assert response.json() == {"status": "migrations pending", "current": current, "head": "9999"}

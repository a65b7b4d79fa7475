"""GraphQL over WebSocket (graphql-transport-ws) against the real app under uvicorn: authentication in
connection_init, a Context and transaction per operation, and backgroundJobUpdated."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from comptoir.schema.ids import encode_id
from tests import factories
from tests.conftest import GraphQLClient

PROTOCOL = "graphql-transport-ws"
POLL_SECONDS = 0.05
JOB_UPDATED = """subscription Follow($id: ID!) {
  backgroundJobUpdated(id: $id) { id status done total progress }
}"""
APP_ROLE_TRANSACTIONS = """SELECT count(*) FROM pg_stat_activity
 WHERE usename = 'comptoir_app' AND datname = current_database() AND state LIKE 'idle in transaction%'"""


@pytest.fixture(scope="module")
def server(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from bench.servers import uvicorn

    env = {"COMPTOIR_SUBSCRIPTION_POLL_INTERVAL_SECONDS": str(POLL_SECONDS)}
    with uvicorn("comptoir.app:app", env=env, log=tmp_path_factory.mktemp("ws") / "uvicorn.log") as running:
        yield running.url.replace("http://", "ws://")


@pytest.fixture
def actors() -> dict[str, factories.Actor]:
    boss = factories.provider("boss")
    return {"boss": boss, "alpha": factories.reseller(boss, "Alpha Hosting", "alpha"),
            "beta": factories.reseller(boss, "Beta Web", "beta")}


@pytest.fixture
async def tokens(client: GraphQLClient, actors: dict[str, factories.Actor]) -> dict[str, str]:
    return {name: await client.login(actor.username, factories.PASSWORD) for name, actor in actors.items()}


def _new_job(superuser_connection: Any, seller_id: uuid.UUID, *, total: int = 10) -> str:
    row = superuser_connection.execute(
        "INSERT INTO background_jobs (seller_id, kind, total, status) VALUES (%s, 'plan_sync', %s, 'running')"
        " RETURNING id", (seller_id, total)).fetchone()
    return encode_id("BackgroundJob", row[0])


async def _send(socket: ClientConnection, message: dict[str, Any]) -> None:
    await socket.send(json.dumps(message))


async def _receive(socket: ClientConnection) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(socket.recv(), timeout=10))


@asynccontextmanager
async def _open(server: str, payload: dict[str, Any] | None = None) -> AsyncIterator[ClientConnection]:
    async with connect(server, subprotocols=[PROTOCOL]) as socket:  # type: ignore[list-item]
        await _send(socket, {"type": "connection_init", "payload": payload or {}})
        assert await _receive(socket) == {"type": "connection_ack"}
        yield socket


def _as(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def test_a_seller_follows_its_job_until_it_is_done(server, actors, tokens, superuser_connection):
    # given
    job_id = _new_job(superuser_connection, actors["alpha"].seller_id)
    async with _open(server, _as(tokens["alpha"])) as socket:
        # when
        await _send(socket, {"id": "1", "type": "subscribe", "payload": {"query": JOB_UPDATED,
                                                                          "variables": {"id": job_id}}})
        first = await _receive(socket)
        superuser_connection.execute("UPDATE background_jobs SET done = 4 WHERE id = %s", (_job_uuid(job_id),))
        second = await _receive(socket)
        # and no transaction stays open while the subscription waits
        assert superuser_connection.execute(APP_ROLE_TRANSACTIONS).fetchone() == (0,)
        superuser_connection.execute("UPDATE background_jobs SET done = 10, status = 'done' WHERE id = %s",
                                     (_job_uuid(job_id),))
        third = await _receive(socket)
        end = await _receive(socket)
    # then
    jobs = [m["payload"]["data"]["backgroundJobUpdated"] for m in (first, second, third)]
    assert [(j["status"], j["done"], j["progress"]) for j in jobs] == [
        ("running", 0, 0.0), ("running", 4, 40.0), ("done", 10, 100.0)]
    assert {m["id"] for m in (first, second, third)} == {"1"}
    assert end == {"id": "1", "type": "complete"}


def _job_uuid(global_id: str) -> uuid.UUID:
    from comptoir.schema.ids import parse_id

    parsed = parse_id(global_id)
    assert parsed is not None
    return parsed[1]


@pytest.mark.parametrize("follower", ["beta", "boss"])
async def test_another_sellers_job_is_not_found(server, actors, tokens, superuser_connection, follower):
    # given a job of alpha's
    job_id = _new_job(superuser_connection, actors["alpha"].seller_id)
    async with _open(server, _as(tokens[follower])) as socket:
        # when
        await _send(socket, {"id": "j", "type": "subscribe", "payload": {"query": JOB_UPDATED,
                                                                          "variables": {"id": job_id}}})
        result = await _receive(socket)
        end = await _receive(socket)
    # then
    assert result["type"] == "next" and result["payload"]["data"] is None
    [error] = result["payload"]["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "reason": "NOT_FOUND", "field": "id"}
    assert end == {"id": "j", "type": "complete"}


async def test_an_anonymous_connection_may_not_follow_jobs(server, actors, superuser_connection):
    job_id = _new_job(superuser_connection, actors["alpha"].seller_id)
    async with _open(server) as socket:
        await _send(socket, {"id": "a", "type": "subscribe", "payload": {"query": JOB_UPDATED,
                                                                          "variables": {"id": job_id}}})
        result = await _receive(socket)
    assert result["type"] in ("next", "error")
    errors = result["payload"]["errors"] if result["type"] == "next" else result["payload"]
    assert [e["extensions"]["code"] for e in errors] == ["UNAUTHENTICATED"]


async def test_an_invalid_token_closes_the_connection_as_forbidden(server):
    async with connect(server, subprotocols=[PROTOCOL]) as socket:  # type: ignore[list-item]
        await _send(socket, {"type": "connection_init", "payload": _as("not-a-session")})
        with pytest.raises(ConnectionClosed) as closed:
            await _receive(socket)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


async def test_subscribing_before_connection_init_closes_as_unauthorised(server):
    async with connect(server, subprotocols=[PROTOCOL]) as socket:  # type: ignore[list-item]
        await _send(socket, {"id": "1", "type": "subscribe", "payload": {"query": "{ __typename }"}})
        with pytest.raises(ConnectionClosed) as closed:
            await _receive(socket)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401


async def test_each_operation_runs_as_the_connections_user_in_its_own_transaction(server, tokens):
    # given
    query = "{ me { username } }"
    async with _open(server, _as(tokens["beta"])) as socket:
        # when two queries share the connection
        for operation_id in ("q1", "q2"):
            await _send(socket, {"id": operation_id, "type": "subscribe", "payload": {"query": query}})
        messages = [await _receive(socket) for _ in range(4)]
    # then
    results = {m["id"]: m["payload"] for m in messages if m["type"] == "next"}
    assert results == {"q1": {"data": {"me": {"username": "beta"}}}, "q2": {"data": {"me": {"username": "beta"}}}}


async def test_strings_are_checked_as_over_http(server, tokens):
    async with _open(server, _as(tokens["beta"])) as socket:
        await _send(socket, {"id": "s", "type": "subscribe", "payload": {
            "query": "query($v: String!) { __typename }", "variables": {"v": "\ud800"}}})
        result = await _receive(socket)
    assert result["type"] == "error"
    assert [e["extensions"]["code"] for e in result["payload"]] == ["BAD_USER_INPUT"]


async def test_logging_out_ends_a_subscription_with_unauthenticated(server, client, actors, tokens,
                                                                    superuser_connection):
    # given alpha follows an unfinished job
    job_id = _new_job(superuser_connection, actors["alpha"].seller_id)
    async with _open(server, _as(tokens["alpha"])) as socket:
        await _send(socket, {"id": "1", "type": "subscribe", "payload": {"query": JOB_UPDATED,
                                                                          "variables": {"id": job_id}}})
        assert (await _receive(socket))["type"] == "next"
        # when alpha logs out elsewhere
        logout = await client.execute("mutation { sessionDelete { errors { code } } }", token=tokens["alpha"])
        assert logout["data"]["sessionDelete"]["errors"] == []
        ended = await _receive(socket)
        end = await _receive(socket)
    # then
    assert [e["extensions"]["code"] for e in ended["payload"]["errors"]] == ["UNAUTHENTICATED"]
    assert end == {"id": "1", "type": "complete"}


async def test_a_token_that_is_not_valid_unicode_closes_the_connection_as_forbidden(server):
    async with connect(server, subprotocols=[PROTOCOL]) as socket:  # type: ignore[list-item]
        await _send(socket, {"type": "connection_init", "payload": {"token": "\udc00"}})
        with pytest.raises(ConnectionClosed) as closed:
            await _receive(socket)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403

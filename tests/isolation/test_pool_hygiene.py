"""Pooled connections serve request after request: a tenant context must never outlive its transaction.

The context is stated per transaction (set_config(..., true)), and the pool's reset hook runs RESET ALL
as a second guard against a session-level setting. These tests reuse one pooled connection (same
backend pid) and look at every tenant table through it.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import TextClause, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import Session

from comptoir.database.engine import async_engine, async_sessionmaker_for, session_scope, sync_engine
from comptoir.schema.ids import encode_id
from comptoir.tenancy import context as tenant
from tests.isolation.catalog import Tables
from tests.isolation.world import World

# Its own engine and pool (built by the app's factory), so the connection handed out next is predictable.
POOL_URL = make_url(os.environ["COMPTOIR_DATABASE_URL"]).update_query_dict(
    {"application_name": "comptoir_isolation_pool"}).render_as_string(hide_password=False)

CUSTOMERS = "{ customers(first: 5) { totalCount edges { node { id } } } }"


@dataclass(frozen=True)
class Probe:
    """What one transaction saw: its backend, the seller setting, the rows visible per tenant table."""

    pid: int
    seller: str | None
    counts: dict[str, int]

    @property
    def sees_nothing(self) -> bool:
        return self.seller in ("", None) and not any(self.counts.values())


def probe_statement(tables: tuple[str, ...]) -> TextClause:
    counts = ", ".join(f'(SELECT count(*) FROM "{table}") AS "{table}"' for table in tables)
    return text("SELECT pg_backend_pid() AS pid, current_setting('comptoir.seller_id', true) AS seller,"
                f" {counts}")


def probe(session: Session, tables: tuple[str, ...]) -> Probe:
    row = session.execute(probe_statement(tables)).mappings().one()
    return Probe(row["pid"], row["seller"], {table: row[table] for table in tables})


async def probe_async(session: AsyncSession | AsyncConnection, tables: tuple[str, ...]) -> Probe:
    row = (await session.execute(probe_statement(tables))).mappings().one()
    return Probe(row["pid"], row["seller"], {table: row[table] for table in tables})


@pytest.fixture
async def pool_sessions() -> Any:
    yield async_sessionmaker_for(POOL_URL)
    await async_engine(POOL_URL).dispose()


async def test_async_pooled_connection_reused_after_a_reseller_request_sees_no_rows(
        world: World, tables: Tables, pool_sessions: Any) -> None:
    # given a request-like transaction as reseller A, whose connection then goes back to the pool
    with tenant.acting_as(world.alpha.staff_context()):
        async with pool_sessions() as session, session.begin():
            as_alpha = await probe_async(session, tables.tenant)
    assert all(as_alpha.counts.values()), f"the context did not apply: {as_alpha}"
    # when the next transaction on that connection states no context
    async with pool_sessions() as session, session.begin():
        after = await probe_async(session, tables.tenant)
    # then it is the same backend, and it sees nothing
    assert after.pid == as_alpha.pid
    assert after.sees_nothing, after


def test_sync_pooled_connection_reused_after_a_reseller_task_sees_no_rows(
        world: World, tables: Tables) -> None:
    try:
        with session_scope(world.alpha.staff_context(), POOL_URL) as session:
            as_alpha = probe(session, tables.tenant)
        assert all(as_alpha.counts.values()), f"the context did not apply: {as_alpha}"
        with session_scope(None, POOL_URL) as session:
            after = probe(session, tables.tenant)
        assert after.pid == as_alpha.pid
        assert after.sees_nothing, after
    finally:
        sync_engine(POOL_URL).dispose()


class RequestFailed(Exception):
    pass


@pytest.mark.parametrize("ending", ["committed with a session-level setting", "failed"])
async def test_context_of_a_previous_request_is_gone_however_it_ended(
        world: World, tables: Tables, pool_sessions: Any, ending: str) -> None:
    # given a request as reseller A that either leaked a session-level setting (is_local = false: the
    # pool's RESET ALL must clear it) or failed half-way
    with tenant.acting_as(world.alpha.staff_context()), contextlib.suppress(RequestFailed):
        async with pool_sessions() as session, session.begin():
            as_alpha = await probe_async(session, tables.tenant)
            if ending == "failed":
                raise RequestFailed
            await session.execute(text("SELECT set_config('comptoir.role', 'reseller', false),"
                                       " set_config('comptoir.seller_id', :seller, false)"),
                                  {"seller": str(world.alpha.seller_id)})
    # when the connection serves a request without context
    async with pool_sessions() as session, session.begin():
        after = await probe_async(session, tables.tenant)
    # then
    assert after.pid == as_alpha.pid
    assert after.sees_nothing, after


def error_codes(result: dict[str, Any]) -> list[str]:
    return [(error.get("extensions") or {}).get("code") for error in result.get("errors") or []]


async def test_http_request_as_a_reseller_leaves_nothing_for_the_next_anonymous_request(
        client: Any, world: World, tables: Tables) -> None:
    # given reseller A's staff logged in over HTTP and listed its customers
    token = await client.login(world.alpha.staff.username, world.alpha.staff.actor.password)
    as_alpha = await client.execute(CUSTOMERS, token=token)
    assert as_alpha["data"]["customers"]["totalCount"] == len(world.alpha.customers)
    # when anonymous and forged-token requests follow on the same app and pool
    anonymous = await client.execute(CUSTOMERS)
    forged = await client.execute(CUSTOMERS, token=token[::-1])
    # then both are refused as unauthenticated (log in again) and see nothing
    for result in (anonymous, forged):
        assert result.get("data") is None
        assert error_codes(result) == ["UNAUTHENTICATED"]
    # and every connection idle in the app's pool, used with no context, sees no tenant rows
    engine = async_engine()
    idle = engine.sync_engine.pool.checkedin()
    assert idle >= 1
    async with contextlib.AsyncExitStack() as stack:
        connections = [await stack.enter_async_context(engine.connect()) for _ in range(idle)]
        for connection in connections:
            seen = await probe_async(connection, tables.tenant)
            assert seen.sees_nothing, seen


async def test_http_requests_of_two_resellers_in_turn_each_see_only_their_own_customers(
        client: Any, world: World) -> None:
    for reseller in (world.alpha, world.bravo, world.alpha, world.bravo):
        result = await client.execute(CUSTOMERS, token=world.tokens[reseller.staff.username])
        listed = {edge["node"]["id"] for edge in result["data"]["customers"]["edges"]}
        assert listed == {encode_id("Customer", member.actor.customer_id) for member in reseller.customers}

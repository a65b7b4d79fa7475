"""node(ids) lists and the relations a list selects cost a fixed number of SQL statements, whatever their
length: each type, and each relation, is read through one of the operation's DataLoaders."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, update

from comptoir.database.engine import session_scope
from comptoir.hosting.models import Subscription as SubscriptionModel
from comptoir.hosting.server_models import HostingServer, ServerPoolEntry
from comptoir.schema.ids import encode_id
from comptoir.tenancy.context import Role, TenantContext
from comptoir.tenancy.models import User, UserSession
from tests import factories
from tests.graphql.test_query_counts import StatementLog, sql_log  # noqa: F401 (fixture)
from tests.graphql.test_query_counts_hosting import Shop, shop  # noqa: F401 (fixture)
from tests.hosting.support import system

SERVERS_PAGE = """{ subscriptions(first: 50) { edges { node { id server { id name driver } } } } }"""
# authentication, page, server pool entries
SERVERS_PAGE_STATEMENTS = 3
# authentication, users, sessions
ACCOUNT_NODES_STATEMENTS = 3
# authentication, buttons, the viewer (for the label length)
BUTTON_NODES_STATEMENTS = 3
# authentication, servers, their pool entries, pool entries (the servers have no resellers to read)
SERVER_NODES_STATEMENTS = 4


async def nodes(client: Any, sql_log: StatementLog, query: str, ids: list[str], token: str
                ) -> tuple[list[Any], int]:
    sql_log.clear()
    result = await client.execute(query, {"ids": ids}, token=token)
    assert "errors" not in result, result
    return result["data"]["nodes"], len(sql_log.statements)


def _servers(seller_id: uuid.UUID, count: int, start: int = 0) -> list[uuid.UUID]:
    """`count` servers of the seller's own, each with its pool entry (the entries' ids)."""
    with session_scope(system(seller_id)) as session:
        made = [HostingServer(seller_id=seller_id, name=f"web{n}", driver="local") for n in range(start, start + count)]
        session.add_all(made)
        session.flush()
        entries = [ServerPoolEntry(seller_id=seller_id, server_id=server.id, name=server.name, driver="local")
                   for server in made]
        session.add_all(entries)
        session.flush()
        return [entry.id for entry in entries]


def _place(seller_id: uuid.UUID, subscription_ids: list[uuid.UUID], entries: list[uuid.UUID]) -> None:
    with session_scope(system(seller_id)) as session:
        for n, subscription_id in enumerate(subscription_ids):
            session.execute(update(SubscriptionModel).where(SubscriptionModel.id == subscription_id)
                            .values(server_pool_id=entries[n % len(entries)]))


async def test_subscriptions_page_with_their_servers_costs_the_same_for_3_and_50(client, sql_log, shop):
    # given
    entries = _servers(shop.seller.seller_id, 5)
    _place(shop.seller.seller_id, shop.subscribe(3), entries)
    token = await client.login("alpha", factories.PASSWORD)
    # when
    small, small_count = await _page(client, sql_log, token)
    _place(shop.seller.seller_id, shop.subscribe(47), entries)
    large, large_count = await _page(client, sql_log, token)
    # then
    servers = [edge["node"]["server"] for edge in large["subscriptions"]["edges"]]
    assert len(small["subscriptions"]["edges"]) == 3 and len(servers) == 50
    assert {server["name"] for server in servers} == {f"web{n}" for n in range(5)}
    assert small_count == large_count == SERVERS_PAGE_STATEMENTS, sql_log.statements


async def _page(client: Any, sql_log: StatementLog, token: str) -> tuple[dict[str, Any], int]:
    sql_log.clear()
    result = await client.execute(SERVERS_PAGE, token=token)
    assert "errors" not in result, result
    return result["data"], len(sql_log.statements)


async def test_nodes_of_users_and_sessions_cost_one_query_per_type(client, sql_log):
    # given
    provider = factories.provider("boss")
    query = """query($ids: [ID!]!) { nodes(ids: $ids) { id ... on User { username }
      ... on Session { current } } }"""
    token = await client.login("boss", factories.PASSWORD)

    def add(count: int, start: int) -> None:
        for n in range(start, start + count):
            factories.reseller(provider, f"Reseller {n:02}", f"reseller{n:02}")

    async def count() -> tuple[list[Any], int]:
        with session_scope(TenantContext(Role.PROVIDER, provider.seller_id)) as session:
            users = list(session.scalars(select(User.id)))
            own = session.scalar(select(User.id).where(User.username == "boss"))
            sessions = list(session.scalars(select(UserSession.id).where(UserSession.user_id == own)))
        ids = [encode_id("User", u) for u in users] + [encode_id("Session", s) for s in sessions]
        return await nodes(client, sql_log, query, ids, token)

    # when
    add(2, 0)
    few, few_count = await count()
    await client.login("boss", factories.PASSWORD)  # a second session of its own
    add(20, 2)
    many, many_count = await count()
    # then
    assert len(few) == 4 and len(many) == 25 and all(node is not None for node in many)
    assert sum("username" in node for node in many) == 23 and sum("current" in node for node in many) == 2
    assert few_count == many_count == ACCOUNT_NODES_STATEMENTS, sql_log.statements


async def test_nodes_of_custom_buttons_cost_the_same_for_3_and_30(client, sql_log, shop):
    # given
    token = await client.login("alpha", factories.PASSWORD)
    create = """mutation($input: CustomButtonCreateInput!) { customButtonCreate(input: $input) {
      customButton { id } errors { code } } }"""
    query = """query($ids: [ID!]!) { nodes(ids: $ids) { id ... on CustomButton { label url } } }"""
    made: list[str] = []

    async def add(count: int) -> None:
        for n in range(len(made), len(made) + count):
            result = await client.execute(create, {"input": {
                "label": f"Tool {n:02}", "location": "CUSTOMER_WEBSITES", "url": "https://tools.example/"}},
                token=token)
            assert result["data"]["customButtonCreate"]["errors"] == [], result
            made.append(result["data"]["customButtonCreate"]["customButton"]["id"])

    # when
    await add(3)
    few, few_count = await nodes(client, sql_log, query, made, token)
    await add(27)
    many, many_count = await nodes(client, sql_log, query, made, token)
    # then
    assert [node["label"] for node in many] == [f"Tool {n:02}" for n in range(30)]
    assert len(few) == 3 and few_count == many_count == BUTTON_NODES_STATEMENTS, sql_log.statements


async def test_nodes_of_servers_and_pool_entries_cost_one_query_per_type_and_relation(client, sql_log):
    # given
    provider = factories.provider("boss")
    token = await client.login("boss", factories.PASSWORD)
    query = """query($ids: [ID!]!) { nodes(ids: $ids) { id ... on HostingServer { name poolEntry { name } }
      ... on ServerPoolEntry { name } } }"""

    async def count(how_many: int, start: int) -> tuple[list[Any], int]:
        entries = _servers(provider.seller_id, how_many, start)
        with session_scope(system(provider.seller_id)) as session:
            servers = list(session.scalars(select(ServerPoolEntry.server_id).where(ServerPoolEntry.id.in_(entries))))
        ids = [encode_id("HostingServer", s) for s in servers] + [encode_id("ServerPoolEntry", e) for e in entries]
        return await nodes(client, sql_log, query, ids, token)

    # when
    few, few_count = await count(2, 0)
    many, many_count = await count(20, 2)
    # then
    assert len(few) == 4 and len(many) == 40 and all(node is not None for node in many)
    assert all(node["poolEntry"]["name"] == node["name"] for node in many[:20])
    assert few_count == many_count == SERVER_NODES_STATEMENTS, sql_log.statements

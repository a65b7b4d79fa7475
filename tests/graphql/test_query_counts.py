"""A page costs a fixed number of SQL statements, whatever its size (no N+1).

Counted: every statement SQLAlchemy sends on the API's async engine during one request, the
authentication included. Transaction control (BEGIN/COMMIT) and the pool's reset on check-in go
through the driver directly and are not counted here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from comptoir.database.engine import async_engine
from tests import factories
from tests.graphql import test_ip_addresses_api as ip_api

RESELLERS = """{ resellers(first: 50) { totalCount edges { node { id name allocation {
  limits { resource limit used remaining } permissions oversellingAllowed } } } } }"""
CUSTOMERS = """{ customers(first: 50) { totalCount edges { node { id contactName email status } } } }"""
ME = "{ me { id username role } }"

# authentication, page with its total count, allocations with their usage (one statement)
RESELLERS_PAGE_STATEMENTS = 3
# authentication, page with its total count
CUSTOMERS_PAGE_STATEMENTS = 2
# authentication, the user
ME_STATEMENTS = 2
# authentication, sellers, customers, allocations with their usage
NODES_STATEMENTS = 4
# authentication; addresses with their pool entries, sites, default sites, resellers; pool entries with
# their sites and default sites (each kind built in one batch)
IP_NODES_STATEMENTS = 8


class StatementLog:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.statements.append(statement)

    def clear(self) -> None:
        self.statements.clear()


@pytest.fixture
def sql_log() -> Iterator[StatementLog]:
    log = StatementLog()
    engine = async_engine().sync_engine
    event.listen(engine, "before_cursor_execute", log)
    yield log
    event.remove(engine, "before_cursor_execute", log)


async def count_statements(client: Any, sql_log: StatementLog, query: str, token: str) -> tuple[dict[str, Any], int]:
    sql_log.clear()
    result = await client.execute(query, token=token)
    assert "errors" not in result, result
    return result["data"], len(sql_log.statements)


def _add_resellers(provider: factories.Actor, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        factories.reseller(provider, f"Reseller {n:02}", f"reseller{n:02}")


def _add_customers(seller: factories.Actor, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        factories.customer(seller, f"customer{n:02}")


async def test_resellers_page_with_allocations_costs_the_same_for_5_and_50(client, sql_log):
    # given
    provider = factories.provider("boss")
    _add_resellers(provider, 5)
    token = await client.login("boss", factories.PASSWORD)
    # when
    small, small_count = await count_statements(client, sql_log, RESELLERS, token)
    _add_resellers(provider, 45, start=5)
    large, large_count = await count_statements(client, sql_log, RESELLERS, token)
    # then
    assert small["resellers"]["totalCount"] == 5 and len(small["resellers"]["edges"]) == 5
    assert large["resellers"]["totalCount"] == 50 and len(large["resellers"]["edges"]) == 50
    assert all(edge["node"]["allocation"] is not None for edge in large["resellers"]["edges"])
    assert small_count == large_count == RESELLERS_PAGE_STATEMENTS, sql_log.statements


async def test_customers_page_costs_the_same_for_5_and_50(client, sql_log):
    # given
    provider = factories.provider("boss")
    reseller = factories.reseller(provider, "Reseller", "seller1")
    _add_customers(reseller, 5)
    token = await client.login("seller1", factories.PASSWORD)
    # when
    small, small_count = await count_statements(client, sql_log, CUSTOMERS, token)
    _add_customers(reseller, 45, start=5)
    large, large_count = await count_statements(client, sql_log, CUSTOMERS, token)
    # then
    assert small["customers"]["totalCount"] == 5
    assert large["customers"]["totalCount"] == 50 and len(large["customers"]["edges"]) == 50
    assert small_count == large_count == CUSTOMERS_PAGE_STATEMENTS, sql_log.statements


async def test_nodes_of_resellers_and_customers_cost_one_query_per_type_and_relation(client, sql_log):
    # given
    provider = factories.provider("boss")
    _add_resellers(provider, 3)
    _add_customers(provider, 2)
    query = """query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Reseller { name allocation { oversellingAllowed } }
      ... on Customer { contactName } } }"""
    token = await client.login("boss", factories.PASSWORD)

    async def count() -> tuple[list[Any], int]:
        listed = await client.execute("{ resellers(first: 50) { edges { node { id } } } "
                                      "customers(first: 50) { edges { node { id } } } }", token=token)
        ids = [edge["node"]["id"] for name in ("resellers", "customers") for edge in listed["data"][name]["edges"]]
        sql_log.clear()
        result = await client.execute(query, {"ids": ids}, token=token)
        assert "errors" not in result, result
        return result["data"]["nodes"], len(sql_log.statements)

    # when
    few, few_count = await count()
    _add_resellers(provider, 30, start=3)
    _add_customers(provider, 15, start=2)
    many, many_count = await count()
    # then
    assert len(few) == 5 and len(many) == 50 and all(node is not None for node in many)
    assert sum("allocation" in node and node["allocation"] is not None for node in many) == 33
    assert few_count == many_count == NODES_STATEMENTS, sql_log.statements


async def test_nodes_of_ip_addresses_and_pool_entries_cost_the_same_for_3_and_30(client, sql_log):
    # given
    provider = factories.provider("boss")
    resellers = [factories.reseller(provider, f"Reseller {n}", f"reseller{n}") for n in range(2)]
    query = """query($ids: [ID!]!) { nodes(ids: $ids) { id ... on IpAddress { address siteCount
      assignments { reseller { name } poolEntry { siteCount } } } ... on IpPoolEntry { address siteCount
      defaultSite { domainName } } } }"""
    token = await client.login("boss", factories.PASSWORD)

    async def count() -> tuple[list[Any], int]:
        listed = await client.execute("{ ipAddresses(first: 50) { edges { node { id poolEntry { id } } } } }",
                                      token=token)
        nodes = [edge["node"] for edge in listed["data"]["ipAddresses"]["edges"]]
        sql_log.clear()
        result = await client.execute(query, {"ids": [n["id"] for n in nodes] + [n["poolEntry"]["id"] for n in nodes]},
                                      token=token)
        assert "errors" not in result, result
        return result["data"]["nodes"], len(sql_log.statements)

    # when
    ip_api._add_addresses(provider, resellers, 0, 3)
    few, few_count = await count()
    ip_api._add_addresses(provider, resellers, 3, 27)
    many, many_count = await count()
    # then
    assert len(few) == 6 and len(many) == 60 and all(node and node["siteCount"] for node in many)
    assert few_count == many_count == IP_NODES_STATEMENTS, sql_log.statements


async def test_me_costs_authentication_and_one_read(client, sql_log):
    # given
    factories.provider("boss")
    token = await client.login("boss", factories.PASSWORD)
    # when
    data, count = await count_statements(client, sql_log, ME, token)
    # then
    assert data["me"]["username"] == "boss"
    assert count == ME_STATEMENTS, sql_log.statements

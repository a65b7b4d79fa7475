"""Hosting lists cost a fixed number of SQL statements whatever their size: every relation a page selects
comes from the operation's DataLoaders (comptoir/schema/dataloaders.py), one query per access path."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from comptoir.database.engine import session_scope
from comptoir.hosting.models import Site
from comptoir.hosting.vocabulary import Resource
from comptoir.schema.ids import encode_id
from comptoir.tenancy.allocation import ResellerOnlyPermission
from comptoir.tenancy.context import Role, TenantContext
from comptoir.tenancy.models import ResellerAllocation
from tests import factories
from tests.graphql.test_query_counts import StatementLog, count_statements, sql_log  # noqa: F401 (fixture)
from tests.hosting.support import addon, plan, pool_entry, subscribe, system

SUBSCRIPTIONS = """{ subscriptions(first: 50) { totalCount edges { node {
  id name domainName status syncState systemLogin ipAddress expirationDate createdAt
  plan { id name kind subscriptionCount values { limits { resource limit } } }
  addons { id name subscriptionCount }
  customer { id contactName email status }
  values { permissions hosting { sslSupport } phpDirectives { name value } }
  conflicts { property }
  effectiveValues { property value origin sourceName }
  phpSettings { directive value level levelName }
  visibleFeatures { feature visibility }
  sites { id domainName } } } } }"""
# The page as a list shows it (bench/hosting.py measures this one): no JSON documents are read.
LISTED = """{ subscriptions(first: 50) { totalCount edges { node { id name domainName status syncState ipAddress
  plan { id name } addons { id name } customer { id contactName email } } } } }"""
PLANS = """{ plans { id name kind subscriptionCount createdAt values { limits { resource limit } permissions
  php { version } phpDirectives { name value } } } }"""

# authentication, page with its total count, plans, add-ons (joined to their plans), customers, pool
# addresses, sites, plan usage (as the plan of subscriptions, as an add-on)
SUBSCRIPTIONS_PAGE_STATEMENTS = 9
# authentication, page with its total count, plans, add-ons, customers, pool addresses
LISTED_PAGE_STATEMENTS = 6
# authentication, plans, plan usage (two)
PLANS_STATEMENTS = 4
# authentication, subscriptions, plans, add-ons, customers, pool addresses
NODES_STATEMENTS = 6
# authentication, buttons, the subscription, its customer, the viewer (for the label length)
BUTTONS_STATEMENTS = 5


class Shop:
    """A reseller with a pool entry, two service plans, an add-on and customers to subscribe."""

    def __init__(self) -> None:
        provider = factories.provider("boss")
        self.seller = factories.reseller(provider, "Alpha", "alpha", limits=[(Resource.DISK_SPACE, None)])
        with session_scope(TenantContext(Role.PROVIDER, provider.seller_id)) as session:
            session.get_one(ResellerAllocation, self.seller.seller_id).permissions = {
                ResellerOnlyPermission.CREATE_SUBSCRIPTIONS.value: True, ResellerOnlyPermission.PANEL_ACCESS.value: True}
        self.entry = pool_entry(provider.seller_id, self.seller.seller_id)
        self.plans = [plan(self.seller.seller_id, name) for name in ("Gold", "Silver")]
        self.extra = addon(self.seller.seller_id, "Extra", limits={Resource.DISK_SPACE: 500})
        self.customers = [factories.customer(self.seller, f"carol{n}", subscribed=False) for n in range(3)]
        self.count = 0

    def subscribe(self, how_many: int) -> list[uuid.UUID]:
        made = []
        for _ in range(how_many):
            n = self.count
            self.count += 1
            subscription_id = subscribe(
                self.seller.seller_id, self.entry, plan_id=self.plans[n % 2] if n % 5 else None,
                addon_ids=(self.extra,) if n % 5 and n % 3 == 0 else (),
                customer_id=self.customers[n % 3].customer_id if n % 4 else None)
            with session_scope(system(self.seller.seller_id)) as session:
                session.add(Site(seller_id=self.seller.seller_id, subscription_id=subscription_id,
                                 domain_name=f"www{n}.example.com",
                                 customer_id=self.customers[n % 3].customer_id if n % 4 else None))
            made.append(subscription_id)
        return made


@pytest.fixture
def shop() -> Shop:
    return Shop()


async def test_subscriptions_page_with_every_relation_costs_the_same_for_3_and_50(client, sql_log, shop):
    # given
    shop.subscribe(3)
    token = await client.login("alpha", factories.PASSWORD)
    # when
    small, small_count = await count_statements(client, sql_log, SUBSCRIPTIONS, token)
    shop.subscribe(47)
    large, large_count = await count_statements(client, sql_log, SUBSCRIPTIONS, token)
    # then
    nodes = [edge["node"] for edge in large["subscriptions"]["edges"]]
    assert len(small["subscriptions"]["edges"]) == 3 and len(nodes) == 50
    assert {n["plan"]["name"] if n["plan"] else None for n in nodes} == {"Gold", "Silver", None}
    assert any(n["addons"] == [{"id": encode_id("Plan", shop.extra), "name": "Extra", "subscriptionCount": 13}]
               for n in nodes)
    assert all(n["name"] == f"{n['domainName']} ({n['plan']['name'] if n['plan'] else 'Custom'})" for n in nodes)
    assert all(n["ipAddress"] and n["sites"] and n["effectiveValues"] and n["phpSettings"] for n in nodes)
    assert sum(n["customer"] is not None for n in nodes) == 37
    # each subscription's own effective values, though the page computes each distinct case once
    disk = {n["domainName"]: next(e for e in n["effectiveValues"] if e["property"] == "limit.disk_space")
                 for n in nodes}
    for n in nodes:
        found = disk[n["domainName"]]
        if n["addons"]:
            assert (found["origin"], found["sourceName"]) == ("ADDON", "Extra"), n
        elif n["plan"]:
            assert (found["origin"], found["sourceName"]) == ("PLAN", n["plan"]["name"]), n
        else:
            assert found["origin"] == "DEFAULT_PLAN", n
    assert small_count == large_count == SUBSCRIPTIONS_PAGE_STATEMENTS, sql_log.statements


async def test_subscriptions_page_as_listed_costs_the_same_for_3_and_50(client, sql_log, shop):
    # given
    shop.subscribe(3)
    token = await client.login("alpha", factories.PASSWORD)
    # when
    small, small_count = await count_statements(client, sql_log, LISTED, token)
    shop.subscribe(47)
    large, large_count = await count_statements(client, sql_log, LISTED, token)
    # then
    nodes = [edge["node"] for edge in large["subscriptions"]["edges"]]
    assert len(small["subscriptions"]["edges"]) == 3 and len(nodes) == 50
    assert sum(bool(n["addons"]) for n in nodes) == 13 and sum(n["plan"] is None for n in nodes) == 10
    assert small_count == large_count == LISTED_PAGE_STATEMENTS, sql_log.statements


async def test_a_customers_subscriptions_page_costs_the_same_for_3_and_50(client, sql_log, shop):
    # given
    customer = shop.customers[1]
    shop.subscribe(4 * 3)
    token = await client.login("carol1", factories.PASSWORD)
    # when
    small, small_count = await count_statements(client, sql_log, SUBSCRIPTIONS, token)
    shop.subscribe(4 * 3 * 15)
    large, large_count = await count_statements(client, sql_log, SUBSCRIPTIONS, token)
    # then
    assert small["subscriptions"]["totalCount"] == 3 and large["subscriptions"]["totalCount"] == 48
    assert {e["node"]["customer"]["id"] for e in large["subscriptions"]["edges"]} == {
        encode_id("Customer", customer.customer_id)}
    assert small_count == large_count, sql_log.statements


async def test_plans_with_usage_and_values_cost_the_same_for_3_and_30(client, sql_log, shop):
    # given
    shop.subscribe(10)
    token = await client.login("alpha", factories.PASSWORD)
    # when
    small, small_count = await count_statements(client, sql_log, PLANS, token)
    for n in range(27):
        plan(shop.seller.seller_id, f"Plan {n:02}")
    large, large_count = await count_statements(client, sql_log, PLANS, token)
    # then
    usage = {p["name"]: p["subscriptionCount"] for p in large["plans"]}
    assert len(small["plans"]) == 3 and len(large["plans"]) == 30
    assert (usage["Gold"], usage["Silver"], usage["Extra"], usage["Plan 00"]) == (4, 4, 3, 0)
    assert small_count == large_count == PLANS_STATEMENTS, sql_log.statements


async def test_nodes_of_any_number_cost_one_query_per_type(client, sql_log, shop):
    # given
    token = await client.login("alpha", factories.PASSWORD)
    query = """query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Subscription { name ipAddress
      plan { name } addons { name } customer { contactName } } ... on Plan { name } } }"""

    async def count(ids: list[uuid.UUID]) -> tuple[list[Any], int]:
        global_ids = [encode_id("Subscription", i) for i in ids] + [encode_id("Plan", p) for p in shop.plans]
        sql_log.clear()
        result = await client.execute(query, {"ids": global_ids}, token=token)
        assert "errors" not in result, result
        return result["data"]["nodes"], len(sql_log.statements)

    # when
    few, few_count = await count(shop.subscribe(3))
    many, many_count = await count(shop.subscribe(45))
    # then
    assert len(few) == 5 and len(many) == 47 and all(node is not None for node in many)
    assert [node["name"] for node in many[-2:]] == ["Gold", "Silver"]
    assert few_count == many_count == NODES_STATEMENTS, sql_log.statements


async def test_a_mutation_after_another_sees_its_change_not_what_the_loaders_held(client, shop):
    # given
    subscription_id = shop.subscribe(3)[2]  # on a plan, without add-ons
    token = await client.login("alpha", factories.PASSWORD)
    fields = "results { subscription { addons { name } } errors { code } }"
    ids = {"ids": [encode_id("Subscription", subscription_id)], "addonId": encode_id("Plan", shop.extra)}
    # when
    result = await client.execute(f"""mutation($input: SubscriptionAddonInput!) {{
      added: subscriptionAddAddon(input: $input) {{ {fields} }}
      removed: subscriptionRemoveAddon(input: $input) {{ {fields} }} }}""", {"input": ids}, token=token)
    # then
    assert "errors" not in result, result
    data = result["data"]
    assert data["added"]["results"][0]["subscription"]["addons"] == [{"name": "Extra"}]
    assert data["removed"]["results"][0]["subscription"]["addons"] == []


async def test_custom_buttons_with_subscription_context_cost_the_same_for_3_and_30(client, sql_log, shop):
    # given
    (subscription_id,) = shop.subscribe(2)[1:]
    token = await client.login("alpha", factories.PASSWORD)
    create = """mutation($input: CustomButtonCreateInput!) { customButtonCreate(input: $input) { errors { code } } }"""
    listed = """query($id: ID) { customButtons(location: CUSTOMER_WEBSITES, subscriptionId: $id) {
      id label url context image { width } } }"""

    async def add(count: int, start: int) -> None:
        for n in range(start, start + count):
            result = await client.execute(create, {"input": {
                "label": f"Tool {n:02}", "location": "CUSTOMER_WEBSITES", "url": "https://tools.example/",
                "context": ["DOMAIN_NAME", "CUSTOMER_EMAIL", "FTP_LOGIN"]}}, token=token)
            assert result["data"]["customButtonCreate"]["errors"] == [], result

    async def count() -> tuple[list[Any], int]:
        sql_log.clear()
        result = await client.execute(listed, {"id": encode_id("Subscription", subscription_id)}, token=token)
        assert "errors" not in result, result
        return result["data"]["customButtons"], len(sql_log.statements)

    # when
    await add(3, 0)
    few, few_count = await count()
    await add(27, 3)
    many, many_count = await count()
    # then
    assert len(few) == 3 and len(many) == 30
    assert all("domain_name=" in button["url"] and "ftp_login=" in button["url"] for button in many)
    assert few_count == many_count == BUTTONS_STATEMENTS, sql_log.statements

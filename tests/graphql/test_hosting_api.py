"""Plans and subscriptions through GraphQL, as a reseller's staff and its customers see them."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from comptoir.database.engine import async_engine, session_scope
from comptoir.hosting.vocabulary import Resource
from comptoir.schema.ids import encode_id
from comptoir.tenancy.allocation import ResellerOnlyPermission
from comptoir.tenancy.context import Role, TenantContext
from comptoir.tenancy.models import ResellerAllocation
from tests import factories
from tests.hosting.support import addon, plan, pool_entry, subscribe

PLAN_CREATE = """mutation($input: PlanCreateInput!) {
  planCreate(input: $input) { plan { id name kind subscriptionCount values { limits { resource limit } permissions
    hosting { sslSupport scripting } phpDirectives { name value } } } errors { code field message } }
}"""
SUBSCRIPTION_CREATE = """mutation($input: SubscriptionCreateInput!) {
  subscriptionCreate(input: $input) { subscription { id name syncState status plan { name } addons { name }
    customer { contactName } ipAddress } errors { code field message } }
}"""
SUBSCRIPTIONS = """query($first: Int) {
  subscriptions(first: $first) { totalCount edges { node { id name domainName status syncState ipAddress
    plan { id name subscriptionCount } addons { id name } customer { id contactName } } } }
}"""


@pytest.fixture
def world():
    provider = factories.provider()
    seller = factories.reseller(provider, "Alpha", "alpha", limits=[(Resource.DISK_SPACE, None)])
    with session_scope(TenantContext(Role.PROVIDER, provider.seller_id)) as session:
        allocation = session.get_one(ResellerAllocation, seller.seller_id)
        allocation.permissions = allocation.permissions | {ResellerOnlyPermission.CREATE_SUBSCRIPTIONS.value: True,
                                                          ResellerOnlyPermission.CREATE_CUSTOMERS.value: True}
    entry = pool_entry(provider.seller_id, seller.seller_id)
    customer = factories.customer(seller, "carol", subscribed=False)
    return provider, seller, entry, customer


async def test_staff_create_a_plan_and_a_subscription_named_after_domain_and_plan(client, world):
    _, seller, entry, customer = world
    token = await client.login("alpha", factories.PASSWORD)
    created = await client.execute(PLAN_CREATE, {"input": {"kind": "SERVICE", "name": "Gold", "values": {
        "limits": [{"resource": "MAILBOXES", "limit": 25}, {"resource": "DISK_SPACE", "limit": None}],
        "phpDirectives": [{"name": "memory_limit", "value": "256M"}]}}}, token=token)
    plan_payload = created["data"]["planCreate"]
    assert plan_payload["errors"] == []
    limits = {item["resource"]: item["limit"] for item in plan_payload["plan"]["values"]["limits"]}
    assert (limits["MAILBOXES"], limits["DISK_SPACE"]) == (25, None)
    result = await client.execute(SUBSCRIPTION_CREATE, {"input": {
        "domainName": "shop.example.com", "ipPoolEntryId": encode_id("IpPoolEntry", entry), "systemLogin": "shop",
        "systemPassword": "long-enough-pw", "customerId": encode_id("Customer", customer.customer_id),
        "planId": plan_payload["plan"]["id"]}}, token=token)
    payload = result["data"]["subscriptionCreate"]
    assert payload["errors"] == []
    assert payload["subscription"]["name"] == "shop.example.com (Gold)"
    assert payload["subscription"]["customer"] == {"contactName": "Carol"}


async def test_plan_with_dependent_permission_gets_a_typed_error_and_nothing_is_created(client, world):
    token = await client.login("alpha", factories.PASSWORD)
    result = await client.execute(PLAN_CREATE, {"input": {"kind": "SERVICE", "name": "Bad", "values": {
        "permissions": ["COMMON_PHP_SETTINGS_MANAGEMENT"]}}}, token=token)
    assert [e["code"] for e in result["data"]["planCreate"]["errors"]] == ["NEEDS_HOSTING_SETTINGS_MANAGEMENT"]
    listed = await client.execute("{ plans { name } }", token=token)
    assert listed["data"]["plans"] == []


async def test_subscription_list_costs_a_constant_number_of_queries(client, world):
    _, seller, entry, customer = world
    gold, extra = plan(seller.seller_id), addon(seller.seller_id, "Extra", limits={Resource.MAILBOXES: 1})
    token = await client.login("alpha", factories.PASSWORD)

    async def statements_for_page() -> tuple[int, int]:
        count = 0

        def counter(*args):  # type: ignore[no-untyped-def]
            nonlocal count
            count += 1

        engine = async_engine().sync_engine
        event.listen(engine, "before_cursor_execute", counter)
        try:
            result = await client.execute(SUBSCRIPTIONS, {"first": 50}, token=token)
        finally:
            event.remove(engine, "before_cursor_execute", counter)
        return count, len(result["data"]["subscriptions"]["edges"])

    for _ in range(3):
        subscribe(seller.seller_id, entry, plan_id=gold, addon_ids=(extra,), customer_id=customer.customer_id)
    few, listed = await statements_for_page()
    assert listed == 3
    for _ in range(47):
        subscribe(seller.seller_id, entry, plan_id=gold, addon_ids=(extra,), customer_id=customer.customer_id)
    many, listed = await statements_for_page()
    assert listed == 50
    assert few == many <= 10


async def test_customer_sees_only_its_own_subscriptions_and_features_per_permission(client, world):
    _, seller, entry, customer = world
    other = factories.customer(seller, "otto", subscribed=False)
    gold = plan(seller.seller_id, limits={Resource.SUBDOMAINS: 5, Resource.MAILING_LISTS: 0})
    mine = subscribe(seller.seller_id, entry, plan_id=gold, customer_id=customer.customer_id)
    subscribe(seller.seller_id, entry, plan_id=gold, customer_id=other.customer_id)
    token = await client.login("carol", factories.PASSWORD)
    result = await client.execute(
        "{ subscriptions(first: 10) { totalCount edges { node { id visibleFeatures { feature visibility } } } } }",
        token=token)
    connection = result["data"]["subscriptions"]
    assert connection["totalCount"] == 1
    node = connection["edges"][0]["node"]
    assert node["id"] == encode_id("Subscription", mine)
    features = {f["feature"]: f["visibility"] for f in node["visibleFeatures"]}
    assert features["limit.subdomains"] == "READ_ONLY"  # default plan grants subdomain management
    assert "limit.mailing_lists" not in features  # limit 0: hidden from everyone
    staff_token = await client.login("alpha", factories.PASSWORD)
    staff = await client.execute(
        "query($id: ID!) { subscription(id: $id) { visibleFeatures { feature visibility } } }",
        {"id": encode_id("Subscription", mine)}, token=staff_token)
    staff_features = {f["feature"] for f in staff["data"]["subscription"]["visibleFeatures"]}
    assert "limit.subdomains" in staff_features and "limit.mailing_lists" not in staff_features


async def test_customer_sees_the_plan_add_ons_and_address_of_its_own_subscription(client, world):
    # row security lets a customer read only the seller's plans its subscriptions use (issue 7)
    _, seller, entry, customer = world
    gold, extra = plan(seller.seller_id, "Gold"), addon(seller.seller_id, "Extra")
    plan(seller.seller_id, "Unused")
    subscribe(seller.seller_id, entry, plan_id=gold, addon_ids=(extra,), customer_id=customer.customer_id)
    token = await client.login("carol", factories.PASSWORD)
    result = await client.execute(SUBSCRIPTIONS, {"first": 10}, token=token)
    node = result["data"]["subscriptions"]["edges"][0]["node"]
    assert (node["plan"]["name"], [a["name"] for a in node["addons"]]) == ("Gold", ["Extra"])
    assert node["ipAddress"] and node["customer"] == {"id": encode_id("Customer", customer.customer_id),
                                                      "contactName": "Carol"}


async def test_effective_values_say_where_each_value_comes_from(client, world):
    _, seller, entry, _ = world
    gold = plan(seller.seller_id, "Gold", limits={Resource.MAILBOXES: 10})
    extra = addon(seller.seller_id, "Extra mail", limits={Resource.MAILBOXES: 5})
    sid = subscribe(seller.seller_id, entry, plan_id=gold, addon_ids=(extra,))
    token = await client.login("alpha", factories.PASSWORD)
    result = await client.execute(
        "query($id: ID!) { subscription(id: $id) { effectiveValues { property value origin sourceName }"
        " phpSettings { directive value level runtimeChangeable } } }",
        {"id": encode_id("Subscription", sid)}, token=token)
    effective = {e["property"]: e for e in result["data"]["subscription"]["effectiveValues"]}
    assert effective["limit.mailboxes"] == {"property": "limit.mailboxes", "value": "15", "origin": "ADDON",
                                            "sourceName": "Extra mail"}
    assert effective["limit.disk_space"]["origin"] == "PLAN"
    php = {p["directive"]: p for p in result["data"]["subscription"]["phpSettings"]}
    assert php["memory_limit"]["level"] == "SERVER" and php["memory_limit"]["runtimeChangeable"] is True


async def test_bulk_suspend_reports_per_id_results(client, world):
    _, seller, entry, _ = world
    sid = subscribe(seller.seller_id, entry)
    token = await client.login("alpha", factories.PASSWORD)
    result = await client.execute(
        "mutation($ids: [ID!]!) { subscriptionSuspend(input: {ids: $ids}) { results { id subscription { status }"
        " errors { code } } } }", {"ids": [encode_id("Subscription", sid), "bm9wZQ"]}, token=token)
    results = result["data"]["subscriptionSuspend"]["results"]
    assert results[0]["subscription"] == {"status": "SUSPENDED"} and results[0]["errors"] == []
    assert results[1]["subscription"] is None and results[1]["errors"] == [{"code": "NOT_FOUND"}]


async def test_customer_login_change_says_the_customer_was_not_notified(client, world):
    _, seller, entry, customer = world
    subscribe(seller.seller_id, entry, customer_id=customer.customer_id)
    token = await client.login("alpha", factories.PASSWORD)
    result = await client.execute(
        "mutation($id: ID!) { customerLoginChange(input: {id: $id, username: \"carol2\", password: \"new-password-1\"})"
        " { customerNotified errors { code } } }", {"id": encode_id("Customer", customer.customer_id)}, token=token)
    assert result["data"]["customerLoginChange"] == {"customerNotified": False, "errors": []}
    assert await client.login("carol2", "new-password-1")


async def test_another_resellers_subscription_is_not_found(client, world):
    provider, seller, entry, _ = world
    beta = factories.reseller(provider, "Beta", "beta")
    sid = subscribe(seller.seller_id, entry)
    token = await client.login("beta", factories.PASSWORD)
    read = await client.execute("query($id: ID!) { subscription(id: $id) { id } }",
                                {"id": encode_id("Subscription", sid)}, token=token)
    assert read["data"]["subscription"] is None
    write = await client.execute(
        "mutation($ids: [ID!]!) { subscriptionSuspend(input: {ids: $ids}) { results { errors { code } } } }",
        {"ids": [encode_id("Subscription", sid)]}, token=token)
    assert write["data"]["subscriptionSuspend"]["results"][0]["errors"] == [{"code": "NOT_FOUND"}]
    assert beta.seller_id != seller.seller_id


async def test_customer_without_a_subscription_cannot_log_in(client, world):
    _, seller, entry, customer = world
    refused = await client.execute(
        "mutation { sessionCreate(input: {username: \"carol\", password: \"%s\"}) { token errors { code } } }"
        % factories.PASSWORD)
    assert refused["data"]["sessionCreate"] == {"token": None, "errors": [{"code": "NO_SUBSCRIPTION"}]}
    subscribe(seller.seller_id, entry, customer_id=customer.customer_id)
    assert await client.login("carol", factories.PASSWORD)


async def test_bulk_add_addon_adds_it_once_per_subscription_and_a_bad_addon_id_fails_the_request(client, world):
    _, seller, entry, _ = world
    gold, extra = plan(seller.seller_id), addon(seller.seller_id, "Extra", limits={Resource.MAILBOXES: 5})
    first = subscribe(seller.seller_id, entry, plan_id=gold)
    second = subscribe(seller.seller_id, entry, plan_id=gold, addon_ids=(extra,))
    token = await client.login("alpha", factories.PASSWORD)
    mutation = ("mutation($ids: [ID!]!, $addon: ID!) { subscriptionAddAddon(input: {ids: $ids, addonId: $addon})"
                " { errors { code field } results { subscription { addons { name } } errors { code } } } }")
    ids = [encode_id("Subscription", first), encode_id("Subscription", second)]
    result = (await client.execute(mutation, {"ids": ids, "addon": encode_id("Plan", extra)}, token=token))
    payload = result["data"]["subscriptionAddAddon"]
    assert payload["results"][0] == {"subscription": {"addons": [{"name": "Extra"}]}, "errors": []}
    assert payload["results"][1] == {"subscription": None, "errors": [{"code": "ADDON_ALREADY_ADDED"}]}
    bad = await client.execute(mutation, {"ids": ids, "addon": "not-an-id"}, token=token)
    assert bad["data"]["subscriptionAddAddon"] == {"errors": [{"code": "NOT_FOUND", "field": "addonId"}],
                                                   "results": []}

"""The one error path seen by a client: every bad field at once with its input path, bulk limits refused,
bad list filters reported, searches taken literally, log-in asked for rather than forbidden."""

from __future__ import annotations

import pytest

from comptoir.database.engine import session_scope
from comptoir.hosting.models import Subscription
from comptoir.hosting.vocabulary import Resource
from comptoir.schema.ids import encode_id
from comptoir.settings import get_settings
from comptoir.tenancy.allocation import ResellerOnlyPermission
from comptoir.tenancy.context import Role, TenantContext
from comptoir.tenancy.models import ResellerAllocation
from tests import factories
from tests.hosting.support import addon, plan, pool_entry, subscribe
from tests.tenancy.support import cheap_password_hashing  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

CUSTOMER_CREATE = """mutation($input: CustomerCreateInput!) {
  customerCreate(input: $input) { customer { id } errors { code field message } } }"""
SUSPEND = """mutation($ids: [ID!]!) {
  subscriptionSuspend(input: {ids: $ids}) { results { id errors { code } } errors { code field message } } }"""
CHANGE_PLAN = """mutation($ids: [ID!]!, $plan: ID!) {
  subscriptionChangePlan(input: {ids: $ids, planId: $plan}) {
    results { id subscription { plan { name } } errors { code field } } errors { code field } } }"""
ADD_ADDON = """mutation($ids: [ID!]!, $addon: ID!) {
  subscriptionAddAddon(input: {ids: $ids, addonId: $addon}) {
    results { id subscription { addons { name } } errors { code field } } errors { code field } } }"""
SUBSCRIPTIONS = """query($filter: SubscriptionFilterInput) {
  subscriptions(filter: $filter) { totalCount edges { node { domainName } } } }"""
PLANS = """query($search: String) { plans(search: $search) { name } }"""


@pytest.fixture
def world():
    provider = factories.provider("root")
    seller = factories.reseller(provider, "Alpha", "alpha", limits=[(Resource.DISK_SPACE, None)])
    with session_scope(TenantContext(Role.PROVIDER, provider.seller_id)) as session:
        allocation = session.get_one(ResellerAllocation, seller.seller_id)
        allocation.permissions = allocation.permissions | {ResellerOnlyPermission.CREATE_SUBSCRIPTIONS.value: True,
                                                          ResellerOnlyPermission.CREATE_CUSTOMERS.value: True}
    return provider, seller, pool_entry(provider.seller_id, seller.seller_id)


def gid(type_name: str, value) -> str:  # type: ignore[no-untyped-def]
    return encode_id(type_name, value)


async def test_customer_create_reports_every_bad_field_at_once_by_its_input_path(client, world):
    # given an input wrong in the contact, the log-in and the first subscription alike
    _, _, entry = world
    token = await client.login("alpha", factories.PASSWORD)
    # when
    result = await client.execute(CUSTOMER_CREATE, {"input": {
        "contact": {"contactName": "Dora", "email": "not-an-address", "locale": "tlh", "city": "x" * 300},
        "username": "bad name!", "password": "short",
        "subscription": {"domainName": "not a domain", "ipPoolEntryId": gid("IpPoolEntry", entry),
                         "systemLogin": "9starts-with-digit", "systemPassword": "long-enough-pw"}}}, token=token)
    # then every refusal is there, each code as itself, each field by its path
    payload = result["data"]["customerCreate"]
    assert payload["customer"] is None
    assert sorted((e["field"], e["code"]) for e in payload["errors"]) == [
        ("contact.city", "TOO_LONG"),
        ("contact.email", "INVALID_EMAIL"),
        ("contact.locale", "UNSUPPORTED_LANGUAGE"),
        ("password", "PASSWORD_TOO_SHORT"),
        ("subscription.domainName", "INVALID_DOMAIN"),
        ("subscription.systemLogin", "INVALID_LOGIN"),
        ("username", "INVALID_USERNAME"),
    ]


async def test_an_error_of_the_first_subscription_written_after_the_customer_names_its_path(client, world):
    # given a domain already hosted
    _, seller, entry = world
    subscribe(seller.seller_id, entry, domain="taken.example.com")
    token = await client.login("alpha", factories.PASSWORD)
    # when a new customer's first subscription asks for it
    result = await client.execute(CUSTOMER_CREATE, {"input": {
        "contact": {"contactName": "Dora", "email": "dora@example.com"}, "username": "dora",
        "password": "long-enough-pw", "subscription": {
            "domainName": "taken.example.com", "ipPoolEntryId": gid("IpPoolEntry", entry),
            "systemLogin": "dora", "systemPassword": "long-enough-pw"}}}, token=token)
    # then
    assert [(e["field"], e["code"]) for e in result["data"]["customerCreate"]["errors"]] == [
        ("subscription.domainName", "DOMAIN_TAKEN")]


async def test_a_bulk_input_over_the_limit_is_refused_whole_not_truncated(client, world, monkeypatch):
    # given a limit of 2 ids and 3 subscriptions
    _, seller, entry = world
    monkeypatch.setenv("COMPTOIR_MAX_BULK_IDS", "2")
    get_settings.cache_clear()
    ids = [gid("Subscription", subscribe(seller.seller_id, entry)) for _ in range(3)]
    token = await client.login("alpha", factories.PASSWORD)
    try:
        # when all three are to be suspended
        result = await client.execute(SUSPEND, {"ids": ids}, token=token)
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    # then the request is refused as a whole and none is suspended
    payload = result["data"]["subscriptionSuspend"]
    assert (payload["results"], [(e["code"], e["field"]) for e in payload["errors"]]) == ([], [("TOO_MANY", "ids")])
    with session_scope(TenantContext(Role.PROVIDER, seller.seller_id)) as session:
        assert {s.status for s in session.query(Subscription)} == {"active"}


async def test_a_bad_list_filter_is_reported_not_answered_with_an_empty_page(client, world):
    _, seller, entry = world
    subscribe(seller.seller_id, entry)
    token = await client.login("alpha", factories.PASSWORD)
    # when the plan filter is not a plan id
    result = await client.execute(SUBSCRIPTIONS, {"filter": {"planId": "garbage"}}, token=token)
    # then the client learns which filter it got wrong
    assert result["data"] is None
    [error] = result["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert (error["extensions"]["reason"], error["extensions"]["field"]) == ("NOT_FOUND", "planId")


async def test_searches_take_percent_and_underscore_literally(client, world):
    _, seller, entry = world
    subscribe(seller.seller_id, entry, domain="axb.example.com")  # "_" as a wildcard would match it
    plan(seller.seller_id, "100% uptime")
    plan(seller.seller_id, "1000 uptime")
    token = await client.login("alpha", factories.PASSWORD)
    # when searching for characters LIKE would treat as wildcards
    by_domain = await client.execute(SUBSCRIPTIONS, {"filter": {"search": "a_b"}}, token=token)
    by_name = await client.execute(PLANS, {"search": "100%"}, token=token)
    # then only the literal matches come back
    assert by_domain["data"]["subscriptions"]["edges"] == []
    assert by_name["data"]["plans"] == [{"name": "100% uptime"}]


async def test_anonymous_and_expired_token_requests_are_unauthenticated_not_forbidden(
        client, world, superuser_connection):
    token = await client.login("alpha", factories.PASSWORD)
    superuser_connection.execute("UPDATE sessions SET expires_at = now() - interval '1 minute'")
    for used in (None, token):
        result = await client.execute(SUBSCRIPTIONS, token=used)
        assert [e["extensions"]["code"] for e in result["errors"]] == ["UNAUTHENTICATED"]


async def test_provider_naming_a_resellers_plan_gets_typed_errors_and_keeps_the_rest_of_the_batch(client, world):
    # given the provider's own subscription and one of reseller Alpha's, and Alpha's plan and add-on
    provider, seller, entry = world
    own = subscribe(provider.seller_id, pool_entry(provider.seller_id, provider.seller_id),
                    plan_id=plan(provider.seller_id, "Root plan"))
    theirs = subscribe(seller.seller_id, entry, plan_id=plan(seller.seller_id, "Silver"))
    gold, extra = plan(seller.seller_id, "Gold"), addon(seller.seller_id, "Extra")
    token = await client.login("root", factories.PASSWORD)
    ids = [gid("Subscription", own), gid("Subscription", theirs)]
    # when the provider moves both to Alpha's plan, then adds Alpha's add-on to both
    changed = await client.execute(CHANGE_PLAN, {"ids": ids, "plan": gid("Plan", gold)}, token=token)
    added = await client.execute(ADD_ADDON, {"ids": ids, "addon": gid("Plan", extra)}, token=token)
    # then no 500: the provider's subscription is refused with a typed error, Alpha's is changed
    assert "errors" not in changed and "errors" not in added, (changed, added)
    change_results = changed["data"]["subscriptionChangePlan"]["results"]
    assert [r["errors"] for r in change_results] == [[{"code": "NOT_FOUND", "field": "planId"}], []]
    assert change_results[1]["subscription"]["plan"] == {"name": "Gold"}
    add_results = added["data"]["subscriptionAddAddon"]["results"]
    assert [r["errors"] for r in add_results] == [[{"code": "NOT_FOUND", "field": "addonId"}], []]
    assert add_results[1]["subscription"]["addons"] == [{"name": "Extra"}]


RESELLER_CREATE = """mutation($input: ResellerCreateInput!) {
  resellerCreate(input: $input) { reseller { id } errors { code field } } }"""


async def test_reseller_create_reports_its_own_and_its_administrators_bad_fields_together(client, world):
    token = await client.login("root", factories.PASSWORD)
    result = await client.execute(RESELLER_CREATE, {"input": {
        "name": "", "country": "XX", "language": "tlh",
        "administrator": {"username": "ok_admin", "password": "short", "email": "nope"}}}, token=token)
    assert sorted((e["field"], e["code"]) for e in result["data"]["resellerCreate"]["errors"]) == [
        ("administrator.email", "INVALID_EMAIL"), ("administrator.password", "PASSWORD_TOO_SHORT"),
        ("country", "INVALID_COUNTRY"), ("language", "UNSUPPORTED_LANGUAGE"), ("name", "INVALID_NAME")]


async def test_profile_update_reports_every_bad_field_and_changes_nothing(client, world):
    token = await client.login("alpha", factories.PASSWORD)
    result = await client.execute(
        """mutation { profileUpdate(input: {fullName: "Al", email: "nope", country: "XX"}) {
             user { fullName } errors { code field } } }""", token=token)
    payload = result["data"]["profileUpdate"]
    assert sorted((e["field"], e["code"]) for e in payload["errors"]) == [
        ("country", "INVALID_COUNTRY"), ("email", "INVALID_EMAIL")]
    me = await client.execute("{ me { fullName } }", token=token)
    assert me["data"]["me"]["fullName"] != "Al"


async def test_plan_create_names_the_bad_values_by_their_path(client, world):
    token = await client.login("alpha", factories.PASSWORD)
    result = await client.execute(
        """mutation($input: PlanCreateInput!) { planCreate(input: $input) { plan { id } errors { code field } } }""",
        {"input": {"kind": "SERVICE", "name": " ", "values": {"permissions": ["COMMON_PHP_SETTINGS_MANAGEMENT"]}}},
        token=token)
    assert sorted((e["field"], e["code"]) for e in result["data"]["planCreate"]["errors"]) == [
        ("name", "INVALID_NAME"), ("values.permissions", "NEEDS_HOSTING_SETTINGS_MANAGEMENT")]

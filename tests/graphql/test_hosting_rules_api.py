"""Issue 8's hosting rules through GraphQL: permissions cascade, settings surviving detach, accepting available
values, and the smaller rules, as a reseller's staff and customers see them."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from comptoir import clock
from comptoir.database.engine import session_scope
from comptoir.hosting import plan_values as pv
from comptoir.hosting.models import ProvisioningRequest, Subscription
from comptoir.hosting.vocabulary import Resource
from comptoir.hosting.vocabulary import SubscriptionPermission as P
from comptoir.provisioning import hosting_agent
from comptoir.provisioning.local_agent import LIMITED_CAPABILITIES, LocalDirectoryAgent
from comptoir.schema.ids import decode_id, encode_id
from comptoir.tenancy.allocation import ResellerOnlyPermission
from comptoir.tenancy.context import Role, TenantContext
from comptoir.tenancy.models import ResellerAllocation
from tests import factories
from tests.conftest import LOGIN
from tests.hosting.support import plan, pool_entry, subscribe, system

SUBSCRIPTION_FIELDS = """id name syncState status suspensionReason conflicts { property planValue availableValue reason }
  values { permissions hosting { sslSupport scripting } }
  effectiveValues { property value origin }"""
SUBSCRIPTION = f"query($id: ID!) {{ subscription(id: $id) {{ {SUBSCRIPTION_FIELDS} }} }}"
BULK = """mutation($ids: [ID!]!) {{ {name}(input: {{ids: $ids}}) {{ results {{ id subscription {{ syncState conflicts {{ property }} }}
  errors {{ code field }} }} errors {{ code field }} }} }}"""
ACCEPT_PLAN = """mutation($id: ID!) { planAcceptAvailableValues(input: {id: $id}) {
  syncedSubscriptions unsyncedSubscriptions errors { code } } }"""
PLAN_CREATE = """mutation($input: PlanCreateInput!) { planCreate(input: $input) { plan { id } errors { code field } } }"""
SUBSCRIPTION_CREATE = """mutation($input: SubscriptionCreateInput!) {
  subscriptionCreate(input: $input) { subscription { id syncState } errors { code field } } }"""
RENEW = """mutation($id: ID!, $d: Date) { subscriptionRenew(input: {id: $id, expirationDate: $d}) {
  subscription { status expirationDate } errors { code field } } }"""
PREVIEW = """query($ids: [ID!]!, $to: ID) { subscriptionTransferPreview(input: {ids: $ids, toCustomerId: $to}) {
  subscriptionId becomesCustom } }"""
API_LOGIN = """mutation($u: String!, $p: String!) {
  sessionCreate(input: {username: $u, password: $p, channel: API}) { token errors { code } } }"""


@pytest.fixture
def world():
    provider = factories.provider()
    seller = factories.reseller(provider, "Alpha", "alpha", limits=[(Resource.DISK_SPACE, 100_000)])
    return provider, seller, pool_entry(provider.seller_id, seller.seller_id)


def gid(kind: str, value) -> str:
    return encode_id(kind, value)


def allocation_without(provider, seller, *permissions) -> None:
    with session_scope(TenantContext(Role.PROVIDER, provider.seller_id)) as session:
        allocation = session.get_one(ResellerAllocation, seller.seller_id)
        allocation.permissions = allocation.permissions | {p.value: False for p in permissions}


async def test_the_conflict_report_names_the_reseller_permission_a_subscription_does_not_get(client, world):
    provider, seller, entry = world
    allocation_without(provider, seller, P.SSH_ACCESS_MANAGEMENT)
    base = pv.default_plan_values()
    shell = plan(seller.seller_id, values=replace(base, permissions=base.permissions | {P.SSH_ACCESS_MANAGEMENT},
                                                  hosting=replace(base.hosting, ssh_shell=pv.SshShell.BASH)))
    sid = subscribe(seller.seller_id, entry, plan_id=shell)
    token = await client.login("alpha", factories.PASSWORD)
    node = (await client.execute(SUBSCRIPTION, {"id": gid("Subscription", sid)}, token=token))["data"]["subscription"]
    assert node["syncState"] == "SYNCED"
    assert "SSH_ACCESS_MANAGEMENT" not in node["values"]["permissions"]
    assert {"property": "permission.ssh_access_management", "planValue": "true", "availableValue": "false",
            "reason": "RESELLER_PERMISSION"} in node["conflicts"]
    effective = {e["property"]: (e["value"], e["origin"]) for e in node["effectiveValues"]}
    assert effective["hosting.ssh_shell"] == ('"/bin/false"', "RESELLER_PERMISSION")
    assert effective["hosting.ssl_support"] == ("true", "PLAN")


async def test_a_detached_subscription_shows_the_same_values_as_before(client, world):
    _, seller, entry = world
    base = pv.default_plan_values()
    gold = plan(seller.seller_id, values=replace(base, hosting=replace(
        base.hosting, ssl_support=False, scripting=frozenset({pv.ScriptingLanguage.PERL}))))
    sid = subscribe(seller.seller_id, entry, plan_id=gold)
    token = await client.login("alpha", factories.PASSWORD)
    variables = {"id": gid("Subscription", sid)}
    before = (await client.execute(SUBSCRIPTION, variables, token=token))["data"]["subscription"]
    detached = await client.execute(BULK.format(name="subscriptionDetach"), {"ids": [variables["id"]]}, token=token)
    assert detached["data"]["subscriptionDetach"]["results"][0]["errors"] == []
    after = (await client.execute(SUBSCRIPTION, variables, token=token))["data"]["subscription"]
    assert after["name"].endswith("(Custom)")
    assert after["values"] == before["values"] == {"permissions": after["values"]["permissions"], "hosting": {
        "sslSupport": False, "scripting": ["PERL"]}}
    assert {e["property"]: e["value"] for e in after["effectiveValues"]} == {
        e["property"]: e["value"] for e in before["effectiveValues"]}
    assert {e["origin"] for e in after["effectiveValues"]} == {"CUSTOMIZATION"}


@pytest.fixture
def limited_server(monkeypatch, tmp_path):
    def limited(*args, **kwargs):  # type: ignore[no-untyped-def]
        return LocalDirectoryAgent(tmp_path, capabilities=LIMITED_CAPABILITIES)

    monkeypatch.setattr(hosting_agent, "get_hosting_agent", limited)  # the default server's driver


def demanding_plan(seller_id):
    base = pv.default_plan_values()
    return plan(seller_id, "Demanding", values=replace(
        base, permissions=base.permissions | {P.HARD_DISK_QUOTA_ASSIGNMENT},
        hosting=replace(base.hosting, hard_disk_quota=500, frontpage=True,
                        scripting=frozenset({pv.ScriptingLanguage.PHP, pv.ScriptingLanguage.PERL})),
        php=replace(base.php, handler=pv.PhpHandler.APACHE_MODULE)))


async def test_accepting_available_values_resolves_every_conflict_kind_through_the_api(client, world, limited_server):
    _, seller, entry = world
    sid = subscribe(seller.seller_id, entry, plan_id=demanding_plan(seller.seller_id))
    token = await client.login("alpha", factories.PASSWORD)
    node = (await client.execute(SUBSCRIPTION, {"id": gid("Subscription", sid)}, token=token))["data"]["subscription"]
    assert {c["property"] for c in node["conflicts"]} == {
        "hosting.frontpage", "hosting.hard_disk_quota", "hosting.scripting", "php.handler", "php.version",
        "limit.disk_space"}
    result = await client.execute(BULK.format(name="subscriptionAcceptAvailableValues"),
                                  {"ids": [gid("Subscription", sid)]}, token=token)
    [outcome] = result["data"]["subscriptionAcceptAvailableValues"]["results"]
    assert outcome["subscription"] == {"syncState": "LOCKED", "conflicts": []}


async def test_the_plan_accepts_the_available_values_of_every_conflict_kind_through_the_api(
        client, world, limited_server):
    _, seller, entry = world
    demanding = demanding_plan(seller.seller_id)
    ids = [subscribe(seller.seller_id, entry, plan_id=demanding) for _ in range(2)]
    token = await client.login("alpha", factories.PASSWORD)
    result = await client.execute(ACCEPT_PLAN, {"id": gid("Plan", demanding)}, token=token)
    assert result["data"]["planAcceptAvailableValues"] == {
        "syncedSubscriptions": 2, "unsyncedSubscriptions": 0, "errors": []}
    with session_scope(system(seller.seller_id)) as session:
        assert {session.get_one(Subscription, i).sync_state for i in ids} == {"synced"}


async def test_a_plan_with_a_validity_of_zero_is_refused(client, world):
    token = await client.login("alpha", factories.PASSWORD)
    result = await client.execute(PLAN_CREATE, {"input": {"kind": "SERVICE", "name": "Never", "values": {
        "validity": {"count": 0, "unit": "MONTHS"}}}}, token=token)
    assert result["data"]["planCreate"] == {"plan": None, "errors": [
        {"code": "INVALID_VALIDITY", "field": "values.validity"}]}


async def test_a_custom_subscription_created_to_customise_is_synced_not_locked(client, world):
    _, _, entry = world
    token = await client.login("alpha", factories.PASSWORD)
    result = await client.execute(SUBSCRIPTION_CREATE, {"input": {
        "domainName": "custom.example.com", "ipPoolEntryId": gid("IpPoolEntry", entry), "systemLogin": "custom",
        "systemPassword": "long-enough-pw", "proceedToCustomize": True}}, token=token)
    assert result["data"]["subscriptionCreate"]["subscription"]["syncState"] == "SYNCED"


async def test_renewing_a_subscription_that_has_not_expired_is_refused(client, world):
    _, seller, entry = world
    sid = subscribe(seller.seller_id, entry)
    token = await client.login("alpha", factories.PASSWORD)
    later = (clock.today() + timedelta(days=30)).isoformat()
    result = await client.execute(RENEW, {"id": gid("Subscription", sid), "d": later}, token=token)
    assert result["data"]["subscriptionRenew"] == {"subscription": None, "errors": [
        {"code": "NOT_EXPIRED", "field": "id"}]}


async def test_the_transfer_preview_refuses_what_the_transfer_refuses(client, world):
    provider, seller, _ = world
    dedicated = pool_entry(provider.seller_id, seller.seller_id, kind="dedicated")
    first, second = factories.customer(seller, "first"), factories.customer(seller, "second")
    moving = subscribe(seller.seller_id, dedicated, customer_id=first.customer_id)
    subscribe(seller.seller_id, dedicated, customer_id=first.customer_id)
    token = await client.login("alpha", factories.PASSWORD)
    variables = {"ids": [gid("Subscription", moving)], "to": gid("Customer", second.customer_id)}
    preview = await client.execute(PREVIEW, variables, token=token)
    assert preview["data"] is None
    extensions = preview["errors"][0]["extensions"]
    assert (extensions["code"], extensions["reason"]) == ("BAD_USER_INPUT", "IP_DEDICATED_TO_ANOTHER_CUSTOMER")
    transfer = await client.execute(BULK.replace("input: {{ids: $ids}}", "input: {{ids: $ids, toCustomerId: $to}}")
                                    .replace("$ids: [ID!]!", "$ids: [ID!]!, $to: ID").format(
                                        name="subscriptionTransfer"), variables, token=token)
    [outcome] = transfer["data"]["subscriptionTransfer"]["results"]
    assert outcome["errors"] == [{"code": "IP_DEDICATED_TO_ANOTHER_CUSTOMER", "field": "ipPoolEntryId"}]


async def test_a_customer_whose_subscriptions_all_expired_cannot_log_in(client, world):
    _, seller, _ = world
    carol = factories.customer(seller, "carol")
    with session_scope(system(seller.seller_id)) as session:
        session.execute(update(Subscription).where(Subscription.customer_id == carol.customer_id).values(
            status="suspended", suspension_reason="expired"))
    result = await client.execute(LOGIN, {"u": "carol", "p": factories.PASSWORD})
    assert result["data"]["sessionCreate"] == {"token": None, "errors": [{
        "code": "SUBSCRIPTIONS_EXPIRED", "field": None,
        "message": "Every subscription of this account has expired, so it cannot log in."}]}


async def test_panel_and_remote_api_access_follow_the_resellers_allocation(client, world):
    provider, seller, _ = world
    with session_scope(TenantContext(Role.PROVIDER, provider.seller_id)) as session:
        allocation = session.get_one(ResellerAllocation, seller.seller_id)
        allocation.permissions = allocation.permissions | {ResellerOnlyPermission.PANEL_ACCESS.value: False}
    panel = await client.execute(LOGIN, {"u": "alpha", "p": factories.PASSWORD})
    assert [e["code"] for e in panel["data"]["sessionCreate"]["errors"]] == ["NO_PANEL_ACCESS"]
    api = await client.execute(API_LOGIN, {"u": "alpha", "p": factories.PASSWORD})
    token = api["data"]["sessionCreate"]["token"]
    assert (await client.execute("{ me { username } }", token=token))["data"]["me"] == {"username": "alpha"}
    with session_scope(TenantContext(Role.PROVIDER, provider.seller_id)) as session:
        allocation = session.get_one(ResellerAllocation, seller.seller_id)
        allocation.permissions = allocation.permissions | {ResellerOnlyPermission.REMOTE_API_ACCESS.value: False}
    assert (await client.execute("{ me { username } }", token=token))["data"]["me"] is None


async def test_the_provider_withdrawing_a_permission_reaches_the_resellers_subscriptions(client, world):
    _, seller, entry = world
    base = pv.default_plan_values()
    shell = plan(seller.seller_id, values=replace(base, permissions=base.permissions | {P.SSH_ACCESS_MANAGEMENT},
                                                  hosting=replace(base.hosting, ssh_shell=pv.SshShell.BASH)))
    sid = subscribe(seller.seller_id, entry, plan_id=shell)
    boss = await client.login("admin", factories.PASSWORD)
    kept = ["PANEL_ACCESS", "CREATE_SUBSCRIPTIONS", *(p.name for p in base.permissions)]
    result = await client.execute("""mutation($input: ResellerUpdateInput!) {
      resellerUpdate(input: $input) { errors { code } } }""", {"input": {
        "id": gid("Reseller", seller.seller_id), "permissions": kept}}, token=boss)
    assert result["data"]["resellerUpdate"]["errors"] == []
    token = await client.login("alpha", factories.PASSWORD)
    node = (await client.execute(SUBSCRIPTION, {"id": gid("Subscription", sid)}, token=token))["data"]["subscription"]
    assert [(c["property"], c["reason"]) for c in node["conflicts"]] == [
        ("permission.ssh_access_management", "RESELLER_PERMISSION"), ("hosting.ssh_shell", "RESELLER_PERMISSION")]


PLAN_UPDATE = """mutation($input: PlanUpdateInput!) { planUpdate(input: $input) {
  mode syncedSubscriptions errors { code } } }"""
PHP = """query($id: ID!) { subscription(id: $id) { syncState values { php { safeMode } }
  phpSettings { directive value level } } }"""


async def test_a_plans_php_change_does_not_reach_a_locked_subscription_through_the_api(client, world):
    _, seller, entry = world
    token = await client.login("alpha", factories.PASSWORD)
    created = await client.execute(PLAN_CREATE, {"input": {"kind": "SERVICE", "name": "Php", "values": {
        "phpDirectives": [{"name": "memory_limit", "value": "256M"}]}}}, token=token)
    plan_id = created["data"]["planCreate"]["plan"]["id"]
    synced = subscribe(seller.seller_id, entry, plan_id=decode_id(plan_id, "Plan"))
    locked = subscribe(seller.seller_id, entry, plan_id=decode_id(plan_id, "Plan"))
    customized = await client.execute("""mutation($id: ID!) { subscriptionCustomize(input: {id: $id,
      limits: [{resource: MAILBOXES, limit: 2}]}) { errors { code } } }""", {"id": gid("Subscription", locked)},
        token=token)
    assert customized["data"]["subscriptionCustomize"]["errors"] == []
    updated = await client.execute(PLAN_UPDATE, {"input": {"id": plan_id, "values": {
        "phpDirectives": [{"name": "memory_limit", "value": "512M"}]}}}, token=token)
    assert updated["data"]["planUpdate"] == {"mode": "UPDATE_AND_SYNC", "syncedSubscriptions": 1, "errors": []}
    memory = {}
    for sid in (synced, locked):
        node = (await client.execute(PHP, {"id": gid("Subscription", sid)}, token=token))["data"]["subscription"]
        memory[node["syncState"]] = {d["directive"]: d["value"] for d in node["phpSettings"]}["memory_limit"]
    assert memory == {"SYNCED": "512M", "LOCKED": "256M"}


async def test_owner_set_php_safe_mode_survives_update_and_sync_through_the_api(client, world):
    _, seller, entry = world
    base = pv.default_plan_values()
    gold = plan(seller.seller_id, values=replace(base, permissions=base.permissions | {P.PHP_SAFE_MODE_MANAGEMENT}))
    sid = subscribe(seller.seller_id, entry, plan_id=gold)
    with session_scope(system(seller.seller_id)) as session:  # the owner turned safe mode on himself
        row = session.get_one(Subscription, sid)
        values = pv.from_json(row.values)
        row.values = pv.to_json(replace(values, php=replace(values.php, safe_mode=True)))
    token = await client.login("alpha", factories.PASSWORD)
    updated = await client.execute(PLAN_UPDATE, {"input": {"id": gid("Plan", gold), "values": {
        "limits": [{"resource": "MAILBOXES", "limit": 12}]}}}, token=token)
    assert updated["data"]["planUpdate"]["syncedSubscriptions"] == 1
    node = (await client.execute(PHP, {"id": gid("Subscription", sid)}, token=token))["data"]["subscription"]
    assert node["values"]["php"] == {"safeMode": True}


async def test_a_mail_only_subscription_created_through_the_api_asks_for_no_webspace(client, world):
    _, seller, entry = world
    token = await client.login("alpha", factories.PASSWORD)
    created = await client.execute(PLAN_CREATE, {"input": {"kind": "SERVICE", "name": "Mail", "values": {
        "hosting": {"hostingEnabled": False}}}}, token=token)
    result = await client.execute(SUBSCRIPTION_CREATE, {"input": {
        "domainName": "mail.example.com", "ipPoolEntryId": gid("IpPoolEntry", entry), "systemLogin": "mailonly",
        "systemPassword": "long-enough-pw", "planId": created["data"]["planCreate"]["plan"]["id"]}}, token=token)
    assert result["data"]["subscriptionCreate"]["errors"] == []
    with session_scope(system(seller.seller_id)) as session:
        assert session.scalars(select(ProvisioningRequest)).all() == []

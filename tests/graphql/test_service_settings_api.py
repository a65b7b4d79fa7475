"""A subscription's service settings through GraphQL (SPEC §4.4, §4.9): seller staff change any group;
a customer changes a setting only with its permission; the webspace follows; changes survive syncs."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
from sqlalchemy import select

from comptoir.database.engine import session_scope
from comptoir.hosting import plan_values as pv
from comptoir.hosting import sync
from comptoir.hosting.models import ProvisioningRequest, Subscription
from comptoir.hosting.vocabulary import Resource
from comptoir.hosting.vocabulary import SubscriptionPermission as P
from comptoir.schema.ids import encode_id
from comptoir.tenancy.allocation import ResellerOnlyPermission
from comptoir.tenancy.context import Role, TenantContext
from comptoir.tenancy.models import ResellerAllocation
from tests import factories
from tests.hosting.support import plan, pool_entry, subscribe, system

UPDATE = """mutation($input: SubscriptionServiceSettingsInput!) {
  subscriptionServiceSettingsUpdate(input: $input) {
    subscription { syncState values { dns { zoneType } hosting { sslSupport anonymousFtp }
      php { version safeMode } logs { keptLogs } performance { maxConnections } } }
    errors { field code message } } }"""


@pytest.fixture
def world():
    provider = factories.provider()
    seller = factories.reseller(provider, "Alpha", "alpha", limits=[(r, None) for r in Resource])
    with session_scope(TenantContext(Role.PROVIDER, provider.seller_id)) as session:
        allocation = session.get_one(ResellerAllocation, seller.seller_id)
        allocation.permissions = allocation.permissions | {ResellerOnlyPermission.CREATE_SUBSCRIPTIONS.value: True,
                                  ResellerOnlyPermission.CREATE_CUSTOMERS.value: True}
    entry = pool_entry(provider.seller_id, seller.seller_id)
    customer = factories.customer(seller, "carol", subscribed=False)
    return seller, entry, customer


def with_permissions(*granted: P) -> pv.PlanValues:
    values = pv.default_plan_values()
    return replace(values, permissions=values.permissions | set(granted))


def requests_for(seller_id: uuid.UUID, subscription_id: uuid.UUID) -> int:
    with session_scope(system(seller_id)) as session:
        return len(session.scalars(select(ProvisioningRequest).where(
            ProvisioningRequest.subscription_id == subscription_id)).all())


def stored(seller_id: uuid.UUID, subscription_id: uuid.UUID) -> pv.PlanValues:
    with session_scope(system(seller_id)) as session:
        return pv.from_json(session.get_one(Subscription, subscription_id).values)


async def test_staff_change_every_group_and_the_subscription_is_locked_and_provisioned(client, world):
    seller, entry, customer = world
    sid = subscribe(seller.seller_id, entry, plan_id=plan(seller.seller_id), customer_id=customer.customer_id)
    before = requests_for(seller.seller_id, sid)
    token = await client.login("alpha", factories.PASSWORD)
    result = await client.execute(UPDATE, {"input": {
        "id": encode_id("Subscription", sid), "dns": {"zoneType": "SLAVE"}, "hosting": {"sslSupport": False},
        "php": {"version": "8.1", "safeMode": True}, "logs": {"keptLogs": 9},
        "performance": {"maxConnections": 40}}}, token=token)
    payload = result["data"]["subscriptionServiceSettingsUpdate"]
    assert payload["errors"] == []
    values = payload["subscription"]["values"]
    assert (values["dns"]["zoneType"], values["hosting"]["sslSupport"], values["php"], values["logs"]["keptLogs"],
            values["performance"]["maxConnections"]) == ("SLAVE", False, {"version": "8.1", "safeMode": True}, 9, 40)
    # the owner manages none of these: the change differs from the plan ("Update & Lock")
    assert payload["subscription"]["syncState"] == "LOCKED"
    assert requests_for(seller.seller_id, sid) == before + 1


async def test_customer_without_the_permission_cannot_change_the_setting(client, world):
    seller, entry, customer = world
    sid = subscribe(seller.seller_id, entry, plan_id=plan(seller.seller_id), customer_id=customer.customer_id)
    token = await client.login("carol", factories.PASSWORD)
    result = await client.execute(UPDATE, {"input": {"id": encode_id("Subscription", sid),
                                                     "dns": {"zoneType": "SLAVE"}}}, token=token)
    payload = result["data"]["subscriptionServiceSettingsUpdate"]
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("NOT_PERMITTED", "dns.zone_type")]
    assert stored(seller.seller_id, sid).dns.zone_type is pv.DnsZoneType.MASTER


async def test_customer_with_the_permission_changes_it_and_it_survives_update_and_sync(client, world):
    seller, entry, customer = world
    gold = plan(seller.seller_id, values=with_permissions(P.DNS_ZONE_MANAGEMENT, P.LOG_ROTATION_MANAGEMENT))
    sid = subscribe(seller.seller_id, entry, plan_id=gold, customer_id=customer.customer_id)
    before = requests_for(seller.seller_id, sid)
    token = await client.login("carol", factories.PASSWORD)
    result = await client.execute(UPDATE, {"input": {"id": encode_id("Subscription", sid),
                                                     "dns": {"zoneType": "SLAVE"}, "logs": {"keptLogs": 7}}},
                                  token=token)
    payload = result["data"]["subscriptionServiceSettingsUpdate"]
    assert payload["errors"] == []
    assert payload["subscription"]["syncState"] == "SYNCED"
    # the customer's own transaction asked for its webspace to follow
    assert requests_for(seller.seller_id, sid) == before + 1
    # when the plan is synchronised again, the owner's settings stay
    with session_scope(system(seller.seller_id)) as session:
        sync.update_and_sync(session, plan_id=gold)
    kept = stored(seller.seller_id, sid)
    assert (kept.dns.zone_type, kept.logs.kept_logs) == (pv.DnsZoneType.SLAVE, 7)


async def test_customer_cannot_change_a_setting_outside_its_permission_even_with_others(client, world):
    seller, entry, customer = world
    gold = plan(seller.seller_id, values=with_permissions(P.HOSTING_SETTINGS_MANAGEMENT))
    sid = subscribe(seller.seller_id, entry, plan_id=gold, customer_id=customer.customer_id)
    token = await client.login("carol", factories.PASSWORD)
    allowed = await client.execute(UPDATE, {"input": {"id": encode_id("Subscription", sid),
                                                      "hosting": {"sslSupport": False}}}, token=token)
    assert allowed["data"]["subscriptionServiceSettingsUpdate"]["errors"] == []
    refused = await client.execute(UPDATE, {"input": {"id": encode_id("Subscription", sid),
                                                      "php": {"safeMode": True}}}, token=token)
    assert [e["code"] for e in refused["data"]["subscriptionServiceSettingsUpdate"]["errors"]] == ["NOT_PERMITTED"]


async def test_customer_cannot_change_another_customers_subscription(client, world):
    seller, entry, _ = world
    other = factories.customer(seller, "otto", subscribed=False)
    factories.customer(seller, "dave", subscribed=True)
    gold = plan(seller.seller_id, values=with_permissions(P.DNS_ZONE_MANAGEMENT))
    theirs = subscribe(seller.seller_id, entry, plan_id=gold, customer_id=other.customer_id)
    token = await client.login("dave", factories.PASSWORD)
    result = await client.execute(UPDATE, {"input": {"id": encode_id("Subscription", theirs),
                                                     "dns": {"zoneType": "SLAVE"}}}, token=token)
    assert [e["code"] for e in result["data"]["subscriptionServiceSettingsUpdate"]["errors"]] == ["NOT_FOUND"]


async def test_a_setting_its_server_cannot_provide_is_refused(client, world):
    seller, entry, _ = world
    sid = subscribe(seller.seller_id, entry, plan_id=plan(seller.seller_id))
    token = await client.login("alpha", factories.PASSWORD)
    result = await client.execute(UPDATE, {"input": {"id": encode_id("Subscription", sid),
                                                     "php": {"version": "5.2"}}}, token=token)
    assert [(e["code"], e["field"]) for e in result["data"]["subscriptionServiceSettingsUpdate"]["errors"]] == [
        ("SETTING_NOT_AVAILABLE", "php.version")]


async def test_customising_anonymous_ftp_on_a_shared_address_is_refused(client, world):
    seller, entry, _ = world
    sid = subscribe(seller.seller_id, entry, plan_id=plan(seller.seller_id))
    token = await client.login("alpha", factories.PASSWORD)
    result = await client.execute(UPDATE, {"input": {"id": encode_id("Subscription", sid),
                                                     "hosting": {"anonymousFtp": True}}}, token=token)
    assert [e["code"] for e in result["data"]["subscriptionServiceSettingsUpdate"]["errors"]] == [
        "DEDICATED_IP_REQUIRED"]
    assert stored(seller.seller_id, sid).hosting.anonymous_ftp is None


async def test_customer_sees_its_settings_editable_per_permission_read_only_when_on_hidden_when_off(client, world):
    seller, entry, customer = world
    gold = plan(seller.seller_id, values=with_permissions(P.DNS_ZONE_MANAGEMENT))
    sid = subscribe(seller.seller_id, entry, plan_id=gold, customer_id=customer.customer_id)
    query = "query($id: ID!) { subscription(id: $id) { serviceSettings { feature visibility value } } }"
    token = await client.login("carol", factories.PASSWORD)
    result = await client.execute(query, {"id": encode_id("Subscription", sid)}, token=token)
    seen = {s["feature"]: s["visibility"] for s in result["data"]["subscription"]["serviceSettings"]}
    assert seen["dns.zone_type"] == "EDITABLE"  # its permission
    assert seen["hosting.ssl_support"] == "READ_ONLY"  # on, without hosting settings management
    assert "mail.mailing_lists_enabled" not in seen  # off, without its permission: hidden
    staff = await client.execute(query, {"id": encode_id("Subscription", sid)},
                                 token=await client.login("alpha", factories.PASSWORD))
    assert {s["visibility"] for s in staff["data"]["subscription"]["serviceSettings"]} == {"EDITABLE"}

"""Hosting servers, the reseller's view of its addresses and its certificate store, through GraphQL."""

from __future__ import annotations

import pytest

from comptoir.database.engine import session_scope
from comptoir.hosting.vocabulary import Resource
from comptoir.schema.ids import encode_id
from comptoir.tenancy.allocation import ResellerOnlyPermission
from comptoir.tenancy.context import Role, TenantContext
from comptoir.tenancy.models import ResellerAllocation
from tests import factories
from tests.hosting.support import plan, pool_entry, subscribe
from tests.hosting.test_ip_reseller import pem_pair

REGISTER = """mutation($input: HostingServerRegisterInput!) { hostingServerRegister(input: $input) {
  server { id name driver capacity capabilities { hardDiskQuota phpVersions } poolEntry { id } }
  errors { field code message } } }"""
ASSIGN = """mutation($input: HostingServerAssignInput!) { hostingServerAssign(input: $input) {
  server { resellers { name } } errors { field code message } } }"""
MY_SERVERS = "{ myServers { id name capabilities { hardDiskQuota phpVersions } } }"
SUBSCRIPTION = """query($id: ID!) { subscription(id: $id) { syncState server { name }
  conflicts { property } } }"""
MY_POOL = """{ myIpPool(first: 10) { edges { node { id type status ftpOverSsl anonymousFtpAllowed
  certificate { name expiresAt } } } } }"""
TYPE_SET = """mutation($input: IpPoolEntryTypeSetInput!) { ipPoolEntryTypeSet(input: $input) {
  poolEntry { type anonymousFtpAllowed } errors { field code message } } }"""
CERTIFICATE_ADD = """mutation($input: SslCertificateAddInput!) { sslCertificateAdd(input: $input) {
  certificate { id name subject expiresAt } errors { field code message } } }"""
CERTIFICATE_SET = """mutation($input: IpPoolEntryCertificateSetInput!) { ipPoolEntryCertificateSet(input: $input) {
  poolEntry { certificate { name } } errors { field code message } } }"""


@pytest.fixture
def world():
    provider = factories.provider()
    seller = factories.reseller(provider, "Alpha", "alpha", limits=[(r, None) for r in Resource])
    with session_scope(TenantContext(Role.PROVIDER, provider.seller_id)) as session:
        allocation = session.get_one(ResellerAllocation, seller.seller_id)
        allocation.permissions = allocation.permissions | {ResellerOnlyPermission.CREATE_SUBSCRIPTIONS.value: True,
                                  ResellerOnlyPermission.PANEL_ACCESS.value: True}
    return provider, seller


def data(result, name):  # type: ignore[no-untyped-def]
    assert "errors" not in result, result
    payload = result["data"][name]
    if isinstance(payload, dict) and "errors" in payload:
        assert payload["errors"] == [], payload
    return payload


async def test_provider_registers_and_assigns_servers_and_a_subscription_shows_its_server(client, world):
    provider, seller = world
    admin = await client.login(provider.username, factories.PASSWORD)
    small = data(await client.execute(REGISTER, {"input": {
        "name": "small", "driver": "limited", "capacity": 10, "capabilities": {"hardDiskQuota": False}}},
        token=admin), "hostingServerRegister")["server"]
    assert (small["driver"], small["capacity"], small["capabilities"]["hardDiskQuota"]) == ("limited", 10, False)
    assert small["poolEntry"] is not None  # the provider's own pool
    assigned = data(await client.execute(ASSIGN, {"input": {
        "id": small["id"], "resellerId": encode_id("Reseller", seller.seller_id)}}, token=admin),
        "hostingServerAssign")
    assert assigned["server"]["resellers"] == [{"name": "Alpha"}]
    # the reseller sees it in its pool, and its new subscription lands there, unsynced by that server
    alpha = await client.login("alpha", factories.PASSWORD)
    [entry] = data(await client.execute(MY_SERVERS, token=alpha), "myServers")
    assert (entry["name"], entry["capabilities"]["phpVersions"]) == ("small", ["8.1"])
    sid = subscribe(seller.seller_id, pool_entry(provider.seller_id, seller.seller_id), plan_id=plan(seller.seller_id))
    shown = data(await client.execute(SUBSCRIPTION, {"id": encode_id("Subscription", sid)}, token=alpha),
                 "subscription")
    assert shown["server"] == {"name": "small"}
    assert shown["syncState"] == "UNSYNCED"
    assert "php.version" in {c["property"] for c in shown["conflicts"]}


async def test_reseller_dedicates_its_address_binds_its_certificate_and_sees_the_providers_status(client, world):
    provider, seller = world
    entry = pool_entry(provider.seller_id, seller.seller_id)
    alpha = await client.login("alpha", factories.PASSWORD)
    entry_id = encode_id("IpPoolEntry", entry)
    dedicated = data(await client.execute(TYPE_SET, {"input": {"id": entry_id, "type": "DEDICATED"}}, token=alpha),
                     "ipPoolEntryTypeSet")
    assert dedicated["poolEntry"] == {"type": "DEDICATED", "anonymousFtpAllowed": True}
    certificate_pem, key_pem = pem_pair("alpha.example.com")
    added = data(await client.execute(CERTIFICATE_ADD, {"input": {
        "name": "alpha", "certificatePem": certificate_pem, "privateKeyPem": key_pem}}, token=alpha),
        "sslCertificateAdd")["certificate"]
    assert added["subject"] == "CN=alpha.example.com"
    bound = data(await client.execute(CERTIFICATE_SET, {"input": {"id": entry_id, "certificateId": added["id"]}},
                                      token=alpha), "ipPoolEntryCertificateSet")
    assert bound["poolEntry"]["certificate"] == {"name": "alpha"}
    [node] = [e["node"] for e in data(await client.execute(MY_POOL, token=alpha), "myIpPool")["edges"]]
    assert (node["status"], node["ftpOverSsl"], node["certificate"]["expiresAt"]) == (
        "CONFIGURED", False, added["expiresAt"])


async def test_reseller_cannot_retype_an_address_in_use_and_the_private_key_is_never_shown(client, world):
    provider, seller = world
    entry = pool_entry(provider.seller_id, seller.seller_id)
    subscribe(seller.seller_id, entry)
    alpha = await client.login("alpha", factories.PASSWORD)
    result = await client.execute(TYPE_SET, {"input": {"id": encode_id("IpPoolEntry", entry), "type": "DEDICATED"}},
                                  token=alpha)
    assert [e["code"] for e in result["data"]["ipPoolEntryTypeSet"]["errors"]] == ["ENTRY_IN_USE"]
    leaked = await client.execute("{ sslCertificates { privateKeyPem } }", token=alpha)
    assert "errors" in leaked  # no such field


async def test_a_certificate_bound_to_an_address_reaches_the_webspaces_of_every_site_there(
        client, world, monkeypatch, tmp_path, provisioning_dispatches):
    # given two subscriptions on the reseller's dedicated address, their webspaces built by the local agent
    from comptoir.automation import intents
    from comptoir.provisioning.local_agent import LocalDirectoryAgent
    from comptoir.settings import get_settings

    monkeypatch.setattr(get_settings(), "hosting_agent", "local")
    monkeypatch.setattr(get_settings(), "webspace_root", tmp_path)
    agent = LocalDirectoryAgent(tmp_path)
    provider, seller = world
    entry = pool_entry(provider.seller_id, seller.seller_id)
    subscriptions = [subscribe(seller.seller_id, entry, domain=f"site{n}.example.com") for n in (1, 2)]

    def deliver() -> None:
        for seller_id, request_id in provisioning_dispatches:
            assert intents.perform("provisioning", seller_id, request_id) == "done"
        provisioning_dispatches.clear()

    def pem_file(subscription_id):  # type: ignore[no-untyped-def]
        home = agent.webspace_path(subscription_id)
        return home.parent / ".agent" / f"{home.name}.pem"

    deliver()
    assert not any(pem_file(s).exists() for s in subscriptions)
    alpha = await client.login("alpha", factories.PASSWORD)
    certificate_pem, key_pem = pem_pair("alpha.example.com")
    added = data(await client.execute(CERTIFICATE_ADD, {"input": {
        "name": "alpha", "certificatePem": certificate_pem, "privateKeyPem": key_pem}}, token=alpha),
        "sslCertificateAdd")["certificate"]
    entry_id = encode_id("IpPoolEntry", entry)
    # when the reseller binds it to the address
    data(await client.execute(CERTIFICATE_SET, {"input": {"id": entry_id, "certificateId": added["id"]}},
                              token=alpha), "ipPoolEntryCertificateSet")
    deliver()
    # then every webspace there presents it, and only its owner may read the key
    for subscription_id in subscriptions:
        written = pem_file(subscription_id)
        assert certificate_pem.strip() in written.read_text() and key_pem.strip() in written.read_text()
        assert written.stat().st_mode & 0o777 == 0o600
    # when it is unbound, the webspaces stop presenting it
    data(await client.execute(CERTIFICATE_SET, {"input": {"id": entry_id, "certificateId": None}}, token=alpha),
         "ipPoolEntryCertificateSet")
    deliver()
    assert not any(pem_file(s).exists() for s in subscriptions)

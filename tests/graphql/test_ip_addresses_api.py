"""IP addresses and pools through GraphQL: the provider manages them, resellers see their pool, customers
see nothing."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, func, select

from comptoir.database.engine import async_engine, session_scope
from comptoir.hosting import ip_addresses, ip_pools
from comptoir.hosting.ip_rules import IpType
from comptoir.hosting.models import IpAddress, IpPoolEntry, Site, Subscription
from comptoir.schema.ids import encode_id
from comptoir.tenancy.context import Role, TenantContext
from tests import factories

REGISTER = """mutation($input: IpAddressRegisterInput!) { ipAddressRegister(input: $input) {
  ipAddress { id address version interface status type sslCertificate ftpOverSsl poolEntry { id type } }
  errors { field code message } } }"""
ADDRESSES = """query($filter: IpAddressFilterInput, $first: Int) {
  ipAddresses(first: $first, filter: $filter) { totalCount edges { node {
    id address status siteCount siteDomains type sslCertificate ftpOverSsl
    poolEntry { id type siteCount defaultSite { domainName } }
    assignments { type reseller { id name }
      poolEntry { id siteCount sites { domainName } defaultSite { domainName } } }
  } } } }"""
MY_POOL = """{ myIpPool(first: 50) { totalCount edges { node {
  id address version type anonymousFtpAllowed siteCount
  sites { domainName subscriptionId } defaultSite { domainName subscriptionId } } } } }"""
NODE = """query($id: ID!) { node(id: $id) { id
  ... on IpPoolEntry { address type } ... on IpAddress { address } } }"""
UPDATE = """mutation($input: IpAddressUpdateInput!) { ipAddressUpdate(input: $input) {
  ipAddress { sslCertificate ftpOverSsl interface } errors { field code message } } }"""
REMOVE = """mutation($input: IpAddressIdInput!) { ipAddressRemove(input: $input) {
  ipAddress { status } errors { field code message } } }"""
RESTORE = """mutation($input: IpAddressIdInput!) { ipAddressRestore(input: $input) {
  ipAddress { status } errors { field code message } } }"""
DELETE = """mutation($input: IpAddressIdInput!) {
  ipAddressDelete(input: $input) { deletedId errors { field code } } }"""
ASSIGN = """mutation($input: IpAddressAssignInput!) { ipAddressAssign(input: $input) {
  ipAddress { assignments { type reseller { name } poolEntry { id } } } errors { field code message } } }"""
UNASSIGN = """mutation($input: IpAddressUnassignInput!) { ipAddressUnassign(input: $input) {
  ipAddress { assignments { type } } errors { field code message } } }"""
TYPE_SET = """mutation($input: IpPoolEntryTypeSetInput!) { ipPoolEntryTypeSet(input: $input) {
  poolEntry { type anonymousFtpAllowed } errors { field code message } } }"""
DEFAULT_SITE_SET = """mutation($input: IpPoolEntryDefaultSiteSetInput!) {
  ipPoolEntryDefaultSiteSet(input: $input) { poolEntry { defaultSite { domainName } }
    errors { field code message } } }"""

_numbers = itertools.count(1)


# ---- builders ------------------------------------------------------------------------------

def register(provider: factories.Actor, address: str) -> uuid.UUID:
    with session_scope(TenantContext(Role.PROVIDER, provider.seller_id)) as session:
        return ip_addresses.register(session=session, provider_id=provider.seller_id, address=address,
                                     interface="eth0").id


def assign(provider: factories.Actor, address_id: uuid.UUID, reseller: factories.Actor,
           type: IpType = IpType.SHARED) -> uuid.UUID:
    with session_scope(TenantContext(Role.PROVIDER, provider.seller_id)) as session:
        return ip_pools.assign(session=session, address_id=address_id, reseller_id=reseller.seller_id,
                                   type=type).id


def own_entry(provider: factories.Actor, address_id: uuid.UUID) -> uuid.UUID:
    with session_scope(TenantContext(Role.PROVIDER, provider.seller_id)) as session:
        return session.scalars(select(IpPoolEntry.id).where(
            IpPoolEntry.ip_address_id == address_id, IpPoolEntry.seller_id == provider.seller_id)).one()


def host(seller: factories.Actor, entry_id: uuid.UUID, owner: factories.Actor | None = None,
         domain: str | None = None) -> uuid.UUID:
    """A subscription with its site, written directly as the seller (owner None: the seller's own)."""
    n = next(_numbers)
    domain = domain or f"site{n}.example.com"
    customer_id = owner.customer_id if owner else None
    with session_scope(TenantContext(Role.SYSTEM, seller.seller_id)) as session:
        subscription = Subscription(seller_id=seller.seller_id, customer_id=customer_id, domain_name=domain,
                                    ip_pool_id=entry_id, system_login=f"user{n}")
        session.add(subscription)
        session.flush()
        session.add(Site(seller_id=seller.seller_id, subscription_id=subscription.id, customer_id=customer_id,
                         domain_name=domain))
        return subscription.id


def gid(type_name: str, value: uuid.UUID) -> str:
    return encode_id(type_name, value)


def payload(result: dict[str, Any], name: str) -> dict[str, Any]:
    assert "errors" not in result, result
    return result["data"][name]


def error_codes(result: dict[str, Any], name: str) -> list[str]:
    return [error["code"] for error in payload(result, name)["errors"]]


def forbidden(result: dict[str, Any]) -> bool:
    return [e["extensions"]["code"] for e in result.get("errors", [])] == ["FORBIDDEN"]


@pytest.fixture
def provider() -> factories.Actor:
    return factories.provider()


@pytest.fixture
async def provider_token(client, provider) -> str:
    return await client.login(provider.username, factories.PASSWORD)


# ---- the provider's addresses --------------------------------------------------------------

async def test_provider_registers_an_address_into_its_own_pool(client, provider_token):
    # when
    result = await client.execute(REGISTER, {"input": {
        "address": "2001:DB8::10", "interface": "eth0", "type": "DEDICATED", "sslCertificate": "wildcard"}},
        token=provider_token)
    # then
    registered = payload(result, "ipAddressRegister")
    assert registered["errors"] == []
    address = registered["ipAddress"]
    assert (address["address"], address["version"], address["status"], address["type"]) == (
        "2001:db8::10", "IPV6", "CONFIGURED", "DEDICATED")
    assert address["sslCertificate"] == "wildcard" and address["poolEntry"]["type"] == "DEDICATED"


async def test_duplicate_address_is_a_typed_error_and_writes_nothing(client, provider, provider_token):
    # given
    register(provider, "203.0.113.10")
    # when
    result = await client.execute(REGISTER, {"input": {"address": "203.0.113.10", "interface": "eth1"}},
                                  token=provider_token)
    # then
    assert error_codes(result, "ipAddressRegister") == ["ADDRESS_TAKEN"]
    assert payload(result, "ipAddressRegister")["ipAddress"] is None
    listed = await client.execute(ADDRESSES, token=provider_token)
    assert payload(listed, "ipAddresses")["totalCount"] == 1


async def test_invalid_address_is_a_typed_error(client, provider_token):
    result = await client.execute(REGISTER, {"input": {"address": "203.0.113.256", "interface": "eth0"}},
                                  token=provider_token)
    errors = payload(result, "ipAddressRegister")["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [("address", "INVALID_ADDRESS")]


async def test_certificate_and_ftp_over_ssl_are_set_on_the_address(client, provider, provider_token):
    address_id = register(provider, "203.0.113.10")
    result = await client.execute(UPDATE, {"input": {
        "id": gid("IpAddress", address_id), "sslCertificate": "shop", "ftpOverSsl": True}},
        token=provider_token)
    assert payload(result, "ipAddressUpdate")["ipAddress"] == {
        "sslCertificate": "shop", "ftpOverSsl": True, "interface": "eth0"}


async def test_removed_address_shows_removed_status(client, provider, provider_token):
    # given
    address_id = register(provider, "203.0.113.10")
    register(provider, "203.0.113.11")
    # when
    by_id = {"input": {"id": gid("IpAddress", address_id)}}
    removed = await client.execute(REMOVE, by_id, token=provider_token)
    # then
    assert payload(removed, "ipAddressRemove")["ipAddress"] == {"status": "REMOVED"}
    listed = await client.execute(ADDRESSES, {"filter": {"status": "REMOVED"}}, token=provider_token)
    assert [e["node"]["address"] for e in payload(listed, "ipAddresses")["edges"]] == ["203.0.113.10"]
    again = await client.execute(REMOVE, by_id, token=provider_token)
    assert error_codes(again, "ipAddressRemove") == ["ALREADY_REMOVED"]
    restored = await client.execute(RESTORE, by_id, token=provider_token)
    assert payload(restored, "ipAddressRestore")["ipAddress"] == {"status": "CONFIGURED"}


async def test_address_in_use_cannot_be_deleted(client, provider, provider_token):
    # given
    used, unused = register(provider, "203.0.113.10"), register(provider, "203.0.113.11")
    reseller = factories.reseller(provider, "Alpha", "alpha")
    host(reseller, assign(provider, used, reseller))
    # when
    refused = await client.execute(DELETE, {"input": {"id": gid("IpAddress", used)}}, token=provider_token)
    deleted = await client.execute(DELETE, {"input": {"id": gid("IpAddress", unused)}}, token=provider_token)
    # then
    assert payload(refused, "ipAddressDelete") == {"deletedId": None, "errors": [{"field": "id",
                                                                                  "code": "ADDRESS_IN_USE"}]}
    assert payload(deleted, "ipAddressDelete") == {"deletedId": gid("IpAddress", unused), "errors": []}
    listed = await client.execute(ADDRESSES, token=provider_token)
    assert [e["node"]["address"] for e in payload(listed, "ipAddresses")["edges"]] == ["203.0.113.10"]


# ---- assignment and type -------------------------------------------------------------------

async def test_assignments_show_the_resellers_and_their_type(client, provider, provider_token):
    # given
    address_id = register(provider, "203.0.113.10")
    alpha, beta = factories.reseller(provider, "Alpha", "alpha"), factories.reseller(provider, "Beta", "beta")
    # when
    first = await client.execute(ASSIGN, {"input": {"id": gid("IpAddress", address_id),
                                                    "resellerId": gid("Reseller", alpha.seller_id)}},
                                 token=provider_token)
    second = await client.execute(ASSIGN, {"input": {"id": gid("IpAddress", address_id),
                                                     "resellerId": gid("Reseller", beta.seller_id)}},
                                  token=provider_token)
    # then
    assert error_codes(first, "ipAddressAssign") == [] and error_codes(second, "ipAddressAssign") == []
    assignments = payload(second, "ipAddressAssign")["ipAddress"]["assignments"]
    assert sorted((a["reseller"]["name"], a["type"]) for a in assignments) == [("Alpha", "SHARED"),
                                                                               ("Beta", "SHARED")]


async def test_dedicated_address_refused_to_a_second_reseller_and_nothing_is_written(client, provider,
                                                                                     provider_token):
    # given
    address_id = register(provider, "203.0.113.10")
    alpha, beta = factories.reseller(provider, "Alpha", "alpha"), factories.reseller(provider, "Beta", "beta")
    assign(provider, address_id, alpha, IpType.DEDICATED)
    # when
    result = await client.execute(ASSIGN, {"input": {"id": gid("IpAddress", address_id), "type": "DEDICATED",
                                                     "resellerId": gid("Reseller", beta.seller_id)}},
                                  token=provider_token)
    # then
    assert error_codes(result, "ipAddressAssign") == ["ASSIGNED_TO_ANOTHER_RESELLER"]
    with session_scope(TenantContext(Role.PROVIDER, provider.seller_id)) as session:
        assert session.scalar(select(func.count()).select_from(IpPoolEntry)
                              .where(IpPoolEntry.seller_id == beta.seller_id)) == 0


async def test_unknown_reseller_is_a_typed_error(client, provider, provider_token):
    address_id = register(provider, "203.0.113.10")
    result = await client.execute(ASSIGN, {"input": {"id": gid("IpAddress", address_id),
                                                     "resellerId": gid("Customer", uuid.uuid4())}},
                                  token=provider_token)
    assert [(e["field"], e["code"]) for e in payload(result, "ipAddressAssign")["errors"]] == [
        ("resellerId", "NOT_FOUND")]


async def test_address_used_by_a_resellers_subscriptions_cannot_be_unassigned(client, provider,
                                                                             provider_token):
    address_id = register(provider, "203.0.113.10")
    reseller = factories.reseller(provider, "Alpha", "alpha")
    host(reseller, assign(provider, address_id, reseller))
    result = await client.execute(UNASSIGN, {"input": {"id": gid("IpAddress", address_id),
                                                       "resellerId": gid("Reseller", reseller.seller_id)}},
                                  token=provider_token)
    assert error_codes(result, "ipAddressUnassign") == ["ADDRESS_IN_USE"]


async def test_used_address_cannot_become_dedicated_when_several_customers_use_it(client, provider,
                                                                                 provider_token):
    # given
    reseller = factories.reseller(provider, "Alpha", "alpha")
    entry_id = assign(provider, register(provider, "203.0.113.10"), reseller)
    host(reseller, entry_id, factories.customer(reseller, "alice", subscribed=False))
    host(reseller, entry_id, factories.customer(reseller, "bob", subscribed=False))
    # when
    result = await client.execute(TYPE_SET, {"input": {"id": gid("IpPoolEntry", entry_id),
                                                       "type": "DEDICATED"}}, token=provider_token)
    # then
    assert error_codes(result, "ipPoolEntryTypeSet") == ["SEVERAL_OWNERS"]
    token = await client.login("alpha", factories.PASSWORD)
    pool = payload(await client.execute(MY_POOL, token=token), "myIpPool")
    assert [(e["node"]["type"], e["node"]["anonymousFtpAllowed"]) for e in pool["edges"]] == [
        ("SHARED", False)]


async def test_unused_entry_becomes_dedicated(client, provider, provider_token):
    entry_id = own_entry(provider, register(provider, "203.0.113.10"))
    result = await client.execute(TYPE_SET, {"input": {"id": gid("IpPoolEntry", entry_id),
                                                       "type": "DEDICATED"}}, token=provider_token)
    assert payload(result, "ipPoolEntryTypeSet")["poolEntry"] == {"type": "DEDICATED",
                                                                  "anonymousFtpAllowed": True}


# ---- pools, sites and default sites --------------------------------------------------------

async def test_first_site_on_an_address_is_its_default(client, provider):
    # given
    reseller = factories.reseller(provider, "Alpha", "alpha")
    entry_id = assign(provider, register(provider, "203.0.113.10"), reseller)
    first = host(reseller, entry_id, domain="first.example.com")
    host(reseller, entry_id, domain="second.example.com")
    token = await client.login("alpha", factories.PASSWORD)
    # when
    pool = payload(await client.execute(MY_POOL, token=token), "myIpPool")
    # then
    entry = pool["edges"][0]["node"]
    assert entry["siteCount"] == 2
    assert [s["domainName"] for s in entry["sites"]] == ["first.example.com", "second.example.com"]
    assert entry["defaultSite"] == {"domainName": "first.example.com",
                                    "subscriptionId": gid("Subscription", first)}


async def test_reseller_chooses_any_site_on_its_entry_as_default(client, provider):
    # given
    reseller = factories.reseller(provider, "Alpha", "alpha")
    entry_id = assign(provider, register(provider, "203.0.113.10"), reseller)
    host(reseller, entry_id, domain="first.example.com")
    second = host(reseller, entry_id, domain="second.example.com")
    elsewhere = host(reseller, assign(provider, register(provider, "203.0.113.11"), reseller))
    token = await client.login("alpha", factories.PASSWORD)
    # when
    chosen = await client.execute(DEFAULT_SITE_SET, {"input": {
        "id": gid("IpPoolEntry", entry_id), "subscriptionId": gid("Subscription", second)}}, token=token)
    refused = await client.execute(DEFAULT_SITE_SET, {"input": {
        "id": gid("IpPoolEntry", entry_id), "subscriptionId": gid("Subscription", elsewhere)}}, token=token)
    # then
    assert payload(chosen, "ipPoolEntryDefaultSiteSet")["poolEntry"] == {
        "defaultSite": {"domainName": "second.example.com"}}
    assert [(e["field"], e["code"]) for e in payload(refused, "ipPoolEntryDefaultSiteSet")["errors"]] == [
        ("subscriptionId", "SITE_NOT_ON_ADDRESS")]


async def test_provider_sees_sites_and_defaults_in_every_tenant(client, provider, provider_token):
    # given
    address_id = register(provider, "203.0.113.10")
    reseller = factories.reseller(provider, "Alpha", "alpha")
    host(provider, own_entry(provider, address_id), domain="own.example.com")
    host(reseller, assign(provider, address_id, reseller), domain="resold.example.com")
    # when
    listed = payload(await client.execute(ADDRESSES, token=provider_token), "ipAddresses")
    # then
    node = listed["edges"][0]["node"]
    assert node["siteCount"] == 2 and node["siteDomains"] == ["own.example.com", "resold.example.com"]
    assert node["poolEntry"]["defaultSite"] == {"domainName": "own.example.com"}
    assert node["assignments"][0]["poolEntry"]["defaultSite"] == {"domainName": "resold.example.com"}


# ---- who sees what -------------------------------------------------------------------------

async def test_reseller_sees_its_own_pool_only(client, provider):
    # given
    alpha, beta = factories.reseller(provider, "Alpha", "alpha"), factories.reseller(provider, "Beta", "beta")
    address_id = register(provider, "203.0.113.10")
    own = assign(provider, address_id, alpha)
    theirs = assign(provider, register(provider, "203.0.113.11"), beta)
    token = await client.login("alpha", factories.PASSWORD)
    # when
    pool = payload(await client.execute(MY_POOL, token=token), "myIpPool")
    addresses = await client.execute(ADDRESSES, token=token)
    their_node = await client.execute(NODE, {"id": gid("IpPoolEntry", theirs)}, token=token)
    address_node = await client.execute(NODE, {"id": gid("IpAddress", address_id)}, token=token)
    own_node = await client.execute(NODE, {"id": gid("IpPoolEntry", own)}, token=token)
    # then
    assert [e["node"]["id"] for e in pool["edges"]] == [gid("IpPoolEntry", own)] and pool["totalCount"] == 1
    assert forbidden(addresses)
    assert payload(their_node, "node") is None and payload(address_node, "node") is None
    assert payload(own_node, "node") == {"id": gid("IpPoolEntry", own), "address": "203.0.113.10",
                                         "type": "SHARED"}


async def test_reseller_cannot_manage_addresses(client, provider):
    factories.reseller(provider, "Alpha", "alpha")
    token = await client.login("alpha", factories.PASSWORD)
    result = await client.execute(REGISTER, {"input": {"address": "203.0.113.10", "interface": "eth0"}},
                                  token=token)
    assert forbidden(result)
    with session_scope(TenantContext(Role.PROVIDER, provider.seller_id)) as session:
        assert session.scalar(select(func.count()).select_from(IpAddress)) == 0


async def test_reseller_cannot_set_the_default_site_of_another_sellers_entry(client, provider):
    factories.reseller(provider, "Alpha", "alpha")
    beta = factories.reseller(provider, "Beta", "beta")
    theirs = assign(provider, register(provider, "203.0.113.10"), beta)
    subscription_id = host(beta, theirs)
    token = await client.login("alpha", factories.PASSWORD)
    result = await client.execute(DEFAULT_SITE_SET, {"input": {
        "id": gid("IpPoolEntry", theirs), "subscriptionId": gid("Subscription", subscription_id)}},
        token=token)
    assert error_codes(result, "ipPoolEntryDefaultSiteSet") == ["NOT_FOUND"]


async def test_customer_sees_no_addresses_nor_pools(client, provider):
    # given
    reseller = factories.reseller(provider, "Alpha", "alpha")
    carol = factories.customer(reseller, "carol")
    entry_id = assign(provider, register(provider, "203.0.113.10"), reseller)
    host(reseller, entry_id, carol)
    token = await client.login("carol", factories.PASSWORD)
    # when
    pool = await client.execute(MY_POOL, token=token)
    addresses = await client.execute(ADDRESSES, token=token)
    node = await client.execute(NODE, {"id": gid("IpPoolEntry", entry_id)}, token=token)
    # then
    assert forbidden(pool) and forbidden(addresses)
    assert payload(node, "node") is None


# ---- query counts --------------------------------------------------------------------------

class StatementLog:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.statements.append(statement)


@pytest.fixture
def sql_log() -> Iterator[StatementLog]:
    log = StatementLog()
    engine = async_engine().sync_engine
    event.listen(engine, "before_cursor_execute", log)
    yield log
    event.remove(engine, "before_cursor_execute", log)


async def _count(client: Any, sql_log: StatementLog, query: str, token: str) -> tuple[dict[str, Any], int]:
    sql_log.statements.clear()
    result = await client.execute(query, token=token)
    assert "errors" not in result, result
    return result["data"], len(sql_log.statements)


def _add_addresses(provider: factories.Actor, resellers: list[factories.Actor], start: int,
                   count: int) -> None:
    for n in range(start, start + count):
        address_id = register(provider, f"198.51.100.{n + 1}")
        reseller = resellers[n % len(resellers)]
        host(reseller, assign(provider, address_id, reseller), domain=f"site{n}.resold.example.com")
        host(provider, own_entry(provider, address_id), domain=f"site{n}.own.example.com")


# authentication, total count, page, pool entries, sites, default sites, resellers, allocations with their usage
ADDRESSES_PAGE_STATEMENTS = 8
# authentication, total count, page, sites, default sites
POOL_PAGE_STATEMENTS = 5


async def test_page_of_addresses_with_sites_and_assignments_costs_the_same_for_5_and_50(client, sql_log):
    # given
    provider = factories.provider("boss")
    resellers = [factories.reseller(provider, f"Reseller {n}", f"reseller{n}") for n in range(3)]
    _add_addresses(provider, resellers, 0, 5)
    token = await client.login("boss", factories.PASSWORD)
    query = ADDRESSES.replace("reseller { id name }",
                              "reseller { id name allocation { oversellingAllowed } }")
    # when
    small, small_count = await _count(client, sql_log, query, token)
    _add_addresses(provider, resellers, 5, 45)
    large, large_count = await _count(client, sql_log, query, token)
    # then
    assert small["ipAddresses"]["totalCount"] == 5 and len(large["ipAddresses"]["edges"]) == 50
    assert all(e["node"]["siteCount"] == 2 and len(e["node"]["assignments"]) == 1
               for e in large["ipAddresses"]["edges"])
    assert small_count == large_count == ADDRESSES_PAGE_STATEMENTS, sql_log.statements


async def test_page_of_a_resellers_pool_costs_the_same_for_5_and_50(client, sql_log):
    # given
    provider = factories.provider("boss")
    reseller = factories.reseller(provider, "Alpha", "alpha")
    _add_addresses(provider, [reseller], 0, 5)
    token = await client.login("alpha", factories.PASSWORD)
    # when
    small, small_count = await _count(client, sql_log, MY_POOL, token)
    _add_addresses(provider, [reseller], 5, 45)
    large, large_count = await _count(client, sql_log, MY_POOL, token)
    # then
    assert small["myIpPool"]["totalCount"] == 5 and len(large["myIpPool"]["edges"]) == 50
    assert all(e["node"]["defaultSite"] is not None for e in large["myIpPool"]["edges"])
    assert small_count == large_count == POOL_PAGE_STATEMENTS, sql_log.statements

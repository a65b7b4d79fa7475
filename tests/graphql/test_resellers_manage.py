"""The provider creates, edits, suspends, activates and deletes resellers (SPEC §2)."""

from __future__ import annotations

import uuid

import pytest

from comptoir.schema.ids import encode_id, parse_id
from tests import factories
from tests.conftest import LOGIN
from tests.tenancy.support import cheap_password_hashing  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

ALLOCATION = "allocation { oversellingAllowed permissions limits { resource limit used remaining } }"
RESELLER_FIELDS = f"id name status email companyName country {ALLOCATION}"
CREATE = f"""mutation Create($input: ResellerCreateInput!) {{
  resellerCreate(input: $input) {{ reseller {{ {RESELLER_FIELDS} }} errors {{ code field message }} }}
}}"""
UPDATE = f"""mutation Update($input: ResellerUpdateInput!) {{
  resellerUpdate(input: $input) {{ reseller {{ {RESELLER_FIELDS} }} errors {{ code field }} }}
}}"""
SUSPEND = "mutation S($id: ID!) { resellerSuspend(input: {id: $id}) { reseller { id status } errors { code field } } }"
ACTIVATE = "mutation A($id: ID!) { resellerActivate(input: {id: $id}) { reseller { id status } errors { code field } } }"
DELETE = "mutation D($id: ID!) { resellerDelete(input: {id: $id}) { deletedId errors { code field } } }"
RESELLER = f"query R($id: ID!) {{ reseller(id: $id) {{ {RESELLER_FIELDS} }} }}"
ME = "{ me { username role } }"


def create_input(**overrides):
    values = {
        "name": "Hostella", "email": "sales@hostella.test", "companyName": "Hostella SARL", "country": "FR",
        "language": "fr",
        "administrator": {"username": "hostella", "password": "a-long-enough-password",
                          "email": "admin@hostella.test", "fullName": "Héloïse Admin"},
        "limits": [{"resource": "DISK_SPACE", "limit": 10240}, {"resource": "CUSTOMERS", "limit": 50},
                   {"resource": "TRAFFIC", "limit": None}],
        "permissions": ["CREATE_CUSTOMERS", "CREATE_SUBSCRIPTIONS", "DNS_ZONE_MANAGEMENT", "PANEL_ACCESS"],
        "oversellingAllowed": True,
    }
    return values | overrides


def limits_of(reseller):
    return {item["resource"]: item["limit"] for item in reseller["allocation"]["limits"]}


@pytest.fixture
async def boss(client):
    factories.provider("boss")
    return await client.login("boss", factories.PASSWORD)


async def _create(client, boss, **overrides):
    result = await client.execute(CREATE, {"input": create_input(**overrides)}, token=boss)
    payload = result["data"]["resellerCreate"]
    assert payload["errors"] == [], payload
    return payload["reseller"]


async def test_provider_creates_a_reseller_with_its_details_allocation_and_permissions(client, boss):
    # when
    reseller = await _create(client, boss)
    # then
    assert {k: reseller[k] for k in ("name", "status", "email", "companyName", "country")} == {
        "name": "Hostella", "status": "ACTIVE", "email": "sales@hostella.test", "companyName": "Hostella SARL",
        "country": "FR"}
    assert reseller["allocation"]["oversellingAllowed"] is True
    assert sorted(reseller["allocation"]["permissions"]) == [
        "CREATE_CUSTOMERS", "CREATE_SUBSCRIPTIONS", "DNS_ZONE_MANAGEMENT", "PANEL_ACCESS"]
    assert (limits_of(reseller)["DISK_SPACE"], limits_of(reseller)["CUSTOMERS"]) == (10240, 50)


async def test_limits_not_given_or_given_as_null_are_unlimited(client, boss):
    # when
    reseller = await _create(client, boss)
    # then
    limits = limits_of(reseller)
    assert limits["TRAFFIC"] is None
    assert limits["MAILBOXES"] is None
    assert len(limits) == 26  # every resource is reported


async def test_a_limit_of_zero_is_kept_as_zero_not_unlimited(client, boss):
    # when
    reseller = await _create(client, boss, limits=[{"resource": "DATABASES", "limit": 0}])
    # then
    assert limits_of(reseller)["DATABASES"] == 0


async def test_overselling_is_forbidden_unless_the_provider_allows_it(client, boss):
    # when
    reseller = await _create(client, boss, oversellingAllowed=False)
    # then
    assert reseller["allocation"]["oversellingAllowed"] is False


async def test_the_new_resellers_administrator_can_log_in_as_a_reseller(client, boss):
    # given
    await _create(client, boss)
    # when
    token = await client.login("hostella", "a-long-enough-password")
    # then
    assert (await client.execute(ME, token=token))["data"]["me"] == {"username": "hostella", "role": "RESELLER"}


async def test_update_changes_only_the_limits_listed(client, boss):
    # given
    reseller = await _create(client, boss)
    # when
    result = await client.execute(UPDATE, {"input": {"id": reseller["id"], "limits": [
        {"resource": "CUSTOMERS", "limit": 75}, {"resource": "MAILBOXES", "limit": 500}]}}, token=boss)
    # then
    updated = result["data"]["resellerUpdate"]["reseller"]
    assert limits_of(updated) == limits_of(reseller) | {"CUSTOMERS": 75, "MAILBOXES": 500}


async def test_update_can_make_a_limited_resource_unlimited(client, boss):
    # given
    reseller = await _create(client, boss)
    # when
    result = await client.execute(UPDATE, {"input": {"id": reseller["id"], "limits": [
        {"resource": "DISK_SPACE", "limit": None}]}}, token=boss)
    # then
    assert limits_of(result["data"]["resellerUpdate"]["reseller"])["DISK_SPACE"] is None


async def test_update_without_limits_leaves_the_allocation_alone(client, boss):
    # given
    reseller = await _create(client, boss)
    # when
    result = await client.execute(UPDATE, {"input": {"id": reseller["id"], "name": "Hostella Pro"}}, token=boss)
    # then
    updated = result["data"]["resellerUpdate"]["reseller"]
    assert updated["name"] == "Hostella Pro"
    assert updated["allocation"] == reseller["allocation"]


async def test_update_replaces_the_permission_list_and_the_overselling_flag(client, boss):
    # given
    reseller = await _create(client, boss)
    # when
    result = await client.execute(UPDATE, {"input": {
        "id": reseller["id"], "permissions": ["SET_OVERSELLING_POLICY"], "oversellingAllowed": False}}, token=boss)
    # then
    allocation = result["data"]["resellerUpdate"]["reseller"]["allocation"]
    assert (allocation["permissions"], allocation["oversellingAllowed"]) == (["SET_OVERSELLING_POLICY"], False)


async def test_update_with_an_invalid_limit_changes_nothing(client, boss):
    # given
    reseller = await _create(client, boss)
    # when
    result = await client.execute(UPDATE, {"input": {"id": reseller["id"], "name": "Renamed", "limits": [
        {"resource": "CUSTOMERS", "limit": 10}, {"resource": "DISK_SPACE", "limit": -5}]}}, token=boss)
    # then
    assert result["data"]["resellerUpdate"]["errors"] == [{"code": "NEGATIVE_LIMIT", "field": "limits"}]
    assert (await client.execute(RESELLER, {"id": reseller["id"]}, token=boss))["data"]["reseller"] == reseller


@pytest.mark.parametrize("mutation", [UPDATE, SUSPEND, ACTIVATE, DELETE])
async def test_operations_on_an_unknown_reseller_are_not_found(client, boss, mutation):
    # given
    unknown = encode_id("Reseller", uuid.uuid4())
    variables = {"input": {"id": unknown}} if mutation is UPDATE else {"id": unknown}
    # when
    result = await client.execute(mutation, variables, token=boss)
    # then
    [payload] = result["data"].values()
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("NOT_FOUND", "id")]


async def test_the_provider_itself_cannot_be_handled_as_a_reseller(client, boss):
    # given
    viewer = (await client.execute("{ viewer { seller { id } } }", token=boss))["data"]["viewer"]
    provider_id = parse_id(viewer["seller"]["id"])[1]
    # when
    result = await client.execute(SUSPEND, {"id": encode_id("Reseller", provider_id)}, token=boss)
    # then
    assert [e["code"] for e in result["data"]["resellerSuspend"]["errors"]] == ["NOT_FOUND"]


async def test_suspend_then_activate_a_reseller(client, boss):
    # given
    reseller = await _create(client, boss)
    # when
    suspended = await client.execute(SUSPEND, {"id": reseller["id"]}, token=boss)
    activated = await client.execute(ACTIVATE, {"id": reseller["id"]}, token=boss)
    # then
    assert suspended["data"]["resellerSuspend"]["reseller"]["status"] == "SUSPENDED"
    assert activated["data"]["resellerActivate"]["reseller"]["status"] == "ACTIVE"


async def test_deleting_a_reseller_removes_it_with_its_users_and_customers(client, boss):
    # given
    reseller = await _create(client, boss)
    factories.customer(factories.Actor(parse_id(reseller["id"])[1], "hostella"), "carol")
    staff = await client.login("hostella", "a-long-enough-password")
    # when
    result = await client.execute(DELETE, {"id": reseller["id"]}, token=boss)
    # then
    assert result["data"]["resellerDelete"] == {"deletedId": reseller["id"], "errors": []}
    assert (await client.execute(RESELLER, {"id": reseller["id"]}, token=boss))["data"]["reseller"] is None
    assert (await client.execute(ME, token=staff))["data"]["me"] is None
    for username, password in [("hostella", "a-long-enough-password"), ("carol", factories.PASSWORD)]:
        login = await client.execute(LOGIN, {"u": username, "p": password})
        assert [e["code"] for e in login["data"]["sessionCreate"]["errors"]] == ["INVALID_CREDENTIALS"]


async def test_a_deleted_resellers_administrator_username_can_be_used_again(client, boss):
    # given
    reseller = await _create(client, boss)
    await client.execute(DELETE, {"id": reseller["id"]}, token=boss)
    # when
    result = await client.execute(CREATE, {"input": create_input(name="Hostella Again")}, token=boss)
    # then
    assert result["data"]["resellerCreate"]["errors"] == []

"""A reseller's own resources and permissions, and the overselling policy it may set (SPEC §2)."""

from __future__ import annotations

import pytest

from comptoir.database.engine import session_scope
from comptoir.hosting.vocabulary import Resource
from comptoir.schema.ids import encode_id
from comptoir.tenancy import resellers
from comptoir.tenancy.allocation import ResellerOnlyPermission
from comptoir.tenancy.context import Role, TenantContext
from tests import factories
from tests.tenancy.support import cheap_password_hashing  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

MY_RESOURCES = """{ myResources { oversellingAllowed permissions limits { resource limit used allocatedToSubscriptions
  remaining } } }"""
OVERSELLING = """mutation Overselling($allowed: Boolean!) {
  oversellingPolicySet(input: {allowed: $allowed}) { allocation { oversellingAllowed } errors { code field } }
}"""
LIMIT_CUSTOMERS = """mutation Limit($id: ID!, $limit: Int) {
  resellerUpdate(input: {id: $id, limits: [{resource: CUSTOMERS, limit: $limit}]}) { errors { code } }
}"""


def make_reseller(provider, name, username, *, limits=(), permissions=(), overselling_allowed=False):
    """A reseller that may log in to the panel, with these other permissions."""
    with session_scope(TenantContext(Role.PROVIDER, provider.seller_id)) as session:
        seller = resellers.create(
            session, name=name, limits=list(limits),
            permissions=list(dict.fromkeys([*permissions, ResellerOnlyPermission.PANEL_ACCESS])),
            overselling_allowed=overselling_allowed,
            admin=resellers.ResellerAdmin(username=username, password=factories.PASSWORD,
                                          email=f"{username}@r.test"))
        return factories.Actor(seller.id, username)


def by_resource(resources):
    return {item["resource"]: (item["limit"], item["used"], item["remaining"]) for item in resources["limits"]}


@pytest.fixture
def provider():
    return factories.provider("boss")


async def _my_resources(client, username):
    token = await client.login(username, factories.PASSWORD)
    result = await client.execute(MY_RESOURCES, token=token)
    assert "errors" not in result, result
    return result["data"]["myResources"]


async def test_my_resources_show_allocated_used_and_remaining_customers(client, provider):
    # given
    reseller = make_reseller(provider, "Resell", "resell", limits=[(Resource.CUSTOMERS, 5)])
    factories.customer(reseller, "carol")
    factories.customer(reseller, "dave")
    # when
    resources = await _my_resources(client, "resell")
    # then
    assert by_resource(resources)["CUSTOMERS"] == (5, 2, 3)


async def test_unlimited_resources_have_no_remaining_figure(client, provider):
    # given
    reseller = make_reseller(provider, "Resell", "resell")
    factories.customer(reseller, "carol", subscribed=False)
    # when
    resources = await _my_resources(client, "resell")
    # then
    assert by_resource(resources)["CUSTOMERS"] == (None, 1, None)
    assert by_resource(resources)["DISK_SPACE"] == (None, 0, None)


async def test_remaining_is_zero_not_negative_when_the_limit_was_lowered_below_use(client, provider):
    # given
    reseller = make_reseller(provider, "Resell", "resell", limits=[(Resource.CUSTOMERS, 5)])
    factories.customer(reseller, "carol")
    factories.customer(reseller, "dave")
    boss = await client.login("boss", factories.PASSWORD)
    await client.execute(LIMIT_CUSTOMERS, {"id": encode_id("Reseller", reseller.seller_id), "limit": 1}, token=boss)
    # when
    resources = await _my_resources(client, "resell")
    # then
    assert by_resource(resources)["CUSTOMERS"] == (1, 2, 0)


async def test_another_resellers_customers_are_not_counted(client, provider):
    # given
    make_reseller(provider, "Resell", "resell", limits=[(Resource.CUSTOMERS, 5)])
    other = make_reseller(provider, "Other", "other")
    factories.customer(other, "carol")
    # when
    resources = await _my_resources(client, "resell")
    # then
    assert by_resource(resources)["CUSTOMERS"] == (5, 0, 5)


async def test_my_resources_list_the_granted_permissions_and_the_overselling_policy(client, provider):
    # given
    make_reseller(provider, "Resell", "resell", overselling_allowed=True,
                  permissions=[ResellerOnlyPermission.CREATE_CUSTOMERS, ResellerOnlyPermission.PANEL_ACCESS])
    # when
    resources = await _my_resources(client, "resell")
    # then
    assert sorted(resources["permissions"]) == ["CREATE_CUSTOMERS", "PANEL_ACCESS"]
    assert resources["oversellingAllowed"] is True


async def test_the_provider_sees_the_same_usage_in_its_list_of_resellers(client, provider):
    # given
    reseller = make_reseller(provider, "Resell", "resell", limits=[(Resource.CUSTOMERS, 5)])
    factories.customer(reseller, "carol")
    boss = await client.login("boss", factories.PASSWORD)
    # when
    result = await client.execute(
        "{ resellers { edges { node { allocation { limits { resource limit used remaining } } } } } }", token=boss)
    # then
    [edge] = result["data"]["resellers"]["edges"]
    assert by_resource(edge["node"]["allocation"])["CUSTOMERS"] == (5, 1, 4)


async def test_a_reseller_without_the_permission_cannot_set_its_overselling_policy(client, provider):
    # given
    make_reseller(provider, "Resell", "resell", permissions=[ResellerOnlyPermission.CREATE_CUSTOMERS])
    token = await client.login("resell", factories.PASSWORD)
    # when
    result = await client.execute(OVERSELLING, {"allowed": True}, token=token)
    # then
    assert result["data"]["oversellingPolicySet"] == {
        "allocation": None, "errors": [{"code": "OVERSELLING_POLICY_NOT_PERMITTED", "field": "allowed"}]}
    assert (await client.execute(MY_RESOURCES, token=token))["data"]["myResources"]["oversellingAllowed"] is False


@pytest.mark.parametrize("allowed", [True, False])
async def test_a_reseller_with_the_permission_sets_its_overselling_policy(client, provider, allowed):
    # given
    make_reseller(provider, "Resell", "resell", overselling_allowed=not allowed,
                  permissions=[ResellerOnlyPermission.SET_OVERSELLING_POLICY])
    token = await client.login("resell", factories.PASSWORD)
    # when
    result = await client.execute(OVERSELLING, {"allowed": allowed}, token=token)
    # then
    assert result["data"]["oversellingPolicySet"] == {"allocation": {"oversellingAllowed": allowed}, "errors": []}
    assert (await client.execute(MY_RESOURCES, token=token))["data"]["myResources"]["oversellingAllowed"] is allowed


async def test_setting_the_overselling_policy_changes_only_the_resellers_own_allocation(client, provider):
    # given
    make_reseller(provider, "Resell", "resell", permissions=[ResellerOnlyPermission.SET_OVERSELLING_POLICY])
    make_reseller(provider, "Other", "other", permissions=[ResellerOnlyPermission.SET_OVERSELLING_POLICY])
    token = await client.login("resell", factories.PASSWORD)
    # when
    await client.execute(OVERSELLING, {"allowed": True}, token=token)
    # then
    assert (await _my_resources(client, "other"))["oversellingAllowed"] is False


async def test_used_is_actual_usage_with_the_sum_of_subscription_limits_beside_it(client, provider):
    # given a reseller whose customer holds one subscription of the default plan (10 240 MB of disk),
    # of which nothing has been measured yet
    reseller = make_reseller(provider, "Resell", "resell", limits=[(Resource.DISK_SPACE, 50_000)])
    factories.customer(reseller, "carol")
    # when
    resources = await _my_resources(client, "resell")
    # then used is measured (0), the limits given stand beside it and bound "remaining" (no overselling)
    assert by_resource(resources)["SUBSCRIPTIONS"] == (None, 1, None)
    assert by_resource(resources)["DISK_SPACE"] == (50_000, 0, 39_760)
    disk = next(item for item in resources["limits"] if item["resource"] == "DISK_SPACE")
    assert disk["allocatedToSubscriptions"] == 10_240

"""Suspended users, resellers and customers can neither log in nor keep using their sessions (SPEC §1, §2, §4.8)."""

from __future__ import annotations

import pytest

from comptoir.schema.ids import encode_id
from tests import factories
from tests.conftest import LOGIN
from tests.tenancy.support import cheap_password_hashing, set_customer_status, set_user_status  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

ME = "{ me { username } }"
SUSPEND = """mutation Suspend($id: ID!) { resellerSuspend(input: {id: $id}) { reseller { status } errors { code } } }"""
ACTIVATE = """mutation Activate($id: ID!) { resellerActivate(input: {id: $id}) { reseller { status } errors { code } } }"""


@pytest.fixture
def world():
    provider = factories.provider("boss")
    reseller = factories.reseller(provider, "Resell", "resell")
    customer = factories.customer(reseller, "carol")
    return provider, reseller, customer


async def _login(client, username, password=factories.PASSWORD):
    result = await client.execute(LOGIN, {"u": username, "p": password})
    return result["data"]["sessionCreate"]


async def _me(client, token):
    return (await client.execute(ME, token=token))["data"]["me"]


async def _suspend_reseller(client, reseller):
    boss = await client.login("boss", factories.PASSWORD)
    result = await client.execute(SUSPEND, {"id": encode_id("Reseller", reseller.seller_id)}, token=boss)
    assert result["data"]["resellerSuspend"] == {"reseller": {"status": "SUSPENDED"}, "errors": []}
    return boss


async def test_suspended_user_cannot_log_in(client, world):
    # given
    set_user_status("carol", "suspended")
    # when
    payload = await _login(client, "carol")
    # then
    assert payload["token"] is None
    assert [e["code"] for e in payload["errors"]] == ["ACCOUNT_SUSPENDED"]


async def test_suspended_user_with_a_wrong_password_is_told_only_that_the_credentials_are_wrong(client, world):
    # given
    set_user_status("carol", "suspended")
    # when
    payload = await _login(client, "carol", "not-the-password")
    # then
    assert [e["code"] for e in payload["errors"]] == ["INVALID_CREDENTIALS"]


async def test_suspended_users_existing_token_stops_working(client, world):
    # given
    token = await client.login("carol", factories.PASSWORD)
    # when
    set_user_status("carol", "suspended")
    # then
    assert await _me(client, token) is None


async def test_reactivated_user_can_log_in_again(client, world):
    # given
    set_user_status("carol", "suspended")
    # when
    set_user_status("carol", "active")
    # then
    assert (await _login(client, "carol"))["errors"] == []


async def test_suspended_customer_cannot_log_in(client, world):
    # given
    _, _, customer = world
    set_customer_status(customer.customer_id, "suspended")
    # when
    payload = await _login(client, "carol")
    # then
    assert [e["code"] for e in payload["errors"]] == ["ACCOUNT_SUSPENDED"]


@pytest.mark.parametrize("status", ["pending", "fraudulent"])
async def test_customer_not_yet_or_no_longer_active_cannot_log_in(client, world, status):
    # given
    _, _, customer = world
    set_customer_status(customer.customer_id, status)
    # when
    payload = await _login(client, "carol")
    # then
    assert [e["code"] for e in payload["errors"]] == ["ACCOUNT_SUSPENDED"]


async def test_suspended_customers_existing_token_stops_working(client, world):
    # given
    _, _, customer = world
    token = await client.login("carol", factories.PASSWORD)
    # when
    set_customer_status(customer.customer_id, "suspended")
    # then
    assert await _me(client, token) is None


async def test_suspended_reseller_staff_cannot_log_in(client, world):
    # given
    _, reseller, _ = world
    await _suspend_reseller(client, reseller)
    # when
    payload = await _login(client, "resell")
    # then
    assert [e["code"] for e in payload["errors"]] == ["ACCOUNT_SUSPENDED"]


async def test_customers_of_a_suspended_reseller_cannot_log_in(client, world):
    # given
    _, reseller, _ = world
    await _suspend_reseller(client, reseller)
    # when
    payload = await _login(client, "carol")
    # then
    assert [e["code"] for e in payload["errors"]] == ["ACCOUNT_SUSPENDED"]


async def test_suspending_a_reseller_ends_the_use_of_its_staff_and_customer_sessions(client, world):
    # given
    _, reseller, _ = world
    staff = await client.login("resell", factories.PASSWORD)
    customer = await client.login("carol", factories.PASSWORD)
    # when
    boss = await _suspend_reseller(client, reseller)
    # then
    assert await _me(client, staff) is None
    assert await _me(client, customer) is None
    assert await _me(client, boss) == {"username": "boss"}


async def test_activating_a_suspended_reseller_lets_its_staff_and_customers_log_in_again(client, world):
    # given
    _, reseller, _ = world
    boss = await _suspend_reseller(client, reseller)
    # when
    result = await client.execute(ACTIVATE, {"id": encode_id("Reseller", reseller.seller_id)}, token=boss)
    # then
    assert result["data"]["resellerActivate"] == {"reseller": {"status": "ACTIVE"}, "errors": []}
    assert (await _login(client, "resell"))["errors"] == []
    assert (await _login(client, "carol"))["errors"] == []


async def test_suspending_one_reseller_leaves_other_resellers_sessions_working(client, world):
    # given
    provider, reseller, _ = world
    factories.reseller(provider, "Other", "other")
    other = await client.login("other", factories.PASSWORD)
    # when
    await _suspend_reseller(client, reseller)
    # then
    assert await _me(client, other) == {"username": "other"}

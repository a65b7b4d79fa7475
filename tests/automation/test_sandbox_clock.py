"""The sandbox clock through the API (SPEC §10): a month of a subscription's life in a few requests."""

from __future__ import annotations

from datetime import timedelta

import pytest

from comptoir import clock
from comptoir.schema.ids import encode_id
from comptoir.settings import get_settings
from tests import factories
from tests.graphql.test_hosting_api import PLAN_CREATE, SUBSCRIPTION_CREATE
from tests.graphql.test_hosting_api import world as hosting_world  # noqa: F401

ADVANCE = """mutation($to: DateTime!) {
  sandboxClockAdvance(input: {to: $to}) {
    clock { enabled now } runs { kind ranAt status result error } errors { code field message }
  }
}"""
STATUS = """query($id: ID!) { subscription(id: $id) { status expirationDate } }"""
ACTIVATE = """mutation($id: ID!) { subscriptionActivate(input: {ids: [$id]}) { errors { code } } }"""
RENEW = """mutation($id: ID!, $date: Date) {
  subscriptionRenew(input: {id: $id, expirationDate: $date}) { subscription { status } errors { code message } }
}"""
CLOCK = "{ sandboxClock { enabled now } }"


@pytest.fixture
def sandbox(monkeypatch, tmp_path):
    monkeypatch.setattr(get_settings(), "sandbox", True)
    monkeypatch.setattr(get_settings(), "webspace_root", tmp_path)  # provisioning runs inline on the way
    yield
    clock.set_offset(timedelta(0))  # the table is emptied between tests; this process's copy too


async def _subscription_on_a_30_day_plan(client, world, token) -> str:
    _, _, entry, customer = world
    created = await client.execute(PLAN_CREATE, {"input": {"kind": "SERVICE", "name": "Month", "values": {
        "validity": {"count": 30, "unit": "DAYS"}}}}, token=token)
    result = await client.execute(SUBSCRIPTION_CREATE, {"input": {
        "domainName": "shop.example.com", "ipPoolEntryId": encode_id("IpPoolEntry", entry), "systemLogin": "shop",
        "systemPassword": "long-enough-pw", "customerId": encode_id("Customer", customer.customer_id),
        "planId": created["data"]["planCreate"]["plan"]["id"]}}, token=token)
    return result["data"]["subscriptionCreate"]["subscription"]["id"]


async def _advance(client, token, days: float) -> dict:
    target = clock.now() + timedelta(days=days)
    result = await client.execute(ADVANCE, {"to": target.isoformat()}, token=token)
    payload = result["data"]["sandboxClockAdvance"]
    assert payload["errors"] == [], payload
    return payload


async def _status(client, token, subscription_id) -> str:
    return (await client.execute(STATUS, {"id": subscription_id}, token=token))["data"]["subscription"]["status"]


async def test_an_expired_subscription_is_suspended_reactivated_by_hand_suspended_again_and_renewed(
        client, hosting_world, sandbox):  # noqa: F811
    # given a subscription on a 30-day plan, created today
    staff = await client.login("alpha", factories.PASSWORD)
    admin = await client.login("admin", factories.PASSWORD)
    subscription_id = await _subscription_on_a_30_day_plan(client, hosting_world, staff)
    start = clock.now()
    # when the clock moves 29 days on, then to day 31
    await _advance(client, admin, 29)
    assert await _status(client, staff, subscription_id) == "ACTIVE"
    payload = await _advance(client, admin, 2)
    # then the daily check of day 30 suspended it
    assert await _status(client, staff, subscription_id) == "SUSPENDED"
    checks = [run for run in payload["runs"] if run["kind"] == "expiration_check" and run["result"]["suspended"]]
    assert [run["ranAt"][:10] for run in checks] == [(start + timedelta(days=30)).date().isoformat()]
    # when activated by hand, the next day's check suspends it again
    assert (await client.execute(ACTIVATE, {"id": subscription_id}, token=staff))["data"][
        "subscriptionActivate"]["errors"] == []
    assert await _status(client, staff, subscription_id) == "ACTIVE"
    await _advance(client, admin, 1)
    assert await _status(client, staff, subscription_id) == "SUSPENDED"
    # when renewed for a year, it stays active through the next checks
    renewed_until = (clock.today() + timedelta(days=365)).isoformat()
    result = await client.execute(RENEW, {"id": subscription_id, "date": renewed_until}, token=staff)
    assert result["data"]["subscriptionRenew"]["errors"] == []
    await _advance(client, admin, 3)
    assert await _status(client, staff, subscription_id) == "ACTIVE"


async def test_the_clock_moves_only_forward_and_every_day_of_the_way_is_checked(client, hosting_world, sandbox):  # noqa: F811
    admin = await client.login("admin", factories.PASSWORD)
    before = clock.now()
    payload = await _advance(client, admin, 5)
    # one expiration check per seller (provider and reseller) per day: at the start, then every midnight
    days = sorted({run["ranAt"][:10] for run in payload["runs"] if run["kind"] == "expiration_check"})
    assert len(days) == 6 and days[0] == before.date().isoformat()
    now = (await client.execute(CLOCK, token=admin))["data"]["sandboxClock"]
    assert now["enabled"] is True and now["now"] >= (before + timedelta(days=5)).isoformat()[:19]
    backwards = await client.execute(ADVANCE, {"to": before.isoformat()}, token=admin)
    assert backwards["data"]["sandboxClockAdvance"]["errors"] == [
        {"code": "NOT_IN_FUTURE", "field": "to", "message": "The sandbox clock only moves forward."}]


async def test_without_the_sandbox_setting_the_clock_cannot_be_moved(client, hosting_world):  # noqa: F811
    admin = await client.login("admin", factories.PASSWORD)
    before = clock.now()
    result = await client.execute(ADVANCE, {"to": (before + timedelta(days=3)).isoformat()}, token=admin)
    assert [e["code"] for e in result["data"]["sandboxClockAdvance"]["errors"]] == ["SANDBOX_DISABLED"]
    assert (await client.execute(CLOCK, token=admin))["data"]["sandboxClock"]["now"][:10] == before.date().isoformat()


async def test_only_the_provider_moves_the_clock(client, hosting_world, sandbox):  # noqa: F811
    staff = await client.login("alpha", factories.PASSWORD)
    result = await client.execute(ADVANCE, {"to": (clock.now() + timedelta(days=1)).isoformat()}, token=staff)
    assert result["data"] is None or result["data"]["sandboxClockAdvance"] is None
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"

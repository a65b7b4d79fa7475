"""Measured usage through GraphQL (SPEC §4.12): after the sandbox clock passes a night, `used` in
myResources, the home overview and per subscription is what the local agent measured; reports per
subscription and customer with CSV; overuse suspends; overselling is bound by actual usage; mailbox size
is a per-mailbox cap."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, time, timedelta

import pytest

from comptoir import clock
from comptoir.hosting.plan_values import OverusePolicy
from comptoir.hosting.vocabulary import Resource
from comptoir.provisioning import access_log
from comptoir.schema.ids import encode_id
from comptoir.settings import get_settings
from tests import factories
from tests.hosting.usage_support import MB, build

ADVANCE = """mutation($to: DateTime!) { sandboxClockAdvance(input: {to: $to}) { errors { code message } } }"""
MY_RESOURCES = "{ myResources { limits { resource limit used allocatedToSubscriptions remaining } } }"
OVERVIEW = "{ overview { resources { resource allocated used allocatedToSubscriptions remaining } } }"
SUBSCRIPTION_USAGE = """query($id: ID!) { subscription(id: $id) { status suspensionReason
  usage { collectedDay resources { resource limit used } over } } }"""
REPORT = """query($from: Date!, $to: Date!, $granularity: UsageGranularity!, $subscription: ID, $customer: ID) {
  usageReport(from: $from, to: $to, granularity: $granularity, subscriptionId: $subscription, customerId: $customer) {
    rows { periodStart diskMb trafficMb subscriptions } csv } }"""
TRAFFIC = """query($from: Date!, $to: Date!) { trafficReport(from: $from, to: $to) {
  rows { subscriptionId domainName trafficMb diskMb } csv } }"""
RECIPIENTS = """mutation($input: UsageNotificationSettingsSetInput!) { usageNotificationSettingsSet(input: $input) {
  settings { notifyAdministrators notifyCustomer extraAddresses } errors { code field } } }"""
PLAN_CREATE = """mutation($input: PlanCreateInput!) { planCreate(input: $input) { plan { id } errors { code field } } }"""
SUBSCRIPTION_CREATE = """mutation($input: SubscriptionCreateInput!) {
  subscriptionCreate(input: $input) { subscription { id } errors { code field message } } }"""
COLLECT = "mutation { usageCollect { collected errors { code } } }"


@pytest.fixture
def world(monkeypatch, tmp_path):
    monkeypatch.setattr(get_settings(), "sandbox", True)
    yield build(monkeypatch, tmp_path, limits=[(Resource.DISK_SPACE, 100_000), (Resource.TRAFFIC, 500_000),
                                               (Resource.MAILBOX_SIZE, 500)])
    clock.set_offset(timedelta(0))


async def next_night(client, world) -> None:
    tomorrow = datetime.combine(clock.now().astimezone(UTC).date() + timedelta(days=1), time(0), UTC)
    admin = factories.log_in(world.provider)
    result = await client.execute(ADVANCE, {"to": (tomorrow + timedelta(hours=1)).isoformat()}, token=admin)
    assert result["data"]["sandboxClockAdvance"]["errors"] == []


def by_resource(items) -> dict:
    return {item["resource"]: item for item in items}


async def test_used_in_my_resources_the_overview_and_the_subscription_is_what_the_agent_measured(client, world):
    # given a subscription whose webspace gets 3 MB of files and 2 MB of logged traffic today
    subscription_id = world.subscribe(world.plan(limits={Resource.MAILBOX_SIZE: 100}))
    home = world.agent.webspace_path(subscription_id)
    (home / "httpdocs" / "video.bin").write_bytes(b"v" * 3 * MB)
    (home / "logs").mkdir()
    (home / "logs" / "access_log").write_text(access_log.line(moment=clock.now(), size=2 * MB))
    # when the night passes
    await next_night(client, world)
    staff = factories.log_in(world.seller)
    # then used disk is the webspace's size in MB (3 MB and the skeleton's few KB: 4 MB once rounded up), and
    # the 10 240 MB the plan gives stand beside it
    mine = by_resource((await client.execute(MY_RESOURCES, token=staff))["data"]["myResources"]["limits"])
    assert mine["DISK_SPACE"]["used"] == 4 and mine["DISK_SPACE"]["allocatedToSubscriptions"] == 10_240
    measured_day = clock.today() - timedelta(days=1)
    this_month = 2 if measured_day.month == clock.today().month else 0  # traffic counts per month
    assert mine["TRAFFIC"]["used"] == this_month and mine["DOMAINS"]["used"] == 1
    home_page = by_resource((await client.execute(OVERVIEW, token=staff))["data"]["overview"]["resources"])
    assert home_page["DISK_SPACE"] == {"resource": "DISK_SPACE", "allocated": 100_000, "used": 4,
                                       "allocatedToSubscriptions": 10_240, "remaining": 100_000 - 10_240}
    node = (await client.execute(SUBSCRIPTION_USAGE, {"id": encode_id("Subscription", subscription_id)},
                                 token=factories.log_in(world.customer)))["data"]["subscription"]
    used = by_resource(node["usage"]["resources"])
    assert (used["DISK_SPACE"]["used"], used["DISK_SPACE"]["limit"], used["TRAFFIC"]["used"]) == (4, 10_240, 2)
    assert node["usage"]["collectedDay"] == measured_day.isoformat()


async def test_usage_reports_per_subscription_and_customer_per_day_and_month_with_csv(client, world):
    # given two subscriptions of the customer and one of another customer, with told usage for two nights
    other = factories.customer(world.seller, "otto", subscribed=False)
    plan_id = world.plan(limits={Resource.MAILBOX_SIZE: 100})
    first, second = world.subscribe(plan_id), world.subscribe(plan_id)
    foreign = world.subscribe(plan_id, customer_id=other.customer_id)
    world.tell(first, disk_mb=3, traffic_mb=5)
    world.tell(second, disk_mb=1, traffic_mb=1)
    world.tell(foreign, disk_mb=50, traffic_mb=50)
    start = clock.today()
    await next_night(client, world)
    await next_night(client, world)
    staff, carol = factories.log_in(world.seller), factories.log_in(world.customer)
    span = {"from": start.isoformat(), "to": (start + timedelta(days=1)).isoformat()}
    # when the customer asks for its usage per day
    daily = (await client.execute(REPORT, span | {"granularity": "DAY"}, token=carol))["data"]["usageReport"]
    # then it sees its two subscriptions only, a row per day
    assert [(r["diskMb"], r["trafficMb"], r["subscriptions"]) for r in daily["rows"]] == [(4, 6, 2), (4, 6, 2)]
    table = list(csv.DictReader(io.StringIO(daily["csv"])))
    assert [row["period_start"] for row in table] == [start.isoformat(), (start + timedelta(days=1)).isoformat()]
    assert table[0]["traffic_bytes"] == str(6 * MB) and table[0]["traffic_mb"] == "6"
    # when staff ask per month for one subscription, and for the other customer
    one = await client.execute(REPORT, span | {"granularity": "MONTH", "subscription": encode_id(
        "Subscription", first)}, token=staff)
    traffic = sum(r["trafficMb"] for r in one["data"]["usageReport"]["rows"])
    assert traffic == 10 and {r["diskMb"] for r in one["data"]["usageReport"]["rows"]} == {3}
    theirs = await client.execute(REPORT, span | {"granularity": "DAY", "customer": encode_id(
        "Customer", other.customer_id)}, token=staff)
    assert [r["diskMb"] for r in theirs["data"]["usageReport"]["rows"]] == [50, 50]
    # and the traffic report lists every subscription, the busiest first
    lines = (await client.execute(TRAFFIC, span, token=staff))["data"]["trafficReport"]
    assert [(r["trafficMb"], r["diskMb"]) for r in lines["rows"]] == [(100, 50), (10, 3), (2, 1)]
    assert lines["csv"].splitlines()[0] == ("subscription_id,domain_name,customer_id,traffic_bytes,disk_bytes,"
                                            "traffic_mb,disk_mb")


async def test_a_report_period_that_ends_before_it_starts_is_refused(client, world):
    staff = factories.log_in(world.seller)
    result = await client.execute(REPORT, {"from": "2026-03-02", "to": "2026-03-01", "granularity": "DAY"},
                                  token=staff)
    assert result["errors"][0]["extensions"]["reason"] == "INVALID_PERIOD"


async def test_overuse_with_suspend_suspends_through_the_nightly_check_and_the_subscription_says_why(client, world):
    subscription_id = world.subscribe(world.plan(limits={Resource.DISK_SPACE: 1, Resource.MAILBOX_SIZE: 100},
                                                 overuse=OverusePolicy.NOT_ALLOWED_SUSPEND))
    world.tell(subscription_id, disk_mb=2)
    await next_night(client, world)
    node = (await client.execute(SUBSCRIPTION_USAGE, {"id": encode_id("Subscription", subscription_id)},
                                 token=factories.log_in(world.seller)))["data"]["subscription"]
    assert (node["status"], node["suspensionReason"]) == ("SUSPENDED", "overuse")
    assert node["usage"]["over"] == ["DISK_LIMIT"]


async def test_with_overselling_a_creation_is_refused_once_actual_usage_reaches_the_allocation(client, world):
    world.allocation(overselling_allowed=True, limits={Resource.DISK_SPACE: 100})
    staff = factories.log_in(world.seller)
    plan_id = world.plan(limits={Resource.DISK_SPACE: 80, Resource.MAILBOX_SIZE: 100})

    async def create(domain: str) -> list:
        result = await client.execute(SUBSCRIPTION_CREATE, {"input": {
            "domainName": domain, "ipPoolEntryId": encode_id("IpPoolEntry", world.entry),
            "systemLogin": domain.split(".")[0], "systemPassword": "long-enough-pw",
            "planId": encode_id("Plan", plan_id)}}, token=staff)
        return [e["code"] for e in result["data"]["subscriptionCreate"]["errors"]]

    assert await create("one.example.com") == []
    assert await create("two.example.com") == []  # 160 MB given out of 100: usage binds
    world.tell(world.subscribe(plan_id), disk_mb=100)
    assert (await client.execute(COLLECT, token=staff))["data"]["usageCollect"] == {"collected": 3, "errors": []}
    assert await create("three.example.com") == ["ALLOCATION_EXCEEDED"]


async def test_a_plan_offering_a_mailbox_larger_than_the_allocation_cap_is_refused(client, world):
    staff = factories.log_in(world.seller)

    async def plan(name: str, size: int | None) -> list:
        result = await client.execute(PLAN_CREATE, {"input": {"kind": "SERVICE", "name": name, "values": {
            "limits": [{"resource": "MAILBOX_SIZE", "limit": size}]}}}, token=staff)
        return result["data"]["planCreate"]["errors"]

    assert await plan("Big", 501) == [{"code": "MAILBOX_SIZE_OVER_CAP", "field": "values.limits"}]
    assert await plan("Fits", 500) == []


async def test_staff_choose_who_overuse_notices_go_to_and_bad_addresses_are_refused(client, world):
    staff = factories.log_in(world.seller)
    wrong = await client.execute(RECIPIENTS, {"input": {"notifyAdministrators": True, "notifyCustomer": False,
                                                        "extraAddresses": ["ops@a.test", "nope"]}}, token=staff)
    assert wrong["data"]["usageNotificationSettingsSet"]["errors"] == [
        {"code": "INVALID_EMAIL", "field": "extraAddresses.1"}]
    right = await client.execute(RECIPIENTS, {"input": {"notifyAdministrators": False, "notifyCustomer": True,
                                                        "extraAddresses": ["ops@a.test"]}}, token=staff)
    assert right["data"]["usageNotificationSettingsSet"]["settings"] == {
        "notifyAdministrators": False, "notifyCustomer": True, "extraAddresses": ["ops@a.test"]}
    read = await client.execute("{ usageNotificationSettings { extraAddresses } }", token=staff)
    assert read["data"]["usageNotificationSettings"] == {"extraAddresses": ["ops@a.test"]}


async def test_a_page_of_subscriptions_with_their_usage_costs_the_same_for_2_and_12(client, world):
    from sqlalchemy import event

    from comptoir.database.engine import async_engine

    world.allocation(limits={Resource.DISK_SPACE: None, Resource.TRAFFIC: None})
    plan_id = world.plan(limits={Resource.MAILBOX_SIZE: 100})
    staff = factories.log_in(world.seller)
    query = "{ subscriptions(first: 50) { edges { node { usage { collectedDay resources { used } over } } } } }"

    async def statements() -> int:
        count = 0

        def counter(*args):  # type: ignore[no-untyped-def]
            nonlocal count
            count += 1

        engine = async_engine().sync_engine
        event.listen(engine, "before_cursor_execute", counter)
        try:
            result = await client.execute(query, token=staff)
        finally:
            event.remove(engine, "before_cursor_execute", counter)
        assert "errors" not in result, result
        return count

    for _ in range(2):
        world.tell(world.subscribe(plan_id), disk_mb=1)
    assert (await client.execute(COLLECT, token=staff))["data"]["usageCollect"]["collected"] == 2
    few = await statements()
    for _ in range(10):
        world.subscribe(plan_id)
    assert few == await statements()

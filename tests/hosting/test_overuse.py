"""The overuse policy (SPEC §4.2) run by the daily overuse check after the usage collection: suspend when
the plan says so, else notify; overuse allowed suspends nothing; soft quotas notify once per crossing;
the seller's setting chooses who is told. The sandbox clock drives the days."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comptoir import clock
from comptoir.database.engine import session_scope
from comptoir.errors import DomainError
from comptoir.hosting import overuse
from comptoir.hosting.plan_values import OverusePolicy
from comptoir.hosting.usage_rules import Alert, Measured, Thresholds, on_crossing, over
from comptoir.hosting.vocabulary import Resource
from comptoir.settings import get_settings
from comptoir.tenancy.context import Role, TenantContext
from tests.hosting.test_usage import rows
from tests.hosting.usage_support import MB, build, next_day

CUSTOMER, ADMIN = "carol@c.test", "alpha@r.test"


@pytest.fixture
def world(monkeypatch, tmp_path):
    monkeypatch.setattr(get_settings(), "sandbox", True)
    yield build(monkeypatch, tmp_path)
    clock.set_offset(timedelta(0))


def test_overuse_not_allowed_with_suspend_suspends_the_subscription_over_its_disk_limit(world):
    # given a plan of 1 MB of disk that suspends on overuse, and a webspace the local agent measures
    subscription_id = world.subscribe(world.plan(limits={Resource.DISK_SPACE: 1},
                                                 overuse=OverusePolicy.NOT_ALLOWED_SUSPEND))
    # when 2 MB are written and the day passes
    (world.agent.webspace_path(subscription_id) / "httpdocs" / "big.bin").write_bytes(b"x" * 2 * MB)
    next_day(world)
    # then the overuse check suspended it and told the customer and the seller's administrator once
    assert world.status(subscription_id) == ("suspended", "overuse")
    assert sorted(address for address, _ in world.notices()) == [ADMIN, CUSTOMER]
    assert world.agent.is_suspended(subscription_id)


def test_overuse_not_allowed_without_suspend_notifies_once_per_crossing(world):
    subscription_id = world.subscribe(world.plan(limits={Resource.DISK_SPACE: 10},
                                                 overuse=OverusePolicy.NOT_ALLOWED))
    # when usage goes over the limit, stays over for a second day
    world.tell(subscription_id, disk_mb=11)
    next_day(world)
    next_day(world)
    # then one notice per recipient, and nothing is suspended
    assert world.status(subscription_id) == ("active", "")
    assert len(world.notices()) == 2
    # when usage falls back under the limit, then crosses it again
    world.tell(subscription_id, disk_mb=2)
    next_day(world)
    assert len(world.notices()) == 2
    world.tell(subscription_id, disk_mb=12)
    next_day(world)
    # then the second crossing is told again
    assert len(world.notices()) == 4


def test_soft_quota_notifies_once_when_usage_reaches_it_only_when_overuse_is_not_allowed(world):
    notify = world.subscribe(world.plan("Notify", limits={Resource.DISK_SPACE: 10},
                                        overuse=OverusePolicy.NOT_ALLOWED, disk_notify_at=5))
    allowed = world.subscribe(world.plan("Allowed", limits={Resource.DISK_SPACE: 10},
                                         overuse=OverusePolicy.ALLOWED, disk_notify_at=5))
    world.tell(notify, disk_mb=5)
    world.tell(allowed, disk_mb=5)
    next_day(world)
    next_day(world)
    subjects = [subject for _, subject in world.notices()]
    assert len(subjects) == 2 and all("reached 5 MB" in s for s in subjects)
    assert all(s.startswith(f"site") for s in subjects)


def test_overuse_allowed_suspends_nothing_and_notifies_only_when_the_plan_asks(world):
    silent = world.subscribe(world.plan("Silent", limits={Resource.TRAFFIC: 1}, overuse=OverusePolicy.ALLOWED))
    asking = world.subscribe(world.plan("Asking", limits={Resource.TRAFFIC: 1}, overuse=OverusePolicy.ALLOWED,
                                        traffic_notify_at=1))
    for subscription_id in (silent, asking):
        world.tell(subscription_id, traffic_mb=3)
    next_day(world)
    assert world.status(silent) == world.status(asking) == ("active", "")
    subjects = [subject for _, subject in world.notices()]
    assert len(subjects) == 2 and all("traffic over its limit" in s for s in subjects)


def test_traffic_over_the_monthly_limit_counts_the_days_of_the_month(world):
    # given a plan of 5 MB traffic a month that suspends, and 2 MB served a day
    subscription_id = world.subscribe(world.plan(limits={Resource.TRAFFIC: 5},
                                                 overuse=OverusePolicy.NOT_ALLOWED_SUSPEND))
    world.tell(subscription_id, traffic_mb=2)
    # when days pass, then it stays active while the month's days sum to 4 MB at most, and is suspended
    # by the check of the month's third day (a month may begin on the way: its sum starts again)
    for _ in range(5):
        next_day(world)
        days = sorted(rows(world, subscription_id))
        in_month = [d for d in days if (d.year, d.month) == (days[-1].year, days[-1].month)]
        if world.status(subscription_id)[0] == "suspended":
            assert len(in_month) == 3
            return
        assert len(in_month) <= 2
    pytest.fail("never suspended")


def test_notices_go_to_the_recipients_the_seller_chose(world):
    with session_scope(TenantContext(Role.RESELLER, world.seller.seller_id)) as session:
        overuse.set_recipients(session=session, seller_id=world.seller.seller_id, recipients=overuse.Recipients(
            notify_administrators=False, notify_customer=False, extra_addresses=("ops@alpha.test",)))
    subscription_id = world.subscribe(world.plan(limits={Resource.DISK_SPACE: 1}))
    world.tell(subscription_id, disk_mb=2)
    next_day(world)
    assert [address for address, _ in world.notices()] == ["ops@alpha.test"]


def test_a_bad_extra_address_is_refused_with_its_position(world):
    with pytest.raises(DomainError) as raised, session_scope(
            TenantContext(Role.RESELLER, world.seller.seller_id)) as session:
        overuse.set_recipients(session=session, seller_id=world.seller.seller_id,
                               recipients=overuse.Recipients(extra_addresses=("ok@a.test", "not an address")))
    assert raised.value.field == "extraAddresses.1"


# ---- the rules, without a database --------------------------------------------------------------

def thresholds(policy: OverusePolicy, **kwargs: int | None) -> Thresholds:
    return Thresholds(policy=policy, disk_limit=kwargs.get("disk_limit"), traffic_limit=kwargs.get("traffic_limit"),
                      disk_notify_at=kwargs.get("disk_notify_at"), traffic_notify_at=kwargs.get("traffic_notify_at"))


def test_a_limit_is_over_when_exceeded_and_a_soft_quota_when_reached():
    rules = thresholds(OverusePolicy.NOT_ALLOWED, disk_limit=2, disk_notify_at=1)
    assert over(rules, Measured(disk_bytes=2 * MB, traffic_bytes=0)) == {Alert.DISK_SOFT}
    assert over(rules, Measured(disk_bytes=2 * MB + 1, traffic_bytes=0)) == {Alert.DISK_SOFT, Alert.DISK_LIMIT}
    assert over(rules, Measured(disk_bytes=MB - 1, traffic_bytes=0)) == set()


def test_soft_quotas_do_not_apply_when_overuse_is_allowed():
    rules = thresholds(OverusePolicy.ALLOWED, disk_notify_at=1)
    assert over(rules, Measured(disk_bytes=5 * MB, traffic_bytes=0)) == set()


def test_only_the_suspend_policy_suspends_and_only_on_a_limit():
    suspend = thresholds(OverusePolicy.NOT_ALLOWED_SUSPEND)
    assert on_crossing(suspend, {Alert.DISK_SOFT}).suspend is False
    assert on_crossing(suspend, {Alert.TRAFFIC_LIMIT}).suspend is True
    assert on_crossing(thresholds(OverusePolicy.NOT_ALLOWED), {Alert.DISK_LIMIT}).suspend is False


def test_the_overuse_check_collects_the_previous_day_first_when_the_collection_has_not_run(world):
    from sqlalchemy import select

    from comptoir.hosting.usage_models import SubscriptionUsage
    from tests.hosting.support import system

    subscription_id = world.subscribe(world.plan(limits={Resource.DISK_SPACE: 1}))
    world.tell(subscription_id, disk_mb=3)
    with session_scope(system(world.seller.seller_id)) as session:
        summary = overuse.check(session=session, seller_id=world.seller.seller_id)
        days = list(session.scalars(select(SubscriptionUsage.day)))
    assert days == [clock.today() - timedelta(days=1)]
    assert summary == {"checked": 1, "suspended": 0, "notified": 2}


@settings(max_examples=200, deadline=None)
@given(policy=st.sampled_from(OverusePolicy), limit=st.none() | st.integers(0, 50),
       notify_at=st.none() | st.integers(0, 50), less=st.integers(0, 60 * MB), more=st.integers(0, 10 * MB))
def test_more_usage_is_never_over_fewer_thresholds(policy, limit, notify_at, less, more):
    rules = thresholds(policy, disk_limit=limit, traffic_limit=limit, disk_notify_at=notify_at,
                       traffic_notify_at=notify_at)
    assert over(rules, Measured(less, less)) <= over(rules, Measured(less + more, less + more))


@given(policy=st.sampled_from(OverusePolicy), crossed=st.sets(st.sampled_from(Alert)))
def test_a_crossing_notifies_only_thresholds_it_crossed_and_allowed_overuse_never_suspends(policy, crossed):
    outcome = on_crossing(thresholds(policy, disk_notify_at=1), crossed)
    assert outcome.notify <= crossed
    assert not (policy is OverusePolicy.ALLOWED and outcome.suspend)

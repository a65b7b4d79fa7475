"""SPEC §2 with measured usage: a reseller allowed to oversell is bound by actual usage, not by the sum of
the limits it gives, also under concurrent creations; mailbox size is a cap per mailbox (SPEC §4.2)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from comptoir import clock
from comptoir.database.engine import session_scope
from comptoir.errors import DomainError
from comptoir.hosting import plans, subscription_plans, subscriptions, usage
from comptoir.hosting import plan_values as pv
from comptoir.hosting.errors import HostingErrorCode as E
from comptoir.hosting.vocabulary import Resource
from tests.hosting.support import new, plan, subscribe, system
from tests.hosting.usage_support import build


@pytest.fixture
def world(monkeypatch, tmp_path):
    return build(monkeypatch, tmp_path, limits=[(Resource.DISK_SPACE, 100), (Resource.DOMAINS, 100),
                                                (Resource.MAILBOX_SIZE, 500)])


def collect_today(world) -> None:
    with session_scope(system(world.seller.seller_id)) as session:
        usage.collect(session=session, seller_id=world.seller.seller_id, day=clock.today())


def create(world, plan_id, **kwargs):
    with session_scope(system(world.seller.seller_id)) as session:
        return subscriptions.create(session, seller_id=world.seller.seller_id, new=new(world.entry, plan_id=plan_id,
                                                                                        **kwargs)).id


def error_of(work) -> E | None:
    try:
        work()
    except DomainError as error:
        return error.code
    return None


def test_with_overselling_creations_pass_the_sum_of_limits_until_actual_usage_reaches_the_allocation(world):
    # given overselling, an allocation of 100 MB of disk and a plan of 60 MB
    world.allocation(overselling_allowed=True)
    big = world.plan(limits={Resource.DISK_SPACE: 60, Resource.MAILBOX_SIZE: 100})
    # when three subscriptions are created (180 MB given) while 30 MB are used
    first = world.subscribe(big)
    world.subscribe(big)
    world.subscribe(big)
    world.tell(first, disk_mb=30)
    collect_today(world)
    # then a fourth is still accepted
    world.subscribe(big)
    # when actual usage reaches the allocation, then the next creation is refused
    world.tell(first, disk_mb=100)
    collect_today(world)
    assert error_of(lambda: create(world, big)) is E.ALLOCATION_EXCEEDED


def test_without_overselling_the_sum_of_limits_rule_stays_whatever_the_usage(world):
    big = world.plan(limits={Resource.DISK_SPACE: 60, Resource.MAILBOX_SIZE: 100, Resource.DOMAINS: 1})
    world.subscribe(big)
    collect_today(world)  # nothing used
    assert error_of(lambda: create(world, big)) is E.ALLOCATION_EXCEEDED


def test_with_overselling_a_raised_limit_is_refused_once_actual_usage_reached_the_allocation(world):
    world.allocation(overselling_allowed=True)
    small = world.plan(limits={Resource.DISK_SPACE: 60, Resource.MAILBOX_SIZE: 100})
    subscription_id = world.subscribe(small)

    def raise_to(limit: int):
        with session_scope(system(world.seller.seller_id)) as session:
            subscription_plans.customize(session=session, subscription_id=subscription_id,
                                         limits=[(Resource.DISK_SPACE, limit)])

    raise_to(200)  # 200 MB given out of 100 allocated: usage is what binds
    world.tell(subscription_id, disk_mb=100)
    collect_today(world)
    assert error_of(lambda: raise_to(300)) is E.ALLOCATION_EXCEEDED
    raise_to(150)  # lowering is always possible


def test_with_overselling_twenty_concurrent_creations_stop_exactly_when_actual_usage_reaches_the_allocation(world):
    # given overselling, 5 domains allocated, 2 in use, plans giving 10 domains each (sum far beyond)
    world.allocation(overselling_allowed=True, limits={Resource.DOMAINS: 5, Resource.DISK_SPACE: None})
    roomy = plan(world.seller.seller_id, limits={Resource.DOMAINS: 10, Resource.DISK_SPACE: 10,
                                                 Resource.MAILBOX_SIZE: 100})
    for _ in range(2):
        subscribe(world.seller.seller_id, world.entry, plan_id=roomy)

    def attempt(n: int) -> str:
        code = error_of(lambda: subscribe(world.seller.seller_id, world.entry, plan_id=roomy,
                                          domain=f"parallel{n}.example.com"))
        return "ok" if code is None else code.name

    # when 20 creations run at once (each creates its domain)
    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(attempt, range(20)))
    # then exactly three pass: actual domains reach 5, then every other one is refused
    assert outcomes.count("ok") == 3
    assert set(outcomes) == {"ok", "ALLOCATION_EXCEEDED"}


def test_with_overselling_twenty_concurrent_creations_are_all_refused_when_disk_usage_reached_the_allocation(world):
    world.allocation(overselling_allowed=True)
    small = world.plan(limits={Resource.DISK_SPACE: 10, Resource.MAILBOX_SIZE: 100})
    used = world.subscribe(small)
    world.tell(used, disk_mb=100)
    collect_today(world)

    def attempt(n: int):
        return error_of(lambda: subscribe(world.seller.seller_id, world.entry, plan_id=small,
                                          domain=f"late{n}.example.com"))

    with ThreadPoolExecutor(max_workers=20) as pool:
        assert set(pool.map(attempt, range(20))) == {E.ALLOCATION_EXCEEDED}


# ---- mailbox size: a cap per mailbox -------------------------------------------------------------

def test_a_plan_may_not_offer_a_larger_mailbox_than_the_resellers_allocation_allows(world):
    def make(size: int | None, name: str):
        values = pv.default_plan_values()
        values = values.with_limits(values.limits_map() | {Resource.MAILBOX_SIZE: size})
        with session_scope(system(world.seller.seller_id)) as session:
            plans.create(session=session, seller_id=world.seller.seller_id, kind=plans.PlanKind.SERVICE,
                         name=name, values=values)

    assert error_of(lambda: make(501, "Too big")) is E.MAILBOX_SIZE_OVER_CAP
    assert error_of(lambda: make(None, "Unlimited")) is E.MAILBOX_SIZE_OVER_CAP
    assert error_of(lambda: make(500, "At the cap")) is None


def test_mailbox_size_does_not_consume_allocation(world):
    # given a cap of 500 MB per mailbox and no overselling
    at_cap = world.plan(limits={Resource.DISK_SPACE: 10, Resource.MAILBOX_SIZE: 500, Resource.DOMAINS: 1})
    # when three subscriptions each get 500 MB mailboxes (1 500 MB if it were summed)
    for _ in range(3):
        world.subscribe(at_cap)
    # then nothing was refused, and the cap still bounds each one
    assert error_of(lambda: create(world, at_cap)) is None

"""Measured usage (SPEC §4.12) through the services: the local agent measures a webspace's files and its
access logs, the daily usage collection stores a row per subscription and day, history is kept per the
retention setting. The sandbox clock drives the days."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from sqlalchemy import select

from comptoir import clock
from comptoir.database.engine import session_scope
from comptoir.hosting import usage
from comptoir.hosting.usage_models import SubscriptionUsage
from comptoir.hosting.vocabulary import Resource
from comptoir.provisioning import access_log
from comptoir.settings import get_settings
from tests.hosting.support import system
from tests.hosting.usage_support import MB, build, next_day

BLOCK = 4096


@pytest.fixture
def world(monkeypatch, tmp_path):
    monkeypatch.setattr(get_settings(), "sandbox", True)
    yield build(monkeypatch, tmp_path)
    clock.set_offset(timedelta(0))


def rows(world, subscription_id) -> dict:
    with session_scope(system(world.seller.seller_id)) as session:
        return {row.day: (row.disk_bytes, row.traffic_bytes, row.objects) for row in session.scalars(
            select(SubscriptionUsage).where(SubscriptionUsage.subscription_id == subscription_id))}


def test_after_the_usage_event_used_disk_and_traffic_equal_what_was_written_to_the_webspace(world):
    # given a subscription whose webspace the local agent built, and its size before anything is written
    subscription_id = world.subscribe(world.plan())
    home = world.agent.webspace_path(subscription_id)
    before = world.agent.usage(subscription_id, since=clock.now(), until=clock.now()).disk_bytes
    # when 3 MB of files are written and the web server logs three requests today (and one of yesterday)
    today = clock.now()
    for n, size in enumerate((MB, 2 * MB - 100)):
        (home / "httpdocs" / f"file{n}.bin").write_bytes(os.urandom(size))
    (home / "logs").mkdir()
    log = home / "logs" / "access_log"
    log.write_text(access_log.line(moment=today - timedelta(days=1), size=999_999)
                   + "".join(access_log.line(moment=today, size=size) for size in (1000, 250_000, 5))
                   + "a torn line\n")
    written = 3 * MB - 100 + log.stat().st_size
    next_day(world)
    # then today's row holds the disk as measured (± a block per file) and exactly the bytes logged today
    disk, traffic, objects = rows(world, subscription_id)[today.date()]
    assert abs(disk - before - written) <= 3 * BLOCK
    assert traffic == 251_005
    assert objects == {"domains": 1}


def test_a_rotated_and_compressed_access_log_counts_too(tmp_path):
    import gzip
    from datetime import UTC, datetime

    moment = datetime(2026, 11, 3, 12, tzinfo=UTC)
    (tmp_path / "access_log").write_text(access_log.line(moment=moment, size=10))
    with gzip.open(tmp_path / "access_log.1.gz", "wt") as rotated:
        rotated.write(access_log.line(moment=moment - timedelta(hours=3), size=32))
    lines = access_log.log_lines(tmp_path)
    assert access_log.served_bytes(lines, since=moment - timedelta(hours=12), until=moment + timedelta(hours=1)) == 42


def test_the_collection_keeps_one_row_per_subscription_and_day_and_replaces_it_when_run_again(world):
    subscription_id = world.subscribe(world.plan())
    world.tell(subscription_id, disk_mb=5)
    with session_scope(system(world.seller.seller_id)) as session:
        usage.collect(session=session, seller_id=world.seller.seller_id, day=clock.today())
    world.tell(subscription_id, disk_mb=7)
    with session_scope(system(world.seller.seller_id)) as session:
        usage.collect(session=session, seller_id=world.seller.seller_id, day=clock.today())
    assert rows(world, subscription_id) == {clock.today(): (7 * MB, 0, {"domains": 1})}


def test_usage_history_older_than_the_retention_setting_is_deleted_by_the_collection(world, monkeypatch):
    # given a row per day for five days
    subscription_id = world.subscribe(world.plan())
    with session_scope(system(world.seller.seller_id)) as session:
        for back in range(5):
            usage.collect(session=session, seller_id=world.seller.seller_id, day=clock.today() - timedelta(days=back))
    # when the retention is two days and the next collection runs
    monkeypatch.setattr(get_settings(), "usage_retention_days", 2)
    with session_scope(system(world.seller.seller_id)) as session:
        result = usage.collect(session=session, seller_id=world.seller.seller_id, day=clock.today())
    # then only the last two days and today remain
    assert result["pruned"] == 2
    assert sorted(rows(world, subscription_id)) == [clock.today() - timedelta(days=n) for n in (2, 1, 0)]


def test_the_seller_figures_are_disk_as_last_collected_and_traffic_of_the_month(world):
    first, second = world.subscribe(world.plan()), world.subscribe(world.plan("Other"))
    world.tell(first, disk_mb=3, traffic_mb=10, objects={"mailboxes": 2})
    world.tell(second, disk_mb=4, traffic_mb=1)
    with session_scope(system(world.seller.seller_id)) as session:
        usage.collect(session=session, seller_id=world.seller.seller_id, day=clock.today())
        figures = usage.seller_figures(session, world.seller.seller_id)
    assert figures[Resource.DISK_SPACE] == 7 and figures[Resource.TRAFFIC] == 11
    assert figures[Resource.MAILBOXES] == 2 and figures[Resource.DOMAINS] == 2


def test_the_limited_sandbox_agent_reports_the_usage_it_was_told(world, monkeypatch):
    from comptoir.provisioning.hosting_agent import WebspaceUsage
    from comptoir.provisioning.local_agent import LimitedAgent

    monkeypatch.setattr(get_settings(), "hosting_agent", "limited")
    subscription_id = world.subscribe(world.plan())
    LimitedAgent(get_settings().webspace_root).tell_usage(
        subscription_id, WebspaceUsage(disk_bytes=5 * MB, traffic_bytes=7 * MB, objects={"mailboxes": 3}))
    with session_scope(system(world.seller.seller_id)) as session:
        usage.collect(session=session, seller_id=world.seller.seller_id, day=clock.today())
    assert rows(world, subscription_id)[clock.today()] == (5 * MB, 7 * MB, {"domains": 1, "mailboxes": 3})


def test_a_logs_folder_or_log_file_that_is_a_symbolic_link_is_not_read(tmp_path):
    from datetime import UTC, datetime

    moment = datetime(2026, 11, 3, 12, tzinfo=UTC)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "access_log").write_text(access_log.line(moment=moment, size=10))
    home = tmp_path / "home"
    home.mkdir()
    (home / "logs").symlink_to(outside)
    assert list(access_log.log_lines(home / "logs")) == []
    real = tmp_path / "real"
    real.mkdir()
    (real / "access_log").symlink_to(outside / "access_log")
    assert list(access_log.log_lines(real)) == []

"""Issue 8, settings survive (SPEC §4.7, §4.5): a subscription made custom by detaching or transferring keeps
every value, through renewals and resyncs; locked and unsynced subscriptions keep their own PHP levels."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from comptoir import clock
from comptoir.database.engine import session_scope
from comptoir.hosting import (
    inspection,
    php_settings,
    plans,
    rules,
    subscription_lifecycle,
    subscription_plans,
    subscriptions,
    sync,
)
from comptoir.hosting import plan_values as pv
from comptoir.hosting.models import Subscription
from comptoir.hosting.vocabulary import Resource
from comptoir.hosting.vocabulary import SubscriptionPermission as P
from tests import factories
from tests.hosting.support import addon, plan, pool_entry, subscribe, system


@pytest.fixture
def reseller():
    provider = factories.provider()
    seller = factories.reseller(provider, "Alpha", "alpha", limits=[(Resource.DISK_SPACE, 100_000)])
    return provider, seller, pool_entry(provider.seller_id, seller.seller_id)


def rich_values() -> pv.PlanValues:
    """A plan unlike the default plan in every group, so that falling back to it would show."""
    base = pv.default_plan_values()
    return replace(
        base,
        validity=pv.ValidityPeriod(1, pv.ValidityUnit.MONTHS),
        permissions=base.permissions | {P.DNS_ZONE_MANAGEMENT, P.SSH_ACCESS_MANAGEMENT, P.HARD_DISK_QUOTA_ASSIGNMENT},
        hosting=replace(base.hosting, hard_disk_quota=900, ssh_shell=pv.SshShell.BASH,
                        web_statistics=pv.WebStatisticsEngine.WEBALIZER, custom_error_documents=False,
                        scripting=frozenset({pv.ScriptingLanguage.PHP, pv.ScriptingLanguage.PERL})),
        php=pv.PhpSettings(handler=pv.PhpHandler.CGI, safe_mode=True, version="8.2",
                           directives=(("memory_limit", "256M"), ("short_open_tag", "on"))),
        mail=pv.MailSettings(webmail=False, mailing_lists_enabled=True,
                             nonexistent_user_policy=pv.NonexistentMailPolicy.BOUNCE, bounce_message="No such user"),
        dns=pv.DnsSettings(zone_type=pv.DnsZoneType.SLAVE),
        performance=pv.PerformanceSettings(max_bandwidth_kbps=512, max_connections=40),
        logs=pv.LogSettings(statistics_months=12, rotation=pv.LogRotation.BY_SIZE, rotation_size_kb=2048,
                            kept_logs=7, compress=False, email_processed_logs_to="logs@example.com"),
        all_applications=False, applications=frozenset({"wordpress"}),
    ).with_limits(base.limits_map() | {Resource.DISK_SPACE: 2000, Resource.MAILBOXES: 30})


def rich_subscription(seller_id, entry, **kwargs: Any) -> Any:
    rich = plan(seller_id, "Rich", values=rich_values())
    boost = addon(seller_id, "Boost", values=pv.PlanValues(
        php=pv.PhpSettings(directives=(("max_execution_time", "90"),))).with_limits({Resource.MAILBOXES: 5}))
    sid = subscribe(seller_id, entry, plan_id=rich, addon_ids=(boost,), **kwargs)
    with session_scope(system(seller_id)) as session:
        php_settings.set_directives(session=session, subscription_id=sid, directives={"display_errors": "on"})
    return sid


def snapshot(seller_id, subscription_id) -> tuple[dict[str, Any], dict[str, str]]:
    """Every group's effective values, and the effective PHP directives."""
    with session_scope(system(seller_id)) as session:
        row = session.get_one(Subscription, subscription_id)
        php = {e.directive: e.value for e in inspection.effective_php(session, row)}
        return rules.flatten(pv.from_json(row.values)), php


def expire_and_renew(seller_id, subscription_id) -> None:
    with session_scope(system(seller_id)) as session:
        row = session.get_one(Subscription, subscription_id)
        subscription_lifecycle.process_expirations(session=session, today=row.expiration_date)
    with session_scope(system(seller_id)) as session:
        subscription_lifecycle.renew(session=session, subscription_id=subscription_id,
                                     expiration=clock.today() + timedelta(days=365))


def test_a_detached_subscription_keeps_every_value_through_renewal_and_resync(reseller):
    _, seller, entry = reseller
    sid = rich_subscription(seller.seller_id, entry)
    before = snapshot(seller.seller_id, sid)
    assert before[0]["limit.mailboxes"] == 35 and before[1]["max_execution_time"] == "90"
    with session_scope(system(seller.seller_id)) as session:
        subscription_plans.detach(session=session, subscription_id=sid)
    assert snapshot(seller.seller_id, sid) == before
    expire_and_renew(seller.seller_id, sid)
    assert snapshot(seller.seller_id, sid) == before
    with session_scope(system(seller.seller_id)) as session:
        subscriptions.resync(session, session.get_one(Subscription, sid))
    assert snapshot(seller.seller_id, sid) == before
    assert load_row(seller.seller_id, sid).plan_id is None


def test_a_transferred_subscription_keeps_every_value_through_renewal(reseller):
    _, seller, entry = reseller
    old, new_owner = factories.customer(seller, "olduser"), factories.customer(seller, "newuser")
    sid = rich_subscription(seller.seller_id, entry, customer_id=old.customer_id)
    before = snapshot(seller.seller_id, sid)
    with session_scope(system(seller.seller_id)) as session:
        subscription_lifecycle.transfer(session=session, subscription_id=sid, to_customer_id=new_owner.customer_id)
    assert snapshot(seller.seller_id, sid) == before
    expire_and_renew(seller.seller_id, sid)
    assert snapshot(seller.seller_id, sid) == before
    assert load_row(seller.seller_id, sid).customer_id == new_owner.customer_id


def test_unlock_and_sync_keeps_the_subscriptions_own_php_level(reseller):
    _, seller, entry = reseller
    sid = rich_subscription(seller.seller_id, entry)
    with session_scope(system(seller.seller_id)) as session:
        subscription_plans.customize(session=session, subscription_id=sid, limits=[(Resource.MAILBOXES, 3)])
        subscription_plans.unlock_and_sync(session=session, subscription_id=sid)
    _, php = snapshot(seller.seller_id, sid)
    assert php["display_errors"] == "on"


def load_row(seller_id, subscription_id) -> Subscription:
    with session_scope(system(seller_id)) as session:
        return session.get_one(Subscription, subscription_id)


def test_a_plans_php_change_does_not_reach_locked_nor_unsynced_subscriptions(reseller):
    _, seller, entry = reseller
    base = pv.default_plan_values()
    gold = plan(seller.seller_id, values=replace(base, php=replace(base.php, directives=(("memory_limit", "256M"),)))
                .with_limits(base.limits_map() | {Resource.DISK_SPACE: 30_000}))
    synced, locked, unsynced = (subscribe(seller.seller_id, entry, plan_id=gold) for _ in range(3))
    with session_scope(system(seller.seller_id)) as session:
        subscription_plans.customize(session=session, subscription_id=locked, limits=[(Resource.MAILBOXES, 3)])
    with session_scope(system(seller.seller_id)) as session:
        values = plans.values_of(plans.get_or_raise(session, plan_id=gold))
        # 100 000 MB allocated, 3 × 30 000 used: one synced subscription can grow to 40 000, not both.
        plans.update(session=session, plan_id=gold, name=None, values=replace(
            values, php=replace(values.php, directives=(("memory_limit", "512M"),))).with_limits(
            values.limits_map() | {Resource.DISK_SPACE: 40_000}))
        outcome = sync.update_and_sync(session, plan_id=gold)
    assert outcome.unsynced == 1
    states = {sid: load_row(seller.seller_id, sid).sync_state for sid in (synced, unsynced)}
    grown, stuck = sorted(states, key=lambda sid: states[sid])
    assert (states[grown], states[stuck]) == ("synced", "unsynced")
    memory = {sid: snapshot(seller.seller_id, sid)[1]["memory_limit"] for sid in (grown, locked, stuck)}
    assert memory == {grown: "512M", locked: "256M", stuck: "256M"}

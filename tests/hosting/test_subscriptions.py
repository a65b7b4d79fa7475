"""Subscriptions, plans and their synchronisation, through the services on a real database (SPEC §4)."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime

import pytest

from comptoir import clock
from comptoir.database.engine import session_scope
from comptoir.errors import DomainError
from comptoir.hosting import (
    customer_accounts,
    plans,
    subscription_lifecycle,
    subscription_plans,
    subscriptions,
    sync,
)
from comptoir.hosting import plan_values as pv
from comptoir.hosting.errors import HostingErrorCode as E
from comptoir.hosting.models import Subscription
from comptoir.hosting.vocabulary import Resource
from comptoir.hosting.vocabulary import SubscriptionPermission as P
from comptoir.tenancy.allocation import ResellerOnlyPermission
from comptoir.tenancy.context import Role, TenantContext
from comptoir.tenancy.models import ResellerAllocation
from tests import factories
from tests.hosting.support import addon, new, plan, pool_entry, subscribe, system


@pytest.fixture
def reseller():
    provider = factories.provider()
    seller = factories.reseller(provider, "Alpha", "alpha", limits=[(Resource.DISK_SPACE, 100_000),
                                                                      (Resource.SUBSCRIPTIONS, 10)])
    with session_scope(TenantContext(Role.PROVIDER, provider.seller_id)) as session:
        allocation = session.get_one(ResellerAllocation, seller.seller_id)
        allocation.permissions = allocation.permissions | {ResellerOnlyPermission.CREATE_SUBSCRIPTIONS.value: True,
                                                          ResellerOnlyPermission.CREATE_CUSTOMERS.value: True}
    entry = pool_entry(provider.seller_id, seller.seller_id)
    return provider, seller, entry


def load(seller_id, subscription_id) -> Subscription:
    with session_scope(system(seller_id)) as session:
        return session.get_one(Subscription, subscription_id)


def expect_error(code, seller_id, work):
    with pytest.raises(DomainError) as raised, session_scope(system(seller_id)) as session:
        work(session)
    assert raised.value.code is code, raised.value.message


def test_subscription_on_plan_gets_the_plan_values_and_is_named_after_domain_and_plan(reseller):
    _, seller, entry = reseller
    gold = plan(seller.seller_id, "Gold", limits={Resource.DISK_SPACE: 300, Resource.MAILBOXES: 20})
    sid = subscribe(seller.seller_id, entry, plan_id=gold, domain="Shop.Example.COM")
    row = load(seller.seller_id, sid)
    values = pv.from_json(row.values)
    assert (values.limit(Resource.DISK_SPACE), values.limit(Resource.MAILBOXES)) == (300, 20)
    assert subscriptions.display_name(row, "Gold") == "shop.example.com (Gold)"
    assert row.sync_state == "synced"


def test_custom_subscription_starts_from_the_default_plan(reseller):
    _, seller, entry = reseller
    sid = subscribe(seller.seller_id, entry)
    row = load(seller.seller_id, sid)
    assert row.plan_id is None
    assert pv.from_json(row.values).limits_map() == pv.default_plan_values().limits_map()
    assert subscriptions.display_name(row, None).endswith("(Custom)")


def test_addon_twice_is_refused(reseller):
    _, seller, entry = reseller
    gold, extra = plan(seller.seller_id), addon(seller.seller_id, "Extra mail", limits={Resource.MAILBOXES: 5})
    sid = subscribe(seller.seller_id, entry, plan_id=gold, addon_ids=(extra,))
    expect_error(E.ADDON_ALREADY_ADDED, seller.seller_id,
                 lambda s: subscription_plans.add_addon(session=s, subscription_id=sid, addon_id=extra))
    expect_error(E.ADDON_ALREADY_ADDED, seller.seller_id, lambda s: subscriptions.create(
        s, seller_id=seller.seller_id, new=new(entry, plan_id=gold, addon_ids=(extra, extra))))


def test_addon_needs_a_service_plan(reseller):
    _, seller, entry = reseller
    extra = addon(seller.seller_id, "Extra")
    expect_error(E.ADDON_NEEDS_PLAN, seller.seller_id, lambda s: subscriptions.create(
        s, seller_id=seller.seller_id, new=new(entry, addon_ids=(extra,))))
    custom = subscribe(seller.seller_id, entry)
    expect_error(E.ADDON_NEEDS_PLAN, seller.seller_id,
                 lambda s: subscription_plans.add_addon(session=s, subscription_id=custom, addon_id=extra))


def test_addon_values_are_added_and_removing_it_takes_them_back(reseller):
    _, seller, entry = reseller
    gold = plan(seller.seller_id, limits={Resource.MAILBOXES: 10})
    extra = addon(seller.seller_id, "Extra mail", limits={Resource.MAILBOXES: 5})
    sid = subscribe(seller.seller_id, entry, plan_id=gold)
    with session_scope(system(seller.seller_id)) as session:
        subscription_plans.add_addon(session=session, subscription_id=sid, addon_id=extra)
    assert pv.from_json(load(seller.seller_id, sid).values).limit(Resource.MAILBOXES) == 15
    with session_scope(system(seller.seller_id)) as session:
        subscription_plans.remove_addon(session=session, subscription_id=sid, addon_id=extra)
    assert pv.from_json(load(seller.seller_id, sid).values).limit(Resource.MAILBOXES) == 10


def test_plan_in_use_cannot_be_deleted(reseller):
    _, seller, entry = reseller
    gold = plan(seller.seller_id)
    subscribe(seller.seller_id, entry, plan_id=gold)
    expect_error(E.PLAN_IN_USE, seller.seller_id, lambda s: plans.delete(session=s, plan_id=gold))
    unused = plan(seller.seller_id, "Unused")
    with session_scope(system(seller.seller_id)) as session:
        plans.delete(session=session, plan_id=unused)


def test_plan_update_reaches_synced_subscriptions_but_not_locked_ones(reseller):
    _, seller, entry = reseller
    gold = plan(seller.seller_id, limits={Resource.MAILBOXES: 10})
    synced, locked = subscribe(seller.seller_id, entry, plan_id=gold), subscribe(seller.seller_id, entry, plan_id=gold)
    with session_scope(system(seller.seller_id)) as session:
        subscription_plans.customize(session=session, subscription_id=locked, limits=[(Resource.MAILBOXES, 3)])
    with session_scope(system(seller.seller_id)) as session:
        values = plans.values_of(plans.get_or_raise(session, plan_id=gold))
        plans.update(session=session, plan_id=gold, name=None,
                     values=values.with_limits(values.limits_map() | {Resource.MAILBOXES: 40}))
        outcome = sync.update_and_sync(session, plan_id=gold)
    assert outcome.subscriptions == 1
    assert pv.from_json(load(seller.seller_id, synced).values).limit(Resource.MAILBOXES) == 40
    locked_row = load(seller.seller_id, locked)
    assert (locked_row.sync_state, pv.from_json(locked_row.values).limit(Resource.MAILBOXES)) == ("locked", 3)
    with session_scope(system(seller.seller_id)) as session:
        subscription_plans.unlock_and_sync(session=session, subscription_id=locked)
    assert pv.from_json(load(seller.seller_id, locked).values).limit(Resource.MAILBOXES) == 40


def test_plan_change_beyond_the_allocation_makes_subscriptions_unsynced_with_a_conflict_report(reseller):
    _, seller, entry = reseller
    gold = plan(seller.seller_id, limits={Resource.DISK_SPACE: 40_000})
    first, second = subscribe(seller.seller_id, entry, plan_id=gold), subscribe(seller.seller_id, entry, plan_id=gold)
    with session_scope(system(seller.seller_id)) as session:
        values = plans.values_of(plans.get_or_raise(session, plan_id=gold))
        plans.update(session=session, plan_id=gold, name=None,
                     values=values.with_limits(values.limits_map() | {Resource.DISK_SPACE: 60_000}))
        outcome = sync.update_and_sync(session, plan_id=gold)
    # 100 000 MB allocated: the first fits at 60 000 (+ 40 000), the second cannot (40 000 left).
    assert outcome.unsynced == 1
    rows = sorted([load(seller.seller_id, first), load(seller.seller_id, second)], key=lambda r: r.sync_state)
    assert [r.sync_state for r in rows] == ["synced", "unsynced"]
    unsynced = rows[1]
    assert unsynced.conflicts == [{"name": "limit.disk_space", "plan_value": 60_000, "available_value": 40_000,
                                   "reason": "allocation"}]
    assert pv.from_json(unsynced.values).limit(Resource.DISK_SPACE) == 40_000  # cancelling changes nothing
    with session_scope(system(seller.seller_id)) as session:
        accepted = subscription_plans.accept_available(session=session, subscription_id=unsynced.id)
        assert (accepted.sync_state, pv.from_json(accepted.values).limit(Resource.DISK_SPACE)) == ("locked", 40_000)


def test_creation_beyond_the_allocation_is_refused_without_overselling(reseller):
    _, seller, entry = reseller
    big = plan(seller.seller_id, limits={Resource.DISK_SPACE: 60_000})
    subscribe(seller.seller_id, entry, plan_id=big)
    expect_error(E.ALLOCATION_EXCEEDED, seller.seller_id, lambda s: subscriptions.create(
        s, seller_id=seller.seller_id, new=new(entry, plan_id=big)))


def test_with_overselling_the_sum_of_limits_may_exceed_the_allocation(reseller):
    provider, seller, entry = reseller
    with session_scope(TenantContext(Role.PROVIDER, provider.seller_id)) as session:
        session.get_one(ResellerAllocation, seller.seller_id).overselling_allowed = True
    big = plan(seller.seller_id, limits={Resource.DISK_SPACE: 60_000})
    subscribe(seller.seller_id, entry, plan_id=big)
    subscribe(seller.seller_id, entry, plan_id=big)


def test_unlimited_plan_is_refused_against_a_finite_allocation(reseller):
    _, seller, entry = reseller
    unlimited = plan(seller.seller_id, limits={Resource.DISK_SPACE: None})
    expect_error(E.ALLOCATION_EXCEEDED, seller.seller_id, lambda s: subscriptions.create(
        s, seller_id=seller.seller_id, new=new(entry, plan_id=unlimited)))


def test_parallel_creations_respect_the_subscription_limit_exactly(reseller):
    provider, seller, entry = reseller
    with session_scope(TenantContext(Role.PROVIDER, provider.seller_id)) as session:
        allocation = session.get_one(ResellerAllocation, seller.seller_id)
        allocation.limits = allocation.limits | {"subscriptions": 4, "disk_space": None}
    small = plan(seller.seller_id, limits={Resource.DISK_SPACE: 10})

    def attempt(n: int) -> str:
        try:
            subscribe(seller.seller_id, entry, plan_id=small, domain=f"parallel{n}.example.com")
            return "ok"
        except DomainError as error:
            return error.code.name

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(attempt, range(20)))
    assert outcomes.count("ok") == 4
    assert set(outcomes) == {"ok", "SUBSCRIPTION_LIMIT_REACHED"}


def test_domain_is_unique_across_tenants(reseller):
    provider, seller, entry = reseller
    subscribe(seller.seller_id, entry, domain="taken.example.com")
    provider_entry = pool_entry(provider.seller_id, provider.seller_id)
    expect_error(E.DOMAIN_TAKEN, provider.seller_id, lambda s: subscriptions.create(
        s, seller_id=provider.seller_id, new=new(provider_entry, domain="TAKEN.example.com")))


def test_dedicated_ip_serves_one_customer_only(reseller):
    provider, seller, _ = reseller
    dedicated = pool_entry(provider.seller_id, seller.seller_id, kind="dedicated")
    first, second = factories.customer(seller, "first"), factories.customer(seller, "second")
    subscribe(seller.seller_id, dedicated, customer_id=first.customer_id)
    subscribe(seller.seller_id, dedicated, customer_id=first.customer_id)
    expect_error(E.IP_DEDICATED_TO_ANOTHER_CUSTOMER, seller.seller_id, lambda s: subscriptions.create(
        s, seller_id=seller.seller_id, new=new(dedicated, customer_id=second.customer_id)))


def test_transfer_makes_subscription_custom(reseller):
    _, seller, entry = reseller
    gold, extra = plan(seller.seller_id, limits={Resource.MAILBOXES: 10}), addon(
        seller.seller_id, "Extra", limits={Resource.MAILBOXES: 5})
    old, new_owner = factories.customer(seller, "olduser"), factories.customer(seller, "newuser")
    sid = subscribe(seller.seller_id, entry, plan_id=gold, addon_ids=(extra,), customer_id=old.customer_id)
    with session_scope(system(seller.seller_id)) as session:
        preview = subscription_lifecycle.preview_transfer(session=session, subscription_id=sid, to_customer_id=new_owner.customer_id)
        assert (preview.plan_removed, preview.addons_removed, preview.becomes_custom) == (gold, (extra,), True)
        subscription_lifecycle.transfer(session=session, subscription_id=sid, to_customer_id=new_owner.customer_id)
    row = load(seller.seller_id, sid)
    assert (row.customer_id, row.plan_id) == (new_owner.customer_id, None)
    assert pv.from_json(row.values).limit(Resource.MAILBOXES) == 15  # keeps what it had
    with session_scope(system(seller.seller_id)) as session:
        assert subscriptions.addon_ids(session, sid) == []


def test_activated_expired_subscription_is_suspended_next_day(reseller):
    _, seller, entry = reseller
    monthly = plan(seller.seller_id, values=pv.PlanValues(validity=pv.ValidityPeriod(1, pv.ValidityUnit.MONTHS))
                   .with_limits({Resource.DISK_SPACE: 10}))
    with clock.frozen_at(datetime(2026, 1, 31, 9, tzinfo=UTC)):
        sid = subscribe(seller.seller_id, entry, plan_id=monthly)
    assert load(seller.seller_id, sid).expiration_date == date(2026, 2, 28)
    with session_scope(system(seller.seller_id)) as session:
        assert subscription_lifecycle.process_expirations(session=session, today=date(2026, 2, 27)) == []
        assert subscription_lifecycle.process_expirations(session=session, today=date(2026, 2, 28)) == [sid]
    row = load(seller.seller_id, sid)
    assert (row.status, row.suspension_reason) == ("suspended", "expired")
    with session_scope(system(seller.seller_id)) as session:
        subscription_lifecycle.activate(session=session, subscription_id=sid)
    with session_scope(system(seller.seller_id)) as session:
        assert subscription_lifecycle.process_expirations(session=session, today=date(2026, 3, 1)) == [sid]
    assert load(seller.seller_id, sid).status == "suspended"


def test_renewal_activates_with_a_new_expiration_and_resyncs(reseller):
    _, seller, entry = reseller
    monthly = plan(seller.seller_id, values=pv.PlanValues(validity=pv.ValidityPeriod(10, pv.ValidityUnit.DAYS))
                   .with_limits({Resource.DISK_SPACE: 10}))
    with clock.frozen_at(datetime(2026, 3, 1, tzinfo=UTC)):
        sid = subscribe(seller.seller_id, entry, plan_id=monthly)
        with session_scope(system(seller.seller_id)) as session:
            subscription_plans.customize(session=session, subscription_id=sid, limits=[(Resource.DISK_SPACE, 5)])
    with session_scope(system(seller.seller_id)) as session:
        subscription_lifecycle.process_expirations(session=session, today=date(2026, 3, 11))
    with clock.frozen_at(datetime(2026, 3, 12, tzinfo=UTC)), session_scope(system(seller.seller_id)) as session:
        renewed = subscription_lifecycle.renew(session=session, subscription_id=sid, expiration=date(2027, 3, 12))
        assert (renewed.status, renewed.sync_state, renewed.expiration_date) == ("active", "synced", date(2027, 3, 12))
        assert pv.from_json(renewed.values).limit(Resource.DISK_SPACE) == 10


def test_customize_refuses_common_php_without_hosting_settings_management(reseller):
    _, seller, entry = reseller
    sid = subscribe(seller.seller_id, entry, plan_id=plan(seller.seller_id))
    expect_error(E.NEEDS_HOSTING_SETTINGS_MANAGEMENT, seller.seller_id, lambda s: subscription_plans.customize(
        session=s, subscription_id=sid, permissions={P.COMMON_PHP_SETTINGS_MANAGEMENT: True}))


def test_plan_with_dependent_permission_is_refused(reseller):
    _, seller, _ = reseller
    with pytest.raises(DomainError) as raised:
        plan(seller.seller_id, "Bad", values=pv.PlanValues(permissions=frozenset({P.PERFORMANCE_SETTINGS_MANAGEMENT})))
    assert raised.value.code is E.NEEDS_HOSTING_SETTINGS_MANAGEMENT


def test_customer_suspension_suspends_its_subscriptions_and_activation_restores_only_those(reseller):
    _, seller, entry = reseller
    customer = factories.customer(seller, "cust")
    kept_suspended = subscribe(seller.seller_id, entry, customer_id=customer.customer_id)
    other = subscribe(seller.seller_id, entry, customer_id=customer.customer_id)
    with session_scope(system(seller.seller_id)) as session:
        subscription_lifecycle.suspend(session=session, subscription_id=kept_suspended)
        customer_accounts.suspend(session=session, customer_id=customer.customer_id)
    assert load(seller.seller_id, other).status == "suspended"
    with session_scope(system(seller.seller_id)) as session:
        customer_accounts.activate(session=session, customer_id=customer.customer_id)
    assert load(seller.seller_id, other).status == "active"
    assert load(seller.seller_id, kept_suspended).suspension_reason == "manual"


def test_customer_deletion_deletes_its_subscriptions(reseller):
    _, seller, entry = reseller
    customer = factories.customer(seller, "gone")
    sid = subscribe(seller.seller_id, entry, customer_id=customer.customer_id)
    expect_error(E.CONFIRMATION_REQUIRED, seller.seller_id,
                 lambda s: customer_accounts.delete(session=s, customer_id=customer.customer_id, confirm=False))
    with session_scope(system(seller.seller_id)) as session:
        customer_accounts.delete(session=session, customer_id=customer.customer_id, confirm=True)
    with session_scope(system(seller.seller_id)) as session:
        assert session.get(Subscription, sid) is None


def test_large_plan_sync_runs_as_a_tracked_job(reseller, monkeypatch):
    provider, seller, entry = reseller
    with session_scope(TenantContext(Role.PROVIDER, provider.seller_id)) as session:
        allocation = session.get_one(ResellerAllocation, seller.seller_id)
        allocation.limits = allocation.limits | {"subscriptions": None, "disk_space": None}
    monkeypatch.setattr(sync, "INLINE_LIMIT", 3)
    monkeypatch.setattr(sync, "BATCH_SIZE", 2)
    gold = plan(seller.seller_id, limits={Resource.MAILBOXES: 1})
    ids = [subscribe(seller.seller_id, entry, plan_id=gold) for _ in range(5)]
    with session_scope(system(seller.seller_id)) as session:
        values = plans.values_of(plans.get_or_raise(session, plan_id=gold))
        plans.update(session=session, plan_id=gold, name=None,
                     values=values.with_limits(values.limits_map() | {Resource.MAILBOXES: 7}))
        outcome = sync.update_and_sync(session, plan_id=gold)
        assert outcome.job_id is not None
    # the job was dispatched after commit (a thread in embedded mode): run it here too — idempotent
    assert sync.run_plan_sync_job(seller.seller_id, outcome.job_id) in ("done",)
    from comptoir.hosting.models import BackgroundJob

    with session_scope(system(seller.seller_id)) as session:
        job = session.get_one(BackgroundJob, outcome.job_id)
        assert (job.status, job.done, job.total) == ("done", 5, 5)
    assert {pv.from_json(load(seller.seller_id, i).values).limit(Resource.MAILBOXES) for i in ids} == {7}


def test_bad_domain_and_login_are_typed_errors(reseller):
    _, seller, entry = reseller
    expect_error(E.INVALID_DOMAIN, seller.seller_id, lambda s: subscriptions.create(
        s, seller_id=seller.seller_id, new=new(entry, domain="not a domain")))
    expect_error(E.INVALID_LOGIN, seller.seller_id, lambda s: subscriptions.create(
        s, seller_id=seller.seller_id, new=new(entry, system_login="Root User")))


def test_unknown_ids_are_not_found(reseller):
    _, seller, entry = reseller
    expect_error(E.NOT_FOUND, seller.seller_id, lambda s: subscription_lifecycle.suspend(session=s, subscription_id=uuid.uuid4()))
    expect_error(E.NOT_FOUND, seller.seller_id, lambda s: subscriptions.create(
        s, seller_id=seller.seller_id, new=new(entry, plan_id=uuid.uuid4())))




def test_what_the_hosting_agent_cannot_provide_makes_a_new_subscription_unsynced(reseller, monkeypatch, tmp_path):
    from comptoir.settings import get_settings

    _, seller, entry = reseller
    monkeypatch.setattr(get_settings(), "hosting_agent", "limited")
    monkeypatch.setattr(get_settings(), "webspace_root", tmp_path)
    modern = plan(seller.seller_id, "Modern", limits={Resource.DISK_SPACE: 500})  # PHP 8.3 by default
    sid = subscribe(seller.seller_id, entry, plan_id=modern)
    row = load(seller.seller_id, sid)
    assert row.sync_state == "unsynced"
    assert {"name": "php.version", "plan_value": "8.3", "available_value": "8.1", "reason": "server"} in row.conflicts
    with session_scope(system(seller.seller_id)) as session:
        still = subscription_plans.synchronize(session=session, subscription_id=sid)
        assert still.sync_state == "unsynced"  # retrying changes nothing while the agent cannot
    with session_scope(system(seller.seller_id)) as session:
        accepted = subscription_plans.accept_available(session=session, subscription_id=sid)
        assert (accepted.sync_state, pv.from_json(accepted.values).php.version) == ("locked", "8.1")


def test_deleting_a_reseller_with_subscriptions_and_addons_removes_everything(reseller):
    from comptoir.tenancy import resellers

    provider, seller, entry = reseller
    gold, extra = plan(seller.seller_id), addon(seller.seller_id, "Extra", limits={Resource.MAILBOXES: 1})
    subscribe(seller.seller_id, entry, plan_id=gold, addon_ids=(extra,))
    with session_scope(TenantContext(Role.PROVIDER, provider.seller_id)) as session:
        resellers.delete(session, reseller_id=seller.seller_id)
    with session_scope(TenantContext(Role.PROVIDER, provider.seller_id)) as session:
        from sqlalchemy import func, select

        assert session.scalar(select(func.count()).select_from(Subscription)) == 0


def test_php_directive_set_at_a_site_needs_the_customers_permission_and_default_inherits_again(reseller):
    from comptoir.hosting import inspection, php_settings
    from comptoir.hosting.models import Site
    from comptoir.hosting.rules import PhpLevelKind

    _, seller, entry = reseller
    sid = subscribe(seller.seller_id, entry, plan_id=plan(seller.seller_id))
    with session_scope(system(seller.seller_id)) as session:
        site_id = inspection.sites_of(session, sid)[0].id
    expect_error(E.NOT_PERMITTED, seller.seller_id, lambda s: php_settings.set_directives(
        session=s, subscription_id=sid, site_id=site_id, directives={"memory_limit": "512M"}, as_customer=True))
    with session_scope(system(seller.seller_id)) as session:
        php_settings.set_directives(session=session, subscription_id=sid, directives={"memory_limit": "256M"})
        php_settings.set_directives(session=session, subscription_id=sid, site_id=site_id,
                                    directives={"display_errors": "on"})
    with session_scope(system(seller.seller_id)) as session:
        row = session.get_one(Subscription, sid)
        at_subscription = {e.directive: e for e in inspection.effective_php(session, row)}
        assert (at_subscription["memory_limit"].value, at_subscription["memory_limit"].level) == (
            "256M", PhpLevelKind.SUBSCRIPTION)
        # the customer lacks common PHP settings management: the site's override does not apply
        at_site = {e.directive: e for e in inspection.effective_php(session, row, site_id=site_id)}
        assert at_site["display_errors"].level is PhpLevelKind.SERVER
        php_settings.set_directives(session=session, subscription_id=sid, directives={"memory_limit": "Default"})
    with session_scope(system(seller.seller_id)) as session:
        row = session.get_one(Subscription, sid)
        assert {e.directive: e for e in inspection.effective_php(session, row)}["memory_limit"].value == "128M"
        assert session.get_one(Site, site_id).php_directives == {"display_errors": "on"}
    expect_error(E.INVALID, seller.seller_id, lambda s: php_settings.set_directives(
        session=s, subscription_id=sid, directives={"no_such_directive": "1"}))

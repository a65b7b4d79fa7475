"""Issue 8, through the services on a real database: reseller permissions cascade (SPEC §2),
synchronisation exclusions and accepting available values of every conflict kind (SPEC §4.6)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from comptoir.automation import intents
from comptoir.database.engine import session_scope
from comptoir.hosting import plan_values as pv
from comptoir.hosting import plans, subscription_plans, subscriptions, sync
from comptoir.hosting.models import BackgroundJob, Subscription
from comptoir.hosting.vocabulary import Resource
from comptoir.hosting.vocabulary import SubscriptionPermission as P
from comptoir.provisioning import hosting_agent
from comptoir.provisioning.hosting_agent import AgentCapabilities, OsFamily
from comptoir.provisioning.local_agent import LIMITED_CAPABILITIES, LocalDirectoryAgent
from comptoir.settings import get_settings
from comptoir.tenancy.allocation import ResellerPermission
from comptoir.tenancy.context import Role, TenantContext
from comptoir.tenancy.models import ResellerAllocation
from tests import factories
from tests.hosting.support import plan, pool_entry, subscribe, system

WINDOWS_SERVER = AgentCapabilities(
    os_family=OsFamily.WINDOWS, hard_disk_quota=False,
    php_handlers=frozenset({pv.PhpHandler.ISAPI, pv.PhpHandler.FASTCGI}), php_versions=("8.1",),
    scripting=frozenset({pv.ScriptingLanguage.PHP, pv.ScriptingLanguage.ASP_NET}), max_disk_space=1024)


@pytest.fixture
def reseller():
    provider = factories.provider()
    seller = factories.reseller(provider, "Alpha", "alpha", limits=[(Resource.DISK_SPACE, 100_000)])
    return provider, seller, pool_entry(provider.seller_id, seller.seller_id)


@pytest.fixture
def agent(monkeypatch, tmp_path) -> LocalDirectoryAgent:
    monkeypatch.setattr(get_settings(), "hosting_agent", "local")
    monkeypatch.setattr(get_settings(), "webspace_root", tmp_path)
    return LocalDirectoryAgent(tmp_path)


def withdraw(provider, seller, *permissions: P) -> None:
    """The provider's allocation of `seller` lacks these permissions."""
    with session_scope(TenantContext(Role.PROVIDER, provider.seller_id)) as session:
        allocation = session.get_one(ResellerAllocation, seller.seller_id)
        allocation.permissions = allocation.permissions | {p.value: False for p in permissions}


def load(seller_id, subscription_id) -> Subscription:
    with session_scope(system(seller_id)) as session:
        return session.get_one(Subscription, subscription_id)


def values_of(seller_id, subscription_id) -> pv.PlanValues:
    return pv.from_json(load(seller_id, subscription_id).values)


def ssh_plan(seller_id, name: str = "Shell") -> object:
    base = pv.default_plan_values()
    return plan(seller_id, name, values=replace(base, permissions=base.permissions | {P.SSH_ACCESS_MANAGEMENT},
                                                hosting=replace(base.hosting, ssh_shell=pv.SshShell.BASH)))


def deliver(published_intents) -> None:
    for seller_id, request_id in published_intents["provisioning"]:
        intents.perform("provisioning", seller_id, request_id)
    published_intents["provisioning"].clear()


# ---- reseller permissions cascade -------------------------------------------------------------

def test_a_reseller_without_ssh_management_sells_ssh_but_no_subscription_nor_agent_gets_it(
        reseller, agent, published_intents):
    provider, seller, entry = reseller
    withdraw(provider, seller, P.SSH_ACCESS_MANAGEMENT)
    shell = ssh_plan(seller.seller_id)
    sid = subscribe(seller.seller_id, entry, plan_id=shell)
    deliver(published_intents)
    row = load(seller.seller_id, sid)
    values = pv.from_json(row.values)
    assert P.SSH_ACCESS_MANAGEMENT not in values.permissions
    assert values.hosting.ssh_shell is pv.SshShell.FORBIDDEN
    assert row.sync_state == "synced"  # a withheld permission does not make it unsynced
    assert {"name": "permission.ssh_access_management", "plan_value": True, "available_value": False,
            "reason": "reseller_permission"} in row.conflicts
    sent = agent.read_spec(sid)["values"]
    assert (sent["permission.ssh_access_management"], sent["hosting.ssh_shell"]) == (False, "/bin/false")
    with session_scope(system(seller.seller_id)) as session:  # the plan keeps what it offers
        offered = plans.values_of(plans.get_or_raise(session, plan_id=shell))
    assert (P.SSH_ACCESS_MANAGEMENT in offered.permissions, offered.hosting.ssh_shell) == (True, pv.SshShell.BASH)


def test_the_cascade_holds_through_update_and_sync_and_lifts_when_the_permission_is_granted(reseller):
    provider, seller, entry = reseller
    withdraw(provider, seller, P.SSH_ACCESS_MANAGEMENT)
    shell = ssh_plan(seller.seller_id)
    sid = subscribe(seller.seller_id, entry, plan_id=shell)
    with session_scope(system(seller.seller_id)) as session:
        values = plans.values_of(plans.get_or_raise(session, plan_id=shell))
        plans.update(session=session, plan_id=shell, name=None,
                     values=values.with_limits(values.limits_map() | {Resource.MAILBOXES: 77}))
        sync.update_and_sync(session, plan_id=shell)
    synced = values_of(seller.seller_id, sid)
    assert (synced.limit(Resource.MAILBOXES), synced.hosting.ssh_shell) == (77, pv.SshShell.FORBIDDEN)
    with session_scope(TenantContext(Role.PROVIDER, provider.seller_id)) as session:
        allocation = session.get_one(ResellerAllocation, seller.seller_id)
        allocation.permissions = allocation.permissions | {P.SSH_ACCESS_MANAGEMENT.value: True}
    with session_scope(system(seller.seller_id)) as session:
        subscriptions.resync(session, session.get_one(Subscription, sid))
    row = load(seller.seller_id, sid)
    assert (pv.from_json(row.values).hosting.ssh_shell, row.conflicts) == (pv.SshShell.BASH, [])


def change_reseller_permissions(provider, seller, granted) -> None:
    from comptoir.tenancy import resellers

    with session_scope(TenantContext(Role.PROVIDER, provider.seller_id)) as session:
        resellers.update(session, reseller_id=seller.seller_id, permissions=list(granted))


def test_withdrawing_a_resellers_permission_reaches_its_existing_subscriptions_and_granting_it_back_too(
        reseller, monkeypatch):
    provider, seller, entry = reseller
    shell = ssh_plan(seller.seller_id)
    synced, locked, custom = (subscribe(seller.seller_id, entry, plan_id=shell) for _ in range(3))
    with session_scope(system(seller.seller_id)) as session:
        subscription_plans.customize(session=session, subscription_id=locked, limits=[(Resource.MAILBOXES, 3)])
        subscription_plans.detach(session=session, subscription_id=custom)
    everything = [p for p in ResellerPermission]  # type: ignore[attr-defined]
    monkeypatch.setattr(sync, "INLINE_LIMIT", 1)  # three subscriptions: the background job's way
    change_reseller_permissions(provider, seller, [p for p in everything if p.value != "ssh_access_management"])
    with session_scope(system(seller.seller_id)) as session:
        job = session.scalars(select(BackgroundJob)).one()
    assert sync.run_plan_sync_job(seller.seller_id, job.id) == "done"
    shells = {sid: values_of(seller.seller_id, sid).hosting.ssh_shell for sid in (synced, locked, custom)}
    assert shells == dict.fromkeys((synced, locked, custom), pv.SshShell.FORBIDDEN)
    assert load(seller.seller_id, locked).sync_state == "locked"
    monkeypatch.setattr(sync, "INLINE_LIMIT", 200)
    change_reseller_permissions(provider, seller, everything)
    shells = {sid: values_of(seller.seller_id, sid).hosting.ssh_shell for sid in (synced, locked, custom)}
    # a custom subscription's own values hold SSH again; a locked one is frozen until "Unlock & Sync"
    assert shells == {synced: pv.SshShell.BASH, locked: pv.SshShell.FORBIDDEN, custom: pv.SshShell.BASH}


def test_customising_a_permission_the_reseller_lacks_is_withheld(reseller):
    provider, seller, entry = reseller
    withdraw(provider, seller, P.SSH_ACCESS_MANAGEMENT)
    sid = subscribe(seller.seller_id, entry, plan_id=plan(seller.seller_id))
    with session_scope(system(seller.seller_id)) as session:
        subscription_plans.customize(session=session, subscription_id=sid,
                                     permissions={P.SSH_ACCESS_MANAGEMENT: True})
    row = load(seller.seller_id, sid)
    assert P.SSH_ACCESS_MANAGEMENT not in pv.from_json(row.values).permissions
    assert [c["name"] for c in row.conflicts] == ["permission.ssh_access_management"]


def test_the_providers_own_subscriptions_lack_no_permission(reseller):
    provider, _, _ = reseller
    entry = pool_entry(provider.seller_id, provider.seller_id)
    sid = subscribe(provider.seller_id, entry, plan_id=ssh_plan(provider.seller_id))
    assert values_of(provider.seller_id, sid).hosting.ssh_shell is pv.SshShell.BASH


# ---- synchronisation exclusions -----------------------------------------------------------------

def owner_changes(seller_id, subscription_id, **hosting_or_php) -> None:
    """What the owner sets himself (his service-settings page): written into the subscription's values."""
    with session_scope(system(seller_id)) as session:
        row = session.get_one(Subscription, subscription_id)
        values = pv.from_json(row.values)
        php = {k[4:]: v for k, v in hosting_or_php.items() if k.startswith("php_")}
        hosting = {k: v for k, v in hosting_or_php.items() if not k.startswith("php_")}
        row.values = pv.to_json(replace(values, php=replace(values.php, **php),
                                        hosting=replace(values.hosting, **hosting)))


def update_and_sync_mailboxes(seller_id, plan_id, mailboxes: int) -> sync.SyncOutcome:
    with session_scope(system(seller_id)) as session:
        values = plans.values_of(plans.get_or_raise(session, plan_id=plan_id))
        plans.update(session=session, plan_id=plan_id, name=None,
                     values=values.with_limits(values.limits_map() | {Resource.MAILBOXES: mailboxes}))
        return sync.update_and_sync(session, plan_id=plan_id)


@pytest.mark.parametrize("granted", [True, False])
def test_owner_set_php_safe_mode_survives_update_and_sync_with_the_safe_mode_permission(reseller, granted):
    _, seller, entry = reseller
    base = pv.default_plan_values()
    permissions = base.permissions | ({P.PHP_SAFE_MODE_MANAGEMENT} if granted else set())
    gold = plan(seller.seller_id, values=replace(base, permissions=permissions))
    sid = subscribe(seller.seller_id, entry, plan_id=gold)
    owner_changes(seller.seller_id, sid, php_safe_mode=True)
    update_and_sync_mailboxes(seller.seller_id, gold, 42)
    values = values_of(seller.seller_id, sid)
    assert (values.limit(Resource.MAILBOXES), values.php.safe_mode) == (42, granted)


def test_ssh_web_statistics_and_hard_quota_follow_their_own_permissions_not_hosting_settings_management(reseller):
    _, seller, entry = reseller
    base = pv.default_plan_values()
    gold = plan(seller.seller_id, values=replace(
        base, permissions=base.permissions | {P.HOSTING_SETTINGS_MANAGEMENT},
        hosting=replace(base.hosting, hard_disk_quota=300)))
    sid = subscribe(seller.seller_id, entry, plan_id=gold)
    owner_changes(seller.seller_id, sid, ssh_shell=pv.SshShell.BASH, web_statistics=pv.WebStatisticsEngine.NONE,
                  hard_disk_quota=100, ssl_support=False)
    update_and_sync_mailboxes(seller.seller_id, gold, 9)
    hosting = values_of(seller.seller_id, sid).hosting
    assert (hosting.ssh_shell, hosting.web_statistics, hosting.hard_disk_quota) == (
        pv.SshShell.FORBIDDEN, pv.WebStatisticsEngine.AWSTATS, 300)
    assert hosting.ssl_support is False  # a hosting setting proper is the owner's with that permission


# ---- accepting available values: every kind of conflict -------------------------------------------

def conflicting_plan(seller_id, name: str = "Demanding") -> object:
    """Asks what small servers cannot give: hard quota, another PHP handler and version, Perl, SSH, FrontPage."""
    base = pv.default_plan_values()
    return plan(seller_id, name, values=replace(
        base, permissions=base.permissions | {P.SSH_ACCESS_MANAGEMENT, P.HARD_DISK_QUOTA_ASSIGNMENT},
        hosting=replace(base.hosting, hard_disk_quota=500, ssh_shell=pv.SshShell.BASH, frontpage=True,
                        scripting=frozenset({pv.ScriptingLanguage.PHP, pv.ScriptingLanguage.PERL})),
        php=replace(base.php, handler=pv.PhpHandler.APACHE_MODULE, version="8.3"),
    ).with_limits(base.limits_map() | {Resource.DISK_SPACE: 2000}))


SERVERS = {
    "unix": (LIMITED_CAPABILITIES, {"hosting.hard_disk_quota", "php.handler", "php.version", "hosting.scripting",
                                    "hosting.frontpage", "limit.disk_space"}),
    "windows": (WINDOWS_SERVER, {"hosting.hard_disk_quota", "php.handler", "php.version", "hosting.scripting",
                                 "hosting.ssh_shell", "limit.disk_space"}),
}


@pytest.fixture(params=sorted(SERVERS))
def small_server(request, monkeypatch, tmp_path):
    capabilities, expected = SERVERS[request.param]
    def small(*args, **kwargs):  # type: ignore[no-untyped-def]
        return LocalDirectoryAgent(tmp_path, capabilities=capabilities)

    monkeypatch.setattr(hosting_agent, "get_hosting_agent", small)  # the default server's driver
    return expected


def test_accepting_available_values_resolves_every_conflict_kind_of_a_subscription(reseller, small_server):
    _, seller, entry = reseller
    sid = subscribe(seller.seller_id, entry, plan_id=conflicting_plan(seller.seller_id))
    row = load(seller.seller_id, sid)
    assert row.sync_state == "unsynced"
    assert {c["name"] for c in row.conflicts} == small_server
    with session_scope(system(seller.seller_id)) as session:
        accepted = subscription_plans.accept_available(session=session, subscription_id=sid)
        assert (accepted.sync_state, accepted.conflicts) == ("locked", [])
        assert subscriptions.agent_conflicts(pv.from_json(accepted.values)) == []


def test_plan_update_and_sync_to_available_values_resolves_every_conflict_kind(reseller, small_server):
    _, seller, entry = reseller
    demanding = conflicting_plan(seller.seller_id)
    ids = [subscribe(seller.seller_id, entry, plan_id=demanding) for _ in range(2)]
    with session_scope(system(seller.seller_id)) as session:
        outcome = sync.accept_available_for_plan(session, plan_id=demanding)
        offered = plans.values_of(plans.get_or_raise(session, plan_id=demanding))
        assert subscriptions.agent_conflicts(offered) == []
    assert (outcome.subscriptions, outcome.unsynced) == (2, 0)
    assert {(load(seller.seller_id, i).sync_state, tuple(load(seller.seller_id, i).conflicts)) for i in ids} == {
        ("synced", ())}
    assert offered.hosting.scripting == frozenset({pv.ScriptingLanguage.PHP})


def test_a_withheld_reseller_permission_is_not_accepted_into_the_plan(reseller):
    provider, seller, entry = reseller
    withdraw(provider, seller, P.DNS_ZONE_MANAGEMENT)
    base = pv.default_plan_values()
    gold = plan(seller.seller_id, values=replace(base, permissions=base.permissions | {P.DNS_ZONE_MANAGEMENT}))
    sid = subscribe(seller.seller_id, entry, plan_id=gold)
    assert [c["reason"] for c in load(seller.seller_id, sid).conflicts] == ["reseller_permission"]
    with session_scope(system(seller.seller_id)) as session:
        sync.accept_available_for_plan(session, plan_id=gold)
        assert P.DNS_ZONE_MANAGEMENT in plans.values_of(plans.get_or_raise(session, plan_id=gold)).permissions

"""Several hosting servers (SPEC §4.11): registration, assignment, placement, unsynced state and webspaces
following each subscription's own server."""

from __future__ import annotations

import dataclasses
import uuid

import pytest
from sqlalchemy import select

from comptoir.automation import intents
from comptoir.database.engine import session_scope
from comptoir.errors import DomainError
from comptoir.hosting import plan_values as pv
from comptoir.hosting import servers, subscriptions
from comptoir.hosting.errors import HostingErrorCode
from comptoir.hosting.models import Subscription
from comptoir.hosting.plan_values import PhpHandler
from comptoir.hosting.server_models import ServerPoolEntry
from comptoir.hosting.servers import ServerCapabilities, ServerErrorCode
from comptoir.hosting.vocabulary import Resource
from comptoir.provisioning.hosting_agent import OsFamily
from comptoir.provisioning.local_agent import LocalDirectoryAgent
from comptoir.settings import get_settings
from comptoir.tenancy.allocation import ResellerOnlyPermission
from comptoir.tenancy.context import Role, TenantContext
from comptoir.tenancy.models import ResellerAllocation
from tests import factories
from tests.hosting.support import plan, pool_entry, subscribe, system

# A plan that needs hard disk quotas and PHP 8.3: the small server has neither.
NEEDS = pv.default_plan_values()
NEEDS = pv.PlanValues(**{**NEEDS.__dict__, "hosting": pv.HostingSettings(
    **{**NEEDS.hosting.__dict__, "hard_disk_quota": 500})})
SMALL = ServerCapabilities(hard_disk_quota=False, php_handlers=frozenset({PhpHandler.FASTCGI}), php_versions=("8.1",))


@pytest.fixture
def provider() -> factories.Actor:
    return factories.provider()


def selling_reseller(provider, name: str, username: str) -> factories.Actor:
    """A reseller whose allocation lets it create subscriptions, without limits."""
    seller = factories.reseller(provider, name, username, limits=[(r, None) for r in Resource])
    with session_scope(TenantContext(Role.PROVIDER, provider.seller_id)) as session:
        allocation = session.get_one(ResellerAllocation, seller.seller_id)
        allocation.permissions = {ResellerOnlyPermission.CREATE_SUBSCRIPTIONS.value: True,
                                  ResellerOnlyPermission.CREATE_CUSTOMERS.value: True}
    return seller


@pytest.fixture
def reseller(provider) -> factories.Actor:
    return selling_reseller(provider, "Reseller A", "resella")


def as_provider(provider):  # type: ignore[no-untyped-def]
    return session_scope(TenantContext(Role.PROVIDER, provider.seller_id))


def register(provider, name: str, capabilities: ServerCapabilities = ServerCapabilities(), *,  # noqa: B008
             capacity: int | None = None) -> uuid.UUID:
    with as_provider(provider) as session:
        return servers.register(session=session, provider_id=provider.seller_id, name=name, driver="local",
                                os_family=OsFamily.UNIX, capabilities=capabilities, capacity=capacity).id


def assign(provider, server_id: uuid.UUID, reseller) -> uuid.UUID:
    with as_provider(provider) as session:
        return servers.assign(session=session, server_id=server_id, reseller_id=reseller.seller_id).id


def entry_of(seller_id: uuid.UUID, server_id: uuid.UUID) -> uuid.UUID:
    with session_scope(system(seller_id)) as session:
        return session.scalars(select(ServerPoolEntry.id).where(ServerPoolEntry.server_id == server_id)).one()


def subscription(seller_id: uuid.UUID, subscription_id: uuid.UUID) -> Subscription:
    with session_scope(system(seller_id)) as session:
        row = session.get_one(Subscription, subscription_id)
        session.expunge(row)
        return row


def refused(code, work, *args, **kwargs) -> DomainError:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as caught:
        work(*args, **kwargs)
    assert caught.value.code is code
    return caught.value


def test_without_servers_of_its_own_a_seller_uses_the_default_server(provider):
    entry = pool_entry(provider.seller_id, provider.seller_id)
    sid = subscribe(provider.seller_id, entry, plan_id=plan(provider.seller_id, values=NEEDS))
    row = subscription(provider.seller_id, sid)
    assert (row.server_pool_id, row.sync_state) == (None, "synced")


def test_placement_picks_the_least_loaded_server_that_has_the_capabilities(provider, reseller):
    # given a full-featured server and a small one (no hard quota, only PHP 8.1), both the reseller's
    big, small = register(provider, "big"), register(provider, "small", SMALL)
    assign(provider, big, reseller), assign(provider, small, reseller)
    entry = pool_entry(provider.seller_id, reseller.seller_id)
    needing = plan(reseller.seller_id, "Quota", values=NEEDS)
    # when three subscriptions need a hard quota, and two need nothing special
    quota = [subscribe(reseller.seller_id, entry, plan_id=needing) for _ in range(3)]
    default = pv.default_plan_values()
    plain = plan(reseller.seller_id, "Plain", values=dataclasses.replace(default, php=pv.PhpSettings(
        handler=PhpHandler.FASTCGI, safe_mode=False, version="8.1")))
    simple = [subscribe(reseller.seller_id, entry, plan_id=plain) for _ in range(2)]
    # then every quota subscription is on the big server, synced, though the small one had fewer
    assert {subscription(reseller.seller_id, s).server_pool_id for s in quota} == {entry_of(reseller.seller_id, big)}
    assert all(subscription(reseller.seller_id, s).sync_state == "synced" for s in quota)
    # and the simple ones, which both servers can host, go to the least-loaded one: the small one
    simple_rows = [subscription(reseller.seller_id, s) for s in simple]
    assert {row.server_pool_id for row in simple_rows} == {entry_of(reseller.seller_id, small)}
    assert all(row.sync_state == "synced" for row in simple_rows)


def test_least_loaded_server_takes_subscriptions_it_can_provide(provider, reseller):
    first, second = register(provider, "web1"), register(provider, "web2")
    assign(provider, first, reseller), assign(provider, second, reseller)
    entry = pool_entry(provider.seller_id, reseller.seller_id)
    placed = [subscription(reseller.seller_id, subscribe(reseller.seller_id, entry)).server_pool_id
              for _ in range(4)]
    # alternating: each creation goes where fewer subscriptions live
    assert sorted(placed.count(entry_of(reseller.seller_id, s)) for s in (first, second)) == [2, 2]


def test_unsynced_state_follows_the_capabilities_of_its_own_server(provider, reseller):
    # given a plan pinned to the small server
    small, big = register(provider, "small", SMALL), register(provider, "big")
    assign(provider, small, reseller), assign(provider, big, reseller)
    entry = pool_entry(provider.seller_id, reseller.seller_id)
    pinned = plan(reseller.seller_id, "Pinned", values=NEEDS)
    with session_scope(system(reseller.seller_id)) as session:
        servers.pin_plan(session=session, seller_id=reseller.seller_id, plan_id=pinned,
                         server_pool_id=entry_of(reseller.seller_id, small))
    # when a subscription of it is created, and one of the same values on the big server
    on_small = subscription(reseller.seller_id, subscribe(reseller.seller_id, entry, plan_id=pinned))
    on_big = subscription(reseller.seller_id, subscribe(reseller.seller_id, entry,
                                                        plan_id=plan(reseller.seller_id, "Free", values=NEEDS)))
    # then only the small server's subscription is unsynced, its report naming what that server lacks
    assert on_small.server_pool_id == entry_of(reseller.seller_id, small)
    assert on_small.sync_state == "unsynced"
    assert {c["name"] for c in on_small.conflicts} >= {"hosting.hard_disk_quota", "php.version"}
    assert (on_big.server_pool_id, on_big.sync_state) == (entry_of(reseller.seller_id, big), "synced")
    # and a retry keeps judging it by its own server
    with session_scope(system(reseller.seller_id)) as session:
        again = subscriptions.resync(session, session.get_one(Subscription, on_small.id))
        assert again.sync_state == "unsynced"


def test_a_full_server_takes_no_more_subscriptions(provider, reseller):
    only = register(provider, "tiny", capacity=1)
    assign(provider, only, reseller)
    entry = pool_entry(provider.seller_id, reseller.seller_id)
    subscribe(reseller.seller_id, entry)
    with session_scope(system(reseller.seller_id)) as session:
        refused(HostingErrorCode.NO_SERVER_AVAILABLE, subscriptions.create, session, seller_id=reseller.seller_id,
                new=subscriptions.NewSubscription(domain_name="full.example.com", ip_pool_id=entry,
                                                  system_login="fulluser", system_password="s3cret-password"))


def test_capacity_counts_the_subscriptions_of_every_reseller_on_the_server(provider, reseller):
    other = selling_reseller(provider, "Reseller B", "resellb")
    shared = register(provider, "shared", capacity=1)
    assign(provider, shared, reseller), assign(provider, shared, other)
    subscribe(other.seller_id, pool_entry(provider.seller_id, other.seller_id))
    entry = pool_entry(provider.seller_id, reseller.seller_id)
    with session_scope(system(reseller.seller_id)) as session:
        refused(HostingErrorCode.NO_SERVER_AVAILABLE, subscriptions.create, session, seller_id=reseller.seller_id,
                new=subscriptions.NewSubscription(domain_name="b.example.com", ip_pool_id=entry,
                                                  system_login="buser", system_password="s3cret-password"))


def test_server_assignment_rules(provider, reseller):
    server = register(provider, "web1")
    assign(provider, server, reseller)
    with as_provider(provider) as session:
        refused(ServerErrorCode.ALREADY_ASSIGNED, servers.assign, session=session, server_id=server,
                reseller_id=reseller.seller_id)
    entry = pool_entry(provider.seller_id, reseller.seller_id)
    subscribe(reseller.seller_id, entry)
    with as_provider(provider) as session:
        refused(ServerErrorCode.SERVER_IN_USE, servers.unassign, session=session, server_id=server,
                reseller_id=reseller.seller_id)
        refused(ServerErrorCode.SERVER_IN_USE, servers.delete_server, session=session, server_id=server)
        refused(ServerErrorCode.UNKNOWN_DRIVER, servers.register, session=session, provider_id=provider.seller_id,
                name="x", driver="plesk", os_family=OsFamily.UNIX, capabilities=ServerCapabilities())
        refused(ServerErrorCode.NAME_TAKEN, servers.register, session=session, provider_id=provider.seller_id,
                name="web1", driver="local", os_family=OsFamily.UNIX, capabilities=ServerCapabilities())


def test_changed_capabilities_reach_every_sellers_entry(provider, reseller):
    server = register(provider, "web1")
    assign(provider, server, reseller)
    with as_provider(provider) as session:
        servers.update_server(session=session, server_id=server, capabilities=SMALL, capacity=10)
    with session_scope(system(reseller.seller_id)) as session:
        [entry] = servers.pool_of(session, seller_id=reseller.seller_id)
        assert (entry.capacity, servers.capabilities_of(entry).php_versions) == (10, ("8.1",))


def test_the_webspace_is_delivered_by_its_servers_driver(provider, reseller, tmp_path, monkeypatch,
                                                         provisioning_dispatches):
    # given the default driver "limited" (which refuses nothing here) but a registered "local" server
    monkeypatch.setattr(get_settings(), "webspace_root", tmp_path)
    monkeypatch.setattr(get_settings(), "hosting_agent", "limited")
    server = register(provider, "web1")
    assign(provider, server, reseller)
    sid = subscribe(reseller.seller_id, pool_entry(provider.seller_id, reseller.seller_id))
    for seller_id, request_id in list(provisioning_dispatches):
        assert intents.perform("provisioning", seller_id, request_id) == "done"
    # then the webspace exists and the server's capabilities served it
    assert LocalDirectoryAgent(tmp_path).webspace_path(sid) is not None
    with session_scope(system(reseller.seller_id)) as session:
        row = session.get_one(Subscription, sid)
        assert isinstance(servers.agent_for(servers.server_of(session, row)), LocalDirectoryAgent)
        assert servers.agent_for(servers.server_of(session, row)).capabilities().php_versions[-1] == "8.3"


def test_a_servers_capacity_holds_under_concurrent_creations(provider, reseller):
    from concurrent.futures import ThreadPoolExecutor

    # (two resellers: one reseller's creations already take turns on its allocation)
    other = selling_reseller(provider, "Reseller B", "resellb")
    server = register(provider, "web1", capacity=3)
    sellers = [(seller, pool_entry(provider.seller_id, seller.seller_id)) for seller in (reseller, other)]
    for seller, _ in sellers:
        assign(provider, server, seller)

    def attempt(number: int) -> str:
        seller, entry = sellers[number % 2]
        try:
            with session_scope(system(seller.seller_id)) as session:
                subscriptions.create(session, seller_id=seller.seller_id, new=subscriptions.NewSubscription(
                    domain_name=f"race{number}.example.com", ip_pool_id=entry, system_login=f"race{number}",
                    system_password="s3cret-password"))
            return "created"
        except DomainError as error:
            return error.code.name

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(attempt, range(8)))
    assert sorted(outcomes) == ["NO_SERVER_AVAILABLE"] * 5 + ["created"] * 3

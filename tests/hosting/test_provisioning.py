"""Subscriptions reach the hosting agent through the provisioning outbox (ARCHITECTURE §Shape): the
request is written with the change, dispatched after commit, and its delivery is idempotent."""

from __future__ import annotations

import time
import uuid
from datetime import date

import pytest
from sqlalchemy import select

from comptoir.automation import intents
from comptoir.database import intents as database_intents
from comptoir.database.engine import session_scope
from comptoir.hosting import (
    customer_accounts,
    provisioning,
    subscription_lifecycle,
    subscription_plans,
    subscriptions,
)
from comptoir.hosting import plan_values as pv
from comptoir.hosting.models import ProvisioningRequest
from comptoir.hosting.vocabulary import Resource
from comptoir.provisioning import hosting_agent, stock_skeleton
from comptoir.provisioning.local_agent import LocalDirectoryAgent
from comptoir.settings import get_settings
from tests import factories
from tests.hosting.support import plan, pool_entry, subscribe, system


def run_provisioning(seller_id: uuid.UUID, request_id: uuid.UUID) -> str:
    return intents.perform("provisioning", seller_id, request_id)


@pytest.fixture
def agent(monkeypatch, tmp_path) -> LocalDirectoryAgent:
    """The local agent rooted in tmp_path, as the settings choose it for deliveries."""
    monkeypatch.setattr(get_settings(), "hosting_agent", "local")
    monkeypatch.setattr(get_settings(), "webspace_root", tmp_path)
    return LocalDirectoryAgent(tmp_path)


@pytest.fixture
def dispatched(provisioning_dispatches) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """The dispatches tests/conftest.py records instead of starting threads: each test delivers by hand."""
    return provisioning_dispatches


@pytest.fixture
def provider() -> factories.Actor:
    return factories.provider()


@pytest.fixture
def seller(provider):
    return provider.seller_id, pool_entry(provider.seller_id, provider.seller_id)


def requests_of(seller_id, subscription_id) -> list[ProvisioningRequest]:
    with session_scope(system(seller_id)) as session:
        return list(session.scalars(select(ProvisioningRequest).where(
            ProvisioningRequest.subscription_id == subscription_id).order_by(ProvisioningRequest.created_at)))


def deliver_all(dispatched) -> list[str]:
    statuses = [run_provisioning(seller_id, request_id) for seller_id, request_id in dispatched]
    dispatched.clear()
    return statuses


def test_a_new_subscription_gets_its_webspace_from_the_stock_skeleton_after_commit(seller, agent, dispatched):
    seller_id, entry = seller
    with session_scope(system(seller_id)) as session:
        sid = subscriptions.create(session, seller_id=seller_id, new=_new(entry, "shop.example.com")).id
        assert dispatched == []  # nothing reaches a worker before the row is committed
    [request] = requests_of(seller_id, sid)
    assert (request.action, request.status, dispatched) == ("create", "pending", [(seller_id, request.id)])
    assert deliver_all(dispatched) == ["done"]
    home = agent.webspace_path(sid)
    assert home == agent.root / str(seller_id) / "shop.example.com"
    assert {"httpdocs", "cgi-bin", "error_docs"} <= {p.name for p in home.iterdir()}
    assert len(list(home.rglob("*"))) >= len(stock_skeleton.ENTRIES) - 1
    assert agent.read_spec(sid)["systemLogin"] == "shopuser"
    [request] = requests_of(seller_id, sid)
    assert (request.status, request.attempts, request.done_at is not None) == ("done", 1, True)


def test_a_rolled_back_creation_leaves_no_request_and_dispatches_nothing(seller, agent, dispatched):
    seller_id, entry = seller
    with pytest.raises(RuntimeError), session_scope(system(seller_id)) as session:
        sid = subscriptions.create(session, seller_id=seller_id, new=_new(entry, "gone.example.com")).id
        raise RuntimeError("the request fails after the service call")
    assert (requests_of(seller_id, sid), dispatched) == ([], [])


def test_suspension_and_activation_reach_the_webspace(seller, agent, dispatched):
    seller_id, entry = seller
    sid = subscribe(seller_id, entry)
    deliver_all(dispatched)
    with session_scope(system(seller_id)) as session:
        subscription_lifecycle.suspend(session=session, subscription_id=sid)
    assert deliver_all(dispatched) == ["done"]
    assert agent.is_suspended(sid)
    with session_scope(system(seller_id)) as session:
        subscription_lifecycle.activate(session=session, subscription_id=sid)
    assert deliver_all(dispatched) == ["done"]
    assert not agent.is_suspended(sid)
    assert [r.action for r in requests_of(seller_id, sid)] == ["create", "suspend", "activate"]


def test_deleting_the_subscription_removes_its_webspace(seller, agent, dispatched):
    seller_id, entry = seller
    sid = subscribe(seller_id, entry)
    deliver_all(dispatched)
    with session_scope(system(seller_id)) as session:
        subscription_lifecycle.delete_subscription(session=session, subscription_id=sid, confirm=True)
    assert deliver_all(dispatched) == ["done"]
    assert agent.webspace_path(sid) is None
    assert [r.action for r in requests_of(seller_id, sid)] == ["create", "delete"]  # it outlives its subscription


def test_a_request_delivered_twice_acts_once(seller, agent, dispatched):
    seller_id, entry = seller
    sid = subscribe(seller_id, entry)
    [(_, request_id)] = dispatched
    assert deliver_all(dispatched) == ["done"]
    agent.delete_webspace(sid)  # were the redelivered message acted on, the webspace would come back
    assert run_provisioning(seller_id, request_id) == "done"
    assert agent.webspace_path(sid) is None
    assert requests_of(seller_id, sid)[0].attempts == 1


def test_requests_delivered_out_of_order_still_leave_the_latest_state(seller, agent, dispatched):
    seller_id, entry = seller
    sid = subscribe(seller_id, entry)
    with session_scope(system(seller_id)) as session:
        subscription_lifecycle.suspend(session=session, subscription_id=sid)
    dispatched.reverse()  # the suspension arrives first: it builds the webspace, then suspends it
    assert deliver_all(dispatched) == ["done", "done"]
    assert agent.webspace_path(sid) is not None and agent.is_suspended(sid)


def test_a_failing_agent_leaves_the_request_pending_with_the_error_and_a_retry_succeeds(
        seller, agent, dispatched, monkeypatch):
    seller_id, entry = seller
    sid = subscribe(seller_id, entry)
    [(_, request_id)] = dispatched

    class Unreachable(LocalDirectoryAgent):
        def create_webspace(self, spec):  # type: ignore[no-untyped-def]
            raise ConnectionRefusedError("hosting server unreachable")

    with monkeypatch.context() as patched:
        patched.setattr(hosting_agent, "get_hosting_agent", lambda: Unreachable(agent.root))
        assert run_provisioning(seller_id, request_id) == "pending"
    [request] = requests_of(seller_id, sid)
    assert (request.status, request.attempts) == ("pending", 1)
    assert "hosting server unreachable" in request.last_error
    assert agent.webspace_path(sid) is None
    assert run_provisioning(seller_id, request_id) == "done"
    [request] = requests_of(seller_id, sid)
    assert (request.status, request.attempts, request.last_error) == ("done", 2, "")
    assert agent.webspace_path(sid) is not None


class Flaky(LocalDirectoryAgent):
    """Refuses the first `failures` creations, as an unreachable server would."""

    failures = 0

    def create_webspace(self, spec):  # type: ignore[no-untyped-def]
        if Flaky.failures:
            Flaky.failures -= 1
            raise ConnectionRefusedError("hosting server unreachable")
        super().create_webspace(spec)


def test_the_relay_retries_a_failing_agent_after_its_backoff_until_the_webspace_exists(
        seller, agent, dispatched, monkeypatch, superuser_connection):
    seller_id, entry = seller
    sid = subscribe(seller_id, entry)
    dispatched.clear()  # the fast path is lost: only the relay delivers
    monkeypatch.setattr(Flaky, "failures", 2)
    monkeypatch.setattr(hosting_agent, "get_hosting_agent", lambda: Flaky(agent.root))
    for attempt in (1, 2, 3):
        assert intents.relay(inline=True) == 1
        assert requests_of(seller_id, sid)[0].attempts == attempt
        assert intents.relay(inline=True) == 0  # waiting for its backoff (or done)
        superuser_connection.execute("UPDATE provisioning_requests SET next_attempt_at = now()"
                                     " WHERE status = 'pending'")  # the backoff has passed
    assert requests_of(seller_id, sid)[0].status == "done"
    assert agent.webspace_path(sid) is not None


def test_a_request_failing_every_attempt_ends_failed(seller, agent, dispatched, monkeypatch):
    seller_id, entry = seller
    sid = subscribe(seller_id, entry)
    [(_, request_id)] = dispatched
    monkeypatch.setattr(Flaky, "failures", provisioning.MAX_ATTEMPTS)
    monkeypatch.setattr(hosting_agent, "get_hosting_agent", lambda: Flaky(agent.root))
    statuses = [run_provisioning(seller_id, request_id) for _ in range(provisioning.MAX_ATTEMPTS + 1)]
    assert statuses == ["pending"] * (provisioning.MAX_ATTEMPTS - 1) + ["failed", "failed"]
    assert requests_of(seller_id, sid)[0].attempts == provisioning.MAX_ATTEMPTS


def test_a_plan_change_updates_the_webspace_values(seller, agent, dispatched):
    seller_id, entry = seller
    small = plan(seller_id, "Small", limits={Resource.MAILBOXES: 2})
    large = plan(seller_id, "Large", limits={Resource.MAILBOXES: 50})
    sid = subscribe(seller_id, entry, plan_id=small)
    deliver_all(dispatched)
    with session_scope(system(seller_id)) as session:
        subscription_plans.change_plan(session=session, subscription_id=sid, plan_id=large)
    assert deliver_all(dispatched) == ["done"]
    assert agent.read_spec(sid)["values"]["limit.mailboxes"] == 50


def test_one_transaction_writes_one_request_per_subscription(seller, agent, dispatched):
    seller_id, entry = seller
    sid = subscribe(seller_id, entry)
    deliver_all(dispatched)
    with session_scope(system(seller_id)) as session:
        subscription_lifecycle.suspend(session=session, subscription_id=sid)
        subscription_lifecycle.activate(session=session, subscription_id=sid)
    assert [r.action for r in requests_of(seller_id, sid)] == ["create", "activate"]
    assert deliver_all(dispatched) == ["done"]
    assert not agent.is_suspended(sid)


def test_expiration_and_customer_suspension_reach_the_webspaces(provider, seller, agent, dispatched):
    seller_id, entry = seller
    customer = factories.customer(provider, "cust1", subscribed=False)
    monthly = plan(seller_id, "Monthly", values=pv.PlanValues(
        validity=pv.ValidityPeriod(1, pv.ValidityUnit.MONTHS)).with_limits({Resource.DISK_SPACE: 10}))
    expiring = subscribe(seller_id, entry, plan_id=monthly)
    owned = subscribe(seller_id, entry, customer_id=customer.customer_id)
    deliver_all(dispatched)
    with session_scope(system(seller_id)) as session:
        assert subscription_lifecycle.process_expirations(session=session, today=date(2100, 1, 1)) == [expiring]
    with session_scope(system(seller_id)) as session:
        customer_accounts.suspend(session=session, customer_id=customer.customer_id)
    assert deliver_all(dispatched) == ["done", "done"]
    assert agent.is_suspended(expiring) and agent.is_suspended(owned)
    with session_scope(system(seller_id)) as session:
        customer_accounts.activate(session=session, customer_id=customer.customer_id)
    deliver_all(dispatched)
    assert not agent.is_suspended(owned)
    with session_scope(system(seller_id)) as session:
        customer_accounts.delete(session=session, customer_id=customer.customer_id, confirm=True)
    deliver_all(dispatched)
    assert agent.webspace_path(owned) is None and agent.webspace_path(expiring) is not None


def test_in_embedded_mode_delivery_runs_on_a_thread_after_commit(seller, agent):
    database_intents.install_publisher(intents.publish)
    seller_id, entry = seller
    sid = subscribe(seller_id, entry)
    deadline = time.monotonic() + 10
    while requests_of(seller_id, sid)[0].status != "done":
        assert time.monotonic() < deadline, "the provisioning thread never delivered the request"
        time.sleep(0.05)
    assert agent.webspace_path(sid) is not None


def _new(entry, domain):  # type: ignore[no-untyped-def]
    return subscriptions.NewSubscription(domain_name=domain, ip_pool_id=entry, system_login="shopuser",
                                         system_password="s3cret-password")

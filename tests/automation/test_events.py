"""Scheduled events: rows per seller and kind, ticks that run each due event once, failures recorded and
retried, "run now" and the list through GraphQL."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from comptoir import clock
from comptoir.automation import events
from comptoir.automation.events import EventKind, EventStatus
from comptoir.automation.models import ScheduledEvent
from comptoir.database.engine import session_scope
from comptoir.schema.ids import encode_id
from comptoir.tenancy.context import Role, TenantContext
from tests import factories

KIND = "test_counter"


class Counter:
    def __init__(self) -> None:
        self.runs: list[object] = []
        self.failures_left = 0
        self.lock = threading.Lock()

    def __call__(self, session, event):  # type: ignore[no-untyped-def]
        time.sleep(0.05)  # long enough for a second tick to try the same row meanwhile
        with self.lock:
            if self.failures_left:
                self.failures_left -= 1
                raise ConnectionRefusedError("the outside world is down")
            self.runs.append(event.seller_id)
        return {"counted": len(self.runs)}


@pytest.fixture
def counter():
    counter = Counter()
    events.register(EventKind(KIND, lambda: "P1D", counter, max_attempts=3))
    yield counter
    events._kinds.pop(KIND)


@pytest.fixture
def sellers():
    provider = factories.provider()
    return [provider, *(factories.reseller(provider, f"R{n}", f"r{n}") for n in range(3))]


def rows(kind: str = KIND) -> list[ScheduledEvent]:
    with session_scope(TenantContext(Role.PROVIDER, uuid.UUID(int=0))) as session:
        return list(session.scalars(select(ScheduledEvent).where(ScheduledEvent.kind == kind)))


def test_each_seller_gets_one_row_per_recurring_kind_and_instance_kinds_only_the_provider(counter, sellers):
    events.schedule_missing()
    events.schedule_missing()
    assert sorted(e.seller_id for e in rows()) == sorted(s.seller_id for s in sellers)
    assert [e.seller_id for e in rows("intent_relay")] == [sellers[0].seller_id]


def test_two_ticks_at_once_run_each_due_event_exactly_once(counter, sellers):
    events.schedule_missing()
    start = threading.Barrier(2)
    ran: list[list[events.EventRun]] = []

    def tick() -> None:
        start.wait()
        ran.append(events.tick())

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(counter.runs) == sorted(s.seller_id for s in sellers)
    assert sorted(r.seller_id for batch in ran for r in batch if r.kind == KIND) == sorted(counter.runs)
    # and each is now due at the next midnight, not again at once
    assert all(run.kind != KIND for run in events.tick())
    assert all(e.run_at > clock.now() and e.runs == 1 for e in rows())


def test_a_failing_event_is_retried_after_a_backoff_then_marked_failed_and_comes_back_next_day(counter, sellers):
    provider = sellers[0]
    with session_scope(TenantContext(Role.SYSTEM, provider.seller_id)) as session:
        session.add(ScheduledEvent(seller_id=provider.seller_id, kind=KIND, run_at=clock.now(), recurrence="P1D"))
    [event] = rows()
    counter.failures_left = 3
    first = events.run_event(seller_id=provider.seller_id, event_id=event.id, only_if_due=True)
    [event] = rows()
    assert (first.status, event.attempts, event.last_error) == (
        "pending", 1, "ConnectionRefusedError: the outside world is down")
    assert timedelta(seconds=25) < event.run_at - first.ran_at < timedelta(seconds=35)
    assert events.run_event(seller_id=provider.seller_id, event_id=event.id, only_if_due=True) is None  # not due
    for _ in range(2):
        events.run_now(seller_id=provider.seller_id, event_id=event.id)
    [event] = rows()
    assert (event.status, event.attempts, event.runs) == (EventStatus.FAILED.value, 0, 0)
    assert event.run_at.time().isoformat() == "00:00:00" and event.run_at > clock.now()
    # the next regular run succeeds and clears the error
    events.run_now(seller_id=provider.seller_id, event_id=event.id)
    [event] = rows()
    assert (event.status, event.last_error, event.runs, event.result) == ("pending", "", 1, {"counted": 1})


LIST = """query($filter: ScheduledEventFilterInput) {
  scheduledEvents(first: 50, filter: $filter) { totalCount edges { node { id kind sellerId status } } }
}"""
RUN = """mutation($id: ID!) {
  scheduledEventRun(input: {id: $id}) { event { kind runs status result } run { kind status result }
    errors { code field } }
}"""


async def test_staff_list_their_own_events_and_run_one_now_and_never_another_sellers(client, counter, sellers):
    events.schedule_missing()
    provider, first, second = sellers[0], sellers[1], sellers[2]
    token = await client.login(first.username, factories.PASSWORD)
    listed = (await client.execute(LIST, {"filter": {"kind": KIND}}, token=token))["data"]["scheduledEvents"]
    assert listed["totalCount"] == 1
    assert listed["edges"][0]["node"]["sellerId"] == encode_id("Seller", first.seller_id)
    own = listed["edges"][0]["node"]["id"]
    ran = (await client.execute(RUN, {"id": own}, token=token))["data"]["scheduledEventRun"]
    assert ran["errors"] == [] and ran["run"]["status"] == "PENDING" and ran["event"]["runs"] == 1
    [others] = [e for e in rows() if e.seller_id == second.seller_id]
    refused = await client.execute(RUN, {"id": encode_id("ScheduledEvent", others.id)}, token=token)
    assert refused["data"]["scheduledEventRun"]["errors"] == [{"code": "NOT_FOUND", "field": "id"}]
    assert counter.runs == [first.seller_id]
    admin = await client.login(provider.username, factories.PASSWORD)
    every = (await client.execute(LIST, {"filter": {"kind": KIND}}, token=admin))["data"]["scheduledEvents"]
    assert every["totalCount"] == len(sellers)


async def test_an_unknown_kind_in_the_filter_is_a_typed_error_not_an_empty_list(client, sellers):
    token = await client.login(sellers[1].username, factories.PASSWORD)
    result = await client.execute(LIST, {"filter": {"kind": "no_such_kind"}}, token=token)
    assert result["data"] is None
    assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"

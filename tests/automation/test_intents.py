"""Intents are never lost: the fast path is best effort, the relay the guarantee (ARCHITECTURE §Jobs)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

from comptoir.automation import intents
from comptoir.automation.celery_app import celery
from comptoir.database import intents as database_intents
from comptoir.database.engine import session_scope
from comptoir.messaging import outbox
from comptoir.messaging.models import OutboundEmail
from comptoir.settings import get_settings
from comptoir.tenancy.context import Role, TenantContext
from tests import factories
from tests.tenancy.support import (  # noqa: F401
    REDIS_BROKER,
    _forget_broker_connections,
    cheap_password_hashing,
    smtp_server,
)

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

RESET = """mutation($u: String!, $e: String!) {
  passwordResetRequest(input: {username: $u, email: $e}) { errors { code } }
}"""


def _enqueue(seller_id, count: int = 1) -> None:
    with session_scope(TenantContext(Role.SYSTEM, seller_id)) as session:
        for n in range(count):
            outbox.enqueue(session=session, seller_id=seller_id, customer_id=None, to_address=f"u{n}@example.test",
                           template="password_reset", language="en",
                           variables={"name": "Ada", "username": "ada", "minutes": 60, "link": "https://x.test/"})


def _emails(seller_id) -> list[OutboundEmail]:
    with session_scope(TenantContext(Role.SYSTEM, seller_id)) as session:
        return list(session.scalars(select(OutboundEmail)))


def test_two_relays_at_once_deliver_each_intent_exactly_once(smtp_server):
    # given 30 e-mails whose fast path was lost
    seller_id = factories.provider().seller_id
    _enqueue(seller_id, 30)
    start = threading.Barrier(2)
    handed_out: list[int] = []

    def relay() -> None:
        start.wait()
        handed_out.append(intents.relay(inline=True))

    # when two relays run at once
    threads = [threading.Thread(target=relay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    # then each e-mail went out once, and the two relays shared the work
    assert sum(handed_out) == 30
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(f"u{n}@example.test" for n in range(30))
    assert {(e.status, e.attempts) for e in _emails(seller_id)} == {("done", 1)}


async def test_a_publish_that_fails_never_turns_a_committed_request_into_an_error(client, smtp_server):
    # given a publisher that fails (a broken broker client)
    def broken(announcements):  # type: ignore[no-untyped-def]
        raise RuntimeError("publisher exploded")

    database_intents.install_publisher(broken)
    factories.provider("ada")
    # when a request writes an e-mail intent
    result = await client.execute(RESET, {"u": "ada", "e": "ada@p.test"})
    # then the request succeeded, and the relay delivers the e-mail
    assert result["data"]["passwordResetRequest"]["errors"] == []
    assert intents.relay(inline=True) == 1
    [message] = smtp_server.messages
    assert message["To"] == "ada@p.test"


async def test_with_the_broker_refusing_connections_the_request_succeeds_and_the_email_goes_once_it_is_back(
        client, smtp_server, monkeypatch):
    import redis
    from celery.contrib.testing.worker import start_worker

    try:
        redis.Redis.from_url(REDIS_BROKER, socket_connect_timeout=1).flushdb()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is unreachable at {REDIS_BROKER}: this test needs a real broker")
    # given the real fast path, and a broker that refuses connections
    database_intents.install_publisher(intents.publish)
    monkeypatch.setattr(get_settings(), "broker_url", REDIS_BROKER)
    monkeypatch.setattr(celery.conf, "broker_url", "redis://127.0.0.1:9/0")
    _forget_broker_connections(celery)
    seller_id = factories.provider("ada").seller_id
    # when a request writes an e-mail intent
    result = await client.execute(RESET, {"u": "ada", "e": "ada@p.test"})
    # then it succeeds, and nothing is delivered while the broker is down
    assert result["data"]["passwordResetRequest"]["errors"] == []
    time.sleep(1)
    assert smtp_server.messages == [] and [e.status for e in _emails(seller_id)] == ["pending"]
    # when the broker is back, the relay re-dispatches and a worker delivers it, once
    celery.conf.broker_url = REDIS_BROKER
    _forget_broker_connections(celery)
    try:
        with start_worker(celery, pool="solo", perform_ping_check=False, shutdown_timeout=20):
            assert intents.relay() == 1
            [message] = await smtp_server.async_wait_for(1, timeout=30)
            assert intents.relay() == 0  # leased, then done: not handed out again
            time.sleep(0.5)
    finally:
        _forget_broker_connections(celery)
    assert message["To"] == "ada@p.test" and len(smtp_server.messages) == 1


def test_an_intent_written_in_a_rolled_back_savepoint_is_neither_kept_nor_announced(published_intents):
    seller_id = factories.provider().seller_id
    with session_scope(TenantContext(Role.SYSTEM, seller_id)) as session:
        with pytest.raises(RuntimeError), session.begin_nested():
            outbox.enqueue(session=session, seller_id=seller_id, customer_id=None, to_address="a@example.test",
                           template="password_reset", language="en",
                           variables={"name": "A", "username": "a", "minutes": 60, "link": "https://x.test/"})
            raise RuntimeError("the service failed after writing the intent")
    assert published_intents["email"] == [] and _emails(seller_id) == []


async def test_the_fast_path_publishes_on_its_own_threads_never_on_the_event_loop(client, monkeypatch):
    # given a broker client that records where it is called from (the broker itself is not needed)
    published = []
    monkeypatch.setattr(get_settings(), "broker_url", "redis://127.0.0.1:9/0")
    monkeypatch.setattr(celery, "send_task", lambda name, args: published.append(
        (name, args[0], threading.current_thread().name)))
    database_intents.install_publisher(intents.publish)
    factories.provider("ada")
    loop_thread = threading.current_thread().name
    # when a request writes an e-mail intent
    result = await client.execute(RESET, {"u": "ada", "e": "ada@p.test"})
    # then the task was sent from a publishing thread
    assert result["data"]["passwordResetRequest"]["errors"] == []
    deadline = time.monotonic() + 10
    while not published and time.monotonic() < deadline:
        time.sleep(0.05)
    [(name, kind, thread)] = published
    assert (name, kind) == ("comptoir.intent", "email")
    assert thread.startswith("comptoir-intents") and thread != loop_thread

"""Fault tests with real processes: a process that dies between COMMIT and publish, an API server (embedded
mode) and a Celery worker killed in the middle of a delivery. The intent is delivered, exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bench.servers import ROOT, uvicorn
from comptoir.automation import intents
from comptoir.automation.celery_app import celery
from comptoir.database import intents as database_intents
from comptoir.database.engine import session_scope
from comptoir.messaging.models import OutboundEmail
from comptoir.settings import get_settings
from comptoir.tenancy.context import Role, TenantContext
from tests import factories
from tests.tenancy.support import REDIS_BROKER, Mailbox, _forget_broker_connections, free_port

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")
from tests.tenancy.support import cheap_password_hashing  # noqa: E402,F401

RESET = """mutation($u: String!, $e: String!) {
  passwordResetRequest(input: {username: $u, email: $e}) { errors { code } }
}"""
EMBEDDED = {"COMPTOIR_BROKER_URL": "", "COMPTOIR_EMBEDDED_TICK_SECONDS": "1", "COMPTOIR_RELAY_PERIOD_SECONDS": "1"}


class StallingMailbox(Mailbox):
    """Holds the first `stall` messages in DATA without ever accepting them (a delivery cut mid-way)."""

    def __init__(self, stall: int) -> None:
        super().__init__()
        self.stall = stall
        self.stalled = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.stall > 0:
            self.stall -= 1
            self.stalled += 1
            await asyncio.sleep(60)
            return "451 Too late"
        return await super().handle_DATA(server, session, envelope)


@contextmanager
def smtp(stall: int = 0) -> Iterator[tuple[StallingMailbox, int]]:
    from aiosmtpd.controller import Controller

    mailbox = StallingMailbox(stall)
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield mailbox, controller.port
    finally:
        controller.stop()


def wait_until(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout} s"
        time.sleep(0.1)


def emails(seller_id: Any) -> list[OutboundEmail]:
    with session_scope(TenantContext(Role.SYSTEM, seller_id)) as session:
        return list(session.scalars(select(OutboundEmail)))


def smtp_env(port: int) -> dict[str, str]:
    return {"COMPTOIR_SMTP_HOST": "127.0.0.1", "COMPTOIR_SMTP_PORT": str(port)}


DIES_AFTER_COMMIT = """
import os, uuid
from comptoir.database import intents
from comptoir.database.engine import session_scope
from comptoir.messaging import outbox
from comptoir.tenancy.context import Role, TenantContext

intents.install_publisher(lambda announcements: os._exit(9))  # dies between COMMIT and publish
seller_id = uuid.UUID(os.environ["SELLER_ID"])
with session_scope(TenantContext(Role.SYSTEM, seller_id)) as session:
    outbox.enqueue(session=session, seller_id=seller_id, customer_id=None, to_address="ada@example.test",
                   template="password_reset", language="en",
                   variables={"name": "Ada", "username": "ada", "minutes": 60, "link": "https://x.test/"})
"""


def test_a_process_killed_between_commit_and_publish_loses_nothing_the_embedded_relay_delivers(tmp_path):
    # given an e-mail committed by a process that died before publishing it
    seller_id = factories.provider().seller_id
    died = subprocess.run([sys.executable, "-c", DIES_AFTER_COMMIT], cwd=ROOT, timeout=60,
                          env={**os.environ, "SELLER_ID": str(seller_id)})
    assert died.returncode == 9
    assert [e.status for e in emails(seller_id)] == ["pending"]
    # when an API server in embedded mode runs (its scheduler ticks every second)
    with smtp() as (mailbox, port), uvicorn("comptoir.app:app", env={**EMBEDDED, **smtp_env(port)},
                                            log=tmp_path / "server.log"):
        # then its relay delivers the e-mail within its period
        [message] = mailbox.wait_for(1, timeout=45)
    assert message["To"] == "ada@example.test"
    assert [(e.status, e.attempts) for e in emails(seller_id)] == [("done", 1)]


def test_comptoir_serve_killed_mid_delivery_delivers_once_after_its_restart(tmp_path):
    # given a server whose delivery of a reset e-mail hangs in the middle of the SMTP conversation
    seller_id = factories.provider("ada").seller_id
    with smtp(stall=1) as (mailbox, port):
        env = {**EMBEDDED, **smtp_env(port)}
        with comptoir_serve(env, tmp_path / "first.log") as server:
            response = httpx.post(server.url, json={"query": RESET, "variables": {"u": "ada", "e": "ada@p.test"}})
            assert response.json()["data"]["passwordResetRequest"]["errors"] == []
            wait_until(lambda: mailbox.stalled == 1, 45, "the first delivery attempt")
            # when the server is killed there
            os.kill(server.pid, signal.SIGKILL)
        assert [(e.status, e.attempts) for e in emails(seller_id)] == [("pending", 0)]  # its attempt rolled back
        # then a restarted server delivers it, once
        with comptoir_serve(env, tmp_path / "second.log"):
            [message] = mailbox.wait_for(1, timeout=45)
            time.sleep(2)  # a few more ticks: nothing is sent twice
    assert message["To"] == "ada@p.test" and len(mailbox.messages) == 1
    assert [(e.status, e.attempts) for e in emails(seller_id)] == [("done", 1)]


@dataclass(frozen=True)
class Served:
    url: str
    pid: int


@contextmanager
def comptoir_serve(env: dict[str, str], log: Path) -> Iterator[Served]:
    """`comptoir serve` itself (migrate, then uvicorn with the embedded scheduler) on a free port."""
    port = free_port()
    command = [str(Path(sys.executable).with_name("comptoir")), "serve", "--no-demo", "--port", str(port)]
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=output,
                                   stderr=subprocess.STDOUT)
        try:
            wait_until(lambda: _answers(f"http://127.0.0.1:{port}/healthz") or process.poll() is not None, 60,
                       "comptoir serve answering")
            assert process.poll() is None, log.read_text()
            yield Served(f"http://127.0.0.1:{port}/graphql", process.pid)
        finally:
            process.kill()
            process.wait()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def celery_worker(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    command = [sys.executable, "-m", "celery", "-A", "comptoir.automation.celery_app", "worker", "--pool", "solo",
               "--loglevel", "INFO", "--without-heartbeat", "--without-gossip", "--without-mingle"]
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=output,
                                   stderr=subprocess.STDOUT)
        try:
            yield process
        finally:
            process.kill()
            process.wait()


@pytest.fixture
def broker(monkeypatch) -> Iterator[str]:
    import redis

    url = REDIS_BROKER.rsplit("/", 1)[0] + "/14"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).flushdb()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is unreachable at {url}: the worker-death test needs a real broker")
    monkeypatch.setattr(get_settings(), "broker_url", url)
    previous = celery.conf.broker_url
    celery.conf.broker_url = url
    _forget_broker_connections(celery)
    database_intents.install_publisher(intents.publish)
    yield url
    celery.conf.broker_url = previous
    _forget_broker_connections(celery)


def test_a_worker_killed_mid_task_is_replaced_and_the_email_is_delivered_once(tmp_path, broker):
    seller_id = factories.provider().seller_id
    with smtp(stall=1) as (mailbox, port):
        env = {"COMPTOIR_BROKER_URL": broker, **smtp_env(port)}
        # given a worker that took the e-mail and hangs in the SMTP conversation
        with celery_worker(env, tmp_path / "first.log") as first:
            with session_scope(TenantContext(Role.SYSTEM, seller_id)) as session:
                from comptoir.messaging import outbox

                outbox.enqueue(session=session, seller_id=seller_id, customer_id=None, to_address="ada@example.test",
                               template="password_reset", language="en",
                               variables={"name": "Ada", "username": "ada", "minutes": 60, "link": "https://x.test/"})
            wait_until(lambda: mailbox.stalled == 1, 45, "the worker's delivery attempt")
            # when it is killed
            first.send_signal(signal.SIGKILL)
            first.wait()
        assert [(e.status, e.attempts) for e in emails(seller_id)] == [("pending", 0)]
        # then with another worker, the relay hands the e-mail out again and it is delivered once
        with celery_worker(env, tmp_path / "second.log"):
            assert intents.relay() == 1
            [message] = mailbox.wait_for(1, timeout=45)
            time.sleep(1)
    assert message["To"] == "ada@example.test" and len(mailbox.messages) == 1
    assert [(e.status, e.attempts) for e in emails(seller_id)] == [("done", 1)]

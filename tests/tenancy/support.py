"""Helpers shared by the accounts, resellers and messaging tests.

Fixtures are imported by name into the test modules that use them (pytest finds them there).
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import os
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update

from comptoir.database.engine import session_scope
from comptoir.settings import get_settings
from comptoir.tenancy import security
from comptoir.tenancy.context import Role, TenantContext
from comptoir.tenancy.models import Customer, Seller, User, UserSession
from tests.conftest import GraphQLClient

# Any seller id will do: the provider role sees every tenant's rows.
_ANY_SELLER = uuid.UUID(int=0)


@pytest.fixture
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id at minimal cost: the same code paths in milliseconds instead of ~0.3 s per hash."""
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(security, "_hasher", cheap)
    monkeypatch.setattr(security, "_DUMMY_HASH", cheap.hash("comptoir-dummy-password"))


@contextlib.asynccontextmanager
async def client_at(address: str) -> AsyncIterator[GraphQLClient]:
    """A GraphQL client whose requests come from `address` (the `client` fixture uses 203.0.113.7)."""
    import httpx

    from comptoir.app import create_app

    transport = httpx.ASGITransport(app=create_app(), client=(address, 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield GraphQLClient(http)


@pytest.fixture
async def other_client() -> AsyncIterator[GraphQLClient]:
    async with client_at("198.51.100.23") as client:
        yield client


class Mailbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse_next = 0  # answer 451 to that many messages first (a transient failure)
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            if self.refuse_next > 0:
                self.refuse_next -= 1
                return "451 Try again later"
            self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted"

    def wait_for(self, count: int = 1, timeout: float = 15.0) -> list[EmailMessage]:
        """The first `count` messages, waiting for them to arrive (delivery is asynchronous)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        raise AssertionError(f"expected {count} e-mail(s) within {timeout}s, got {len(self.messages)}")

    async def async_wait_for(self, count: int = 1, timeout: float = 15.0) -> list[EmailMessage]:
        return await asyncio.to_thread(self.wait_for, count, timeout)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    """A real SMTP server on a free local port; the settings point delivery at it."""
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings = get_settings()
    monkeypatch.setattr(settings, "smtp_host", "127.0.0.1")
    monkeypatch.setattr(settings, "smtp_port", controller.port)
    try:
        yield mailbox
    finally:
        controller.stop()


@pytest.fixture
def email_delivery(published_intents: dict[str, list[tuple[Any, Any]]]) -> Iterator[None]:
    """Committed e-mails are delivered as the fast path does (on threads, or through the broker when one
    is set); other intents stay recorded only. Teardown waits for the deliveries in flight."""
    from concurrent.futures import ThreadPoolExecutor

    from comptoir.automation import intents as automation
    from comptoir.database import intents

    pool = ThreadPoolExecutor(max_workers=2)

    def deliver_emails(announcements: list[tuple[str, Any, Any]]) -> None:
        for kind, seller_id, intent_id in announcements:
            if kind == "email":
                pool.submit(automation.deliver_announcement, (kind, seller_id, intent_id))
            else:
                published_intents[kind].append((seller_id, intent_id))

    previous = intents.install_publisher(deliver_emails)
    yield
    intents.install_publisher(previous)
    pool.shutdown(wait=True)


def body_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def turn_back(connection: Any, table: str, columns: Sequence[str], by: timedelta) -> None:
    """Move the stored timestamps back by `by`: what the database's clock sees once that time has passed.

    The definer functions read the server's clock (migration 0008), which no test can freeze.
    """
    connection.execute(f"UPDATE {table} SET " + ", ".join(f"{column} = {column} - %(by)s" for column in columns),
                       {"by": by})


def age_sessions(connection: Any, by: timedelta) -> None:
    turn_back(connection, "sessions", ["created_at", "last_seen_at", "expires_at"], by)


def age_throttle(connection: Any, by: timedelta) -> None:
    turn_back(connection, "auth_throttle", ["occurred_at"], by)


def age_password_resets(connection: Any, by: timedelta) -> None:
    turn_back(connection, "password_resets", ["created_at", "expires_at"], by)


def _as_provider() -> Any:
    return session_scope(TenantContext(Role.PROVIDER, _ANY_SELLER))


def set_user_status(username: str, status: str) -> None:
    with _as_provider() as session:
        session.execute(update(User).where(User.username == username).values(status=status))


def set_customer_status(customer_id: uuid.UUID, status: str) -> None:
    with _as_provider() as session:
        session.execute(update(Customer).where(Customer.id == customer_id).values(status=status))


def user_named(username: str) -> User:
    with _as_provider() as session:
        return session.scalars(select(User).where(User.username == username)).one()


def seller_named(name: str) -> Seller | None:
    with _as_provider() as session:
        return session.scalars(select(Seller).where(Seller.name == name)).one_or_none()


def open_sessions_of(username: str) -> int:
    with _as_provider() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        return len(session.scalars(select(UserSession).where(
            UserSession.user_id == user.id, UserSession.revoked_at.is_(None))).all())


# Parallel runs on one machine pick their own Redis database (COMPTOIR_TEST_REDIS_DB).
REDIS_BROKER = f"redis://127.0.0.1:6379/{os.environ.get('COMPTOIR_TEST_REDIS_DB', '15')}"


def _forget_broker_connections(app: Any) -> None:
    """Drop cached broker pools so a changed broker_url takes effect."""
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@pytest.fixture
def celery_worker_on_redis(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A real Celery worker (thread, solo pool) consuming from Redis db 15; jobs are dispatched to it."""
    import redis
    from celery.contrib.testing.worker import start_worker

    from comptoir.automation.celery_app import celery

    try:
        redis.Redis.from_url(REDIS_BROKER, socket_connect_timeout=1).flushdb()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is unreachable at {REDIS_BROKER}: the Celery delivery path needs a real broker")
    monkeypatch.setattr(get_settings(), "broker_url", REDIS_BROKER)
    previous = celery.conf.broker_url
    celery.conf.broker_url = REDIS_BROKER
    _forget_broker_connections(celery)
    try:
        with start_worker(celery, pool="solo", perform_ping_check=False, shutdown_timeout=20) as worker:
            yield worker
    finally:
        celery.conf.broker_url = previous
        _forget_broker_connections(celery)
        redis.Redis.from_url(REDIS_BROKER).flushdb()

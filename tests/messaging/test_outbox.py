"""The e-mail outbox: intents written in the caller's transaction, delivered once over SMTP."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import select

from comptoir.automation import intents
from comptoir.database.engine import session_scope
from comptoir.messaging import outbox
from comptoir.messaging.models import OutboundEmail
from comptoir.tenancy.context import Role, TenantContext
from tests import factories
from tests.tenancy.support import cheap_password_hashing, smtp_server  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")


@pytest.fixture
def dispatched(published_intents):
    """The e-mails announced after commit (tests/conftest.py records them): each test delivers by hand."""
    return published_intents["email"]


def deliver(seller_id: uuid.UUID, email_id: uuid.UUID) -> str:
    return intents.perform("email", seller_id, email_id)


@pytest.fixture
def seller_id():
    return factories.provider("boss").seller_id


def _enqueue(seller_id: uuid.UUID, to_address: str = "ada@example.test") -> uuid.UUID:
    with session_scope(TenantContext(Role.SYSTEM, seller_id)) as session:
        email = outbox.enqueue(session=session, seller_id=seller_id, customer_id=None, to_address=to_address,
                               template="password_reset", language="en",
                               variables={"name": "Ada", "username": "ada", "minutes": 60,
                                          "link": "https://panel.example.test/reset-password?token=abc"})
        return email.id


def _row(seller_id: uuid.UUID, email_id: uuid.UUID) -> OutboundEmail:
    with session_scope(TenantContext(Role.SYSTEM, seller_id)) as session:
        return session.scalars(select(OutboundEmail).where(OutboundEmail.id == email_id)).one()


def test_an_enqueued_email_is_dispatched_once_its_transaction_commits(seller_id, dispatched):
    # when
    email_id = _enqueue(seller_id)
    # then
    assert dispatched == [(seller_id, email_id)]
    assert _row(seller_id, email_id).status == "pending"


def test_an_email_enqueued_in_a_rolled_back_transaction_is_neither_kept_nor_dispatched(seller_id, dispatched):
    # when
    with pytest.raises(RuntimeError), session_scope(TenantContext(Role.SYSTEM, seller_id)) as session:
        outbox.enqueue(session=session, seller_id=seller_id, customer_id=None, to_address="ada@example.test",
                       template="password_reset", language="en",
                       variables={"name": "Ada", "username": "ada", "minutes": 60, "link": "x"})
        raise RuntimeError("the request failed after writing the intent")
    # then
    assert dispatched == []
    with session_scope(TenantContext(Role.SYSTEM, seller_id)) as session:
        assert session.scalars(select(OutboundEmail)).all() == []


def test_delivery_sends_the_email_over_smtp_and_marks_it_done(seller_id, dispatched, smtp_server):
    # given
    email_id = _enqueue(seller_id)
    # when
    status = deliver(seller_id, email_id)
    # then
    [message] = smtp_server.messages
    assert (status, message["To"], message["Subject"]) == ("done", "ada@example.test", "Reset your password")
    assert message["Message-ID"] == f"<{email_id}@comptoir>"
    row = _row(seller_id, email_id)
    assert (row.status, row.attempts, row.done_at is not None) == ("done", 1, True)


def test_delivering_the_same_email_twice_sends_it_once(seller_id, dispatched, smtp_server):
    # given
    email_id = _enqueue(seller_id)
    # when
    first = deliver(seller_id, email_id)
    second = deliver(seller_id, email_id)
    # then
    assert (first, second) == ("done", "done")
    assert len(smtp_server.messages) == 1
    assert _row(seller_id, email_id).attempts == 1


def test_concurrent_deliveries_of_one_email_send_it_once(seller_id, dispatched, smtp_server):
    # given
    email_id = _enqueue(seller_id)
    start = threading.Barrier(4)
    outcomes: list[str] = []

    def deliver_concurrently() -> None:
        start.wait()
        outcomes.append(deliver(seller_id, email_id))

    workers = [threading.Thread(target=deliver_concurrently) for _ in range(4)]
    # when
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    # then
    assert outcomes == ["done"] * 4
    assert len(smtp_server.messages) == 1


def test_a_transient_smtp_failure_leaves_the_email_pending_with_the_error(seller_id, dispatched, smtp_server):
    # given
    email_id = _enqueue(seller_id)
    smtp_server.refuse_next = 1
    # when
    status = deliver(seller_id, email_id)
    # then
    row = _row(seller_id, email_id)
    assert (status, row.status, row.attempts) == ("pending", "pending", 1)
    assert "451" in row.last_error
    assert smtp_server.messages == []


def test_an_email_that_fails_every_attempt_ends_failed(seller_id, dispatched, smtp_server):
    # given
    email_id = _enqueue(seller_id)
    smtp_server.refuse_next = outbox.MAX_ATTEMPTS
    # when
    statuses = [deliver(seller_id, email_id) for _ in range(outbox.MAX_ATTEMPTS)]
    # then
    assert statuses == ["pending"] * (outbox.MAX_ATTEMPTS - 1) + ["failed"]


def test_a_failed_attempt_waits_for_its_backoff_before_the_relay_retries_it(seller_id, dispatched, smtp_server,
                                                                            superuser_connection):
    # given: one refused attempt
    email_id = _enqueue(seller_id)
    smtp_server.refuse_next = 1
    deliver(seller_id, email_id)
    # when: the relay runs before and after the backoff has passed
    before_backoff = intents.relay(inline=True)
    superuser_connection.execute("UPDATE email_outbox SET next_attempt_at = now() WHERE id = %s", (email_id,))
    after_backoff = intents.relay(inline=True)
    # then
    assert (before_backoff, after_backoff) == (0, 1)
    assert len(smtp_server.messages) == 1
    assert (_row(seller_id, email_id).status, _row(seller_id, email_id).attempts) == ("done", 2)


def test_an_unknown_email_id_is_reported_missing_and_sends_nothing(seller_id, smtp_server):
    # when
    status = deliver(seller_id, uuid.uuid4())
    # then
    assert status == "missing"
    assert smtp_server.messages == []

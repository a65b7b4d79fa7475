"""The shape every intent row shares (an e-mail to send, a webspace to provision, a plan to sync, …).

A domain writes an intent in its own transaction by adding a row of a model built on `Intent`; it
never dispatches anything itself. Once the transaction commits, every intent it created is announced
to the publisher (the fast path, installed by `comptoir.automation`); the relay sweeps rows still due,
so an announcement that is lost delays the work but never loses it.

Times here are the database server's real time: delivery retries follow the wall clock, not the
sandbox clock that drives business dates.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from comptoir.database.hooks import after_commit

BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
# How long a claimed intent belongs to whoever claimed it before the relay may hand it out again.
LEASE = timedelta(minutes=5)


class IntentStatus(enum.Enum):
    PENDING = "pending"
    RUNNING = "running"  # only long intents that commit progress (plan sync jobs) show this state
    DONE = "done"
    FAILED = "failed"


DUE_STATUSES = (IntentStatus.PENDING.value, IntentStatus.RUNNING.value)


class Intent:
    """Columns of the shared intent shape (mixed into a declarative model)."""

    __intent_kind__: str  # the name handlers are registered under in comptoir.automation

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("gen_random_uuid()"))
    seller_id: Mapped[uuid.UUID]
    status: Mapped[str] = mapped_column(server_default=IntentStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(server_default=text("0"))
    next_attempt_at: Mapped[datetime] = mapped_column(server_default=func.now())
    last_error: Mapped[str] = mapped_column(server_default="")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
    done_at: Mapped[datetime | None]

    @property
    def is_finished(self) -> bool:
        return self.status in (IntentStatus.DONE.value, IntentStatus.FAILED.value)


def backoff(attempts: int) -> timedelta:
    """Exponential: 30 s, 1 min, 2 min, … capped at an hour."""
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_CAP)


def mark_done(intent: Intent) -> None:
    intent.status, intent.last_error, intent.done_at = IntentStatus.DONE.value, "", func.now()


def mark_failed_attempt(intent: Intent, error: str, *, max_attempts: int) -> None:
    """Record a failed attempt: retried after a backoff, or failed for good after the last attempt."""
    intent.last_error = error[:1000]
    if intent.attempts >= max_attempts:
        intent.status, intent.done_at = IntentStatus.FAILED.value, func.now()
    else:
        intent.status = IntentStatus.PENDING.value
        intent.next_attempt_at = func.now() + backoff(intent.attempts)


def lock(session: Session, model: type[Intent], intent_id: uuid.UUID, *, skip_locked: bool = False
         ) -> Intent | None:
    """The intent under a row lock (None if absent, or held by another worker when skip_locked)."""
    statement = select(model).where(model.id == intent_id).with_for_update(skip_locked=skip_locked)
    return session.scalars(statement).one_or_none()


def claim_due(session: Session, model: type[Intent], *, limit: int) -> list[Intent]:
    """Rows of the current seller that are due, locked (SKIP LOCKED: two relays never claim the same
    row) and leased, so that no other relay hands them out again until the lease ends."""
    due = list(session.scalars(
        select(model).where(model.status.in_(DUE_STATUSES), model.next_attempt_at <= func.now())
        .order_by(model.next_attempt_at).limit(limit).with_for_update(skip_locked=True)))
    for intent in due:
        intent.next_attempt_at = func.now() + LEASE
    session.flush()
    return due


# ---- the fast path: announce new intents once their transaction commits ---------------------------

Announcement = tuple[str, uuid.UUID, uuid.UUID]  # (kind, seller id, intent id)
Publisher = Callable[[list[Announcement]], None]
_publisher: Publisher | None = None


def install_publisher(publisher: Publisher | None) -> Publisher | None:
    """Set what receives committed intents (automation installs it); returns the previous one."""
    global _publisher
    previous, _publisher = _publisher, publisher
    return previous


@event.listens_for(Session, "after_flush")
def _announce_after_commit(session: Session, flush_context: object) -> None:
    new = [(type(o).__intent_kind__, o.seller_id, o.id) for o in session.new if isinstance(o, Intent)]
    if new:  # a savepoint rolled back forgets its announcements (hooks.after_commit)
        after_commit(session, lambda: _publish(new))


def _publish(announcements: list[Announcement]) -> None:
    if _publisher is not None:
        _publisher(announcements)

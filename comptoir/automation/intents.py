"""Performing intents: the registry of handlers, the performer, the relay and the fast-path publisher.

Each intent kind names its model and a handler. A short handler runs inside the transaction that
holds the intent's row lock (so two deliveries of one intent never both act) and simply returns or
raises; a long one (plan sync with progress) manages its own transactions and records its own
outcome. A worker dying mid-task loses its transaction and lock: the row stays due and the relay, or
the broker's redelivery, hands it out again.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from comptoir.audit import recorder
from comptoir.database import intents
from comptoir.database.engine import session_scope
from comptoir.database.intents import Announcement, Intent
from comptoir.settings import get_settings
from comptoir.tenancy.context import Role, TenantContext

log = logging.getLogger(__name__)

RELAY_BATCH = 200
TASK_NAME = "comptoir.intent"


@dataclass(frozen=True)
class IntentKind:
    name: str
    model: type[Intent]
    handler: Callable[..., object]
    max_attempts: int = 8
    # A long handler receives (seller_id, intent_id) and owns its transactions and its outcome.
    long_running: bool = False
    # Called (session, intent, error) after a failed attempt, outside the handler's undone savepoint, to
    # record what the failure said (the intent's status tells whether it was the last attempt).
    on_attempt_failed: Callable[..., object] | None = None


_kinds: dict[str, IntentKind] = {}


def register(kind: IntentKind) -> None:
    _kinds[kind.name] = kind


def kinds() -> list[IntentKind]:
    return list(_kinds.values())


def system_context(seller_id: uuid.UUID) -> TenantContext:
    return TenantContext(Role.SYSTEM, seller_id)


# ---- performing one intent ----------------------------------------------------------------------

def perform(kind_name: str, seller_id: uuid.UUID, intent_id: uuid.UUID) -> str:
    """Carry out one intent, idempotently; returns its status afterwards ("missing" if there is none)."""
    kind = _kinds[kind_name]
    if kind.long_running:
        return str(kind.handler(seller_id, intent_id))
    with recorder.origin(source="intent", operation=kind.name), session_scope(system_context(seller_id)) as session:
        intent = intents.lock(session, kind.model, intent_id)
        if intent is None:
            return "missing"
        if intent.is_finished:
            return intent.status
        _attempt(session, kind, intent)
        status = intent.status
    log.info("%s %s: %s", kind.name, intent_id, status)
    return status


def _attempt(session: Session, kind: IntentKind, intent: Intent) -> None:
    intent.attempts += 1
    try:
        with session.begin_nested():  # a failing handler's writes go; the attempt's record stays
            kind.handler(session, intent)
    except SQLAlchemyError:
        raise  # the transaction itself is lost: nothing can be recorded, the intent stays due
    except Exception as error:  # noqa: BLE001 -- whatever the outside world raises is this attempt's failure
        intents.mark_failed_attempt(intent, f"{type(error).__name__}: {error}", max_attempts=kind.max_attempts)
        log.warning("%s %s failed (attempt %s): %s", kind.name, intent.id, intent.attempts, error)
        if kind.on_attempt_failed is not None:
            kind.on_attempt_failed(session, intent, error)
        session.flush()
        return
    intents.mark_done(intent)
    session.flush()


# ---- the relay ------------------------------------------------------------------------------------

def relay(*, inline: bool = False) -> int:
    """Hand out every due intent of every seller (claimed with SKIP LOCKED, so relays running at once
    share the work); `inline` performs them here instead of publishing. Returns how many it handed out."""
    handed_out = 0
    for kind in kinds():
        for seller_id in _sellers_with_due(kind):
            with session_scope(system_context(seller_id)) as session:
                claimed = [(kind.name, seller_id, i.id) for i in intents.claim_due(session, kind.model,
                                                                                   limit=RELAY_BATCH)]
            handed_out += len(claimed)
            if inline:
                for announcement in claimed:
                    _perform_logged(*announcement)
            else:
                publish(claimed)
    return handed_out


def _sellers_with_due(kind: IntentKind) -> list[uuid.UUID]:
    # Which sellers have due work is an instance-wide question: a narrow definer function answers ids only.
    with session_scope(None) as session:
        return list(session.scalars(text("SELECT comptoir_sellers_with_due_intents(:table)"),
                                    {"table": kind.model.__tablename__}))


# ---- the fast path --------------------------------------------------------------------------------

_executor: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="comptoir-intents")
    return _executor


def shutdown() -> None:
    """Process exit (SIGTERM): finish the deliveries under way, drop the queued ones (still due in the
    database: the relay hands them out again)."""
    global _executor
    if _executor is not None:
        _executor.shutdown(wait=True, cancel_futures=True)
        _executor = None


def publish(announcements: list[Announcement]) -> None:
    """Send intents to the workers (broker) or perform them on local threads (embedded mode), off the
    caller's thread: a committed request never waits for, nor fails with, a publish."""
    for announcement in announcements:
        _pool().submit(deliver_announcement, announcement)


def deliver_announcement(announcement: Announcement) -> None:
    if get_settings().broker_url:
        try:
            from comptoir.automation.celery_app import celery

            kind, seller_id, intent_id = announcement
            celery.send_task(TASK_NAME, args=[kind, str(seller_id), str(intent_id)])
        except Exception:  # noqa: BLE001 -- broker down: the relay re-dispatches once it is back
            log.warning("publishing %s failed; the relay will deliver it", announcement, exc_info=True)
    else:
        _perform_logged(*announcement)


def _perform_logged(kind: str, seller_id: uuid.UUID, intent_id: uuid.UUID) -> None:
    try:
        perform(kind, seller_id, intent_id)
    except Exception:  # noqa: BLE001 -- the intent stays due: the relay retries it
        log.exception("performing %s %s failed", kind, intent_id)


def install() -> None:
    """Make committed intents reach their handlers (API processes, workers, the CLI)."""
    intents.install_publisher(publish)


"""Scheduled events (SPEC §10): the registry of kinds, the tick that runs due events, "run now".

Every seller holds one row per recurring kind (instance-wide kinds: the provider's seller only); the
tick creates missing rows, then claims due ones with SKIP LOCKED, each in its own transaction, so two
ticks running at once run each due event exactly once. A handler runs in a savepoint: when it fails,
its writes go, the failure is recorded and the event is retried after a backoff, up to its attempts.
"""

from __future__ import annotations

import enum
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from comptoir import clock
from comptoir.audit import recorder
from comptoir.automation.errors import AutomationErrorCode
from comptoir.automation.intents import system_context
from comptoir.automation.models import ScheduledEvent
from comptoir.automation.rules import Recurrence
from comptoir.database.engine import session_scope
from comptoir.database.intents import backoff
from comptoir.database.pagination import Page, PageRequest, paginate
from comptoir.errors import CommonErrorCode, DomainError
from comptoir.tenancy.models import Seller

log = logging.getLogger(__name__)


class EventStatus(enum.Enum):
    PENDING = "pending"
    DONE = "done"  # one-off events only
    FAILED = "failed"


class Scope(enum.Enum):
    SELLER = "seller"  # one row per seller
    INSTANCE = "instance"  # one row, the provider's


Handler = Callable[[Session, ScheduledEvent], dict[str, Any]]


@dataclass(frozen=True)
class EventKind:
    name: str
    recurrence: Callable[[], str]  # read when a row is created (some follow settings)
    handler: Handler
    scope: Scope = Scope.SELLER
    max_attempts: int = 5


@dataclass(frozen=True)
class EventRun:
    """What one run did, as the tick and the sandbox clock report it."""

    event_id: uuid.UUID
    seller_id: uuid.UUID
    kind: str
    ran_at: datetime
    status: str
    result: dict[str, Any]
    error: str


_kinds: dict[str, EventKind] = {}


def register(kind: EventKind) -> None:
    _kinds[kind.name] = kind


def kind_names() -> list[str]:
    return list(_kinds)


# ---- the tick -------------------------------------------------------------------------------------

def tick() -> list[EventRun]:
    """Create missing recurring rows, then run every event due at the instance's now, oldest first."""
    schedule_missing()
    runs = []
    for seller_id, event_id in _due_events():
        run = run_event(seller_id=seller_id, event_id=event_id, only_if_due=True)
        if run is not None:
            runs.append(run)
    return runs


def _due_events() -> list[tuple[uuid.UUID, uuid.UUID]]:
    # Due work across tenants is an instance-wide question: a narrow definer function answers ids only.
    with session_scope(None) as session:
        return [(row.seller_id, row.id) for row in session.execute(text("SELECT * FROM comptoir_due_events()"))]


def schedule_missing() -> int:
    """Give every seller a row for each recurring kind it lacks (new sellers, new kinds)."""
    created = 0
    for kind in _kinds.values():
        with session_scope(None) as session:
            missing = list(session.scalars(text("SELECT comptoir_sellers_without_event(:kind, :instance)"),
                                           {"kind": kind.name, "instance": kind.scope is Scope.INSTANCE}))
        for seller_id in missing:
            with session_scope(system_context(seller_id)) as session:
                session.add(ScheduledEvent(seller_id=seller_id, kind=kind.name, run_at=clock.now(),
                                           recurrence=kind.recurrence()))
                created += 1
    return created


def run_event(*, seller_id: uuid.UUID, event_id: uuid.UUID, only_if_due: bool) -> EventRun | None:
    """Run one event in its own transaction, under its row lock; None when another tick holds it or,
    with only_if_due, when it is not due any more (another tick ran it first)."""
    with recorder.origin(source="event"), session_scope(system_context(seller_id)) as session:
        event = session.scalars(select(ScheduledEvent).where(ScheduledEvent.id == event_id)
                                .with_for_update(skip_locked=True)).one_or_none()
        if event is None or (only_if_due and not _is_due(event, clock.now())):
            return None
        with recorder.origin(operation=event.kind):
            return _run(session, event)


def _is_due(event: ScheduledEvent, now: datetime) -> bool:
    runnable = event.status == EventStatus.PENDING.value or (
        event.status == EventStatus.FAILED.value and event.recurrence is not None)
    return runnable and event.run_at <= now


def _run(session: Session, event: ScheduledEvent) -> EventRun:
    kind = _kinds[event.kind]
    ran_at = clock.now()
    event.attempts += 1
    try:
        with session.begin_nested():
            result = kind.handler(session, event)
    except SQLAlchemyError:
        raise  # the transaction is lost: the event stays due and the next tick retries it
    except Exception as error:  # noqa: BLE001 -- a failing handler is this run's failure, recorded
        log.warning("scheduled event %s (%s) failed: %s", event.id, event.kind, error)
        _record_failure(session, event, kind, f"{type(error).__name__}: {error}"[:1000], ran_at)
    else:
        _record_success(session, event, result, ran_at)
    session.flush()
    return EventRun(event_id=event.id, seller_id=event.seller_id, kind=event.kind, ran_at=ran_at,
                    status=event.status, result=event.result, error=event.last_error)


def _record_success(session: Session, event: ScheduledEvent, result: dict[str, Any], ran_at: datetime) -> None:
    event.result, event.last_error, event.attempts = result, "", 0
    event.last_run_at, event.runs = ran_at, event.runs + 1
    if event.recurrence is None:
        event.status = EventStatus.DONE.value
    else:
        event.status, event.run_at = EventStatus.PENDING.value, _next_run(session, event, ran_at)


def _record_failure(session: Session, event: ScheduledEvent, kind: EventKind, error: str, ran_at: datetime) -> None:
    event.last_error, event.last_run_at = error, ran_at
    if event.attempts < kind.max_attempts:
        event.run_at = ran_at + backoff(event.attempts)
        return
    # Out of retries: failed. A recurring event still comes back at its next regular run.
    event.status, event.attempts = EventStatus.FAILED.value, 0
    if event.recurrence is not None:
        event.run_at = _next_run(session, event, ran_at)


def _next_run(session: Session, event: ScheduledEvent, after: datetime) -> datetime:
    assert event.recurrence is not None
    zone = session.scalar(select(Seller.timezone).where(Seller.id == event.seller_id)) or "UTC"
    return Recurrence.parse(event.recurrence).next_run(after=after, zone=zone)


# ---- what the API offers ------------------------------------------------------------------------

def run_now(*, seller_id: uuid.UUID, event_id: uuid.UUID) -> EventRun | None:
    """Run an event now, whatever its run time; a recurring one then keeps its rhythm from now."""
    return run_event(seller_id=seller_id, event_id=event_id, only_if_due=False)


@dataclass(frozen=True)
class EventFilter:
    kind: str | None = None
    status: EventStatus | None = None
    seller_id: uuid.UUID | None = None


class EventSort(enum.Enum):
    RUN_AT = "run_at"
    KIND = "kind"


def list_events(*, session: Session, filter_: EventFilter, page: PageRequest, sort: EventSort) -> Page[ScheduledEvent]:
    """The events the caller may see (row security: its seller's, or every seller's for the provider)."""
    if filter_.kind is not None and filter_.kind not in _kinds:
        raise DomainError(AutomationErrorCode.UNKNOWN_EVENT_KIND, f"No event kind {filter_.kind!r}; "
                          f"known: {', '.join(sorted(_kinds))}.", field="filter.kind")
    statement = select(ScheduledEvent)
    if filter_.kind is not None:
        statement = statement.where(ScheduledEvent.kind == filter_.kind)
    if filter_.status is not None:
        statement = statement.where(ScheduledEvent.status == filter_.status.value)
    if filter_.seller_id is not None:
        statement = statement.where(ScheduledEvent.seller_id == filter_.seller_id)
    column = ScheduledEvent.run_at if sort is EventSort.RUN_AT else ScheduledEvent.kind
    return paginate(session, statement, page, sort_column=column, id_column=ScheduledEvent.id)


def get_or_raise(*, session: Session, event_id: uuid.UUID) -> ScheduledEvent:
    """An event visible in the caller's context, read afresh (a tick may just have run it)."""
    event = session.scalars(select(ScheduledEvent).where(ScheduledEvent.id == event_id)
                            .execution_options(populate_existing=True)).one_or_none()
    if event is None:
        raise DomainError(CommonErrorCode.NOT_FOUND, "No scheduled event with this id.", field="id")
    return event

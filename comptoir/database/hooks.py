"""Work that must follow a successful commit (announcing new intents to their workers).

Best effort: each callback runs on its own, and one that fails is logged and never turns the committed
transaction into an error (the intents relay delivers what a lost announcement missed).

Only the commit of the outermost transaction runs the callbacks: SQLAlchemy also fires its commit
and rollback events for savepoints, and a job dispatched at RELEASE SAVEPOINT would reach a worker
before its row is committed. Rolling back a savepoint forgets only the callbacks registered inside it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger(__name__)
_KEY = "comptoir_after_commit"


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    session.info.setdefault(_KEY, []).append((_enclosing_savepoints(session), callback))


def _enclosing_savepoints(session: Session) -> tuple[SessionTransaction, ...]:
    savepoints = []
    transaction = session.get_nested_transaction()
    while transaction is not None:
        if transaction.nested:
            savepoints.append(transaction)
        transaction = transaction.parent
    return tuple(savepoints)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint was released; the transaction goes on
        return
    for _, callback in session.info.pop(_KEY, []):
        try:
            callback()
        except Exception:  # noqa: BLE001 -- the transaction is committed: report, never fail it
            log.exception("an after-commit callback failed")


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    if not previous_transaction.nested:
        if previous_transaction.parent is None:
            session.info.pop(_KEY, None)
        return
    kept = [(savepoints, callback) for savepoints, callback in session.info.get(_KEY, [])
            if not any(savepoint is previous_transaction for savepoint in savepoints)]
    session.info[_KEY] = kept

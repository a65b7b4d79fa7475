"""Jobs start only once the outermost transaction commits; a rolled-back savepoint takes its own along."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from comptoir.database.engine import session_scope
from comptoir.database.hooks import after_commit


@pytest.fixture(autouse=True)
def clean_tables() -> Iterator[None]:
    """Nothing is written: no tables to empty after each test."""
    yield


def test_callbacks_run_once_the_transaction_commits():
    ran: list[str] = []
    with session_scope(None) as session:
        after_commit(session, lambda: ran.append("job"))
        assert ran == []
    assert ran == ["job"]


def test_releasing_a_savepoint_does_not_run_the_callbacks_yet():
    ran: list[str] = []
    with session_scope(None) as session:
        after_commit(session, lambda: ran.append("before"))
        with session.begin_nested():
            after_commit(session, lambda: ran.append("inside"))
        assert ran == []
    assert ran == ["before", "inside"]


def test_rolling_back_a_savepoint_forgets_only_the_callbacks_registered_inside_it():
    ran: list[str] = []
    with session_scope(None) as session:
        after_commit(session, lambda: ran.append("kept"))
        savepoint = session.begin_nested()
        after_commit(session, lambda: ran.append("dropped"))
        with session.begin_nested():
            after_commit(session, lambda: ran.append("dropped too"))
        savepoint.rollback()
        with session.begin_nested():
            after_commit(session, lambda: ran.append("later"))
    assert ran == ["kept", "later"]


def test_a_rolled_back_transaction_runs_no_callbacks():
    ran: list[str] = []
    with pytest.raises(RuntimeError), session_scope(None) as session:
        after_commit(session, lambda: ran.append("job"))
        raise RuntimeError("the request failed")
    assert ran == []


def test_a_failing_callback_neither_fails_the_commit_nor_stops_the_others():
    ran: list[str] = []

    def explode() -> None:
        raise RuntimeError("broker down")

    with session_scope(None) as session:
        after_commit(session, explode)
        after_commit(session, lambda: ran.append("next"))
    assert ran == ["next"]

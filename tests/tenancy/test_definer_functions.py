"""The log-in definer functions (migration 0008): the server's clock, bounded input, as the app role calls them."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from comptoir.database.engine import session_scope

ACQUIRE = "SELECT comptoir_throttle_acquire(:keys, :limits, :windows)"


def _call(statement: str, **params: Any) -> Any:
    with session_scope(None) as session:
        return session.execute(text(statement), params).scalar()


# The sandbox clock's target is a time by nature: the function refuses anything but a finite future.
TAKES_A_TARGET_TIME = {"comptoir_clock_advance_to(timestamp with time zone)"}


def test_no_definer_function_takes_a_time_from_its_caller(superuser_connection):
    # a caller-supplied "now" lets the app role move windows and expiries ('infinity', the past)
    taking_time = superuser_connection.execute("""
        SELECT p.oid::regprocedure::text FROM pg_proc p
         WHERE p.prosecdef AND p.pronamespace = 'public'::regnamespace
           AND EXISTS (SELECT 1 FROM unnest(p.proargtypes) t
                        WHERE t IN ('timestamptz'::regtype, 'timestamp'::regtype, 'date'::regtype))
    """).fetchall()
    assert [name for (name,) in taking_time if name not in TAKES_A_TARGET_TIME] == []


def test_an_acquire_within_bounds_is_allowed():
    assert _call(ACQUIRE, keys=["login:test"], limits=[5], windows=[900]) is True


@pytest.mark.parametrize("keys, limits, windows", [
    ([], [], []),
    ([f"k{n}" for n in range(9)], [5] * 9, [900] * 9),
    (["x" * 301], [5], [900]),
    ([""], [5], [900]),
    (["k"], [0], [900]),
    (["k"], [5], [0]),
    (["k"], [5], [86_401]),
    (["k", "l"], [5], [900, 900]),
], ids=["no key", "too many keys", "key too long", "empty key", "no attempt allowed", "empty window",
        "window over a day", "a limit missing"])
def test_acquire_refuses_unbounded_input(keys, limits, windows):
    with pytest.raises(DBAPIError, match="throttle keys|within bounds"):
        _call(ACQUIRE, keys=keys, limits=limits, windows=windows)


@pytest.mark.parametrize("function", ["comptoir_throttle_record", "comptoir_throttle_clear"])
def test_record_and_clear_refuse_unbounded_arrays(function):
    with pytest.raises(DBAPIError, match="throttle keys"):
        _call(f"SELECT {function}(:keys)", keys=[f"k{n}" for n in range(100)])


@pytest.mark.parametrize("idle", [-1, 31 * 86_400 + 1])
def test_session_lookup_refuses_an_idle_timeout_out_of_range(idle):
    with pytest.raises(DBAPIError, match="idle timeout"):
        _call("SELECT count(*) FROM comptoir_session_lookup(:digest, :idle)", digest=b"\0" * 32, idle=idle)

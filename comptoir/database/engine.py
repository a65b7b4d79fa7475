"""Engines and sessions; every transaction begins by stating its tenant context to PostgreSQL."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session, sessionmaker

from comptoir import clock
from comptoir.database.urls import resolve_app_url
from comptoir.settings import get_settings
from comptoir.tenancy import context as tenant

SET_CONTEXT_SQL = text(
    "SELECT set_config('comptoir.role', :role, true),"
    " set_config('comptoir.seller_id', :seller, true),"
    " set_config('comptoir.customer_id', :customer, true)"
)


SANDBOX_OFFSET_SQL = text("SELECT comptoir_clock_offset()")
_offset_loaded = False


def apply_context(connection: Any, context: tenant.TenantContext | None) -> None:
    """State the tenant context for the current transaction only (is_local = true)."""
    connection.execute(SET_CONTEXT_SQL, tenant.config_values(context))


@event.listens_for(Session, "after_begin")
def _context_on_begin(session: Session, transaction: Any, connection: Any) -> None:
    context = tenant.current()
    if context is not None:
        apply_context(connection, context)
    global _offset_loaded
    # In sandbox mode the clock may move at any time; otherwise only a former sandbox left it ahead.
    if get_settings().sandbox or not _offset_loaded:
        clock.set_offset(connection.execute(SANDBOX_OFFSET_SQL).scalar_one())
        _offset_loaded = True


def _install_audit_log() -> None:
    """Every session records its changes in the audit log (comptoir.audit.recorder)."""
    from comptoir.audit import recorder

    recorder.install()


_install_audit_log()


# The session's settings go back to their defaults before a connection returns to the pool: a second
# guard (the context itself is transaction-local) against any session-level setting. A commit carries
# the RESET ALL in its own round trip; a connection that returns any other way is reset on check-in.
COMMIT_AND_RESET = "COMMIT; RESET ALL"  # no parameters: the simple query protocol takes both at once
_RESET_BY_COMMIT = "comptoir_reset_by_commit"


def _commit_and_reset(dbapi_connection: Any) -> None:
    """The dialect's commit, with the reset in the same round trip."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(COMMIT_AND_RESET)
    finally:
        cursor.close()
    dbapi_connection.info[_RESET_BY_COMMIT] = True


def _transaction_begins(connection: Any) -> None:
    # Whatever this transaction sets, the reset of the last commit no longer covers it.
    connection.connection.info.pop(_RESET_BY_COMMIT, None)


def _reset_on_return(dbapi_connection: Any, record: Any, reset_state: Any) -> None:
    if reset_state.terminate_only:
        return
    if record.info.pop(_RESET_BY_COMMIT, False) and reset_state.transaction_was_reset:
        return
    if not reset_state.transaction_was_reset:
        dbapi_connection.rollback()
    dbapi_connection.autocommit = True
    try:
        cursor = dbapi_connection.cursor()
        cursor.execute("RESET ALL")
        cursor.close()
    finally:
        dbapi_connection.autocommit = False


def _guard_pool(engine: Engine) -> None:
    engine.dialect.do_commit = _commit_and_reset  # type: ignore[method-assign]
    event.listen(engine, "begin", _transaction_begins)
    event.listen(engine.pool, "reset", _reset_on_return)


def _driver_url(url: str) -> str:
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def connect_args() -> dict[str, Any]:
    """Bounds on a stalled database: how long connecting may take, and any one statement (server side;
    given at connection start, so RESET ALL on check-in keeps it)."""
    settings = get_settings()
    return {"connect_timeout": settings.database_connect_timeout_seconds,
            "options": f"-c statement_timeout={settings.database_statement_timeout_ms}"}


def sync_engine(url: str | None = None) -> Engine:
    """One engine per URL (the app role's by default), however the default is asked for."""
    return _sync_engine(url or resolve_app_url())


@lru_cache
def _sync_engine(url: str) -> Engine:
    settings = get_settings()
    engine = create_engine(
        _driver_url(url),
        pool_size=settings.pool_size,
        pool_pre_ping=False,
        pool_reset_on_return=None,
        connect_args=connect_args(),
    )
    _guard_pool(engine)
    return engine


def async_engine(url: str | None = None) -> AsyncEngine:
    """One engine, so one pool, per URL (the app role's by default), however the default is asked for."""
    return _async_engine(url or resolve_app_url())


@lru_cache
def _async_engine(url: str) -> AsyncEngine:
    settings = get_settings()
    engine = create_async_engine(
        _driver_url(url),
        pool_size=settings.pool_size,
        max_overflow=settings.pool_size,
        pool_reset_on_return=None,
        connect_args=connect_args(),
    )
    _guard_pool(engine.sync_engine)
    return engine


@lru_cache
def side_sessionmaker() -> sessionmaker[Session]:
    """Sessions of a second, small pool (the app role's) for short transactions opened while a caller holds
    a connection of the main pool, maybe with locks: they must never wait for the main pool to free one
    (the secrets seam's data-key look-ups)."""
    engine = create_engine(_driver_url(resolve_app_url()), pool_size=2, max_overflow=6,
                           pool_reset_on_return=None, connect_args=connect_args())
    _guard_pool(engine)
    return sessionmaker(engine, expire_on_commit=False)


@lru_cache
def sync_sessionmaker(url: str | None = None) -> sessionmaker[Session]:
    return sessionmaker(sync_engine(url), expire_on_commit=False)


@lru_cache
def async_sessionmaker_for(url: str | None = None) -> async_sessionmaker[Any]:
    return async_sessionmaker(async_engine(url), expire_on_commit=False)


@contextlib.contextmanager
def session_scope(context: tenant.TenantContext | None, url: str | None = None) -> Iterator[Session]:
    """One transaction as `context`: commit on success, roll back on error (CLI, workers, tests)."""
    with tenant.acting_as(context), sync_sessionmaker(url)() as session, session.begin():
        yield session

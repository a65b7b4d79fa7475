"""Engines and sessions; every transaction begins by stating its tenant context to PostgreSQL."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session, sessionmaker

from comptoir.database.urls import resolve_app_url
from comptoir.settings import get_settings
from comptoir.tenancy import context as tenant

SET_CONTEXT_SQL = text(
    "SELECT set_config('comptoir.role', :role, true),"
    " set_config('comptoir.seller_id', :seller, true),"
    " set_config('comptoir.customer_id', :customer, true)"
)


def apply_context(connection: Any, context: tenant.TenantContext | None) -> None:
    """State the tenant context for the current transaction only (is_local = true)."""
    connection.execute(SET_CONTEXT_SQL, tenant.config_values(context))


@event.listens_for(Session, "after_begin")
def _context_on_begin(session: Session, transaction: Any, connection: Any) -> None:
    context = tenant.current()
    if context is not None:
        apply_context(connection, context)


def _reset_on_return(dbapi_connection: Any, record: Any, reset_state: Any) -> None:
    # Second guard after the rollback: no session-level setting survives into the next checkout.
    if reset_state.terminate_only:
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


def _driver_url(url: str) -> str:
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@lru_cache
def sync_engine(url: str | None = None) -> Engine:
    settings = get_settings()
    engine = create_engine(
        _driver_url(url or resolve_app_url()),
        pool_size=settings.pool_size,
        pool_pre_ping=False,
        pool_reset_on_return=None,
    )
    event.listen(engine.pool, "reset", _reset_on_return)
    return engine


@lru_cache
def async_engine(url: str | None = None) -> AsyncEngine:
    settings = get_settings()
    engine = create_async_engine(
        _driver_url(url or resolve_app_url()),
        pool_size=settings.pool_size,
        max_overflow=settings.pool_size,
        pool_reset_on_return=None,
    )
    event.listen(engine.sync_engine.pool, "reset", _reset_on_return)
    return engine


@lru_cache
def sync_sessionmaker(url: str | None = None) -> sessionmaker[Session]:
    return sessionmaker(sync_engine(url), expire_on_commit=False)


@lru_cache
def async_sessionmaker_for(url: str | None = None) -> async_sessionmaker[Any]:
    return async_sessionmaker(async_engine(url), expire_on_commit=False)


@contextlib.contextmanager
def session_scope(context: tenant.TenantContext | None, url: str | None = None) -> Iterator[Session]:
    """One transaction as `context`: commit on success, roll back on error (CLI, workers, tests)."""
    with tenant.acting_as(context):
        with sync_sessionmaker(url)() as session:
            with session.begin():
                yield session

"""Alembic environment: migrations run as the owner role (comptoir_owner), never as the app role."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from comptoir.database.engine import _driver_url
from comptoir.database.urls import resolve_owner_url

url = context.config.get_main_option("sqlalchemy.url") or resolve_owner_url()
engine = create_engine(_driver_url(url), poolclass=pool.NullPool)

with engine.connect() as connection:
    context.configure(connection=connection, transactional_ddl=True)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()

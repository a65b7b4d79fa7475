"""Run Alembic migrations as the owner role and tell whether the database is at head."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from comptoir.database.urls import resolve_owner_url

ROOT = Path(__file__).resolve().parents[2]


def alembic_config(owner_url: str | None = None) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", (owner_url or resolve_owner_url()).replace("%", "%%"))
    return config


def upgrade(owner_url: str | None = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(owner_url), revision)


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("postgresql://unused")).get_current_head()


"""The embedded default: a private PostgreSQL 16 under var/, started on demand (pgserver wheel)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy.engine import make_url

from comptoir.database.bootstrap import bootstrap
from comptoir.database.urls import APP_ROLE, OWNER_ROLE, quote_password
from comptoir.settings import get_settings


@dataclass(frozen=True)
class EmbeddedUrls:
    superuser: str
    app: str
    owner: str


@lru_cache
def embedded_urls() -> EmbeddedUrls:
    """Start (or reuse) the private server, create roles and database, return the URLs."""
    import pgserver

    settings = get_settings()
    data_dir = (settings.var_dir / "postgres").resolve()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(str(data_dir), cleanup_mode="stop")
    superuser = server.get_uri()
    socket_dir = make_url(superuser).query["host"]
    bootstrap(superuser, settings.database_name, app_password=settings.app_password,
              owner_password=settings.owner_password)

    def url(role: str, password: str) -> str:
        return f"postgresql://{role}:{quote_password(password)}@/{settings.database_name}?host={socket_dir}"

    return EmbeddedUrls(superuser, url(APP_ROLE, settings.app_password), url(OWNER_ROLE, settings.owner_password))

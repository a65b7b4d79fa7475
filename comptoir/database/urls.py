"""Which database to talk to, and as whom: the app role, the owner role, a bootstrap superuser."""

from __future__ import annotations

from urllib.parse import quote

from sqlalchemy.engine import make_url

from comptoir.settings import get_settings

APP_ROLE = "comptoir_app"
OWNER_ROLE = "comptoir_owner"
DEFINER_ROLE = "comptoir_definer"


def with_credentials(url: str, user: str, password: str, database: str | None = None) -> str:
    parsed = make_url(url).set(username=user, password=password)
    if database:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


def resolve_app_url() -> str:
    settings = get_settings()
    if settings.database_url:
        return settings.database_url
    from comptoir.database.embedded import embedded_urls

    return embedded_urls().app


def resolve_owner_url() -> str:
    settings = get_settings()
    if settings.migration_database_url:
        return settings.migration_database_url
    if settings.database_url:
        return with_credentials(settings.database_url, OWNER_ROLE, settings.owner_password)
    from comptoir.database.embedded import embedded_urls

    return embedded_urls().owner


def quote_password(password: str) -> str:
    return quote(password, safe="")

"""Create the roles and the database once, as a superuser. Idempotent."""

from __future__ import annotations

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from comptoir.database.urls import APP_ROLE, DEFINER_ROLE, OWNER_ROLE


def _conninfo(url: str, database: str | None = None) -> str:
    parsed = make_url(url)
    if database:
        parsed = parsed.set(database=database)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def _ensure_role(cur: psycopg.Cursor, name: str, attributes: str, password: str | None) -> None:
    cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,))
    verb = "ALTER" if cur.fetchone() else "CREATE"
    statement = sql.SQL(f"{verb} ROLE {{}} {attributes}").format(sql.Identifier(name))
    if password is not None:
        statement = statement + sql.SQL(" PASSWORD {}").format(sql.Literal(password))
    cur.execute(statement)


def ensure_roles(superuser_url: str, *, app_password: str, owner_password: str) -> None:
    with psycopg.connect(_conninfo(superuser_url), autocommit=True) as conn, conn.cursor() as cur:
        _ensure_role(cur, OWNER_ROLE, "LOGIN NOSUPERUSER NOCREATEROLE NOBYPASSRLS", owner_password)
        _ensure_role(cur, APP_ROLE, "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS", app_password)
        # Owns the few SECURITY DEFINER look-ups that run before a tenant is known.
        _ensure_role(cur, DEFINER_ROLE, "NOLOGIN NOSUPERUSER BYPASSRLS", None)
        cur.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(DEFINER_ROLE), sql.Identifier(OWNER_ROLE)))


def ensure_database(superuser_url: str, database: str, *, drop_first: bool = False) -> None:
    with psycopg.connect(_conninfo(superuser_url), autocommit=True) as conn, conn.cursor() as cur:
        if drop_first:
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
        if cur.fetchone() is None:
            cur.execute(
                sql.SQL("CREATE DATABASE {} OWNER {} ENCODING 'UTF8' TEMPLATE template0").format(
                    sql.Identifier(database), sql.Identifier(OWNER_ROLE)
                )
            )
    with psycopg.connect(_conninfo(superuser_url, database), autocommit=True) as conn, conn.cursor() as cur:
        cur.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(sql.Identifier(OWNER_ROLE)))
        cur.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
        cur.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(sql.Identifier(APP_ROLE)))
        cur.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(sql.Identifier(database)))
        cur.execute(
            sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(
                sql.Identifier(database), sql.Identifier(APP_ROLE)
            )
        )


def bootstrap(superuser_url: str, database: str, *, app_password: str, owner_password: str,
              drop_first: bool = False) -> None:
    ensure_roles(superuser_url, app_password=app_password, owner_password=owner_password)
    ensure_database(superuser_url, database, drop_first=drop_first)

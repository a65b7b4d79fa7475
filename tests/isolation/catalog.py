"""What pg_catalog says about the public schema: which tables are tenant tables, and their columns."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import psycopg

Connection = psycopg.Connection[Any]

TENANT_COLUMN = "seller_id"
# A customer's own record is keyed by its id; every other customer-owned row carries customer_id.
CUSTOMER_KEY_COLUMNS = {"customers": "id"}

PUBLIC_TABLES = """
SELECT c.relname FROM pg_class c
 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'f')
 ORDER BY c.relname
"""

TABLE_COLUMNS = """
SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attgenerated <> '', pg_get_expr(d.adbin, d.adrelid)
  FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attnum
"""

# Columns a unique index covers (primary keys included), and those a BEFORE trigger watches: the
# instance-wide uniqueness checks on usernames and domain names are definer triggers, not indexes.
UNIQUE_COLUMNS = """
SELECT a.attname FROM pg_index i
  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
 WHERE i.indrelid = %(table)s::regclass AND i.indisunique
UNION
SELECT a.attname FROM pg_trigger t
  JOIN pg_attribute a ON a.attrelid = t.tgrelid AND a.attnum = ANY(t.tgattr)
 WHERE t.tgrelid = %(table)s::regclass AND NOT t.tgisinternal
"""


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    generated: bool
    expression: str | None  # the default or the generation expression


@dataclass(frozen=True)
class Tables:
    tenant: tuple[str, ...]
    customer_owned: tuple[str, ...]
    internal: tuple[str, ...]

    @property
    def seller_owned(self) -> tuple[str, ...]:
        """Tenant tables whose rows belong to the seller alone (no customer column)."""
        return tuple(table for table in self.tenant if table not in self.customer_owned)


def app_conninfo() -> str:
    """The app role's URL as tests/conftest.py exports it, without SQLAlchemy's driver suffix."""
    return os.environ["COMPTOIR_DATABASE_URL"].replace("+psycopg", "")


def columns(connection: Connection, table: str) -> list[Column]:
    return [Column(*row) for row in connection.execute(TABLE_COLUMNS, (f"public.{table}",))]


def unique_columns(connection: Connection, table: str) -> set[str]:
    return {row[0] for row in connection.execute(UNIQUE_COLUMNS, {"table": f"public.{table}"})}


def customer_column(connection: Connection, table: str) -> str | None:
    """The column naming the customer who owns a row, if the table holds customer-owned rows."""
    names = {column.name for column in columns(connection, table)}
    if "customer_id" in names:
        return "customer_id"
    return CUSTOMER_KEY_COLUMNS.get(table)


def seller_anchor(connection: Connection, table: str) -> str:
    """The writable column that decides seller_id: seller_id itself, or the column it is generated from."""
    for column in columns(connection, table):
        if column.name == TENANT_COLUMN:
            return column.expression if column.generated and column.expression else TENANT_COLUMN
    raise AssertionError(f"{table} has no {TENANT_COLUMN}")


def classify(connection: Connection) -> Tables:
    """Every table in public: tenant tables have seller_id; the others are internal."""
    tenant, customer_owned, internal = [], [], []
    for (table,) in connection.execute(PUBLIC_TABLES):
        if TENANT_COLUMN in {column.name for column in columns(connection, table)}:
            tenant.append(table)
            if customer_column(connection, table):
                customer_owned.append(table)
        else:
            internal.append(table)
    return Tables(tuple(tenant), tuple(customer_owned), tuple(internal))

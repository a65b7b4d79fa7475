"""Row-level security seen from the app role with raw SQL, for every table pg_catalog lists.

The tenant context is stated the way the app states it (set_config(name, value, true) inside a
transaction); the rows come from the real services (tests/isolation/world.py). Every test is
parametrized by table name, so a failure names the table.
"""

from __future__ import annotations

import contextlib
import secrets
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from psycopg import sql
from psycopg.errors import InsufficientPrivilege
from psycopg.types.json import Jsonb

from tests.isolation.catalog import columns, customer_column, seller_anchor, unique_columns
from tests.isolation.world import World, count_rows, snapshot

Connection = psycopg.Connection[Any]

SET_CONTEXT = (
    "SELECT set_config('comptoir.role', %s, true), set_config('comptoir.seller_id', %s, true),"
    " set_config('comptoir.customer_id', %s, true)"
)


@contextlib.contextmanager
def acting_as(connection: Connection, role: str = "", seller: uuid.UUID | None = None,
              customer: uuid.UUID | None = None, *, commit: bool = False) -> Iterator[Connection]:
    """One transaction carrying a tenant context, stated as the app does; rolled back unless `commit`."""
    with connection.transaction(force_rollback=not commit):
        connection.execute(SET_CONTEXT, (role, str(seller or ""), str(customer or "")))
        yield connection


def visible(connection: Connection, table: str, column: str) -> set[Any]:
    """The distinct values of `column` among the rows the connection can see."""
    query = sql.SQL("SELECT DISTINCT {} FROM {}").format(sql.Identifier(column), sql.Identifier(table))
    return {row[0] for row in connection.execute(query)}


def execute(connection: Connection, statement: str, *params: Any, table: str,
            column: str = "seller_id") -> int:
    """Run `statement` with {table} and {column} filled in; the number of rows it touched."""
    query = sql.SQL(statement).format(table=sql.Identifier(table), column=sql.Identifier(column))
    return connection.execute(query, params).rowcount


def touched(connection: Connection, statement: str, *params: Any, table: str, column: str = "seller_id") -> int:
    """`execute`, counting a statement the app role may not run at all (the append-only audit log has no
    UPDATE privilege) as touching nothing."""
    try:
        with connection.transaction():
            return execute(connection, statement, *params, table=table, column=column)
    except InsufficientPrivilege:
        return 0


def refuse(connection: Connection, write: Callable[[], object]) -> None:
    """Expect `write()` to be refused (RLS violation or missing privilege, both SQLSTATE 42501)."""
    # in a savepoint, so that the refusal leaves the outer transaction usable
    with pytest.raises(InsufficientPrivilege), connection.transaction():
        write()


def refuse_or_touch_nothing(connection: Connection, write: Callable[[], int]) -> None:
    """Expect `write()` to be refused, or to find no row it may touch (a role without the operation)."""
    try:
        with connection.transaction():
            touched = write()
    except InsufficientPrivilege:
        return
    assert touched == 0, f"{touched} rows written"


def one_row(superuser: Connection, table: str, where: str, *params: Any) -> dict[str, Any]:
    query = sql.SQL("SELECT to_jsonb(t) FROM {} t WHERE ").format(sql.Identifier(table)) + sql.SQL(where)
    row = superuser.execute(query + sql.SQL(" LIMIT 1"), params).fetchone()
    assert row is not None, f"no row of {table} where {where} {params}"
    return row[0]


def fresh_value(column_type: str) -> Any:
    if column_type == "uuid":
        return str(uuid.uuid4())
    if column_type == "bytea":
        return "\\x" + secrets.token_hex(16)
    if column_type in ("text", "character varying") or column_type.startswith("character varying("):
        return f"probe{secrets.token_hex(6)}"
    if column_type == "inet":
        return f"198.18.{secrets.randbelow(256)}.{secrets.randbelow(256)}"
    if column_type in ("integer", "bigint"):
        return secrets.randbelow(2**31)
    if column_type == "date":
        return f"{1000 + secrets.randbelow(8000)}-{1 + secrets.randbelow(12):02d}-{1 + secrets.randbelow(28):02d}"
    if column_type == "text[]":  # store hostnames (an instance-wide key, checked by a trigger)
        return [f"probe{secrets.token_hex(6)}.test"]
    raise AssertionError(f"teach fresh_value() a fresh {column_type} for a unique column")


def fresh_copy(superuser: Connection, table: str, row: dict[str, Any], *, keep: set[str]) -> dict[str, Any]:
    """`row` with new values in its unique columns, so that only a policy or a privilege can refuse it.

    `keep` names the columns that carry the tenant the test is about.
    """
    renew = unique_columns(superuser, table) - keep
    copy = dict(row)
    for column in columns(superuser, table):
        if column.name in renew and column.name in copy and not column.generated:
            copy[column.name] = fresh_value(column.type)
    return copy


def insert(connection: Connection, table: str, row: dict[str, Any]) -> None:
    writable = [column.name for column in columns(connection, table) if not column.generated]
    names = sql.SQL(", ").join(map(sql.Identifier, writable))
    statement = sql.SQL("INSERT INTO {table} ({names})"
                        " SELECT {names} FROM jsonb_populate_record(NULL::{table}, %s)")
    connection.execute(statement.format(table=sql.Identifier(table), names=names), (Jsonb(row),))


# -- reading ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["reseller", "system"])
def test_reseller_sees_its_own_rows_and_none_of_the_other_resellers(
        world: World, app: Connection, tenant_table: str, role: str) -> None:
    for me in (world.alpha, world.bravo):
        # given the context of one reseller: its staff, or a worker acting for it
        with acting_as(app, role, me.seller_id):
            # when it reads the whole table
            sellers = visible(app, tenant_table, "seller_id")
        # then it sees its own rows, and none of the other reseller's or the provider's
        assert sellers == {me.seller_id}, f"{me.name} sees {tenant_table} rows of {sellers - {me.seller_id}}"


def test_customer_sees_only_its_own_rows_not_its_sibling_customers(
        world: World, app: Connection, customer_table: str) -> None:
    column = customer_column(app, customer_table)
    assert column is not None
    for me in world.alpha.customers:
        # given a customer's context (its sibling belongs to the same reseller)
        with acting_as(app, "customer", world.alpha.seller_id, me.actor.customer_id):
            # when it reads the whole table
            owners = visible(app, customer_table, column)
        # then only its own rows (on the tables it may read at all: test_role_matrix.py), none of its
        # sibling's, none of its reseller's staff rows
        assert owners <= {me.actor.customer_id}, f"{me.username} sees {customer_table} rows of {owners}"


def test_customer_sees_nothing_of_the_other_reseller(
        world: World, app: Connection, tenant_table: str) -> None:
    me = world.alpha.customers[0]
    with acting_as(app, "customer", world.alpha.seller_id, me.actor.customer_id):
        sellers = visible(app, tenant_table, "seller_id")
    assert sellers <= {world.alpha.seller_id}


def test_customer_role_without_a_customer_id_sees_no_customer_owned_rows(
        world: World, app: Connection, customer_table: str) -> None:
    with acting_as(app, "customer", world.alpha.seller_id, None):
        assert count_rows(app, customer_table) == 0


def test_connection_that_never_stated_a_context_sees_no_rows(
        world: World, app: Connection, tenant_table: str) -> None:
    # given a connection on which no comptoir.* setting was ever made
    assert app.execute("SELECT current_setting('comptoir.seller_id', true)").fetchone()[0] is None
    # when it reads, in a transaction and outside one
    with app.transaction(force_rollback=True):
        in_transaction = count_rows(app, tenant_table)
    outside = count_rows(app, tenant_table)
    # then the policies match nothing (fail closed)
    assert (in_transaction, outside) == (0, 0)


@pytest.mark.parametrize("role", ["", "reseller", "customer", "provider"])
def test_empty_string_settings_are_no_context_and_queries_still_work(
        world: World, app: Connection, tenant_table: str, role: str) -> None:
    # given settings stated as '' (what a pooled connection reads after one SET LOCAL), but the role
    with acting_as(app, role, None, None):
        # when reading: a bare ''::uuid cast would fail the query here
        seen = visible(app, tenant_table, "seller_id")
    # then nothing is visible to a role without a seller; the provider role alone sees across tenants
    if role == "provider":
        assert {world.alpha.seller_id, world.bravo.seller_id} <= seen
    else:
        assert seen == set()


def test_context_of_a_committed_transaction_does_not_reach_the_next_one(
        world: World, app: Connection, tenant_table: str) -> None:
    # given a transaction as reseller A on this connection, committed
    with acting_as(app, "reseller", world.alpha.seller_id, commit=True):
        assert count_rows(app, tenant_table) > 0
    # when the next transaction on the same connection states no context
    with app.transaction(force_rollback=True):
        setting = app.execute("SELECT current_setting('comptoir.seller_id', true)").fetchone()[0]
        seen = count_rows(app, tenant_table)
    # then the setting reads '' and nothing is visible
    assert (setting, seen) == ("", 0)


# -- writing ----------------------------------------------------------------------------------------------


def test_reseller_cannot_insert_a_row_carrying_the_other_resellers_seller_id(
        world: World, app: Connection, superuser: Connection, tenant_table: str) -> None:
    # given a row like one of B's (B's seller_id), with fresh values in its unique columns
    anchor = seller_anchor(superuser, tenant_table)
    row_of_b = one_row(superuser, tenant_table, "seller_id = %s", world.bravo.seller_id)
    row = fresh_copy(superuser, tenant_table, row_of_b, keep={"seller_id", anchor})
    before = snapshot(superuser)
    # when reseller A inserts it
    with acting_as(app, "reseller", world.alpha.seller_id):
        refuse(app, lambda: insert(app, tenant_table, row))
    # then it is refused and nothing changed
    assert snapshot(superuser) == before


def test_reseller_cannot_move_its_own_rows_to_the_other_reseller(
        world: World, app: Connection, superuser: Connection, tenant_table: str) -> None:
    anchor = seller_anchor(superuser, tenant_table)
    before = snapshot(superuser)
    with acting_as(app, "reseller", world.alpha.seller_id):
        refuse_or_touch_nothing(app, lambda: execute(
            app, "UPDATE {table} SET {column} = %s WHERE seller_id = %s",
            world.bravo.seller_id, world.alpha.seller_id, table=tenant_table, column=anchor))
    assert snapshot(superuser) == before


def test_reseller_can_neither_update_nor_delete_the_other_resellers_rows(
        world: World, app: Connection, superuser: Connection, tenant_table: str) -> None:
    anchor = seller_anchor(superuser, tenant_table)
    before = snapshot(superuser)
    # when reseller A updates and deletes B's rows, and commits
    with acting_as(app, "reseller", world.alpha.seller_id, commit=True):
        updated = touched(app, "UPDATE {table} SET {column} = {column} WHERE seller_id = %s",
                          world.bravo.seller_id, table=tenant_table, column=anchor)
        deleted = touched(app, "DELETE FROM {table} WHERE seller_id = %s", world.bravo.seller_id,
                          table=tenant_table)
    # then no row was touched
    assert (updated, deleted) == (0, 0)
    assert snapshot(superuser) == before


def test_customer_cannot_write_rows_of_its_sibling_customer(
        world: World, app: Connection, superuser: Connection, customer_table: str) -> None:
    column = customer_column(superuser, customer_table)
    assert column is not None
    me, sibling = world.alpha.customers
    sibling_row = one_row(superuser, customer_table, f"{column} = %s", sibling.actor.customer_id)
    row = fresh_copy(superuser, customer_table, sibling_row, keep={"seller_id", "customer_id"})
    before = snapshot(superuser)
    with acting_as(app, "customer", world.alpha.seller_id, me.actor.customer_id, commit=True):
        # a row for the sibling, and its own rows handed to the sibling: refused
        refuse(app, lambda: insert(app, customer_table, row))
        refuse_or_touch_nothing(app, lambda: execute(
            app, "UPDATE {table} SET {column} = %s WHERE {column} = %s",
            sibling.actor.customer_id, me.actor.customer_id, table=customer_table, column=column))
        # the sibling's rows: out of reach
        updated = touched(app, "UPDATE {table} SET {column} = {column} WHERE {column} = %s",
                          sibling.actor.customer_id, table=customer_table, column=column)
        deleted = touched(app, "DELETE FROM {table} WHERE {column} = %s", sibling.actor.customer_id,
                          table=customer_table, column=column)
    assert (updated, deleted) == (0, 0)
    assert snapshot(superuser) == before


def test_reseller_cannot_promote_its_own_user_to_provider(
        world: World, app: Connection, superuser: Connection) -> None:
    # the session look-up turns users.role into the context's role, and 'provider' reads across tenants
    before = snapshot(superuser)
    with acting_as(app, "reseller", world.alpha.seller_id):
        refuse(app, lambda: execute(
            app, "UPDATE {table} SET role = 'provider' WHERE seller_id = %s", world.alpha.seller_id,
            table="users"))
    assert snapshot(superuser) == before


def test_customer_cannot_turn_its_user_into_staff(
        world: World, app: Connection, superuser: Connection) -> None:
    me = world.alpha.customers[0]
    before = snapshot(superuser)
    with acting_as(app, "customer", world.alpha.seller_id, me.actor.customer_id):
        refuse(app, lambda: execute(
            app, "UPDATE {table} SET role = 'reseller', customer_id = NULL WHERE customer_id = %s",
            me.actor.customer_id, table="users"))
    assert snapshot(superuser) == before


def test_connection_without_context_cannot_insert_rows(
        world: World, app: Connection, superuser: Connection, tenant_table: str) -> None:
    anchor = seller_anchor(superuser, tenant_table)
    row_of_a = one_row(superuser, tenant_table, "seller_id = %s", world.alpha.seller_id)
    row = fresh_copy(superuser, tenant_table, row_of_a, keep={"seller_id", anchor})
    before = snapshot(superuser)
    with app.transaction(force_rollback=True):
        refuse(app, lambda: insert(app, tenant_table, row))
    assert snapshot(superuser) == before


# -- internal tables (no seller_id) -----------------------------------------------------------------------

CONTEXTS = {
    "no context": lambda world: ("", None),
    "reseller": lambda world: ("reseller", world.alpha.seller_id),
    "provider": lambda world: ("provider", world.provider.seller_id),
}


@pytest.mark.parametrize("context", CONTEXTS)
def test_internal_table_is_unreadable_by_the_app(
        world: World, app: Connection, superuser: Connection, internal_table: str, context: str) -> None:
    # given an internal table that holds rows
    assert count_rows(superuser, internal_table) > 0
    role, seller = CONTEXTS[context](world)
    with acting_as(app, role, seller):
        # when the app reads it: refused outright, or RLS without a policy shows nothing
        try:
            with app.transaction():
                seen: int | str = count_rows(app, internal_table)
        except InsufficientPrivilege:
            seen = "refused"
    # then
    assert seen in ("refused", 0), f"comptoir_app reads {seen} rows of {internal_table} as {context}"


def test_internal_table_is_unwritable_by_the_app(
        world: World, app: Connection, superuser: Connection, internal_table: str) -> None:
    row = fresh_copy(superuser, internal_table, one_row(superuser, internal_table, "true"), keep=set())
    before = snapshot(superuser)
    # even as the provider, the strongest context
    with acting_as(app, "provider", world.provider.seller_id):
        refuse(app, lambda: insert(app, internal_table, row))
        for statement in ("UPDATE {table} SET {column} = {column}", "DELETE FROM {table}"):
            try:
                with app.transaction():
                    touched = execute(app, statement, table=internal_table, column=next(iter(row)))
            except InsufficientPrivilege:
                touched = 0
            assert touched == 0, f"{statement} on {internal_table} touched {touched} rows"
    assert snapshot(superuser) == before

"""The policy helper and its declarations: every tenant table is declared, a declaration can be
re-applied, and the helper already supports what the storefront will declare."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg.errors import InsufficientPrivilege

from comptoir.database.policies import POLICIES
from comptoir.database.rls import EVERYTHING, ROLES, Operation, TablePolicy, grant, role_aware_table
from comptoir.database.urls import APP_ROLE
from comptoir.tenancy.context import Role
from tests.isolation.catalog import Tables
from tests.isolation.test_rls_raw_sql import acting_as
from tests.isolation.world import World

Connection = psycopg.Connection[Any]

TABLE_POLICIES = """
SELECT p.polname, p.polpermissive, p.polcmd, pg_get_expr(p.polqual, p.polrelid),
       pg_get_expr(p.polwithcheck, p.polrelid)
  FROM pg_policy p WHERE p.polrelid = %s::regclass ORDER BY p.polname
"""


def test_every_tenant_table_is_declared(tables: Tables) -> None:
    assert set(tables.tenant) <= set(POLICIES), (
        f"declare {sorted(set(tables.tenant) - set(POLICIES))} in comptoir/database/policies.py")


def test_re_applying_a_declaration_leaves_the_same_policies(superuser: Connection, tenant_table: str) -> None:
    # a later migration re-applies a table whose declaration changed: nothing may pile up or go missing
    before = superuser.execute(TABLE_POLICIES, (tenant_table,)).fetchall()
    with superuser.transaction(force_rollback=True):
        for statement in role_aware_table(POLICIES[tenant_table]):
            superuser.execute(statement)
        after = superuser.execute(TABLE_POLICIES, (tenant_table,)).fetchall()
    assert after == before


def test_the_helper_knows_every_role_a_context_can_state() -> None:
    assert set(ROLES) == {role.value for role in Role}


def test_a_declaration_naming_an_unknown_role_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown roles"):
        TablePolicy("anything", {"shopper": EVERYTHING})


# -- what the storefront will declare, on tables made up for the test ------------------------------------

PROBE_TABLES = """
CREATE SCHEMA rls_probe;
GRANT USAGE ON SCHEMA rls_probe TO {app};
CREATE TABLE rls_probe.catalog_items (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(), seller_id uuid NOT NULL, name text NOT NULL,
    published boolean NOT NULL DEFAULT false);
CREATE TABLE rls_probe.carts (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), seller_id uuid NOT NULL);
"""
STOREFRONT_POLICIES = (
    TablePolicy("rls_probe.catalog_items", {"provider": EVERYTHING, "reseller": EVERYTHING,
                                            "storefront": grant(Operation.SELECT, rows="published")}),
    TablePolicy("rls_probe.carts", {"provider": EVERYTHING, "reseller": EVERYTHING,
                                    "storefront": grant(Operation.INSERT)}),
)


@pytest.fixture
def catalog(superuser: Connection, world: World) -> Iterator[None]:
    superuser.execute(PROBE_TABLES.format(app=APP_ROLE))
    try:
        for policy in STOREFRONT_POLICIES:
            for statement in role_aware_table(policy):
                superuser.execute(statement)
        for tenant in (world.alpha, world.bravo):
            superuser.execute("INSERT INTO rls_probe.catalog_items (seller_id, name, published)"
                              " VALUES (%s, %s, true), (%s, %s, false)",
                              (tenant.seller_id, f"{tenant.name} public",
                               tenant.seller_id, f"{tenant.name} draft"))
        yield
    finally:
        superuser.execute("DROP SCHEMA rls_probe CASCADE")


def test_storefront_reads_the_published_rows_of_its_seller_only(
        world: World, app: Connection, catalog: None) -> None:
    with acting_as(app, "storefront", world.alpha.seller_id):
        names = [row[0] for row in app.execute("SELECT name FROM rls_probe.catalog_items")]
        changed = app.execute("UPDATE rls_probe.catalog_items SET published = true").rowcount
        deleted = app.execute("DELETE FROM rls_probe.catalog_items").rowcount
    assert (names, changed, deleted) == (["Alpha Hosting public"], 0, 0)


def test_storefront_inserts_for_its_own_seller_and_reads_nothing_back(
        world: World, app: Connection, catalog: None) -> None:
    with acting_as(app, "storefront", world.alpha.seller_id):
        app.execute("INSERT INTO rls_probe.carts (seller_id) VALUES (%s)", (world.alpha.seller_id,))
        seen = app.execute("SELECT count(*) FROM rls_probe.carts").fetchone()[0]
        with pytest.raises(InsufficientPrivilege), app.transaction():
            app.execute("INSERT INTO rls_probe.carts (seller_id) VALUES (%s)", (world.bravo.seller_id,))
        with pytest.raises(InsufficientPrivilege), app.transaction():
            app.execute("INSERT INTO rls_probe.catalog_items (seller_id, name) VALUES (%s, 'x')",
                        (world.alpha.seller_id,))
    assert seen == 0


def test_other_roles_of_the_seller_keep_their_own_grants(world: World, app: Connection, catalog: None) -> None:
    with acting_as(app, "customer", world.alpha.seller_id, world.alpha.customers[0].actor.customer_id):
        customer_sees = app.execute("SELECT count(*) FROM rls_probe.catalog_items").fetchone()[0]
    with acting_as(app, "reseller", world.alpha.seller_id):
        staff_sees = app.execute("SELECT count(*) FROM rls_probe.catalog_items").fetchone()[0]
    assert (customer_sees, staff_sees) == (0, 2)

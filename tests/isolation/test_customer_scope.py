"""What a customer's context reaches inside its own seller, with raw SQL as comptoir_app: the seller's
rows meant for it and nothing else, and on its own rows only the changes SPEC gives it."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg.errors import InsufficientPrivilege

from tests.isolation.test_rls_raw_sql import acting_as, fresh_copy, insert, one_row, refuse
from tests.isolation.world import Member, World, snapshot

Connection = psycopg.Connection[Any]


def me(world: World) -> Member:
    return world.alpha.customers[0]


def as_customer(app: Connection, world: World, *, commit: bool = False):  # type: ignore[no-untyped-def]
    return acting_as(app, "customer", world.alpha.seller_id, me(world).actor.customer_id, commit=commit)


def ids(connection: Connection, query: str, *params: Any) -> set[Any]:
    return {row[0] for row in connection.execute(query, params)}


# -- reading the seller's rows --------------------------------------------------------------------------


def test_customer_reads_the_plans_and_add_ons_of_its_subscriptions_only(
        world: World, app: Connection, superuser: Connection) -> None:
    customer = me(world).actor.customer_id
    # given a plan of Alpha no subscription of this customer uses
    superuser.execute("INSERT INTO service_plans (seller_id, kind, name) VALUES (%s, 'service', 'Unused')",
                      (world.alpha.seller_id,))
    meant = ids(superuser, "SELECT plan_id FROM subscriptions WHERE customer_id = %s AND plan_id IS NOT NULL"
                " UNION SELECT addon_id FROM subscription_addons WHERE customer_id = %s", customer, customer)
    # when the customer reads all plans
    with as_customer(app, world):
        seen = ids(app, "SELECT id FROM service_plans")
    # then it sees its plan and add-on, not the unused plan
    assert seen == meant and len(meant) == 2


def test_customer_reads_the_pool_entries_of_its_subscriptions_only(
        world: World, app: Connection, superuser: Connection) -> None:
    meant = ids(superuser, "SELECT ip_pool_id FROM subscriptions WHERE customer_id = %s",
                me(world).actor.customer_id)
    with as_customer(app, world):
        seen = ids(app, "SELECT id FROM ip_pool")
    assert seen == meant != set()


def test_customer_reads_the_buttons_placed_for_customers_and_not_private_ones(
        world: World, app: Connection, superuser: Connection) -> None:
    # given Alpha's buttons: one common, one on the seller's home, one private on the customer home
    labels = ids(superuser, "SELECT label FROM custom_buttons WHERE seller_id = %s", world.alpha.seller_id)
    assert labels == {"Help", "Staff", "Mine"}
    with as_customer(app, world):
        seen = ids(app, "SELECT label FROM custom_buttons")
    assert seen == {"Help"}


def test_customer_reads_its_own_seller_and_branding(world: World, app: Connection) -> None:
    with as_customer(app, world):
        sellers = ids(app, "SELECT id FROM sellers")
        branding = ids(app, "SELECT seller_id FROM branding")
    assert sellers == branding == {world.alpha.seller_id}


# -- writing the seller's rows: the measured defect -----------------------------------------------------


def test_customer_cannot_update_service_plans_or_sellers(
        world: World, app: Connection, superuser: Connection) -> None:
    before = snapshot(superuser)
    # when a customer renames its plans and its seller, and commits
    with as_customer(app, world, commit=True):
        plans = app.execute("UPDATE service_plans SET name = 'Free for me'").rowcount
        sellers = app.execute("UPDATE sellers SET name = 'Mine now', allow_multiple_sessions = false").rowcount
    # then nothing changed
    assert (plans, sellers) == (0, 0)
    assert snapshot(superuser) == before


def test_customer_can_neither_insert_nor_delete_rows_of_its_sellers_tables(
        world: World, app: Connection, superuser: Connection, seller_table: str) -> None:
    row = fresh_copy(superuser, seller_table, one_row(superuser, seller_table, "seller_id = %s",
                                                      world.alpha.seller_id), keep={"seller_id"})
    if seller_table == "provisioning_requests":  # it may ask for its OWN webspace to follow, nobody else's
        row["subscription_id"] = one_row(superuser, "subscriptions", "seller_id = %s AND customer_id <> %s",
                                         world.alpha.seller_id, me(world).actor.customer_id)["id"]
    before = snapshot(superuser)
    with as_customer(app, world, commit=True):
        if seller_table not in CUSTOMER_MAY_INSERT:
            refuse(app, lambda: insert(app, seller_table, row))
        deleted = app.execute(f"DELETE FROM {seller_table}").rowcount  # noqa: S608 (name from pg_catalog)
    assert deleted == 0
    assert snapshot(superuser) == before


# Seller tables a customer's own action writes to without reading them back (test_role_matrix holds the rest).
CUSTOMER_MAY_INSERT = {"webhook_deliveries": "a customer's action may emit a business event to the seller's endpoints"}


# -- writing its own rows: only what SPEC lets it change ------------------------------------------------

ALLOWED_CHANGES = {
    "subscriptions": "customization = jsonb_set(customization, '{php_directives}', '{\"memory_limit\": \"1G\"}')",
    "sites": "php_directives = '{\"memory_limit\": \"1G\"}'",
    "users": "full_name = 'Me', theme = 'dark', password_changed_at = now()",
    "sessions": "revoked_at = now()",
    "password_resets": "used_at = now()",
}
REFUSED_CHANGES = [
    ("subscriptions", "status = 'suspended'"),  # nor back to active once the seller suspended it
    ("subscriptions", "values = values || '{\"disk_space\": null}'"),
    ("subscriptions", "customization = customization || '{\"limits\": {}}'"),
    ("subscriptions", "expiration_date = '2999-12-31'"),
    ("sites", "domain_name = 'elsewhere.example.test'"),
    ("users", "username = 'renamed'"),
    ("users", "status = 'suspended'"),
    ("sessions", "expires_at = 'infinity'"),
    ("password_resets", "expires_at = 'infinity'"),
]


@pytest.mark.parametrize("table", ALLOWED_CHANGES)
def test_customer_changes_what_spec_lets_it_change(world: World, app: Connection, table: str) -> None:
    with as_customer(app, world):
        touched = app.execute(f"UPDATE {table} SET {ALLOWED_CHANGES[table]}").rowcount  # noqa: S608
    assert touched > 0


@pytest.mark.parametrize(("table", "change"), REFUSED_CHANGES)
def test_customer_cannot_change_anything_else_of_its_own_rows(
        world: World, app: Connection, table: str, change: str) -> None:
    with as_customer(app, world), pytest.raises(InsufficientPrivilege, match="may change only"):
        app.execute(f"UPDATE {table} SET {change}")  # noqa: S608


def test_staff_are_not_bound_by_the_customers_column_guard(world: World, app: Connection) -> None:
    with acting_as(app, "reseller", world.alpha.seller_id):
        touched = app.execute(
            "UPDATE subscriptions SET status = 'suspended', expiration_date = '2999-12-31'").rowcount
    assert touched > 0


@pytest.mark.parametrize(("table", "column"), [("sessions", "revoked_at"), ("password_resets", "used_at")])
@pytest.mark.parametrize("role", ["customer", "reseller"])
def test_ended_sessions_and_used_reset_links_cannot_be_revived(
        world: World, app: Connection, table: str, column: str, role: str) -> None:
    customer = me(world).actor.customer_id if role == "customer" else None
    with acting_as(app, role, world.alpha.seller_id, customer):
        ended = app.execute(f"UPDATE {table} SET {column} = now() WHERE {column} IS NULL").rowcount  # noqa: S608
        with pytest.raises(InsufficientPrivilege, match="set once"), app.transaction():
            app.execute(f"UPDATE {table} SET {column} = NULL")  # noqa: S608
    assert ended > 0

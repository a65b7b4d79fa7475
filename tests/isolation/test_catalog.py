"""What the schema must look like for row-level security to hold, read from pg_catalog.

RLS can be bypassed around its edges: by the role's attributes, by ownership, by TRUNCATE, by views
running with their owner's rights, by SECURITY DEFINER functions, and by unique or foreign-key
checks, which see every tenant's rows. Each test below closes one of those doors.
"""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg.errors import InsufficientPrivilege

from comptoir.database.urls import APP_ROLE, DEFINER_ROLE
from tests.isolation.catalog import TENANT_COLUMN, Tables, customer_column

Connection = psycopg.Connection[Any]

# The SECURITY DEFINER functions the migrations create. Each runs with the definer's BYPASSRLS, so
# adding one is a security review: it must be narrow (ids and what log-in needs, never whole rows).
DEFINER_ALLOW_LIST = {
    "comptoir_login_lookup(text)": "credentials by username, before any tenant is known",
    "comptoir_session_lookup(bytea,integer)": "bearer token -> tenant context; marks the session seen",
    "comptoir_password_reset_target(text,text)": "username + e-mail -> user id, before any tenant",
    "comptoir_password_reset_lookup(bytea)": "reset token -> user id",
    "comptoir_throttle_acquire(text[],integer[],integer[])": "log-in rate limit, instance-wide",
    "comptoir_throttle_record(text[])": "log-in rate limit, instance-wide",
    "comptoir_login_address_known(text,text)": "log-in: did this user log in from this address lately",
    "comptoir_throttle_clear(text[])": "log-in rate limit, instance-wide",
    "comptoir_customer_subscription_count(uuid,uuid)": "log-in: a customer without a subscription is refused",
    "comptoir_schema_version()": "readiness probe: the migration head",
    "comptoir_gateway_config_seller(uuid)": "payment webhooks: gateway configuration -> its seller's id",
    "comptoir_check_username()": "trigger: usernames unique across the instance",
    "comptoir_check_domain()": "trigger: domain names unique across the instance",
    "comptoir_sellers_with_due_intents(text)": "intent relay: which sellers have due intents (ids)",
    "comptoir_webhook_endpoints_for(text)": "emitting an event: the current seller's endpoints wanting it (ids)",
    "comptoir_due_events()": "scheduler tick: due events across sellers (ids)",
    "comptoir_sellers_without_event(text,boolean)": "scheduler: sellers lacking a recurring event (ids)",
    "comptoir_clock_offset()": "sandbox clock: how far ahead the instance runs",
    "comptoir_instance_now()": "sandbox clock: the instance's now",
    "comptoir_clock_advance_to(timestamp with time zone)": "sandbox clock: moved forward by the provider",
    "comptoir_check_pool_dedication()": "trigger: a reseller's pool entry type keeps the cross-tenant IP rules",
    "comptoir_least_loaded_server(uuid[])": "placement: the least-loaded of the given servers, all tenants (id)",
    "comptoir_store_lookup(text)": "storefront: a published store by slug or hostname -> its and its seller's ids",
    "comptoir_store_by_id(uuid)": "storefront: the published store a cart token names -> its seller's id",
    "comptoir_recent_order_count(text,integer)": "fraud rule: orders of the current seller from one address (a count)",
    "comptoir_check_store_address()": "trigger: store slugs and hostnames unique across the instance",
}
# Foreign keys into another tenant, each a reviewed exception: the check sees the other tenant's rows.
CROSS_TENANT_FOREIGN_KEYS = {
    "ip_pool_ip_address_id_fkey": "a pool entry names the address the provider registered; only the "
                                  "provider's context and workers insert entries (policies), none re-points one (guard)",
}
DML = {"SELECT", "INSERT", "UPDATE", "DELETE"}
INVOKER_OPTIONS = {f"security_invoker={value}" for value in ("true", "on", "1", "yes")}


def rows(connection: Connection, query: str, *params: Any, **named: Any) -> list[tuple[Any, ...]]:
    return connection.execute(query, named or params).fetchall()


# -- the app role ---------------------------------------------------------------------------------------


def test_app_role_is_not_superuser_and_cannot_bypass_rls(superuser: Connection) -> None:
    attributes = rows(superuser, "SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb, rolcanlogin"
                      " FROM pg_roles WHERE rolname = %s", APP_ROLE)
    assert attributes == [(False, False, False, False, True)]


def test_app_role_inherits_no_other_role(superuser: Connection) -> None:
    # a membership would let the app SET ROLE to the owner or the BYPASSRLS definer
    granted = rows(superuser, "SELECT roleid::regrole::text FROM pg_auth_members"
                   " WHERE member = %s::regrole", APP_ROLE)
    assert granted == []


def test_app_role_owns_nothing(superuser: Connection) -> None:
    # an owner is exempt from its table's policies unless FORCE is set, and may drop or alter them
    owned = rows(superuser, """
        SELECT 'relation ' || c.oid::regclass::text FROM pg_class c
         WHERE c.relowner = %(app)s::regrole AND c.relpersistence <> 't'
        UNION ALL SELECT 'function ' || p.oid::regprocedure::text FROM pg_proc p
         WHERE p.proowner = %(app)s::regrole
        UNION ALL SELECT 'schema ' || n.nspname FROM pg_namespace n
         WHERE n.nspowner = %(app)s::regrole AND n.nspname !~ '^pg_(toast_)?temp_'
        UNION ALL SELECT 'type ' || t.oid::regtype::text FROM pg_type t
         WHERE t.typowner = %(app)s::regrole AND t.typrelid = 0
        UNION ALL SELECT 'database ' || d.datname FROM pg_database d
         WHERE d.datdba = %(app)s::regrole AND d.datname = current_database()
    """, app=APP_ROLE)
    assert owned == []


def test_app_role_cannot_create_objects_in_public(app: Connection) -> None:
    assert app.execute("SELECT has_schema_privilege('public', 'CREATE')").fetchone() == (False,)
    for statement in ("CREATE TABLE public.isolation_probe (id int)",
                      "CREATE VIEW public.isolation_probe AS SELECT 1 AS one",
                      "CREATE FUNCTION public.isolation_probe() RETURNS int LANGUAGE sql AS 'SELECT 1'"):
        with pytest.raises(InsufficientPrivilege):
            app.execute(statement)


def test_app_role_holds_dml_privileges_only(superuser: Connection) -> None:
    # TRUNCATE ignores row-level security; REFERENCES and TRIGGER are schema changes, not DML
    granted = rows(superuser, """
        SELECT c.relname, a.privilege_type FROM pg_class c, aclexplode(c.relacl) a
         WHERE c.relnamespace = 'public'::regnamespace AND a.grantee IN (0, %s::regrole)
    """, APP_ROLE)
    column_grants = rows(superuser, """
        SELECT c.relname || '.' || att.attname, a.privilege_type
          FROM pg_attribute att JOIN pg_class c ON c.oid = att.attrelid, aclexplode(att.attacl) a
         WHERE c.relnamespace = 'public'::regnamespace AND a.grantee IN (0, %s::regrole)
    """, APP_ROLE)
    assert [grant for grant in granted + column_grants if grant[1] not in DML] == []


# -- tenant tables --------------------------------------------------------------------------------------


def test_tenant_table_enables_and_forces_row_level_security(
        superuser: Connection, tenant_table: str) -> None:
    flags = rows(superuser, "SELECT relrowsecurity, relforcerowsecurity FROM pg_class"
                 " WHERE oid = %s::regclass", f"public.{tenant_table}")
    assert flags == [(True, True)]


POLICIES = """
SELECT p.polname, p.polpermissive, p.polcmd, pg_get_expr(p.polqual, p.polrelid),
       pg_get_expr(p.polwithcheck, p.polrelid)
  FROM pg_policy p
 WHERE p.polrelid = %s::regclass AND (p.polroles @> ARRAY[%s::regrole::oid] OR p.polroles = '{0}')
"""


def restrictive_policies_calling(connection: Connection, table: str, function: str) -> list[str]:
    """Restrictive policies for every command whose USING and WITH CHECK both call `function` once per
    statement, as `(SELECT function())`."""
    call = f"SELECT {function}()"
    policies = rows(connection, POLICIES, f"public.{table}", APP_ROLE)
    return [name for name, permissive, command, using, check in policies
            if not permissive and command == "*" and call in (using or "") and call in (check or "")]


def test_tenant_table_has_one_permissive_base_and_a_restrictive_seller_policy(
        superuser: Connection, tenant_table: str) -> None:
    policies = rows(superuser, POLICIES, f"public.{tenant_table}", APP_ROLE)
    permissive = [name for name, is_permissive, *_ in policies if is_permissive]
    assert len(permissive) == 1, f"{tenant_table}: permissive policies {permissive}, want one base policy"
    assert restrictive_policies_calling(superuser, tenant_table, "comptoir_current_seller"), (
        f"{tenant_table} has no restrictive policy on comptoir_current_seller() for all commands")


def test_customer_owned_table_has_a_restrictive_customer_policy(
        superuser: Connection, customer_table: str) -> None:
    found = restrictive_policies_calling(superuser, customer_table, "comptoir_current_customer")
    column = customer_column(superuser, customer_table)
    assert found, f"{customer_table} has {column} but no restrictive policy on comptoir_current_customer()"


def test_tenant_table_has_an_index_led_by_seller_id(superuser: Connection, tenant_table: str) -> None:
    leading = rows(superuser, """
        SELECT i.indexrelid::regclass::text FROM pg_index i
          JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
         WHERE i.indrelid = %s::regclass AND a.attname = %s
    """, f"public.{tenant_table}", TENANT_COLUMN)
    assert leading, f"{tenant_table} has no index whose first column is {TENANT_COLUMN}"


def test_unique_constraints_of_tenant_tables_include_seller_id(
        superuser: Connection, tenant_table: str) -> None:
    # Their checks see every tenant's rows, so a duplicate error would reveal another tenant's value.
    # The primary key on a lone uuid id is exempt: ids are random, and a clash reveals nothing a client
    # could have chosen; any other primary key must include seller_id like the rest.
    offenders = rows(superuser, """
        SELECT i.indexrelid::regclass::text FROM pg_index i
          LEFT JOIN pg_constraint x ON x.conindid = i.indexrelid AND x.contype = 'x'
         WHERE i.indrelid = %(table)s::regclass AND (i.indisunique OR x.oid IS NOT NULL)
           AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = i.indrelid
                            AND a.attnum = ANY(i.indkey) AND a.attname = %(column)s)
           AND NOT (i.indisprimary AND i.indnkeyatts = 1 AND EXISTS (
                    SELECT 1 FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                       AND a.atttypid = 'uuid'::regtype))
    """, table=f"public.{tenant_table}", column=TENANT_COLUMN)
    assert offenders == []


def test_foreign_keys_between_tenant_tables_pair_seller_id_with_seller_id(
        superuser: Connection, tables: Tables, tenant_table: str) -> None:
    # (seller_id, x_id) -> (seller_id, id): a row can point at no other tenant's row. sellers.seller_id is
    # generated from sellers.id, so a reference to sellers(id) by seller_id pairs the two as well.
    foreign_keys = rows(superuser, """
        SELECT k.conname, k.confrelid::regclass::text,
               (SELECT array_agg(a.attname ORDER BY n) FROM unnest(k.conkey) WITH ORDINALITY u(num, n)
                  JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.num),
               (SELECT array_agg(a.attname ORDER BY n) FROM unnest(k.confkey) WITH ORDINALITY u(num, n)
                  JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.num),
               (SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a
                  JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                 WHERE a.attrelid = k.confrelid AND a.attname = %s AND a.attgenerated = 's')
          FROM pg_constraint k WHERE k.conrelid = %s::regclass AND k.contype = 'f'
    """, TENANT_COLUMN, f"public.{tenant_table}")
    offenders = []
    for name, referenced, local, remote, generated_from in foreign_keys:
        if referenced.removeprefix("public.") not in tables.tenant or name in CROSS_TENANT_FOREIGN_KEYS:
            continue
        pairs = dict(zip(local, remote, strict=True))
        if pairs.get(TENANT_COLUMN) not in {TENANT_COLUMN, generated_from} - {None}:
            offenders.append(f"{name}: ({', '.join(local)}) -> {referenced} ({', '.join(remote)})")
    assert offenders == []


# -- views and functions --------------------------------------------------------------------------------


def test_views_in_public_run_with_the_invokers_rights(superuser: Connection) -> None:
    views = rows(superuser, """
        SELECT c.relname, c.relkind, coalesce(c.reloptions, '{}'),
               has_table_privilege(%s, c.oid, 'SELECT')
          FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('v', 'm')
    """, APP_ROLE)
    # a view runs with its owner's rights unless security_invoker; a materialized view has no RLS at all
    offenders = [name for name, kind, options, app_reads in views
                 if (kind == "v" and not INVOKER_OPTIONS & set(options)) or (kind == "m" and app_reads)]
    assert offenders == [], f"views that bypass RLS for the app: {offenders} (of {len(views)} views)"


def test_security_definer_functions_are_the_allow_listed_lookups_owned_by_the_definer(
        superuser: Connection) -> None:
    functions = rows(superuser, """
        SELECT replace(p.oid::regprocedure::text, ', ', ','), p.proowner::regrole::text,
               coalesce(p.proconfig, '{}'), has_function_privilege('public', p.oid, 'EXECUTE')
          FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef
    """)
    assert {signature for signature, *_ in functions} == set(DEFINER_ALLOW_LIST)
    for signature, owner, config, public_may_run in functions:
        assert owner == DEFINER_ROLE, f"{signature} is owned by {owner}"
        # pg_temp last: a temporary object the caller creates cannot shadow what the function reads
        assert "search_path=public, pg_temp" in config, f"{signature} runs with the caller's search_path"
        assert not public_may_run, f"{signature} is executable by PUBLIC"


def test_definer_role_cannot_log_in_and_owns_no_table(superuser: Connection) -> None:
    attributes = rows(superuser, "SELECT rolcanlogin, rolsuper FROM pg_roles WHERE rolname = %s",
                      DEFINER_ROLE)
    owned = rows(superuser, "SELECT oid::regclass::text FROM pg_class WHERE relowner = %s::regrole",
                 DEFINER_ROLE)
    assert (attributes, owned) == ([(False, False)], [])


def test_context_functions_read_an_empty_setting_as_null(app: Connection) -> None:
    with app.transaction(force_rollback=True):
        app.execute("SELECT set_config('comptoir.role', '', true),"
                    " set_config('comptoir.seller_id', '', true),"
                    " set_config('comptoir.customer_id', '', true)")
        values = app.execute("SELECT comptoir_current_role(), comptoir_current_seller(),"
                             " comptoir_current_customer()").fetchone()
    assert values == (None, None, None)

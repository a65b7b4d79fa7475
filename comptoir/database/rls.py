"""One helper per table kind generates every grant and row-level-security policy (used by migrations).

`tenant_table` is the role-blind form migrations 0001-0006 applied; 0007 replaced its policies by
`role_aware_table`, generated from the declarations in comptoir/database/policies.py.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from comptoir.database.urls import APP_ROLE, DEFINER_ROLE

ROLE = "(SELECT comptoir_current_role())"
SELLER = "(SELECT comptoir_current_seller())"
CUSTOMER = "(SELECT comptoir_current_customer())"

CONTEXT_FUNCTIONS = [
    # nullif: after one SET LOCAL on a pooled connection the setting reads '' rather than NULL.
    """CREATE OR REPLACE FUNCTION comptoir_current_role() RETURNS text LANGUAGE sql STABLE
       AS $$ SELECT nullif(current_setting('comptoir.role', true), '') $$""",
    """CREATE OR REPLACE FUNCTION comptoir_current_seller() RETURNS uuid LANGUAGE sql STABLE
       AS $$ SELECT nullif(current_setting('comptoir.seller_id', true), '')::uuid $$""",
    """CREATE OR REPLACE FUNCTION comptoir_current_customer() RETURNS uuid LANGUAGE sql STABLE
       AS $$ SELECT nullif(current_setting('comptoir.customer_id', true), '')::uuid $$""",
]


def tenant_table(table: str, *, customer_column: str | None = None, definer_reads: bool = False) -> list[str]:
    """Seller-scoped table: provider sees all, others only their seller; customers only their own rows."""
    seller_rule = f"({ROLE} = 'provider' OR seller_id = {SELLER})"
    statements = [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY {table}_base ON {table} AS PERMISSIVE FOR ALL TO {APP_ROLE} USING (true) WITH CHECK (true)",
        f"CREATE POLICY {table}_seller ON {table} AS RESTRICTIVE FOR ALL TO {APP_ROLE}"
        f" USING {seller_rule} WITH CHECK {seller_rule}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {APP_ROLE}",
    ]
    if customer_column:
        customer_rule = f"({ROLE} IS DISTINCT FROM 'customer' OR {customer_column} = {CUSTOMER})"
        statements.append(
            f"CREATE POLICY {table}_customer ON {table} AS RESTRICTIVE FOR ALL TO {APP_ROLE}"
            f" USING {customer_rule} WITH CHECK {customer_rule}"
        )
    if definer_reads:
        statements.append(f"GRANT SELECT ON {table} TO {DEFINER_ROLE}")
    return statements


def internal_table(table: str) -> list[str]:
    """Instance-wide table the app never reads directly: RLS on with no policy, no grants to the app."""
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"REVOKE ALL ON {table} FROM {APP_ROLE}",
        f"GRANT SELECT, INSERT, DELETE ON {table} TO {DEFINER_ROLE}",
    ]


def definer_function(signature: str, body: str, *, returns: str, language: str = "sql",
                     volatility: str = "STABLE") -> list[str]:
    """A narrow SECURITY DEFINER look-up owned by the BYPASSRLS definer role, callable by the app."""
    return [
        f"CREATE OR REPLACE FUNCTION {signature} RETURNS {returns} LANGUAGE {language} {volatility}"
        f" SECURITY DEFINER SET search_path = public, pg_temp AS $fn$ {body} $fn$",
        f"ALTER FUNCTION {signature_types(signature)} OWNER TO {DEFINER_ROLE}",
        f"REVOKE ALL ON FUNCTION {signature_types(signature)} FROM PUBLIC",
        f"GRANT EXECUTE ON FUNCTION {signature_types(signature)} TO {APP_ROLE}",
    ]


def intent_lookup(tables: tuple[str, ...]) -> list[str]:
    """The relay's narrow look-up: sellers with due intents in one of `tables` (ids only). A migration
    adding an intent table re-creates it with the longer list."""
    allowed = ", ".join(f"'{table}'" for table in tables)
    body = f"""
        BEGIN
          IF p_table NOT IN ({allowed}) THEN
            RAISE EXCEPTION 'not an intent table: %', p_table USING ERRCODE = 'invalid_parameter_value';
          END IF;
          RETURN QUERY EXECUTE format(
            'SELECT DISTINCT seller_id FROM %I WHERE status IN (''pending'', ''running'') AND next_attempt_at <= now()',
            p_table);
        END"""
    return definer_function("comptoir_sellers_with_due_intents(p_table text)", body, returns="SETOF uuid",
                            language="plpgsql")


def intent_lookup_by_shape() -> list[str]:
    """The relay's look-up for every intent table at once: any public table with the intent shape
    (seller_id, status, next_attempt_at) qualifies, so a migration adding an intent table need not
    re-create it (0023). Still ids only."""
    body = """
        BEGIN
          IF NOT EXISTS (
            SELECT 1 FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
              JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname = p_table
               AND a.attname = 'next_attempt_at' AND NOT a.attisdropped) THEN
            RAISE EXCEPTION 'not an intent table: %', p_table USING ERRCODE = 'invalid_parameter_value';
          END IF;
          RETURN QUERY EXECUTE format(
            'SELECT DISTINCT seller_id FROM public.%I WHERE status IN (''pending'', ''running'') AND next_attempt_at <= now()',
            p_table);
        END"""
    return definer_function("comptoir_sellers_with_due_intents(p_table text)", body, returns="SETOF uuid",
                            language="plpgsql")


def signature_types(signature: str) -> str:
    """'f(a text, b uuid)' -> 'f(text, uuid)'."""
    name, _, params = signature.partition("(")
    params = params.rstrip(")")
    types = [p.strip().split(" ", 1)[1] for p in params.split(",") if p.strip()]
    return f"{name}({', '.join(types)})"


# ---- role-aware policies (issue 7): one declaration per table, see comptoir/database/policies.py --------


class Operation(enum.Enum):
    SELECT = "SELECT"
    INSERT = "INSERT"
    UPDATE = "UPDATE"
    DELETE = "DELETE"


EVERY_OPERATION = tuple(Operation)
ROLES = ("provider", "reseller", "customer", "storefront", "system")  # comptoir.tenancy.context.Role values
# Policies dropped before re-creating: those `tenant_table` made, and an own-rows rule a table may have lost.
_LEGACY_POLICIES = ("base", "seller", "customer", "own_rows")


@dataclass(frozen=True)
class Grant:
    """One role's access to a table: the operations it may run and which rows, on top of tenant isolation
    (`rows` is a predicate over the table's columns; "true" means every row of the current seller)."""

    operations: tuple[Operation, ...]
    rows: str = "true"


@dataclass(frozen=True)
class TablePolicy:
    """Who may do what to one tenant table.

    `customer_column` names the column holding the owning customer: a customer context is then confined
    to its own rows whatever its grants say. `customer_may_change` lists what a customer's UPDATE may
    change ("column" or "column.key" for one key of a JSONB column); anything else is refused.
    """

    table: str
    grants: Mapping[str, Grant]
    customer_column: str | None = None
    customer_may_change: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = set(self.grants) - set(ROLES)
        if unknown:
            raise ValueError(f"{self.table}: unknown roles {sorted(unknown)}")
        if self.customer_may_change and Operation.UPDATE not in self.allowed("customer"):
            raise ValueError(f"{self.table}: customer_may_change without a customer UPDATE grant")

    def allowed(self, role: str) -> tuple[Operation, ...]:
        grant = self.grants.get(role)
        return grant.operations if grant else ()

    @property
    def name(self) -> str:
        return self.table.rpartition(".")[2]


def grant(*operations: Operation, rows: str = "true") -> Grant:
    return Grant(tuple(operations), rows)


EVERYTHING = Grant(EVERY_OPERATION)

COLUMN_GUARD_FUNCTION = """
CREATE OR REPLACE FUNCTION comptoir_guard_columns() RETURNS trigger LANGUAGE plpgsql AS $fn$
  -- TG_ARGV: the role the guard applies to, then the paths ('column' or 'column.key') it may change.
  DECLARE
    before jsonb := to_jsonb(OLD);
    after jsonb := to_jsonb(NEW);
    path text;
  BEGIN
    FOREACH path IN ARRAY TG_ARGV[1:] LOOP
      before := before #- string_to_array(path, '.');
      after := after #- string_to_array(path, '.');
    END LOOP;
    IF before IS DISTINCT FROM after THEN
      RAISE EXCEPTION 'a % context may change only % of %', TG_ARGV[0], TG_ARGV[1:], TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
  END $fn$"""


def _role_is(role: str) -> str:
    return f"{ROLE} = '{role}'"


def _predicate(policy: TablePolicy, operation: Operation) -> str:
    """Which rows `operation` may touch: an OR over the roles granted it ("false" if none)."""
    by_rows: dict[str, list[str]] = {}
    for role in ROLES:
        grant_ = policy.grants.get(role)
        if grant_ and operation in grant_.operations:
            by_rows.setdefault(grant_.rows, []).append(role)
    terms = []
    for rows, roles in by_rows.items():
        who = _role_is(roles[0]) if len(roles) == 1 else f"{ROLE} IN ({', '.join(repr(r) for r in roles)})"
        terms.append(who if rows == "true" else f"({who} AND ({rows}))")
    return " OR ".join(terms) or "false"


def _policy(policy: TablePolicy, suffix: str, command: str, rule: str) -> list[str]:
    name = f"{policy.name}_{suffix}"
    check = "" if command in ("SELECT", "DELETE") else f" WITH CHECK ({rule})"
    using = "" if command == "INSERT" else f" USING ({rule})"
    return [
        f"DROP POLICY IF EXISTS {name} ON {policy.table}",
        f"CREATE POLICY {name} ON {policy.table} AS RESTRICTIVE FOR {command} TO {APP_ROLE}{using}{check}",
    ]


def role_aware_table(policy: TablePolicy) -> list[str]:
    """Grants, policies and guards of one tenant table from its declaration; re-runnable (a later
    migration re-applies a table whose declaration changed).

    One permissive base policy lets everything through; RESTRICTIVE policies then narrow it, so that no
    policy added later can widen them: tenant isolation, a customer's own rows, and per operation the
    roles granted it. "No context" matches no role: every operation sees or changes nothing.
    """
    table = policy.table
    operations = [op for op in EVERY_OPERATION if any(op in policy.allowed(role) for role in ROLES)]
    seller_rule = f"({_role_is('provider')} OR seller_id = {SELLER})"
    statements = [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        *(f"DROP POLICY IF EXISTS {policy.name}_{suffix} ON {table}" for suffix in _LEGACY_POLICIES),
        f"REVOKE ALL ON {table} FROM {APP_ROLE}",
        *([f"GRANT {', '.join(op.value for op in operations)} ON {table} TO {APP_ROLE}"]
          if operations else []),
        f"CREATE POLICY {policy.name}_base ON {table} AS PERMISSIVE FOR ALL TO {APP_ROLE}"
        " USING (true) WITH CHECK (true)",
        *_policy(policy, "tenant", "ALL", seller_rule),
    ]
    if policy.customer_column:
        statements += _policy(policy, "own_rows", "ALL",
                              f"{ROLE} IS DISTINCT FROM 'customer' OR {policy.customer_column} = {CUSTOMER}")
    for operation in EVERY_OPERATION:
        statements += _policy(policy, operation.value.lower(), operation.value, _predicate(policy, operation))
    statements.append(f"DROP TRIGGER IF EXISTS {policy.name}_customer_columns ON {table}")
    if policy.customer_may_change:
        paths = ", ".join(f"'{path}'" for path in policy.customer_may_change)
        statements.append(
            f"CREATE TRIGGER {policy.name}_customer_columns BEFORE UPDATE ON {table} FOR EACH ROW"
            " WHEN (comptoir_current_role() = 'customer')"
            f" EXECUTE FUNCTION comptoir_guard_columns('customer', {paths})")
    return statements

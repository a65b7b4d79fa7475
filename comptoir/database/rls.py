"""One helper per table kind generates every grant and row-level-security policy (used by migrations)."""

from __future__ import annotations

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


def signature_types(signature: str) -> str:
    """'f(a text, b uuid)' -> 'f(text, uuid)'."""
    name, _, params = signature.partition("(")
    params = params.rstrip(")")
    types = [p.strip().split(" ", 1)[1] for p in params.split(",") if p.strip()]
    return f"{name}({', '.join(types)})"

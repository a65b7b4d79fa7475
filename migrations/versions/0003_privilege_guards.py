"""Guards against privilege escalation inside one tenant.

RLS keeps tenants apart, but within its own tenant a reseller's context could otherwise turn its
user into a provider, create sellers, unsuspend itself or raise its own allocation. Only the
provider's context may: give the provider role, insert sellers and allocations, change a seller's
kind or status, or change an allocation's limits and permissions. The session look-up also refuses
a provider role on a non-provider seller. Plan and pool references are checked at commit, so that
deleting a seller (cascading to plans and subscriptions together) cannot trip over its own order.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

PROVIDER = "(SELECT comptoir_current_role()) = 'provider'"

STATEMENTS = [
    # Deleting a seller cascades to its plans and its subscriptions in one statement; checking these
    # references at commit lets the cascade finish in whatever order it runs.
    *(f"ALTER TABLE {table} ALTER CONSTRAINT {name} DEFERRABLE INITIALLY DEFERRED" for table, name in (
        ("subscription_addons", "subscription_addons_seller_id_addon_id_fkey"),
        ("subscriptions", "subscriptions_seller_id_plan_id_fkey"),
        ("subscriptions", "subscriptions_seller_id_ip_pool_id_fkey"),
    )),
    f"""CREATE POLICY users_role ON users AS RESTRICTIVE FOR ALL TO comptoir_app
        USING (true) WITH CHECK (role <> 'provider' OR {PROVIDER})""",
    f"CREATE POLICY sellers_insert ON sellers AS RESTRICTIVE FOR INSERT TO comptoir_app WITH CHECK ({PROVIDER})",
    f"""CREATE POLICY reseller_allocations_insert ON reseller_allocations AS RESTRICTIVE FOR INSERT
        TO comptoir_app WITH CHECK ({PROVIDER})""",
    """CREATE OR REPLACE FUNCTION comptoir_guard_seller_update() RETURNS trigger LANGUAGE plpgsql AS $fn$
       BEGIN
         IF comptoir_current_role() IS DISTINCT FROM 'provider'
            AND (NEW.kind, NEW.status) IS DISTINCT FROM (OLD.kind, OLD.status) THEN
           RAISE EXCEPTION 'only the provider changes a seller''s kind or status'
             USING ERRCODE = 'insufficient_privilege';
         END IF;
         RETURN NEW;
       END $fn$""",
    """CREATE TRIGGER sellers_guard BEFORE UPDATE ON sellers
       FOR EACH ROW EXECUTE FUNCTION comptoir_guard_seller_update()""",
    """CREATE OR REPLACE FUNCTION comptoir_guard_allocation_update() RETURNS trigger LANGUAGE plpgsql AS $fn$
       BEGIN
         IF comptoir_current_role() IS DISTINCT FROM 'provider'
            AND (NEW.limits, NEW.permissions) IS DISTINCT FROM (OLD.limits, OLD.permissions) THEN
           RAISE EXCEPTION 'only the provider changes an allocation''s limits or permissions'
             USING ERRCODE = 'insufficient_privilege';
         END IF;
         RETURN NEW;
       END $fn$""",
    """CREATE TRIGGER reseller_allocations_guard BEFORE UPDATE ON reseller_allocations
       FOR EACH ROW EXECUTE FUNCTION comptoir_guard_allocation_update()""",
    """CREATE OR REPLACE FUNCTION comptoir_session_lookup(p_token_hash bytea, p_now timestamptz)
       RETURNS TABLE (session_id uuid, user_id uuid, seller_id uuid, customer_id uuid, role text)
       LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
         SELECT t.id, t.user_id, t.seller_id, t.customer_id, u.role
           FROM sessions t
           JOIN users u ON u.seller_id = t.seller_id AND u.id = t.user_id
           JOIN sellers s ON s.id = t.seller_id
           LEFT JOIN customers c ON c.seller_id = t.seller_id AND c.id = t.customer_id
          WHERE t.token_hash = p_token_hash AND t.revoked_at IS NULL AND t.expires_at > p_now
            AND u.status = 'active' AND s.status = 'active'
            AND (u.role = 'provider') = (s.kind = 'provider')
            AND (t.customer_id IS NULL OR c.status = 'active')
       $fn$""",
]


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS reseller_allocations_guard ON reseller_allocations")
    op.execute("DROP TRIGGER IF EXISTS sellers_guard ON sellers")
    op.execute("DROP FUNCTION IF EXISTS comptoir_guard_allocation_update(), comptoir_guard_seller_update()")
    op.execute("DROP POLICY IF EXISTS reseller_allocations_insert ON reseller_allocations")
    op.execute("DROP POLICY IF EXISTS sellers_insert ON sellers")
    op.execute("DROP POLICY IF EXISTS users_role ON users")

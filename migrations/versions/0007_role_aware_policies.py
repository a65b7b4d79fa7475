"""Role-aware row security, and guards a reseller's own context could otherwise get round (issue 7).

1. Every tenant table's role-blind policies (`tenant_table` in 0001/0002/0005) are replaced by the
   role × operation declarations of comptoir/database/policies.py: a customer no longer reads or
   writes its seller's tables beyond what is meant for it; the storefront role gets nothing yet.
2. A reseller cannot turn on its own overselling unless its allocation lets it, nor change a pool
   entry's type or address (only the provider does); pool entries point at the registered address.
   Revoked sessions and used reset links stay so.
3. The definer look-ups take "now" from the server's clock, not from the caller, and the throttle
   functions refuse non-finite times and unbounded key lists.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

from comptoir.database.policies import POLICIES
from comptoir.database.rls import COLUMN_GUARD_FUNCTION, definer_function, role_aware_table

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# The tenant tables that exist at this revision; later migrations apply their own tables' entries.
TABLES = (
    "sellers", "reseller_allocations", "customers", "users", "sessions", "password_resets", "email_outbox",
    "service_plans", "ip_addresses", "ip_pool", "subscriptions", "subscription_addons", "sites",
    "background_jobs", "skeletons", "branding", "custom_buttons", "provisioning_requests", "scheduled_events",
)

GUARDS = [
    """CREATE OR REPLACE FUNCTION comptoir_guard_allocation_update() RETURNS trigger LANGUAGE plpgsql AS $fn$
       BEGIN
         IF comptoir_current_role() IS DISTINCT FROM 'provider'
            AND (NEW.limits, NEW.permissions) IS DISTINCT FROM (OLD.limits, OLD.permissions) THEN
           RAISE EXCEPTION 'only the provider changes an allocation''s limits or permissions'
             USING ERRCODE = 'insufficient_privilege';
         END IF;
         -- SPEC §2: "allowed to set an overselling policy" is a permission of the allocation.
         IF comptoir_current_role() IS DISTINCT FROM 'provider'
            AND NEW.overselling_allowed IS DISTINCT FROM OLD.overselling_allowed
            AND (OLD.permissions -> 'set_overselling_policy') IS DISTINCT FROM 'true'::jsonb THEN
           RAISE EXCEPTION 'this allocation does not let its reseller set the overselling policy'
             USING ERRCODE = 'insufficient_privilege';
         END IF;
         RETURN NEW;
       END $fn$""",
    """CREATE OR REPLACE FUNCTION comptoir_guard_pool_update() RETURNS trigger LANGUAGE plpgsql AS $fn$
       BEGIN
         IF comptoir_current_role() IS DISTINCT FROM 'provider'
            AND (NEW.type, NEW.ip_address_id, NEW.address)
                IS DISTINCT FROM (OLD.type, OLD.ip_address_id, OLD.address) THEN
           RAISE EXCEPTION 'only the provider changes a pool entry''s type or address'
             USING ERRCODE = 'insufficient_privilege';
         END IF;
         RETURN NEW;
       END $fn$""",
    """CREATE TRIGGER ip_pool_guard BEFORE UPDATE ON ip_pool
       FOR EACH ROW EXECUTE FUNCTION comptoir_guard_pool_update()""",
    # A customer may end its sessions and use up its reset links, never revive them: nobody may.
    """CREATE OR REPLACE FUNCTION comptoir_guard_set_once() RETURNS trigger LANGUAGE plpgsql AS $fn$
       BEGIN
         RAISE EXCEPTION '%.% is set once', TG_TABLE_NAME, TG_ARGV[0] USING ERRCODE = 'insufficient_privilege';
       END $fn$""",
    # (WHEN rather than UPDATE OF: the isolation suite reads columns a trigger watches as unique keys)
    """CREATE TRIGGER sessions_revoked_once BEFORE UPDATE ON sessions FOR EACH ROW
       WHEN (OLD.revoked_at IS NOT NULL AND NEW.revoked_at IS DISTINCT FROM OLD.revoked_at)
       EXECUTE FUNCTION comptoir_guard_set_once('revoked_at')""",
    """CREATE TRIGGER password_resets_used_once BEFORE UPDATE ON password_resets FOR EACH ROW
       WHEN (OLD.used_at IS NOT NULL AND NEW.used_at IS DISTINCT FROM OLD.used_at)
       EXECUTE FUNCTION comptoir_guard_set_once('used_at')""",
    # The one reference into another tenant: an entry names the address the provider registered (and
    # goes with it). Only the provider's context and workers insert entries, so the check's view of
    # the provider's rows tells a reseller nothing.
    """ALTER TABLE ip_pool ADD CONSTRAINT ip_pool_ip_address_id_fkey FOREIGN KEY (ip_address_id)
       REFERENCES ip_addresses (id) ON DELETE CASCADE""",
    "CREATE INDEX ip_pool_by_address ON ip_pool (ip_address_id)",
]

# A list of keys larger than this is no log-in attempt (the callers pass an account and an address).
MAX_THROTTLE_KEYS = 4
_THROTTLE_ARGUMENTS = f"""
  IF p_keys IS NULL OR cardinality(p_keys) > {MAX_THROTTLE_KEYS}
     OR EXISTS (SELECT 1 FROM unnest(p_keys) AS k WHERE k IS NULL OR length(k) > 200) THEN
    RAISE EXCEPTION 'at most {MAX_THROTTLE_KEYS} throttle keys of up to 200 characters'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;"""
_FINITE = """
  IF {name} IS NULL OR NOT isfinite({name}) THEN
    RAISE EXCEPTION '{name} must be a finite time' USING ERRCODE = 'invalid_parameter_value';
  END IF;"""

LOOKUPS = [
    "DROP FUNCTION comptoir_session_lookup(bytea, timestamptz)",
    "DROP FUNCTION comptoir_password_reset_lookup(bytea, timestamptz)",
    *definer_function(
        "comptoir_session_lookup(p_token_hash bytea)",
        """SELECT t.id, t.user_id, t.seller_id, t.customer_id, u.role
             FROM sessions t
             JOIN users u ON u.seller_id = t.seller_id AND u.id = t.user_id
             JOIN sellers s ON s.id = t.seller_id
             LEFT JOIN customers c ON c.seller_id = t.seller_id AND c.id = t.customer_id
            WHERE t.token_hash = p_token_hash AND t.revoked_at IS NULL AND t.expires_at > now()
              AND u.status = 'active' AND s.status = 'active'
              AND (u.role = 'provider') = (s.kind = 'provider')
              AND (t.customer_id IS NULL OR c.status = 'active')""",
        returns="TABLE (session_id uuid, user_id uuid, seller_id uuid, customer_id uuid, role text)",
    ),
    *definer_function(
        "comptoir_password_reset_lookup(p_token_hash bytea)",
        """SELECT r.id, r.user_id, r.seller_id, r.customer_id FROM password_resets r
            WHERE r.token_hash = p_token_hash AND r.used_at IS NULL AND r.expires_at > now()""",
        returns="TABLE (reset_id uuid, user_id uuid, seller_id uuid, customer_id uuid)",
    ),
    *definer_function(
        "comptoir_throttle_count(p_keys text[], p_since timestamptz)",
        f"""BEGIN {_THROTTLE_ARGUMENTS} {_FINITE.format(name='p_since')}
              RETURN (SELECT coalesce(max(n), 0)::int FROM (SELECT count(*) AS n FROM auth_throttle
                       WHERE key = ANY(p_keys) AND occurred_at > p_since GROUP BY key) per_key);
            END""",
        returns="integer", language="plpgsql",
    ),
    *definer_function(
        "comptoir_throttle_record(p_keys text[], p_now timestamptz)",
        f"""BEGIN {_THROTTLE_ARGUMENTS} {_FINITE.format(name='p_now')}
              DELETE FROM auth_throttle WHERE key = ANY(p_keys) AND occurred_at < p_now - interval '1 day';
              INSERT INTO auth_throttle (key, occurred_at) SELECT k, p_now FROM unnest(p_keys) AS k;
            END""",
        returns="void", language="plpgsql", volatility="VOLATILE",
    ),
    *definer_function(
        "comptoir_throttle_clear(p_keys text[])",
        f"""BEGIN {_THROTTLE_ARGUMENTS}
              DELETE FROM auth_throttle WHERE key = ANY(p_keys);
            END""",
        returns="void", language="plpgsql", volatility="VOLATILE",
    ),
]


def upgrade() -> None:
    op.execute(COLUMN_GUARD_FUNCTION)
    for table in TABLES:
        for statement in role_aware_table(POLICIES[table]):
            op.execute(statement)
    for statement in GUARDS:
        op.execute(statement)
    op.execute("GRANT CREATE ON SCHEMA public TO comptoir_definer")
    for statement in LOOKUPS:
        op.execute(statement)
    op.execute("REVOKE CREATE ON SCHEMA public FROM comptoir_definer")


def downgrade() -> None:
    raise NotImplementedError("0007 is not reversible: restore a backup taken before upgrading")

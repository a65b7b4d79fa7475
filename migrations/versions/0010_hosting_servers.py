"""Hosting servers and placement, sellers' certificate stores, what a reseller sees of its addresses (issue 8).

1. `hosting_servers`: the servers the provider registers (driver, OS, capabilities, capacity).
   `server_pool`: the servers a seller may place subscriptions on — the provider's own entries and the
   entries it makes in a reseller's tenant when it assigns a server (a copy pointing back by id, as
   `ip_pool` does for addresses). Subscriptions and plans point at their seller's entry.
2. `ssl_certificates`: each seller's certificate store (PEM certificate and key, expiry parsed);
   a pool entry of an address may name one of them (it applies to every site of the seller there).
3. `ip_pool` carries the address's status and FTP-over-SSL as the provider set them (a reseller cannot
   read the provider's `ip_addresses` row). A reseller may now change its own entry's type while no
   subscription uses it; a definer trigger keeps the cross-tenant dedication rules (SPEC §3) that its
   own context cannot see.
4. `comptoir_least_loaded_server(ids)`: placement needs every tenant's subscription count per server;
   it returns one id only.
5. Existing data: when a provider exists, a default server (driver COMPTOIR_HOSTING_AGENT) is created,
   entered in every seller's pool, and every subscription is placed on it. The owner sees no tenant
   rows under forced RLS: the data statements run with FORCE lifted on the tables they touch, inside
   this migration's transaction.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

from comptoir.database.policies import POLICIES
from comptoir.database.rls import definer_function, role_aware_table
from comptoir.settings import get_settings

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

NEW_TABLES = ("hosting_servers", "server_pool", "ssl_certificates")

# References are checked at commit (as 0003 made the others): deleting a seller cascades in any order.
TABLES = """
CREATE TABLE hosting_servers (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    driver text NOT NULL CHECK (length(driver) BETWEEN 1 AND 64),
    os_family text NOT NULL DEFAULT 'unix' CHECK (os_family IN ('unix', 'windows')),
    capabilities jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(capabilities) = 'object'),
    capacity integer CHECK (capacity IS NULL OR capacity >= 0),
    is_default boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, id),
    UNIQUE (seller_id, name)
);
CREATE INDEX hosting_servers_listing ON hosting_servers (seller_id, created_at, id);

CREATE TABLE server_pool (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    server_id uuid NOT NULL,
    name text NOT NULL,
    driver text NOT NULL,
    os_family text NOT NULL DEFAULT 'unix' CHECK (os_family IN ('unix', 'windows')),
    capabilities jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(capabilities) = 'object'),
    capacity integer,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, id),
    UNIQUE (seller_id, server_id)
);
CREATE INDEX server_pool_by_server ON server_pool (server_id);

CREATE TABLE ssl_certificates (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    certificate_pem text NOT NULL,
    private_key_pem text NOT NULL,
    subject text NOT NULL DEFAULT '',
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, id),
    UNIQUE (seller_id, name)
);

ALTER TABLE ip_pool
    ADD COLUMN status text NOT NULL DEFAULT 'configured' CHECK (status IN ('configured', 'removed')),
    ADD COLUMN ftp_over_ssl boolean NOT NULL DEFAULT false,
    ADD COLUMN certificate_id uuid,
    ADD CONSTRAINT ip_pool_seller_id_certificate_id_fkey FOREIGN KEY (seller_id, certificate_id)
        REFERENCES ssl_certificates (seller_id, id) DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX ip_pool_by_certificate ON ip_pool (seller_id, certificate_id);

ALTER TABLE subscriptions
    ADD COLUMN server_pool_id uuid,
    ADD CONSTRAINT subscriptions_seller_id_server_pool_id_fkey FOREIGN KEY (seller_id, server_pool_id)
        REFERENCES server_pool (seller_id, id) DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX subscriptions_by_server ON subscriptions (seller_id, server_pool_id);

ALTER TABLE service_plans
    ADD COLUMN server_pool_id uuid,
    ADD CONSTRAINT service_plans_seller_id_server_pool_id_fkey FOREIGN KEY (seller_id, server_pool_id)
        REFERENCES server_pool (seller_id, id) DEFERRABLE INITIALLY DEFERRED;
"""

GUARDS = [
    # A reseller changes its own entry's type before use; status, FTP over SSL and the address stay the
    # provider's (the certificate and the default site are the reseller's own choice).
    """CREATE OR REPLACE FUNCTION comptoir_guard_pool_update() RETURNS trigger LANGUAGE plpgsql AS $fn$
       BEGIN
         IF comptoir_current_role() IS DISTINCT FROM 'provider'
            AND (NEW.ip_address_id, NEW.address, NEW.status, NEW.ftp_over_ssl)
                IS DISTINCT FROM (OLD.ip_address_id, OLD.address, OLD.status, OLD.ftp_over_ssl) THEN
           RAISE EXCEPTION 'only the provider changes a pool entry''s address, status or FTP over SSL'
             USING ERRCODE = 'insufficient_privilege';
         END IF;
         IF comptoir_current_role() IS DISTINCT FROM 'provider' AND NEW.type IS DISTINCT FROM OLD.type
            AND EXISTS (SELECT 1 FROM subscriptions s WHERE s.seller_id = OLD.seller_id AND s.ip_pool_id = OLD.id) THEN
           RAISE EXCEPTION 'a pool entry''s type changes only before use'
             USING ERRCODE = 'insufficient_privilege', CONSTRAINT = 'ip_pool_type_before_use';
         END IF;
         RETURN NEW;
       END $fn$""",
]

# The rules of comptoir.hosting.ip_rules.dedication_conflict that need other tenants' entries, for a
# reseller changing its own entry's type. Owned by the definer; discloses one refusal per rule.
DEDICATION_TRIGGER = [
    """CREATE OR REPLACE FUNCTION comptoir_check_pool_dedication() RETURNS trigger LANGUAGE plpgsql
       SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
       DECLARE
         provider_id uuid;
       BEGIN
         PERFORM pg_advisory_xact_lock(hashtextextended('ip:' || NEW.ip_address_id::text, 0));
         SELECT a.seller_id INTO provider_id FROM ip_addresses a WHERE a.id = NEW.ip_address_id;
         IF NEW.type = 'dedicated' AND EXISTS (
              SELECT 1 FROM ip_pool p WHERE p.ip_address_id = NEW.ip_address_id AND p.id <> NEW.id
                AND p.seller_id IS DISTINCT FROM provider_id) THEN
           RAISE EXCEPTION 'a dedicated address is assigned to one reseller only'
             USING ERRCODE = 'check_violation', CONSTRAINT = 'ip_pool_assigned_to_another_reseller';
         END IF;
         IF NEW.type = 'dedicated' AND EXISTS (
              SELECT 1 FROM ip_pool p JOIN subscriptions s ON s.seller_id = p.seller_id AND s.ip_pool_id = p.id
              WHERE p.ip_address_id = NEW.ip_address_id AND p.seller_id = provider_id) THEN
           RAISE EXCEPTION 'the provider''s own customers use this address'
             USING ERRCODE = 'check_violation', CONSTRAINT = 'ip_pool_used_by_provider_customers';
         END IF;
         IF NEW.type = 'shared' AND EXISTS (
              SELECT 1 FROM ip_pool p WHERE p.ip_address_id = NEW.ip_address_id AND p.seller_id = provider_id
                AND p.id <> NEW.id AND p.type = 'dedicated') THEN
           RAISE EXCEPTION 'the provider uses this address as dedicated'
             USING ERRCODE = 'check_violation', CONSTRAINT = 'ip_pool_dedicated_to_provider';
         END IF;
         RETURN NEW;
       END $fn$""",
    "ALTER FUNCTION comptoir_check_pool_dedication() OWNER TO comptoir_definer",
    "REVOKE ALL ON FUNCTION comptoir_check_pool_dedication() FROM PUBLIC",
    # (named to fire after ip_pool_guard: BEFORE triggers run in name order)
    """CREATE TRIGGER ip_pool_guard_dedication BEFORE UPDATE ON ip_pool FOR EACH ROW
       WHEN (OLD.type IS DISTINCT FROM NEW.type AND comptoir_current_role() IS DISTINCT FROM 'provider')
       EXECUTE FUNCTION comptoir_check_pool_dedication()""",
]

# Placement: of the candidate servers with room left, the one hosting fewest subscriptions (all tenants).
LEAST_LOADED = """
    SELECT h.id FROM hosting_servers h
    LEFT JOIN server_pool p ON p.server_id = h.id
    LEFT JOIN subscriptions s ON s.seller_id = p.seller_id AND s.server_pool_id = p.id
    WHERE h.id = ANY (p_candidates[1:100])
    GROUP BY h.id, h.capacity, h.name
    HAVING h.capacity IS NULL OR count(s.id) < h.capacity
    ORDER BY count(s.id), h.name, h.id
    LIMIT 1"""


def _default_server_statements() -> list[str]:
    driver = get_settings().hosting_agent.replace("'", "''")
    return [
        f"""INSERT INTO hosting_servers (seller_id, name, driver, is_default)
            SELECT id, 'Default server', '{driver}', true FROM sellers WHERE kind = 'provider'""",
        """INSERT INTO server_pool (seller_id, server_id, name, driver, os_family, capabilities, capacity)
            SELECT s.id, h.id, h.name, h.driver, h.os_family, h.capabilities, h.capacity
            FROM sellers s CROSS JOIN hosting_servers h WHERE h.is_default""",
        """UPDATE subscriptions SET server_pool_id = p.id FROM server_pool p
            WHERE p.seller_id = subscriptions.seller_id""",
    ]


def upgrade() -> None:
    op.execute(TABLES)
    for table in NEW_TABLES:
        for statement in role_aware_table(POLICIES[table]):
            op.execute(statement)
    # A customer changes its service settings, and asks for its webspace to follow.
    for table in ("subscriptions", "provisioning_requests"):
        for statement in role_aware_table(POLICIES[table]):
            op.execute(statement)
    for statement in GUARDS:
        op.execute(statement)
    op.execute("GRANT CREATE ON SCHEMA public TO comptoir_definer")
    for statement in [
        "GRANT SELECT ON ip_pool, ip_addresses, hosting_servers, server_pool TO comptoir_definer",
        *DEDICATION_TRIGGER,
        *definer_function("comptoir_least_loaded_server(p_candidates uuid[])", LEAST_LOADED, returns="uuid"),
    ]:
        op.execute(statement)
    op.execute("REVOKE CREATE ON SCHEMA public FROM comptoir_definer")
    touched = ("sellers", "hosting_servers", "server_pool", "subscriptions", "ip_pool", "ip_addresses")
    for table in touched:
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    # The guards on pool entries let only the provider's context copy the address's status.
    op.execute("SELECT set_config('comptoir.role', 'provider', true)")
    op.execute("""UPDATE ip_pool SET status = a.status, ftp_over_ssl = a.ftp_over_ssl
                  FROM ip_addresses a WHERE a.id = ip_pool.ip_address_id""")
    for statement in _default_server_statements():
        op.execute(statement)
    op.execute("SET CONSTRAINTS ALL IMMEDIATE")  # check the deferred references now: ALTER TABLE needs it
    for table in touched:
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")


def downgrade() -> None:
    raise NotImplementedError("0010 is not reversible: restore a backup taken before upgrading")

"""Hosting: service and add-on plans, IP addresses and per-seller IP pools, subscriptions with their
add-ons and sites, tracked background jobs, virtual-host skeletons, branding and custom buttons.

Domain names are unique across the instance (one server hosts them all) yet a unique index without
seller_id would leak other tenants' rows, so, as for usernames, a definer trigger checks them.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

from comptoir.database.rls import tenant_table

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = """
CREATE TABLE service_plans (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('service', 'addon')),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    values jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(values) = 'object'),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, id),
    UNIQUE (seller_id, kind, name)
);

CREATE TABLE ip_addresses (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    address inet NOT NULL,
    interface text NOT NULL DEFAULT '',
    status text NOT NULL DEFAULT 'configured' CHECK (status IN ('configured', 'removed')),
    ssl_certificate text NOT NULL DEFAULT '',
    ftp_over_ssl boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, id),
    UNIQUE (seller_id, address)
);

-- A seller's usable addresses: the provider's own, and those assigned to a reseller (a copy in the
-- reseller's tenant pointing back to the provider's row by id, as rows never reference another tenant).
CREATE TABLE ip_pool (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    ip_address_id uuid NOT NULL,
    address inet NOT NULL,
    type text NOT NULL DEFAULT 'shared' CHECK (type IN ('shared', 'dedicated')),
    default_subscription_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, id),
    UNIQUE (seller_id, ip_address_id)
);

CREATE TABLE subscriptions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    customer_id uuid,
    plan_id uuid,
    domain_name text NOT NULL CHECK (domain_name ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$'),
    ip_pool_id uuid NOT NULL,
    system_login text NOT NULL CHECK (system_login ~ '^[a-z_][a-z0-9_.-]{0,31}$'),
    system_password text NOT NULL DEFAULT '',
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    suspension_reason text NOT NULL DEFAULT '' CHECK (
        suspension_reason IN ('', 'manual', 'expired', 'customer', 'reseller', 'overuse')),
    sync_state text NOT NULL DEFAULT 'synced' CHECK (sync_state IN ('synced', 'locked', 'unsynced')),
    values jsonb NOT NULL DEFAULT '{}'::jsonb,
    customization jsonb NOT NULL DEFAULT '{}'::jsonb,
    conflicts jsonb NOT NULL DEFAULT '[]'::jsonb,
    expiration_date date,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, id),
    UNIQUE (seller_id, system_login),
    FOREIGN KEY (seller_id, customer_id) REFERENCES customers (seller_id, id) ON DELETE CASCADE,
    FOREIGN KEY (seller_id, plan_id) REFERENCES service_plans (seller_id, id),
    FOREIGN KEY (seller_id, ip_pool_id) REFERENCES ip_pool (seller_id, id)
);
CREATE INDEX subscriptions_listing ON subscriptions (seller_id, created_at, id);
CREATE INDEX subscriptions_by_plan ON subscriptions (seller_id, plan_id);
CREATE INDEX subscriptions_by_customer ON subscriptions (seller_id, customer_id);
CREATE INDEX subscriptions_domain ON subscriptions (lower(domain_name));

CREATE TABLE subscription_addons (
    seller_id uuid NOT NULL,
    subscription_id uuid NOT NULL,
    addon_id uuid NOT NULL,
    customer_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (seller_id, subscription_id, addon_id),
    FOREIGN KEY (seller_id, subscription_id) REFERENCES subscriptions (seller_id, id) ON DELETE CASCADE,
    FOREIGN KEY (seller_id, addon_id) REFERENCES service_plans (seller_id, id),
    FOREIGN KEY (seller_id, customer_id) REFERENCES customers (seller_id, id) ON DELETE CASCADE
);
CREATE INDEX subscription_addons_addon ON subscription_addons (seller_id, addon_id);

CREATE TABLE sites (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL,
    subscription_id uuid NOT NULL,
    customer_id uuid,
    domain_name text NOT NULL,
    php_directives jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, id),
    UNIQUE (seller_id, domain_name),
    FOREIGN KEY (seller_id, subscription_id) REFERENCES subscriptions (seller_id, id) ON DELETE CASCADE,
    FOREIGN KEY (seller_id, customer_id) REFERENCES customers (seller_id, id) ON DELETE CASCADE
);
CREATE INDEX sites_subscription ON sites (seller_id, subscription_id);

CREATE TABLE background_jobs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    kind text NOT NULL,
    subject_id uuid,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
    total integer NOT NULL DEFAULT 0,
    done integer NOT NULL DEFAULT 0,
    last_error text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    UNIQUE (seller_id, id)
);
CREATE INDEX background_jobs_listing ON background_jobs (seller_id, created_at);

CREATE TABLE skeletons (
    seller_id uuid PRIMARY KEY REFERENCES sellers (id) ON DELETE CASCADE,
    filename text NOT NULL,
    archive bytea NOT NULL,
    sha256 text NOT NULL,
    uploaded_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE branding (
    seller_id uuid PRIMARY KEY REFERENCES sellers (id) ON DELETE CASCADE,
    logo bytea,
    logo_content_type text NOT NULL DEFAULT '',
    logo_link_url text NOT NULL DEFAULT '',
    title_text text NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE custom_buttons (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    owner_user_id uuid NOT NULL,
    label text NOT NULL CHECK (length(label) BETWEEN 1 AND 255),
    location text NOT NULL CHECK (location IN ('seller_home', 'customer_home', 'customer_websites', 'common')),
    priority integer NOT NULL DEFAULT 100,
    image bytea,
    image_content_type text NOT NULL DEFAULT '',
    url text NOT NULL,
    tooltip text NOT NULL DEFAULT '',
    open_in_panel boolean NOT NULL DEFAULT false,
    visible_only_to_me boolean NOT NULL DEFAULT false,
    context_parameters text[] NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, id),
    FOREIGN KEY (seller_id, owner_user_id) REFERENCES users (seller_id, id) ON DELETE CASCADE
);
CREATE INDEX custom_buttons_listing ON custom_buttons (seller_id, location, priority);
"""

DOMAIN_TRIGGER = [
    """CREATE OR REPLACE FUNCTION comptoir_check_domain() RETURNS trigger LANGUAGE plpgsql
       SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
       BEGIN
         PERFORM pg_advisory_xact_lock(hashtextextended('domain:' || lower(NEW.domain_name), 0));
         IF EXISTS (SELECT 1 FROM subscriptions WHERE lower(domain_name) = lower(NEW.domain_name)
                    AND id <> NEW.id) THEN
           RAISE EXCEPTION 'domain % is taken', NEW.domain_name
             USING ERRCODE = 'unique_violation', CONSTRAINT = 'subscriptions_domain_unique';
         END IF;
         RETURN NEW;
       END $fn$""",
    "ALTER FUNCTION comptoir_check_domain() OWNER TO comptoir_definer",
    "REVOKE ALL ON FUNCTION comptoir_check_domain() FROM PUBLIC",
    """CREATE TRIGGER subscriptions_domain_unique BEFORE INSERT OR UPDATE OF domain_name ON subscriptions
       FOR EACH ROW EXECUTE FUNCTION comptoir_check_domain()""",
]


def upgrade() -> None:
    op.execute(TABLES)
    op.execute("GRANT CREATE ON SCHEMA public TO comptoir_definer")
    for statement in [
        *tenant_table("service_plans"),
        *tenant_table("ip_addresses"),
        *tenant_table("ip_pool"),
        *tenant_table("subscriptions", customer_column="customer_id"),
        "GRANT SELECT ON subscriptions TO comptoir_definer",
        *tenant_table("subscription_addons", customer_column="customer_id"),
        *tenant_table("sites", customer_column="customer_id"),
        *tenant_table("background_jobs"),
        *tenant_table("skeletons"),
        *tenant_table("branding"),
        *tenant_table("custom_buttons"),
        *DOMAIN_TRIGGER,
    ]:
        op.execute(statement)
    op.execute("REVOKE CREATE ON SCHEMA public FROM comptoir_definer")


def downgrade() -> None:
    op.execute(
        "DROP TABLE IF EXISTS custom_buttons, branding, skeletons, background_jobs, sites, subscription_addons,"
        " subscriptions, ip_pool, ip_addresses, service_plans CASCADE"
    )
    op.execute("DROP FUNCTION IF EXISTS comptoir_check_domain() CASCADE")

"""Tenancy: sellers, reseller allocations, customers, users, sessions, password resets, e-mail outbox.

Every tenant table carries seller_id, composite foreign keys (seller_id, x_id) and RLS from the one
helper in comptoir.database.rls. Log-in, session and reset look-ups happen before a tenant is known,
so they go through narrow SECURITY DEFINER functions owned by the BYPASSRLS definer role.

Revision ID: 0001
Revises:
"""

from alembic import op

from comptoir.database.rls import CONTEXT_FUNCTIONS, definer_function, internal_table, tenant_table

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TABLES = """
CREATE TABLE sellers (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid GENERATED ALWAYS AS (id) STORED NOT NULL,
    kind text NOT NULL CHECK (kind IN ('provider', 'reseller')),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    company_name text NOT NULL DEFAULT '',
    email text NOT NULL DEFAULT '',
    phone text NOT NULL DEFAULT '',
    country text NOT NULL DEFAULT '' CHECK (country ~ '^([A-Z]{2})?$'),
    locale text NOT NULL DEFAULT 'en',
    timezone text NOT NULL DEFAULT 'UTC',
    allow_multiple_sessions boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, id)
);
CREATE INDEX sellers_listing ON sellers (seller_id, kind, created_at);

CREATE TABLE reseller_allocations (
    seller_id uuid PRIMARY KEY REFERENCES sellers (id) ON DELETE CASCADE,
    limits jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(limits) = 'object'),
    permissions jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(permissions) = 'object'),
    overselling_allowed boolean NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE customers (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'pending', 'fraudulent')),
    company_name text NOT NULL DEFAULT '',
    contact_name text NOT NULL CHECK (length(contact_name) BETWEEN 1 AND 255),
    email text NOT NULL,
    phone text NOT NULL DEFAULT '',
    address_line1 text NOT NULL DEFAULT '',
    address_line2 text NOT NULL DEFAULT '',
    city text NOT NULL DEFAULT '',
    region text NOT NULL DEFAULT '',
    postal_code text NOT NULL DEFAULT '',
    country text NOT NULL DEFAULT '' CHECK (country ~ '^([A-Z]{2})?$'),
    locale text NOT NULL DEFAULT 'en',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, id)
);
CREATE INDEX customers_listing ON customers (seller_id, created_at, id);

CREATE TABLE users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    customer_id uuid,
    role text NOT NULL CHECK (role IN ('provider', 'reseller', 'customer')),
    username text NOT NULL CHECK (username ~ '^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$'),
    email text NOT NULL,
    password_hash text NOT NULL,
    full_name text NOT NULL DEFAULT '',
    phone text NOT NULL DEFAULT '',
    country text NOT NULL DEFAULT '' CHECK (country ~ '^([A-Z]{2})?$'),
    locale text NOT NULL DEFAULT 'en',
    theme text NOT NULL DEFAULT 'default',
    button_label_length integer NOT NULL DEFAULT 0 CHECK (button_label_length >= 0),
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    password_changed_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, id),
    FOREIGN KEY (seller_id, customer_id) REFERENCES customers (seller_id, id) ON DELETE CASCADE,
    CHECK ((role = 'customer') = (customer_id IS NOT NULL))
);
CREATE INDEX users_listing ON users (seller_id, customer_id, created_at);
CREATE INDEX users_login_name ON users (lower(username));

CREATE TABLE sessions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL,
    user_id uuid NOT NULL,
    customer_id uuid,
    token_hash bytea NOT NULL,
    client_address text NOT NULL DEFAULT '',
    user_agent text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    UNIQUE (seller_id, id),
    UNIQUE (seller_id, token_hash),
    FOREIGN KEY (seller_id, user_id) REFERENCES users (seller_id, id) ON DELETE CASCADE,
    FOREIGN KEY (seller_id, customer_id) REFERENCES customers (seller_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_token ON sessions (token_hash);
CREATE INDEX sessions_user ON sessions (seller_id, user_id, created_at);

CREATE TABLE password_resets (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL,
    user_id uuid NOT NULL,
    customer_id uuid,
    token_hash bytea NOT NULL,
    requested_from text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    UNIQUE (seller_id, id),
    UNIQUE (seller_id, token_hash),
    FOREIGN KEY (seller_id, user_id) REFERENCES users (seller_id, id) ON DELETE CASCADE,
    FOREIGN KEY (seller_id, customer_id) REFERENCES customers (seller_id, id) ON DELETE CASCADE
);
CREATE INDEX password_resets_token ON password_resets (token_hash);

CREATE TABLE email_outbox (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    customer_id uuid,
    template text NOT NULL,
    language text NOT NULL DEFAULT 'en',
    to_address text NOT NULL,
    subject text NOT NULL,
    body_text text NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    last_error text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz,
    UNIQUE (seller_id, id),
    FOREIGN KEY (seller_id, customer_id) REFERENCES customers (seller_id, id) ON DELETE CASCADE
);
CREATE INDEX email_outbox_pending ON email_outbox (seller_id, status, created_at);

CREATE TABLE auth_throttle (
    key text NOT NULL,
    occurred_at timestamptz NOT NULL
);
CREATE INDEX auth_throttle_key ON auth_throttle (key, occurred_at);
"""

USERNAME_TRIGGER = [
    # Usernames are unique across the instance (log-in precedes tenancy), yet a unique index without
    # seller_id would leak other tenants' rows to the app: the check runs as the definer, serialised
    # per name by an advisory lock.
    """CREATE OR REPLACE FUNCTION comptoir_check_username() RETURNS trigger LANGUAGE plpgsql
       SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
       BEGIN
         PERFORM pg_advisory_xact_lock(hashtextextended('username:' || lower(NEW.username), 0));
         IF EXISTS (SELECT 1 FROM users WHERE lower(username) = lower(NEW.username) AND id <> NEW.id) THEN
           RAISE EXCEPTION 'username % is taken', NEW.username
             USING ERRCODE = 'unique_violation', CONSTRAINT = 'users_username_unique';
         END IF;
         RETURN NEW;
       END $fn$""",
    "ALTER FUNCTION comptoir_check_username() OWNER TO comptoir_definer",
    "REVOKE ALL ON FUNCTION comptoir_check_username() FROM PUBLIC",
    """CREATE TRIGGER users_username_unique BEFORE INSERT OR UPDATE OF username ON users
       FOR EACH ROW EXECUTE FUNCTION comptoir_check_username()""",
]

LOOKUPS = [
    *definer_function(
        "comptoir_login_lookup(p_username text)",
        """SELECT u.id, u.seller_id, u.customer_id, u.role, u.password_hash, u.status, s.status,
                  c.status
             FROM users u JOIN sellers s ON s.id = u.seller_id
             LEFT JOIN customers c ON c.seller_id = u.seller_id AND c.id = u.customer_id
            WHERE lower(u.username) = lower(p_username)""",
        returns="TABLE (user_id uuid, seller_id uuid, customer_id uuid, role text, password_hash text,"
        " user_status text, seller_status text, customer_status text)",
    ),
    *definer_function(
        "comptoir_session_lookup(p_token_hash bytea, p_now timestamptz)",
        """SELECT t.id, t.user_id, t.seller_id, t.customer_id, u.role
             FROM sessions t
             JOIN users u ON u.seller_id = t.seller_id AND u.id = t.user_id
             JOIN sellers s ON s.id = t.seller_id
             LEFT JOIN customers c ON c.seller_id = t.seller_id AND c.id = t.customer_id
            WHERE t.token_hash = p_token_hash AND t.revoked_at IS NULL AND t.expires_at > p_now
              AND u.status = 'active' AND s.status = 'active'
              AND (t.customer_id IS NULL OR c.status = 'active')""",
        returns="TABLE (session_id uuid, user_id uuid, seller_id uuid, customer_id uuid, role text)",
    ),
    *definer_function(
        "comptoir_password_reset_target(p_username text, p_email text)",
        """SELECT u.id, u.seller_id, u.customer_id FROM users u
            WHERE lower(u.username) = lower(p_username) AND lower(u.email) = lower(p_email)""",
        returns="TABLE (user_id uuid, seller_id uuid, customer_id uuid)",
    ),
    *definer_function(
        "comptoir_password_reset_lookup(p_token_hash bytea, p_now timestamptz)",
        """SELECT r.id, r.user_id, r.seller_id, r.customer_id FROM password_resets r
            WHERE r.token_hash = p_token_hash AND r.used_at IS NULL AND r.expires_at > p_now""",
        returns="TABLE (reset_id uuid, user_id uuid, seller_id uuid, customer_id uuid)",
    ),
    *definer_function(
        "comptoir_throttle_count(p_keys text[], p_since timestamptz)",
        "SELECT coalesce(max(n), 0)::int FROM (SELECT count(*) AS n FROM auth_throttle"
        " WHERE key = ANY(p_keys) AND occurred_at > p_since GROUP BY key) per_key",
        returns="integer",
    ),
    *definer_function(
        "comptoir_throttle_record(p_keys text[], p_now timestamptz)",
        "DELETE FROM auth_throttle WHERE key = ANY(p_keys) AND occurred_at < p_now - interval '1 day';"
        " INSERT INTO auth_throttle (key, occurred_at) SELECT k, p_now FROM unnest(p_keys) AS k;",
        returns="void",
        volatility="VOLATILE",
    ),
    *definer_function(
        "comptoir_schema_version()",
        "SELECT version_num::text FROM alembic_version LIMIT 1",
        returns="text",
    ),
    *definer_function(
        "comptoir_throttle_clear(p_keys text[])",
        "DELETE FROM auth_throttle WHERE key = ANY(p_keys);",
        returns="void",
        volatility="VOLATILE",
    ),
]


def upgrade() -> None:
    for statement in CONTEXT_FUNCTIONS:
        op.execute(statement)
    op.execute(TABLES)
    # CREATE only while functions are handed to the definer role (ALTER ... OWNER requires it).
    op.execute("GRANT USAGE, CREATE ON SCHEMA public TO comptoir_definer")
    op.execute("GRANT SELECT ON alembic_version TO comptoir_definer")
    for statement in [
        *tenant_table("sellers", definer_reads=True),
        *tenant_table("reseller_allocations"),
        *tenant_table("customers", customer_column="id", definer_reads=True),
        *tenant_table("users", customer_column="customer_id", definer_reads=True),
        *tenant_table("sessions", customer_column="customer_id", definer_reads=True),
        *tenant_table("password_resets", customer_column="customer_id", definer_reads=True),
        *tenant_table("email_outbox", customer_column="customer_id"),
        *internal_table("auth_throttle"),
        *USERNAME_TRIGGER,
        *LOOKUPS,
    ]:
        op.execute(statement)
    op.execute("REVOKE CREATE ON SCHEMA public FROM comptoir_definer")


def downgrade() -> None:
    op.execute(
        "DROP TABLE IF EXISTS auth_throttle, email_outbox, password_resets, sessions, users, customers,"
        " reseller_allocations, sellers CASCADE"
    )
    for name in ("login_lookup", "session_lookup", "password_reset_target", "password_reset_lookup",
                 "throttle_count", "throttle_record", "throttle_clear", "schema_version", "check_username",
                 "current_role", "current_seller", "current_customer"):
        op.execute(f"DROP FUNCTION IF EXISTS comptoir_{name} CASCADE")

"""Domains and SSL certificates (issue 13, SPEC §7).

- `registrar_accounts` / `certificate_providers`: a seller's drivers with their typed settings (secret
  fields sealed by comptoir.security.secrets), test mode and enabled flag. A store's visitor (storefront
  role) reads enabled registrar accounts: the cart checks availability through them (settings sealed).
- `tlds`: per seller, the predefined set plus custom ones; suspended and unassigned until a registrar
  supporting them is configured (the first one stays their default registrar).
- `domain_plans` and `domain_plan_tlds`: what a seller sells, per TLD and currency yearly prices for 1 to
  10 years (index = years - 1) for registration, transfer and renewal, in minor units.
- `domains`: a customer's domain, its registrar, status and the registrar's expiry date (`expires_on`,
  the renewal date listed; the weekly synchronisation moves only it).
- `domain_operations`: intents (register, transfer, renew) performed by the registrar driver; a
  delayed registration is polled through `next_attempt_at`.
- `certificate_plans` and `certificate_orders`: certificate orders are intents too (each customer
  submission is one round with the certificate authority); `state` is the conversation.

References that are not owned (a TLD's registrar, a plan's provider) are checked at commit, as in 0010.

Revision ID: 0020
Revises: 0018
"""

from alembic import op

from comptoir.database.policies import POLICIES
from comptoir.database.rls import role_aware_table

revision = "0020"
down_revision = "0018"
branch_labels = None
depends_on = None


INTENT_COLUMNS = """
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    done_at timestamptz,
"""

# A seller's account with an outside service (registrar, certificate authority): the same columns.
DRIVER_ACCOUNT = """
CREATE TABLE {table} (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    driver text NOT NULL CHECK (driver ~ '^[a-z][a-z0-9_]{{0,63}}$'),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    settings jsonb NOT NULL DEFAULT '{{}}'::jsonb CHECK (jsonb_typeof(settings) = 'object'),
    test_mode boolean NOT NULL DEFAULT true,
    enabled boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, id),
    UNIQUE (seller_id, name)
);"""

TABLES = f"""
{DRIVER_ACCOUNT.format(table="registrar_accounts")}

CREATE TABLE tlds (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (name ~ '^[a-z0-9]([a-z0-9-]{{0,61}}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{{0,61}}[a-z0-9])?)*$'),
    custom boolean NOT NULL DEFAULT false,
    status text NOT NULL DEFAULT 'suspended' CHECK (status IN ('suspended', 'active')),
    registrar_account_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, id),
    UNIQUE (seller_id, name),
    CHECK (status = 'suspended' OR registrar_account_id IS NOT NULL),
    FOREIGN KEY (seller_id, registrar_account_id) REFERENCES registrar_accounts (seller_id, id)
        DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE domain_plans (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, id),
    UNIQUE (seller_id, name)
);

CREATE TABLE domain_plan_tlds (
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    plan_id uuid NOT NULL,
    tld_id uuid NOT NULL,
    currency text NOT NULL CHECK (currency ~ '^[A-Z]{{3}}$'),
    register bigint[] NOT NULL CHECK (cardinality(register) BETWEEN 1 AND 10),
    transfer bigint[] NOT NULL CHECK (cardinality(transfer) BETWEEN 0 AND 10),
    renew bigint[] NOT NULL CHECK (cardinality(renew) BETWEEN 1 AND 10),
    PRIMARY KEY (seller_id, plan_id, tld_id, currency),
    FOREIGN KEY (seller_id, plan_id) REFERENCES domain_plans (seller_id, id) ON DELETE CASCADE,
    FOREIGN KEY (seller_id, tld_id) REFERENCES tlds (seller_id, id)
        DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE domains (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    customer_id uuid NOT NULL,
    name text NOT NULL CHECK (length(name) BETWEEN 3 AND 253),
    tld text NOT NULL,
    registrar_account_id uuid NOT NULL,
    status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'active', 'expired', 'transfer_pending', 'failed')),
    registered_on date,
    expires_on date,
    auth_code text NOT NULL DEFAULT '',
    locked boolean NOT NULL DEFAULT true,
    name_servers text[] NOT NULL DEFAULT '{{}}' CHECK (cardinality(name_servers) <= 13),
    subscription_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, id),
    UNIQUE (seller_id, name),
    FOREIGN KEY (seller_id, customer_id) REFERENCES customers (seller_id, id) ON DELETE CASCADE,
    FOREIGN KEY (seller_id, registrar_account_id) REFERENCES registrar_accounts (seller_id, id)
        DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (seller_id, subscription_id) REFERENCES subscriptions (seller_id, id) ON DELETE SET NULL (subscription_id)
);
CREATE INDEX domains_seller ON domains (seller_id, created_at, id);
CREATE INDEX domains_customer ON domains (seller_id, customer_id);

CREATE TABLE domain_operations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    customer_id uuid NOT NULL,
    order_id uuid,
    domain_id uuid,
    action text NOT NULL CHECK (action IN ('register', 'transfer', 'renew')),
    name text NOT NULL CHECK (length(name) BETWEEN 3 AND 253),
    years integer NOT NULL CHECK (years BETWEEN 1 AND 10),
    auth_code text NOT NULL DEFAULT '',
    registrar_account_id uuid NOT NULL,
    outcome text NOT NULL DEFAULT '',
    {INTENT_COLUMNS}
    UNIQUE (seller_id, id),
    FOREIGN KEY (seller_id, customer_id) REFERENCES customers (seller_id, id) ON DELETE CASCADE,
    FOREIGN KEY (seller_id, domain_id) REFERENCES domains (seller_id, id) ON DELETE CASCADE,
    FOREIGN KEY (seller_id, registrar_account_id) REFERENCES registrar_accounts (seller_id, id)
        DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX domain_operations_due ON domain_operations (seller_id, next_attempt_at) WHERE status IN ('pending', 'running');
CREATE UNIQUE INDEX domain_operations_once_per_order ON domain_operations (seller_id, order_id, name) WHERE order_id IS NOT NULL;

{DRIVER_ACCOUNT.format(table="certificate_providers")}

CREATE TABLE certificate_plans (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    provider_id uuid NOT NULL,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    product text NOT NULL CHECK (length(product) BETWEEN 1 AND 100),
    currency text NOT NULL CHECK (currency ~ '^[A-Z]{{3}}$'),
    yearly_price bigint NOT NULL CHECK (yearly_price >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, id),
    UNIQUE (seller_id, name),
    FOREIGN KEY (seller_id, provider_id) REFERENCES certificate_providers (seller_id, id)
        DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE certificate_orders (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    customer_id uuid NOT NULL,
    plan_id uuid NOT NULL,
    subscription_id uuid,
    common_name text NOT NULL CHECK (length(common_name) BETWEEN 3 AND 253),
    state text NOT NULL DEFAULT 'user_input_required'
        CHECK (state IN ('user_input_required', 'submitted', 'pending_validation', 'issued', 'failed')),
    requested text[] NOT NULL DEFAULT '{{}}',
    answers jsonb NOT NULL DEFAULT '{{}}'::jsonb CHECK (jsonb_typeof(answers) = 'object'),
    rounds integer NOT NULL DEFAULT 0,
    provider_reference text NOT NULL DEFAULT '',
    certificate_pem text NOT NULL DEFAULT '',
    ssl_certificate_id uuid,
    expires_on date,
    {INTENT_COLUMNS}
    UNIQUE (seller_id, id),
    FOREIGN KEY (seller_id, customer_id) REFERENCES customers (seller_id, id) ON DELETE CASCADE,
    FOREIGN KEY (seller_id, plan_id) REFERENCES certificate_plans (seller_id, id)
        DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (seller_id, subscription_id) REFERENCES subscriptions (seller_id, id) ON DELETE SET NULL (subscription_id),
    FOREIGN KEY (seller_id, ssl_certificate_id) REFERENCES ssl_certificates (seller_id, id)
        ON DELETE SET NULL (ssl_certificate_id)
);
CREATE INDEX certificate_orders_seller ON certificate_orders (seller_id, created_at, id);
"""

NEW_TABLES = ("registrar_accounts", "tlds", "domain_plans", "domain_plan_tlds", "domains", "domain_operations",
              "certificate_providers", "certificate_plans", "certificate_orders")


def upgrade() -> None:
    op.execute(TABLES)
    for table in NEW_TABLES:
        for statement in role_aware_table(POLICIES[table]):
            op.execute(statement)
    # The relay's look-up (0023: any intent-shaped table) reads the new intent tables.
    op.execute("GRANT SELECT ON domain_operations, certificate_orders TO comptoir_definer")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS certificate_orders, certificate_plans, certificate_providers, domain_operations,"
               " domains, domain_plan_tlds, domain_plans, tlds, registrar_accounts")

"""Payments (issue 10, SPEC §6): gateway configurations per seller and the stores that offer them,
customers' stored payment methods (tokens and IBANs sealed, never a card number), payments with their
state machine, one charge intent per gateway charge, refunds, incoming webhook events (stored once per
event id, so replays are harmless) and each seller's payment settings.

The webhook route learns a configuration's seller before any tenant is known through one narrow
SECURITY DEFINER look-up (config id -> seller id, enabled configurations only).

Revision ID: 0016
Revises: 0014
"""

from alembic import op

from comptoir.database.policies import POLICIES
from comptoir.database.rls import definer_function, role_aware_table

revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = None


STATUSES = ("'pending', 'requires_action', 'authorised', 'captured', 'partially_refunded', 'refunded',"
            " 'failed', 'voided', 'error'")

TABLES = f"""
CREATE TABLE gateway_configs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    driver text NOT NULL CHECK (driver ~ '^[a-z][a-z0-9_]{{0,63}}$'),
    settings jsonb NOT NULL DEFAULT '{{}}'::jsonb CHECK (jsonb_typeof(settings) = 'object'),
    test_mode boolean NOT NULL DEFAULT true,
    enabled boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, id),
    UNIQUE (seller_id, name)
);

CREATE TABLE store_gateways (
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    store_id uuid NOT NULL,
    gateway_config_id uuid NOT NULL,
    position integer NOT NULL DEFAULT 0,
    PRIMARY KEY (seller_id, store_id, gateway_config_id),
    FOREIGN KEY (seller_id, store_id) REFERENCES stores (seller_id, id) ON DELETE CASCADE,
    FOREIGN KEY (seller_id, gateway_config_id) REFERENCES gateway_configs (seller_id, id) ON DELETE CASCADE
);
CREATE INDEX store_gateways_config ON store_gateways (seller_id, gateway_config_id);

CREATE TABLE payment_methods (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    customer_id uuid NOT NULL,
    gateway_config_id uuid NOT NULL,
    kind text NOT NULL CHECK (kind IN ('card', 'bank_account')),
    token text NOT NULL DEFAULT '',
    brand text NOT NULL DEFAULT '',
    last4 text NOT NULL DEFAULT '' CHECK (last4 ~ '^([0-9]{{4}})?$'),
    expiry_month integer CHECK (expiry_month BETWEEN 1 AND 12),
    expiry_year integer CHECK (expiry_year BETWEEN 2000 AND 2200),
    holder_name text NOT NULL DEFAULT '' CHECK (length(holder_name) <= 255),
    iban text NOT NULL DEFAULT '',
    bic text NOT NULL DEFAULT '' CHECK (length(bic) <= 11),
    mandate_reference text NOT NULL DEFAULT '' CHECK (length(mandate_reference) <= 35),
    mandate_date date,
    authenticated_at timestamptz,
    is_default boolean NOT NULL DEFAULT false,
    reusable boolean NOT NULL DEFAULT true,
    expiry_reminded_for text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, id),
    FOREIGN KEY (seller_id, customer_id) REFERENCES customers (seller_id, id) ON DELETE CASCADE,
    -- a token is only good at the gateway that issued it
    FOREIGN KEY (seller_id, gateway_config_id) REFERENCES gateway_configs (seller_id, id) ON DELETE CASCADE,
    CHECK (kind <> 'card' OR (expiry_month IS NOT NULL AND expiry_year IS NOT NULL AND token <> '')),
    CHECK (kind <> 'bank_account' OR (iban <> '' AND mandate_reference <> '' AND mandate_date IS NOT NULL))
);
CREATE UNIQUE INDEX payment_methods_one_default ON payment_methods (seller_id, customer_id) WHERE is_default;
CREATE INDEX payment_methods_customer ON payment_methods (seller_id, customer_id, created_at);
CREATE INDEX payment_methods_expiry ON payment_methods (seller_id, expiry_year, expiry_month) WHERE kind = 'card';

CREATE TABLE payments (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    customer_id uuid,
    gateway_config_id uuid,  -- null once the configuration is deleted: the payment's record stays
    payment_method_id uuid,
    kind text NOT NULL CHECK (kind IN ('card', 'external', 'manual', 'bank_account')),
    manual_method text NOT NULL DEFAULT '' CHECK (manual_method IN ('', 'cheque', 'bank_transfer', 'cash')),
    action text NOT NULL DEFAULT 'capture' CHECK (action IN ('capture', 'authorise')),
    initiator text NOT NULL CHECK (initiator IN ('customer', 'merchant', 'staff')),
    amount bigint NOT NULL CHECK (amount > 0),
    currency text NOT NULL CHECK (currency ~ '^[A-Z]{{3}}$'),
    captured bigint NOT NULL DEFAULT 0 CHECK (captured >= 0),
    refunded bigint NOT NULL DEFAULT 0 CHECK (refunded >= 0 AND refunded <= captured),
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ({STATUSES})),
    purpose jsonb NOT NULL DEFAULT '{{}}'::jsonb CHECK (jsonb_typeof(purpose) = 'object'),
    post_to_ledger boolean NOT NULL DEFAULT true,
    idempotency_key text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    gateway_reference text NOT NULL DEFAULT '',
    failure_code text NOT NULL DEFAULT '',
    decline text NOT NULL DEFAULT '' CHECK (decline IN ('', 'soft', 'hard')),
    action_url text NOT NULL DEFAULT '',
    redirect_url text NOT NULL DEFAULT '',
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 1000),
    card_brand text NOT NULL DEFAULT '',
    card_last4 text NOT NULL DEFAULT '' CHECK (card_last4 ~ '^([0-9]{{4}})?$'),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, id),
    UNIQUE (seller_id, idempotency_key),
    FOREIGN KEY (seller_id, customer_id) REFERENCES customers (seller_id, id) ON DELETE CASCADE,
    FOREIGN KEY (seller_id, gateway_config_id) REFERENCES gateway_configs (seller_id, id)
        ON DELETE SET NULL (gateway_config_id),
    FOREIGN KEY (seller_id, payment_method_id) REFERENCES payment_methods (seller_id, id) ON DELETE SET NULL (payment_method_id),
    CHECK (captured <= amount)
);
CREATE INDEX payments_seller ON payments (seller_id, created_at, id);
CREATE INDEX payments_customer ON payments (seller_id, customer_id, created_at);
CREATE INDEX payments_reference ON payments (seller_id, gateway_config_id, gateway_reference)
    WHERE gateway_reference <> '';

CREATE TABLE payment_charges (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    payment_id uuid NOT NULL,
    customer_id uuid,
    step text NOT NULL DEFAULT 'charge' CHECK (step IN ('charge', 'authenticate')),
    card_token text NOT NULL DEFAULT '',  -- sealed: a card entered for this charge only (virtual terminal)
    submitted boolean NOT NULL DEFAULT false,
    in_flight_until timestamptz,
    checks integer NOT NULL DEFAULT 0 CHECK (checks >= 0),
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    done_at timestamptz,
    UNIQUE (seller_id, id),
    FOREIGN KEY (seller_id, payment_id) REFERENCES payments (seller_id, id) ON DELETE CASCADE,
    FOREIGN KEY (seller_id, customer_id) REFERENCES customers (seller_id, id) ON DELETE CASCADE
);
CREATE INDEX payment_charges_due ON payment_charges (seller_id, next_attempt_at) WHERE status IN ('pending', 'running');
CREATE INDEX payment_charges_payment ON payment_charges (seller_id, payment_id);
GRANT SELECT ON payment_charges TO comptoir_definer;

CREATE TABLE payment_refunds (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    payment_id uuid NOT NULL,
    amount bigint NOT NULL CHECK (amount > 0),
    gateway_reference text NOT NULL DEFAULT '',
    reason text NOT NULL DEFAULT '' CHECK (length(reason) <= 1000),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, id),
    FOREIGN KEY (seller_id, payment_id) REFERENCES payments (seller_id, id) ON DELETE CASCADE
);
CREATE INDEX payment_refunds_payment ON payment_refunds (seller_id, payment_id);

CREATE TABLE payment_webhook_events (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    gateway_config_id uuid NOT NULL,
    event_id text NOT NULL CHECK (length(event_id) BETWEEN 1 AND 255),
    type text NOT NULL CHECK (length(type) <= 100),
    reference text NOT NULL DEFAULT '' CHECK (length(reference) <= 255),
    outcome text NOT NULL DEFAULT '' CHECK (length(outcome) <= 100),
    received_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, gateway_config_id, event_id),
    FOREIGN KEY (seller_id, gateway_config_id) REFERENCES gateway_configs (seller_id, id) ON DELETE CASCADE
);

CREATE TABLE payment_settings (
    seller_id uuid PRIMARY KEY REFERENCES sellers (id) ON DELETE CASCADE,
    card_expiry_notice_days integer NOT NULL DEFAULT 30 CHECK (card_expiry_notice_days BETWEEN 1 AND 365),
    poll_interval_minutes integer NOT NULL DEFAULT 60 CHECK (poll_interval_minutes BETWEEN 1 AND 10080),
    poll_max_checks integer NOT NULL DEFAULT 10 CHECK (poll_max_checks BETWEEN 1 AND 1000),
    updated_at timestamptz NOT NULL DEFAULT now()
);
"""

NEW_TABLES = ("gateway_configs", "store_gateways", "payment_methods", "payments", "payment_charges",
              "payment_refunds", "payment_webhook_events", "payment_settings")

LOOKUPS = [
    # A gateway's callback names only the configuration: its seller, before any tenant is known.
    *definer_function(
        "comptoir_gateway_config_seller(p_config_id uuid)",
        """SELECT g.seller_id FROM gateway_configs g JOIN sellers r ON r.id = g.seller_id
            WHERE g.id = p_config_id AND g.enabled AND r.status = 'active'""",
        returns="uuid",
    ),
]


def upgrade() -> None:
    op.execute(TABLES)
    # The relay's look-up (0023: any intent-shaped table) reads payment_charges.
    op.execute("GRANT SELECT ON gateway_configs, payment_charges TO comptoir_definer")
    op.execute("GRANT CREATE ON SCHEMA public TO comptoir_definer")
    for statement in LOOKUPS:
        op.execute(statement)
    op.execute("REVOKE CREATE ON SCHEMA public FROM comptoir_definer")
    for table in NEW_TABLES:
        for statement in role_aware_table(POLICIES[table]):
            op.execute(statement)


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS comptoir_gateway_config_seller(uuid)")
    op.execute("DROP TABLE IF EXISTS payment_settings, payment_webhook_events, payment_refunds, payment_charges,"
               " payments, payment_methods, store_gateways, gateway_configs")


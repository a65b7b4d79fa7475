"""Taxes and coupons of billing (issue 11, SPEC §9.2): tax zones and rates with validity dates, a store's
price mode (tax-inclusive or not), a customer's tax profile (B2B, VAT id, exemption); coupons, their
redemptions per billed service, and the invoices each redemption discounted.

Kept apart from `stores` and `customers` (own tables keyed by their id) so that those stay as they are.
A coupon's global limit holds under concurrency: redemption locks the coupon row and bumps `uses`, which a
CHECK keeps at most `max_uses`. Redemptions name the billed service by id without a foreign key (the
billing tables come with another migration).

Revision ID: 0015
Revises: 0023
"""

from alembic import op

from comptoir.database.policies import POLICIES
from comptoir.database.rls import role_aware_table

revision = "0015"
down_revision = "0023"
branch_labels = None
depends_on = None

NEW_TABLES = ("tax_zones", "tax_rates", "store_tax_settings", "customer_tax_profiles", "coupons",
              "coupon_redemptions", "coupon_applications")

TABLES = """
CREATE TABLE tax_zones (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    areas text[] NOT NULL CHECK (cardinality(areas) BETWEEN 1 AND 300
                                 AND array_to_string(areas, ',') ~ '^[A-Z]{2}(-[A-Z0-9]{1,3})?(,[A-Z]{2}(-[A-Z0-9]{1,3})?)*$'),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, id)
);
CREATE INDEX tax_zones_seller ON tax_zones (seller_id, created_at, id);

CREATE TABLE tax_rates (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    zone_id uuid NOT NULL,
    category text NOT NULL CHECK (category IN ('S', 'Z')),
    rate numeric(6, 3) NOT NULL CHECK (rate >= 0 AND rate < 100 AND (category <> 'Z' OR rate = 0)),
    name text NOT NULL DEFAULT '' CHECK (length(name) <= 100),
    valid_from date NOT NULL,
    valid_to date CHECK (valid_to >= valid_from),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, id),
    FOREIGN KEY (seller_id, zone_id) REFERENCES tax_zones (seller_id, id) ON DELETE CASCADE
);
CREATE INDEX tax_rates_zone ON tax_rates (seller_id, zone_id, category, valid_from);

CREATE TABLE store_tax_settings (
    store_id uuid PRIMARY KEY,
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    prices_include_tax boolean NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (seller_id, store_id) REFERENCES stores (seller_id, id) ON DELETE CASCADE
);
CREATE INDEX store_tax_settings_seller ON store_tax_settings (seller_id, store_id);

CREATE TABLE customer_tax_profiles (
    customer_id uuid PRIMARY KEY,
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    b2b boolean NOT NULL DEFAULT false,
    vat_id text NOT NULL DEFAULT '' CHECK (vat_id ~ '^([A-Z]{2}[A-Z0-9+*]{2,13})?$'),
    exempt boolean NOT NULL DEFAULT false,
    exemption_reason text NOT NULL DEFAULT '' CHECK (length(exemption_reason) <= 500),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (NOT exempt OR exemption_reason <> ''),
    FOREIGN KEY (seller_id, customer_id) REFERENCES customers (seller_id, id) ON DELETE CASCADE
);
CREATE INDEX customer_tax_profiles_seller ON customer_tax_profiles (seller_id, customer_id);

CREATE TABLE coupons (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    code text NOT NULL CHECK (code ~ '^[A-Z0-9][A-Z0-9_-]{0,39}$'),
    name text NOT NULL DEFAULT '' CHECK (length(name) <= 100),
    kind text NOT NULL CHECK (kind IN ('percent', 'fixed')),
    percent numeric(5, 2) CHECK (percent > 0 AND percent <= 100),
    amount_minor bigint CHECK (amount_minor > 0),
    currency text CHECK (currency ~ '^[A-Z]{3}$'),
    plan_ids uuid[] NOT NULL DEFAULT '{}',
    duration text NOT NULL CHECK (duration IN ('first_period', 'repeating', 'forever')),
    duration_periods integer CHECK (duration_periods BETWEEN 1 AND 1000),
    valid_from date,
    valid_until date CHECK (valid_until >= valid_from),
    max_uses integer CHECK (max_uses >= 1),
    max_uses_per_customer integer CHECK (max_uses_per_customer >= 1),
    uses integer NOT NULL DEFAULT 0 CHECK (uses >= 0 AND (max_uses IS NULL OR uses <= max_uses)),
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, id),
    UNIQUE (seller_id, code),
    CHECK ((kind = 'percent') = (percent IS NOT NULL)),
    CHECK ((kind = 'fixed') = (amount_minor IS NOT NULL AND currency IS NOT NULL)),
    CHECK ((duration = 'repeating') = (duration_periods IS NOT NULL))
);
CREATE INDEX coupons_listing ON coupons (seller_id, created_at, id);

CREATE TABLE coupon_redemptions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    coupon_id uuid NOT NULL,
    customer_id uuid NOT NULL,
    service_id uuid NOT NULL,
    periods_applied integer NOT NULL DEFAULT 0 CHECK (periods_applied >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, id),
    UNIQUE (seller_id, coupon_id, service_id),
    FOREIGN KEY (seller_id, coupon_id) REFERENCES coupons (seller_id, id) ON DELETE CASCADE,
    FOREIGN KEY (seller_id, customer_id) REFERENCES customers (seller_id, id) ON DELETE CASCADE
);
CREATE INDEX coupon_redemptions_coupon ON coupon_redemptions (seller_id, coupon_id, customer_id);
CREATE INDEX coupon_redemptions_service ON coupon_redemptions (seller_id, service_id);

CREATE TABLE coupon_applications (
    redemption_id uuid NOT NULL,
    invoice_id uuid NOT NULL,
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    amount_minor bigint NOT NULL CHECK (amount_minor >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (seller_id, redemption_id, invoice_id),
    FOREIGN KEY (seller_id, redemption_id) REFERENCES coupon_redemptions (seller_id, id) ON DELETE CASCADE
);
CREATE INDEX coupon_applications_seller ON coupon_applications (seller_id, invoice_id);
"""


def upgrade() -> None:
    op.execute(TABLES)
    for table in NEW_TABLES:
        for statement in role_aware_table(POLICIES[table]):
            op.execute(statement)


def downgrade() -> None:
    for table in reversed(NEW_TABLES):
        op.execute(f"DROP TABLE IF EXISTS {table}")

"""Measured usage per subscription and day, overuse and soft-quota state, notification recipients (issue 8).

- subscription_usage: one row per subscription and day (SPEC §4.12): disk at the end of the day, traffic
  served during it, the objects the server counted. The daily collection upserts; rows older than the
  retention setting are deleted by it. Customers read the rows of their own subscriptions.
- usage_alerts: a row per threshold a subscription is over (limit or soft quota of disk or traffic);
  inserted at the crossing (its notification is sent once), deleted when usage falls back below.
- usage_notification_settings: per seller, who is told about overuse (its administrators, the customer,
  extra addresses); no row means administrators and customer.

Revision ID: 0009
Revises: 0008
"""

from alembic import op

from comptoir.database.policies import POLICIES
from comptoir.database.rls import role_aware_table

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TABLES = """
CREATE TABLE subscription_usage (
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    subscription_id uuid NOT NULL,
    day date NOT NULL,
    disk_bytes bigint NOT NULL CHECK (disk_bytes >= 0),
    traffic_bytes bigint NOT NULL CHECK (traffic_bytes >= 0),
    objects jsonb NOT NULL DEFAULT '{}'::jsonb,
    collected_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (seller_id, subscription_id, day),
    FOREIGN KEY (seller_id, subscription_id) REFERENCES subscriptions (seller_id, id) ON DELETE CASCADE
);
CREATE INDEX subscription_usage_by_day ON subscription_usage (seller_id, day);

CREATE TABLE usage_alerts (
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    subscription_id uuid NOT NULL,
    alert text NOT NULL CHECK (alert IN ('disk_limit', 'traffic_limit', 'disk_soft', 'traffic_soft')),
    crossed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (seller_id, subscription_id, alert),
    FOREIGN KEY (seller_id, subscription_id) REFERENCES subscriptions (seller_id, id) ON DELETE CASCADE
);

CREATE TABLE usage_notification_settings (
    seller_id uuid PRIMARY KEY REFERENCES sellers (id) ON DELETE CASCADE,
    notify_administrators boolean NOT NULL DEFAULT true,
    notify_customer boolean NOT NULL DEFAULT true,
    extra_addresses jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(extra_addresses) = 'array'),
    updated_at timestamptz NOT NULL DEFAULT now()
);
"""

NEW_TABLES = ("subscription_usage", "usage_alerts", "usage_notification_settings")


def upgrade() -> None:
    op.execute(TABLES)
    for table in NEW_TABLES:
        for statement in role_aware_table(POLICIES[table]):
            op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS usage_notification_settings, usage_alerts, subscription_usage")

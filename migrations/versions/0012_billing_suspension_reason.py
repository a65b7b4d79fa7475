"""Subscriptions may be suspended for non-payment: suspension reason 'billing' (SPEC §10: a customer
suspended for non-payment keeps log-in, so that it can pay; tenancy.auth tells the reasons apart).

Revision ID: 0012
Revises: 0011
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

REASONS = "'', 'manual', 'expired', 'customer', 'reseller', 'overuse'"


def upgrade() -> None:
    op.execute("ALTER TABLE subscriptions DROP CONSTRAINT subscriptions_suspension_reason_check")
    op.execute("ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_suspension_reason_check"
               f" CHECK (suspension_reason IN ({REASONS}, 'billing'))")


def downgrade() -> None:
    op.execute("UPDATE subscriptions SET suspension_reason = 'manual' WHERE suspension_reason = 'billing'")
    op.execute("ALTER TABLE subscriptions DROP CONSTRAINT subscriptions_suspension_reason_check")
    op.execute(f"ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_suspension_reason_check"
               f" CHECK (suspension_reason IN ({REASONS}))")

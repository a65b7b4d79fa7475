"""A customer without a subscription cannot log in (SPEC §4.8): a narrow look-up, before any tenant
is known, of how many subscriptions a customer holds.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

from comptoir.database.rls import definer_function

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("GRANT CREATE ON SCHEMA public TO comptoir_definer")
    for statement in definer_function(
        "comptoir_customer_subscription_count(p_seller uuid, p_customer uuid)",
        "SELECT count(*)::int FROM subscriptions WHERE seller_id = p_seller AND customer_id = p_customer",
        returns="integer",
    ):
        op.execute(statement)
    op.execute("REVOKE CREATE ON SCHEMA public FROM comptoir_definer")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS comptoir_customer_subscription_count(uuid, uuid)")

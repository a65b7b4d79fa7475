"""Online stores, offers, carts, orders and idempotency keys (issue 9).

Placeholder reserved so that parallel work keeps one revision chain; filled by its issue's work.

Revision ID: 0011
Revises: 0010
"""

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

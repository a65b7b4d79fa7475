"""Hosting servers, placement, IP certificates and pool-entry types (issue 8).

Placeholder reserved so that parallel work keeps one revision chain; filled by its issue's work.

Revision ID: 0010
Revises: 0009
"""

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

"""Measured usage per subscription and day, overuse and soft-quota state (issue 8).

Placeholder reserved so that parallel work keeps one revision chain; filled by its issue's work.

Revision ID: 0009
Revises: 0008
"""

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

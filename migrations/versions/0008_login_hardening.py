"""Log-in hardening: per-address locks, idle sessions (issue 7).

Placeholder reserved so that parallel work keeps one revision chain; filled by its issue's work.

Revision ID: 0008
Revises: 0007
"""

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

"""Role-aware row security: per-role policies and the storefront role (issue 7).

Placeholder reserved so that parallel work keeps one revision chain; filled by its issue's work.

Revision ID: 0007
Revises: 0006
"""

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

"""Intents shape, scheduled events and the sandbox clock (issue 6).

Placeholder reserved so that parallel work keeps one revision chain; filled by its issue's work.

Revision ID: 0006
Revises: 0005
"""

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

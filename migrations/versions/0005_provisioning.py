"""Provisioning outbox: one row per change a subscription's webspace must follow on the hosting agent.

The row is written in the transaction that changes the subscription; a task delivers it afterwards.
subscription_id has no foreign key on purpose: a deletion request must outlive the subscription.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

from comptoir.database.rls import tenant_table

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TABLE = """
CREATE TABLE provisioning_requests (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    subscription_id uuid NOT NULL,
    action text NOT NULL CHECK (action IN ('create', 'update', 'suspend', 'activate', 'delete')),
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    last_error text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    done_at timestamptz,
    UNIQUE (seller_id, id)
);
CREATE INDEX provisioning_requests_by_subscription ON provisioning_requests (seller_id, subscription_id, created_at);
CREATE INDEX provisioning_requests_pending ON provisioning_requests (seller_id, created_at) WHERE status = 'pending';
"""


def upgrade() -> None:
    op.execute(TABLE)
    for statement in tenant_table("provisioning_requests"):
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS provisioning_requests")

"""The storefront's order-to-provision flow (issue 9 item 5): one intent per order step.

`order_steps`: an order's steps (invoice, provision), each an intent performed by a worker and retried
per the provisioning policy; one row per order and step (a retry by staff re-arms the failed row).
Checkout writes the first step as the visitor (storefront may INSERT the step of its presented cart's
order only); workers (system) and staff do the rest.

Revision ID: 0024
Revises: 0019
"""

from alembic import op

from comptoir.database.policies import POLICIES
from comptoir.database.rls import role_aware_table

revision = "0024"
down_revision = "0019"
branch_labels = None
depends_on = None

TABLES = """
CREATE TABLE order_steps (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    order_id uuid NOT NULL,
    step text NOT NULL CHECK (step IN ('invoice', 'provision')),
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    done_at timestamptz,
    UNIQUE (seller_id, id),
    UNIQUE (seller_id, order_id, step),
    FOREIGN KEY (seller_id, order_id) REFERENCES orders (seller_id, id) ON DELETE CASCADE
);
CREATE INDEX order_steps_due ON order_steps (seller_id, next_attempt_at) WHERE status IN ('pending', 'running');
"""


def upgrade() -> None:
    op.execute(TABLES)
    for statement in role_aware_table(POLICIES["order_steps"]):
        op.execute(statement)
    op.execute("GRANT SELECT ON order_steps TO comptoir_definer")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS order_steps")

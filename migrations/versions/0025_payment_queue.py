"""Payment queue and dunning (issue 11 items 9 and 11, SPEC §6 and §10): the seller's payment queue
settings and dunning thresholds (on billing_settings), the dunning steps an invoice went through, and the
rows of a payment queue (one invoice to charge each).

Revision ID: 0025
Revises: 0024
"""

from alembic import op

from comptoir.database.policies import POLICIES
from comptoir.database.rls import role_aware_table

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

STATEMENTS = """
ALTER TABLE billing_settings
    ADD COLUMN queue_process_new boolean NOT NULL DEFAULT true,
    ADD COLUMN queue_retry_declined boolean NOT NULL DEFAULT true,
    ADD COLUMN queue_retry_errored boolean NOT NULL DEFAULT true,
    ADD COLUMN queue_retry_delay_days smallint NOT NULL DEFAULT 3 CHECK (queue_retry_delay_days BETWEEN 0 AND 365),
    ADD COLUMN queue_due_date_only boolean NOT NULL DEFAULT false,
    ADD COLUMN queue_clear_first boolean NOT NULL DEFAULT true,
    ADD COLUMN queue_try_lower_amounts boolean NOT NULL DEFAULT true,
    ADD COLUMN queue_card_action text NOT NULL DEFAULT 'capture' CHECK (queue_card_action IN ('capture', 'authorise')),
    ADD COLUMN queue_days_before_due smallint NOT NULL DEFAULT 1 CHECK (queue_days_before_due BETWEEN 0 AND 365),
    ADD COLUMN overdue_notice_days smallint[] NOT NULL DEFAULT '{1,7}',
    ADD COLUMN suspension_days smallint NOT NULL DEFAULT 14 CHECK (suspension_days BETWEEN 0 AND 3650),
    ADD COLUMN cancellation_days smallint NOT NULL DEFAULT 45 CHECK (cancellation_days BETWEEN 0 AND 3650),
    ADD COLUMN cancellation_action text NOT NULL DEFAULT 'cancel' CHECK (cancellation_action IN ('cancel', 'delete'));

ALTER TABLE invoices
    ADD COLUMN overdue_notices smallint[] NOT NULL DEFAULT '{}',
    ADD COLUMN dunning_stage text NOT NULL DEFAULT '' CHECK (dunning_stage IN ('', 'suspended', 'cancelled'));

CREATE TABLE payment_queue_rows (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    queue_id uuid NOT NULL,
    invoice_id uuid NOT NULL,
    customer_id uuid NOT NULL,
    amount_minor bigint NOT NULL CHECK (amount_minor > 0),
    currency char(3) NOT NULL,
    position integer NOT NULL,
    status text NOT NULL DEFAULT 'queued' CHECK (status IN (
        'queued', 'charging', 'paid', 'authorised', 'failed', 'action_required', 'skipped', 'cleared')),
    payment_id uuid,
    message text NOT NULL DEFAULT '',
    generated_on date NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, id),
    FOREIGN KEY (seller_id, invoice_id) REFERENCES invoices (seller_id, id) ON DELETE CASCADE,
    FOREIGN KEY (seller_id, customer_id) REFERENCES customers (seller_id, id) ON DELETE CASCADE
);
CREATE INDEX payment_queue_rows_seller ON payment_queue_rows (seller_id, queue_id, customer_id, position);
CREATE INDEX payment_queue_rows_invoice ON payment_queue_rows (seller_id, invoice_id, status);
"""


def upgrade() -> None:
    op.execute(STATEMENTS)
    for statement in role_aware_table(POLICIES["payment_queue_rows"]):
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS payment_queue_rows")
    op.execute("ALTER TABLE invoices DROP COLUMN overdue_notices, DROP COLUMN dunning_stage")
    op.execute("ALTER TABLE billing_settings " + ", ".join(f"DROP COLUMN {c}" for c in (
        "queue_process_new", "queue_retry_declined", "queue_retry_errored", "queue_retry_delay_days",
        "queue_due_date_only", "queue_clear_first", "queue_try_lower_amounts", "queue_card_action",
        "queue_days_before_due", "overdue_notice_days", "suspension_days", "cancellation_days",
        "cancellation_action")))

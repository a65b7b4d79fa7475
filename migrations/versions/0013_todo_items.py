"""To-do items of a seller (issue 9, SPEC §8 seller home): what needs a person, e.g. an order step that
failed past its retries. Staff read them and mark them done; workers (system) create them.

Creating is idempotent per kind and subject while the item is open: a partial unique index, so that a
retried step does not pile up the same to-do (a seller-wide item without subject counts as one subject).
A subject is named by its GraphQL type and id (`Order`, …), so that the API hands out a global id.

Revision ID: 0013
Revises: 0012
"""

from alembic import op

from comptoir.database.policies import POLICIES
from comptoir.database.rls import role_aware_table

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

TABLES = """
CREATE TABLE todo_items (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]{0,63}$'),
    subject_type text NOT NULL DEFAULT '' CHECK (subject_type ~ '^([A-Z][A-Za-z]{0,63})?$'),
    subject_id uuid,
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 255),
    details text NOT NULL DEFAULT '' CHECK (length(details) <= 10000),
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
    created_at timestamptz NOT NULL DEFAULT now(),
    done_at timestamptz,
    UNIQUE (seller_id, id),
    CHECK ((status = 'done') = (done_at IS NOT NULL)),
    CHECK ((subject_type = '') = (subject_id IS NULL))
);
CREATE UNIQUE INDEX todo_items_open_once ON todo_items
    (seller_id, kind, (coalesce(subject_id, '00000000-0000-0000-0000-000000000000'::uuid))) WHERE status = 'open';
CREATE INDEX todo_items_seller ON todo_items (seller_id, status, created_at, id);
"""


def upgrade() -> None:
    op.execute(TABLES)
    for statement in role_aware_table(POLICIES["todo_items"]):
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS todo_items")

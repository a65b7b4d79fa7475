"""Audit log (issue 14, SPEC §8): one row per change, written in the transaction of the change, and the
archive files ProcessActionLog moves old rows to.

Every role that changes rows writes their audit rows (a customer only rows of its own actions, which it
alone reads back); nobody rewrites them; only workers (archiving) and the provider delete them.

Revision ID: 0022
Revises: 0013
"""

from alembic import op

from comptoir.database.policies import POLICIES
from comptoir.database.rls import role_aware_table

revision = "0022"
down_revision = "0013"
branch_labels = None
depends_on = None

TABLES = """
CREATE TABLE audit_log (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL,  -- no foreign key: the record of a deletion outlives what it deleted
    occurred_at timestamptz NOT NULL DEFAULT now(),
    actor_role text NOT NULL,
    actor_user_id uuid,
    customer_id uuid,
    source text NOT NULL DEFAULT '',
    operation text NOT NULL DEFAULT '',
    object_type text NOT NULL,
    object_id text NOT NULL DEFAULT '',
    action text NOT NULL,
    changes jsonb NOT NULL DEFAULT '{}'::jsonb,
    request_id text NOT NULL DEFAULT '',
    client_address text NOT NULL DEFAULT '',
    UNIQUE (seller_id, id)
);
CREATE INDEX audit_log_seller_time ON audit_log (seller_id, occurred_at, id);
CREATE INDEX audit_log_object ON audit_log (seller_id, object_type, object_id);
CREATE TABLE audit_archives (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    path text NOT NULL,
    entries integer NOT NULL CHECK (entries > 0),
    oldest_at timestamptz NOT NULL,
    newest_at timestamptz NOT NULL,
    sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size_bytes bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, id),
    UNIQUE (seller_id, path)
);
CREATE INDEX audit_archives_seller ON audit_archives (seller_id, created_at, id);
"""


def upgrade() -> None:
    op.execute(TABLES)
    for table in ("audit_log", "audit_archives"):
        for statement in role_aware_table(POLICIES[table]):
            op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS audit_archives; DROP TABLE IF EXISTS audit_log")

"""Outgoing webhooks (issue 14, SPEC §12): endpoints a seller subscribes to business events, and one
delivery intent per event and endpoint.

Also: the relay's look-up of sellers with due intents now accepts any table of the intent shape, so a
later intent table needs only `GRANT SELECT … TO comptoir_definer`, not a re-created list.

Revision ID: 0023
Revises: 0022
"""

from alembic import op

from comptoir.database.policies import POLICIES
from comptoir.database.rls import definer_function, intent_lookup_by_shape, role_aware_table

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

TABLES = """
CREATE TABLE webhook_endpoints (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    url text NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 255),
    event_types text[] NOT NULL CHECK (cardinality(event_types) > 0),
    secret_sealed text NOT NULL,
    enabled boolean NOT NULL DEFAULT true,
    disabled_reason text NOT NULL DEFAULT '',
    failed_deliveries integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, id)
);
CREATE INDEX webhook_endpoints_seller ON webhook_endpoints (seller_id, created_at, id);
CREATE TABLE webhook_deliveries (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL,
    endpoint_id uuid NOT NULL,
    message_id text NOT NULL,
    event_type text NOT NULL,
    payload jsonb NOT NULL,
    response_status integer,
    response_body text NOT NULL DEFAULT '',
    last_attempt_at timestamptz,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    done_at timestamptz,
    UNIQUE (seller_id, id),
    FOREIGN KEY (seller_id, endpoint_id) REFERENCES webhook_endpoints (seller_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_deliveries_seller ON webhook_deliveries (seller_id, created_at, id);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status IN ('pending', 'running');
"""


# Who emits an event (any role acting for the seller) learns which endpoints want it: ids only.
ENDPOINTS_FOR = definer_function(
    "comptoir_webhook_endpoints_for(p_event text)",
    """SELECT e.id FROM webhook_endpoints e
       WHERE e.seller_id = comptoir_current_seller() AND e.enabled AND p_event = ANY (e.event_types)""",
    returns="SETOF uuid")


def upgrade() -> None:
    op.execute(TABLES)
    for table in ("webhook_endpoints", "webhook_deliveries"):
        for statement in role_aware_table(POLICIES[table]):
            op.execute(statement)
    op.execute("GRANT CREATE ON SCHEMA public TO comptoir_definer")
    op.execute("GRANT SELECT ON webhook_deliveries, webhook_endpoints TO comptoir_definer")
    for statement in [*intent_lookup_by_shape(), *ENDPOINTS_FOR]:
        op.execute(statement)
    op.execute("REVOKE CREATE ON SCHEMA public FROM comptoir_definer")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS webhook_deliveries; DROP TABLE IF EXISTS webhook_endpoints")

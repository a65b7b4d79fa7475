"""Background work that never loses an intent (issue 6).

- The three outbox tables (e-mails, provisioning requests, background jobs) take one intent shape:
  status pending/running/done/failed, attempts, next_attempt_at (backoff and relay lease), last_error,
  created_at/updated_at/done_at. The relay's narrow look-up "which sellers have due intents" names
  the intent tables it serves: a later intent table re-creates it with `intent_lookup` and a longer list.
- scheduled_events: a seller's automation events (SPEC §10), under row-level security.
- sandbox_clock: how far the instance's clock runs ahead of the wall clock (sandbox mode only moves
  it), read by everyone through comptoir_clock_offset() and moved only by comptoir_clock_advance_to().
  Cross-tenant look-ups (due events, sellers lacking an event) return ids only.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

from comptoir.database.rls import definer_function, intent_lookup, internal_table, tenant_table

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

INTENT_TABLES = ("email_outbox", "provisioning_requests", "background_jobs")

INTENT_SHAPE = """
ALTER TABLE email_outbox RENAME COLUMN sent_at TO done_at;
UPDATE email_outbox SET status = 'done' WHERE status = 'sent';
ALTER TABLE email_outbox DROP CONSTRAINT email_outbox_status_check;
ALTER TABLE background_jobs RENAME COLUMN finished_at TO done_at;
ALTER TABLE background_jobs ADD COLUMN attempts integer NOT NULL DEFAULT 0;
ALTER TABLE background_jobs DROP CONSTRAINT background_jobs_status_check;
ALTER TABLE provisioning_requests DROP CONSTRAINT provisioning_requests_status_check;
"""


def _intent_columns(table: str) -> list[str]:
    return [
        f"ALTER TABLE {table} ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now()",
        f"ALTER TABLE {table} ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now()",
        f"ALTER TABLE {table} ADD CONSTRAINT {table}_status_check"
        " CHECK (status IN ('pending', 'running', 'done', 'failed'))",
        f"ALTER TABLE {table} ADD CONSTRAINT {table}_attempts_check CHECK (attempts >= 0)",
        f"CREATE INDEX {table}_due ON {table} (seller_id, next_attempt_at) WHERE status IN ('pending', 'running')",
        f"GRANT SELECT ON {table} TO comptoir_definer",
    ]


TABLES = """
-- No row: the clock is the wall clock (what a fresh instance, or a cleaned test database, has).
CREATE TABLE sandbox_clock (ahead_by interval NOT NULL CHECK (ahead_by >= interval '0'));
CREATE UNIQUE INDEX sandbox_clock_one_row ON sandbox_clock ((true));

CREATE TABLE scheduled_events (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id uuid NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind ~ '^[a-z_]{1,64}$'),
    run_at timestamptz NOT NULL CHECK (isfinite(run_at)),
    recurrence text CHECK (recurrence ~ '^P(\\d+[MD]|T\\d+[HMS])$'),
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error text NOT NULL DEFAULT '',
    result jsonb NOT NULL DEFAULT '{}'::jsonb,
    last_run_at timestamptz,
    runs integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, id)
);
-- One row per seller and recurring kind: two ticks creating missing rows at once cannot both succeed.
CREATE UNIQUE INDEX scheduled_events_recurring ON scheduled_events (seller_id, kind) WHERE recurrence IS NOT NULL;
CREATE INDEX scheduled_events_due ON scheduled_events (run_at) WHERE status <> 'done';
CREATE INDEX scheduled_events_by_seller ON scheduled_events (seller_id, run_at);
"""

CLOCK_FUNCTIONS = [
    *definer_function("comptoir_clock_offset()", "SELECT coalesce((SELECT ahead_by FROM sandbox_clock), '0')",
                      returns="interval"),
    *definer_function("comptoir_instance_now()", "SELECT now() + comptoir_clock_offset()", returns="timestamptz"),
    # Only the provider (or the system acting for it) moves the clock, and only forward.
    *definer_function(
        "comptoir_clock_advance_to(p_to timestamptz)",
        """
        DECLARE current_now timestamptz := now() + comptoir_clock_offset();
        BEGIN
          IF comptoir_current_role() IS DISTINCT FROM 'provider' AND comptoir_current_role() IS DISTINCT FROM 'system'
          THEN RAISE EXCEPTION 'only the provider moves the sandbox clock' USING ERRCODE = 'insufficient_privilege';
          END IF;
          IF p_to IS NULL OR NOT isfinite(p_to) OR p_to <= current_now THEN
            RAISE EXCEPTION 'the sandbox clock only moves forward, to a finite time' USING ERRCODE = 'data_exception';
          END IF;
          INSERT INTO sandbox_clock (ahead_by) VALUES (p_to - now())
            ON CONFLICT ((true)) DO UPDATE SET ahead_by = excluded.ahead_by;
          RETURN p_to - now();
        END
        """,
        returns="interval", language="plpgsql", volatility="VOLATILE"),
]

LOOKUPS = [
    *intent_lookup(INTENT_TABLES),
    *definer_function(
        "comptoir_due_events()",
        """SELECT seller_id, id FROM scheduled_events
           WHERE (status = 'pending' OR (status = 'failed' AND recurrence IS NOT NULL))
             AND run_at <= comptoir_instance_now()
           ORDER BY run_at, id LIMIT 10000""",
        returns="TABLE (seller_id uuid, id uuid)"),
    *definer_function(
        "comptoir_sellers_without_event(p_kind text, p_instance_only boolean)",
        """SELECT s.id FROM sellers s
           WHERE (NOT p_instance_only OR s.kind = 'provider')
             AND NOT EXISTS (SELECT 1 FROM scheduled_events e
                             WHERE e.seller_id = s.id AND e.kind = p_kind AND e.recurrence IS NOT NULL)""",
        returns="SETOF uuid"),
]


def upgrade() -> None:
    op.execute("GRANT CREATE ON SCHEMA public TO comptoir_definer")
    op.execute(INTENT_SHAPE)
    op.execute(TABLES)
    for table in INTENT_TABLES:
        for statement in _intent_columns(table):
            op.execute(statement)
    for statement in [
        *internal_table("sandbox_clock"),
        "GRANT UPDATE ON sandbox_clock TO comptoir_definer",
        *tenant_table("scheduled_events"),
        "GRANT SELECT ON scheduled_events TO comptoir_definer",
        *CLOCK_FUNCTIONS,
        *LOOKUPS,
    ]:
        op.execute(statement)
    op.execute("REVOKE CREATE ON SCHEMA public FROM comptoir_definer")


def downgrade() -> None:
    for name in ("clock_offset()", "instance_now()", "clock_advance_to(timestamptz)",
                 "sellers_with_due_intents(text)", "due_events()", "sellers_without_event(text, boolean)"):
        op.execute(f"DROP FUNCTION IF EXISTS comptoir_{name}")
    op.execute("DROP TABLE IF EXISTS scheduled_events, sandbox_clock")
    for table in INTENT_TABLES:
        op.execute(f"DROP INDEX IF EXISTS {table}_due")
        op.execute(f"ALTER TABLE {table} DROP COLUMN next_attempt_at, DROP COLUMN updated_at")
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {table}_status_check, DROP CONSTRAINT {table}_attempts_check")
    op.execute("ALTER TABLE background_jobs DROP COLUMN attempts")
    op.execute("ALTER TABLE background_jobs RENAME COLUMN done_at TO finished_at")
    op.execute("UPDATE email_outbox SET status = 'sent' WHERE status = 'done'")
    op.execute("ALTER TABLE email_outbox RENAME COLUMN done_at TO sent_at")

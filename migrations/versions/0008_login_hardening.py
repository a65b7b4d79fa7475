"""Log-in hardening (issue 7): atomic attempt counting, idle sessions, the server's clock.

- Rate limits: `comptoir_throttle_acquire` takes a transaction-level advisory lock per key (in key
  order, so attempts sharing keys never deadlock) before counting, and holds it until the attempt's
  transaction ends: parallel attempts on one key are evaluated one after the other, so no more than
  the limit are ever verified. Each key carries its own limit and window (per account and address,
  per account, per address). The account-wide limit does not apply from an address the user
  logged in from in the last 30 days (`comptoir_login_address_known`).
- Sessions: the look-up refuses a session idle for longer than the caller's idle timeout and marks
  the ones it finds as seen (at most once a minute), which extends them.
- Every function takes "now" from the server's clock (`now()`, the transaction's start), never from
  its caller, and refuses unbounded input (arrays, key lengths, limits and windows out of range).

Revision ID: 0008
Revises: 0007
"""

from alembic import op

from comptoir.database.rls import definer_function

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

MAX_KEYS = 8
MAX_KEY_LENGTH = 300
MAX_LIMIT = 100_000
MAX_WINDOW_SECONDS = 86_400  # rows older than a day are purged
MAX_IDLE_SECONDS = 31 * 86_400
PURGE_BATCH = 100


def _refuse(condition: str, message: str) -> str:
    return f"IF {condition} THEN RAISE EXCEPTION '{message}' USING ERRCODE = 'invalid_parameter_value'; END IF;"


CHECK_KEYS = _refuse(
    f"coalesce(cardinality(p_keys), 0) NOT BETWEEN 1 AND {MAX_KEYS}"
    " OR EXISTS (SELECT 1 FROM unnest(p_keys) given"
    f" WHERE given IS NULL OR length(given) NOT BETWEEN 1 AND {MAX_KEY_LENGTH})",
    f"1 to {MAX_KEYS} throttle keys of 1 to {MAX_KEY_LENGTH} characters",
)

THROTTLE = [
    *definer_function(
        "comptoir_throttle_acquire(p_keys text[], p_limits integer[], p_window_seconds integer[])",
        f"""DECLARE key_to_lock text;
            BEGIN
              {CHECK_KEYS}
              {_refuse("cardinality(p_limits) IS DISTINCT FROM cardinality(p_keys)"
                       " OR cardinality(p_window_seconds) IS DISTINCT FROM cardinality(p_keys)"
                       f" OR EXISTS (SELECT 1 FROM unnest(p_limits) n WHERE n IS NULL OR n NOT BETWEEN 1 AND {MAX_LIMIT})"
                       " OR EXISTS (SELECT 1 FROM unnest(p_window_seconds) w"
                       f" WHERE w IS NULL OR w NOT BETWEEN 1 AND {MAX_WINDOW_SECONDS})",
                       "one limit and one window per key, within bounds")}
              FOR key_to_lock IN SELECT DISTINCT u FROM unnest(p_keys) u ORDER BY u LOOP
                PERFORM pg_advisory_xact_lock(hashtextextended('comptoir_throttle:' || key_to_lock, 0));
              END LOOP;
              -- VOLATILE: each statement below sees what attempts that held the locks before committed.
              FOR i IN 1 .. cardinality(p_keys) LOOP
                IF (SELECT count(*) FROM (SELECT 1 FROM auth_throttle
                      WHERE key = p_keys[i] AND occurred_at > now() - make_interval(secs => p_window_seconds[i])
                      LIMIT p_limits[i]) recent) >= p_limits[i] THEN
                  RETURN false;
                END IF;
              END LOOP;
              RETURN true;
            END""",
        returns="boolean", language="plpgsql", volatility="VOLATILE",
    ),
    *definer_function(
        "comptoir_throttle_record(p_keys text[])",
        f"""BEGIN
              {CHECK_KEYS}
              DELETE FROM auth_throttle WHERE ctid IN (SELECT ctid FROM auth_throttle
                WHERE occurred_at < now() - interval '{MAX_WINDOW_SECONDS} seconds' LIMIT {PURGE_BATCH});
              INSERT INTO auth_throttle (key, occurred_at) SELECT k, now() FROM unnest(p_keys) AS k;
            END""",
        returns="void", language="plpgsql", volatility="VOLATILE",
    ),
    *definer_function(
        "comptoir_throttle_clear(p_keys text[])",
        f"""BEGIN
              {CHECK_KEYS}
              DELETE FROM auth_throttle WHERE key = ANY(p_keys);
            END""",
        returns="void", language="plpgsql", volatility="VOLATILE",
    ),
]

KNOWN_ADDRESS_DAYS = 30

THROTTLE.extend(definer_function(
    # The account-wide limit is skipped from an address the user logged in from lately, so that
    # failures spread over many addresses do not lock the owner out of its usual places.
    "comptoir_login_address_known(p_username text, p_address text)",
    f"""SELECT EXISTS (SELECT 1 FROM users u JOIN sessions t ON t.seller_id = u.seller_id AND t.user_id = u.id
                        WHERE lower(u.username) = lower(p_username) AND t.client_address = p_address
                          AND t.created_at > now() - interval '{KNOWN_ADDRESS_DAYS} days')
         AND length(p_username) <= 255 AND length(p_address) BETWEEN 1 AND 100""",
    returns="boolean",
))

SESSIONS = [
    "GRANT UPDATE (last_seen_at) ON sessions TO comptoir_definer",
    *definer_function(
        "comptoir_session_lookup(p_token_hash bytea, p_idle_seconds integer)",
        f"""#variable_conflict use_column
            BEGIN
              {_refuse(f"p_idle_seconds IS NULL OR p_idle_seconds NOT BETWEEN 0 AND {MAX_IDLE_SECONDS}",
                       f"the idle timeout is 0 (none) to {MAX_IDLE_SECONDS} seconds")}
              RETURN QUERY
              WITH found AS (
                SELECT t.id, t.user_id, t.seller_id, t.customer_id, u.role, t.last_seen_at
                  FROM sessions t
                  JOIN users u ON u.seller_id = t.seller_id AND u.id = t.user_id
                  JOIN sellers s ON s.id = t.seller_id
                  LEFT JOIN customers c ON c.seller_id = t.seller_id AND c.id = t.customer_id
                 WHERE t.token_hash = p_token_hash AND length(p_token_hash) = 32
                   AND t.revoked_at IS NULL AND t.expires_at > now()
                   AND (p_idle_seconds = 0 OR t.last_seen_at > now() - make_interval(secs => p_idle_seconds))
                   AND u.status = 'active' AND s.status = 'active'
                   AND (u.role = 'provider') = (s.kind = 'provider')
                   AND (t.customer_id IS NULL OR c.status = 'active')
              ), seen AS (
                -- Activity extends the session; written at most once a minute (or half the timeout),
                -- and not by a request that would wait for another one writing it.
                UPDATE sessions t SET last_seen_at = now()
                 WHERE t.id IN (SELECT l.id FROM sessions l JOIN found f ON l.seller_id = f.seller_id AND l.id = f.id
                                 WHERE f.last_seen_at < now() - CASE WHEN p_idle_seconds = 0 THEN interval '1 minute'
                                       ELSE least(interval '1 minute', make_interval(secs => p_idle_seconds / 2.0)) END
                                   FOR UPDATE OF l SKIP LOCKED)
              )
              SELECT f.id, f.user_id, f.seller_id, f.customer_id, f.role FROM found f;
            END""",
        returns="TABLE (session_id uuid, user_id uuid, seller_id uuid, customer_id uuid, role text)",
        language="plpgsql", volatility="VOLATILE",
    ),
    *definer_function(
        "comptoir_password_reset_lookup(p_token_hash bytea)",
        """SELECT r.id, r.user_id, r.seller_id, r.customer_id FROM password_resets r
            WHERE r.token_hash = p_token_hash AND length(p_token_hash) = 32
              AND r.used_at IS NULL AND r.expires_at > now()""",
        returns="TABLE (reset_id uuid, user_id uuid, seller_id uuid, customer_id uuid)",
    ),
]

# As migration 0007 left them (the reset look-up keeps its signature and is replaced in place).
OLD_SIGNATURES = [
    "comptoir_throttle_count(text[], timestamptz)",
    "comptoir_throttle_record(text[], timestamptz)",
    "comptoir_session_lookup(bytea)",
]


def upgrade() -> None:
    for signature in OLD_SIGNATURES:
        op.execute(f"DROP FUNCTION {signature}")
    op.execute("CREATE INDEX auth_throttle_age ON auth_throttle (occurred_at)")
    op.execute("GRANT CREATE ON SCHEMA public TO comptoir_definer")
    for statement in [*THROTTLE, *SESSIONS]:
        op.execute(statement)
    op.execute("REVOKE CREATE ON SCHEMA public FROM comptoir_definer")


def downgrade() -> None:
    # Like 0007 below it: the role-aware policies and these look-ups go back only with a restore.
    raise NotImplementedError("0008 cannot be downgraded; restore a backup taken before the upgrade")

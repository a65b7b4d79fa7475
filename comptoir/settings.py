"""Configuration, read only from environment variables prefixed COMPTOIR_."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET_KEY = "dev-insecure-change-me"
DEFAULT_APP_PASSWORD = "comptoir_app"
DEFAULT_OWNER_PASSWORD = "comptoir_owner"


class ConfigurationError(RuntimeError):
    """The settings cannot run this environment (production with development secrets)."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COMPTOIR_", extra="ignore")

    # "production" refuses development secrets at start-up and turns GraphiQL and introspection off
    # unless COMPTOIR_GRAPHIQL / COMPTOIR_INTROSPECTION say otherwise.
    environment: Literal["development", "production"] = "development"
    # Log records: "json" (one object per line) or "text". Empty: json in production, text otherwise.
    log_format: Literal["", "json", "text"] = ""
    log_level: str = "INFO"
    # /metrics (Prometheus) answers only requests bearing this token; empty: /metrics is not served.
    metrics_token: str = ""
    # `comptoir worker` serves its task counters on this port (Prometheus text, no token: keep the port
    # inside the cluster's network policy); 0: not served.
    worker_metrics_port: int = 0
    # OpenTelemetry traces go to this OTLP endpoint (or where the standard OTEL_EXPORTER_OTLP_* say).
    otel_exporter_otlp_endpoint: str = ""

    # Application role URL (comptoir_app). Empty: a private PostgreSQL under var_dir is started.
    database_url: str = ""
    # Owner role URL (comptoir_owner) used by migrations. Empty: derived from database_url.
    migration_database_url: str = ""
    # Superuser URL used once to create the roles and the database. Empty: none (roles must exist).
    bootstrap_database_url: str = ""
    database_name: str = "comptoir"
    app_password: str = DEFAULT_APP_PASSWORD
    owner_password: str = DEFAULT_OWNER_PASSWORD
    pool_size: int = 10

    var_dir: Path = Path("var")
    secret_key: str = DEVELOPMENT_SECRET_KEY
    # Key-encryption keys for secrets at rest, "id:base64(32 bytes),...", the first current (docs/encryption.md).
    # Empty: a development key derived from secret_key (refused in production).
    encryption_keys: str = ""
    debug: bool = False
    graphiql: bool = True
    # Schema introspection (__schema, __type): GraphiQL and code generators need it; production may hide it.
    introspection: bool = True
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = "http://127.0.0.1:8000"

    # Celery broker. Empty: jobs run in-process (embedded development mode).
    broker_url: str = ""
    # Background work: how often the relay re-dispatches intents whose fast path was lost, and how often
    # `comptoir serve` ticks the scheduler itself when there is no broker (embedded mode; 0: never).
    relay_period_seconds: int = 30
    embedded_tick_seconds: int = 5
    # Sandbox: the provider may move the instance's clock forward (sandboxClockAdvance). Never in production.
    sandbox: bool = False

    # Audit log: rows older than the retention move to gzip JSONL archives (ProcessActionLog), run every
    # audit_archive_months months, into audit_archive_dir (object storage mounted there in production).
    audit_retention_days: int = 365
    audit_archive_months: int = 3
    audit_archive_dir: Path = Path("var/audit-archives")

    # Outgoing webhooks: endpoints must be public https URLs, unless these allow plain http and private or
    # loopback addresses (a development receiver on this machine).
    webhooks_allow_http: bool = False
    webhooks_allow_private: bool = False

    # The provider's SMTP server, used by every seller without its own (smtpSettingsUpdate). Empty host:
    # none; `comptoir serve` in embedded mode then starts a local catcher (smtp_catcher_port) that keeps
    # what it receives for the caughtEmails query, and points delivery at it.
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    smtp_tls: bool = False  # implicit TLS (port 465)
    smtp_timeout_seconds: float = 10.0
    mail_from: str = "Comptoir <no-reply@localhost>"
    smtp_catcher: bool = True
    smtp_catcher_port: int = 1025

    # argon2id cost (argon2-cffi's defaults); the test suite lowers it to keep hashing cheap.
    password_hash_time_cost: int = 3
    password_hash_memory_kib: int = 65536
    password_hash_parallelism: int = 4

    session_ttl_hours: int = 24 * 14
    # A session unused for this long ends (0: never); each request extends it.
    session_idle_minutes: int = 60
    password_reset_ttl_minutes: int = 60
    # Failed log-ins per window: from one address to one account (locks that address out of that
    # account only), to one account from anywhere (distributed guessing), from one address to any account.
    login_failures_per_account_and_address: int = 5
    login_failures_per_account: int = 50
    login_failures_per_address: int = 20
    password_resets_per_account: int = 3
    password_resets_per_address: int = 10
    throttle_window_minutes: int = 15
    # Proxies whose X-Forwarded-For is believed (comma-separated addresses or networks, e.g. your
    # ingress's). Empty: none, the client is the TCP peer.
    trusted_proxies: str = ""

    max_query_depth: int = 12
    max_query_tokens: int = 2000
    max_query_aliases: int = 30
    max_page_size: int = 100
    max_bulk_ids: int = 500
    max_string_length: int = 10_000

    # A stalled database must not hang requests: bounded connect, statement and request durations.
    database_connect_timeout_seconds: int = 5
    database_statement_timeout_ms: int = 30_000
    request_timeout_seconds: float = 60.0
    # How often a GraphQL subscription (WebSocket) reads the row it follows.
    subscription_poll_interval_seconds: float = 1.0

    # Hosting agent driver: "local" (directories under webspace_root) or "limited" (the same, with
    # fewer capabilities: a sandbox for unsynced subscriptions).
    hosting_agent: str = "local"
    webspace_root: Path = Path("var/webspaces")
    # Skeleton archives (SPEC §4.10): the upload itself, then what it may expand to.
    skeleton_max_upload_bytes: int = 10 * 1024 * 1024
    skeleton_max_entries: int = 1000
    skeleton_max_total_bytes: int = 50 * 1024 * 1024
    skeleton_max_file_bytes: int = 20 * 1024 * 1024
    skeleton_max_compression_ratio: int = 100
    # Measured usage (SPEC §4.12): daily rows older than this are deleted by the daily collection.
    usage_retention_days: int = 400

    # Storefront (issue 9): carts and checkouts one client address may start per throttle window, the
    # header in which the ingress names the client's country (fraud rule), and how long checkout
    # idempotency keys are kept (never less than 24 hours, as the Idempotency-Key draft asks).
    storefront_carts_per_address: int = 30
    storefront_checkouts_per_address: int = 10
    client_country_header: str = "X-Client-Country"
    checkout_key_retention_hours: int = 48

    @model_validator(mode="after")
    def _production_defaults(self) -> Settings:
        if self.environment == "production":
            for name in ("graphiql", "introspection"):
                if name not in self.model_fields_set:
                    setattr(self, name, False)
        if not self.log_format:
            self.log_format = "json" if self.environment == "production" else "text"
        return self

    @property
    def production(self) -> bool:
        return self.environment == "production"


def production_problems(settings: Settings) -> list[str]:
    """What production must not run with: the development secret key, the default role passwords."""
    problems = []
    if settings.secret_key in ("", DEVELOPMENT_SECRET_KEY) or len(settings.secret_key) < 32:
        problems.append("COMPTOIR_SECRET_KEY is the development default or shorter than 32 characters")
    if not settings.database_url:
        problems.append("COMPTOIR_DATABASE_URL is empty (the embedded development database)")
    elif _password(settings.database_url) in ("", DEFAULT_APP_PASSWORD):
        problems.append("COMPTOIR_DATABASE_URL uses the default (or no) password of the comptoir_app role")
    if settings.migration_database_url:
        if _password(settings.migration_database_url) in ("", DEFAULT_OWNER_PASSWORD):
            problems.append("COMPTOIR_MIGRATION_DATABASE_URL uses the default (or no) owner password")
    elif settings.owner_password == DEFAULT_OWNER_PASSWORD:
        problems.append("COMPTOIR_OWNER_PASSWORD is the default (migrations derive the owner URL from it)")
    if settings.bootstrap_database_url and settings.app_password == DEFAULT_APP_PASSWORD:
        problems.append("COMPTOIR_APP_PASSWORD is the default (the bootstrap would create the role with it)")
    if settings.sandbox:
        problems.append("COMPTOIR_SANDBOX is on (the provider could move the instance's clock)")
    if not settings.encryption_keys:
        problems.append("COMPTOIR_ENCRYPTION_KEYS is empty (secrets would be sealed with a key derived from the "
                        "secret key)")
    return problems


def ensure_fit_to_run(settings: Settings) -> None:
    """Called at start-up of the API, the workers and beat: production refuses development secrets."""
    if settings.production and (problems := production_problems(settings)):
        raise ConfigurationError("refusing to start in production: " + "; ".join(problems))


def _password(url: str) -> str:
    return urlsplit(url.replace("+psycopg", "")).password or ""


@lru_cache
def get_settings() -> Settings:
    return Settings()

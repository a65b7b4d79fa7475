"""The comptoir command: serve, migrate, demo, worker, beat, check, schema, encryption."""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer

from comptoir.settings import ConfigurationError, ensure_fit_to_run, get_settings

app = typer.Typer(help="Comptoir: multi-tenant GraphQL backend for web-hosting resellers.", no_args_is_help=True)


def prepare_database() -> None:
    """Create roles and database when we may (embedded server or a bootstrap URL), then migrate."""
    from comptoir.database import migrate as migrations
    from comptoir.database.bootstrap import bootstrap
    from comptoir.database.urls import resolve_owner_url

    settings = get_settings()
    if settings.bootstrap_database_url:
        bootstrap(settings.bootstrap_database_url, settings.database_name,
                  app_password=settings.app_password, owner_password=settings.owner_password)
    migrations.upgrade(resolve_owner_url())


@app.command()
def migrate() -> None:
    """Bring the database schema to the latest migration (runs as the owner role)."""
    prepare_database()
    typer.echo("database at head")


@app.command()
def demo(force: bool = typer.Option(False, help="Load even if the database already has data.")) -> None:
    """Load demo data (provider, "Alpha Hosting", "Beta Web", customers) and print log-ins."""
    from comptoir import demo as demo_data

    credentials = demo_data.load(only_if_empty=not force)
    if not credentials:
        typer.echo("database not empty: demo data not loaded (use --force)")
        return
    typer.echo(f"{'role':<10} {'seller':<18} {'username':<16} password")
    for c in credentials:
        typer.echo(f"{c.role:<10} {c.seller:<18} {c.username:<16} {c.password}")


@app.command()
def serve(host: str = typer.Option(None), port: int = typer.Option(None),
          demo_data: bool = typer.Option(True, "--demo/--no-demo", help="Load demo data into an empty database."),
          workers: int = typer.Option(1)) -> None:
    """Migrate, load demo data if empty, and serve /graphql (GraphiQL in a browser)."""
    import uvicorn

    settings = get_settings()
    _start_process()
    prepare_database()
    if demo_data:
        demo(force=False)
    host, port = host or settings.host, port or settings.port
    typer.echo(f"GraphQL API: http://{host}:{port}/graphql")
    # uvicorn re-raises SIGTERM after its graceful shutdown; exiting normally instead lets atexit stop
    # the embedded PostgreSQL (kill, systemd, container stop).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    uvicorn.run("comptoir.app:app", host=host, port=port, workers=workers, log_level=settings.log_level.lower(),
                proxy_headers=False, log_config=None, timeout_graceful_shutdown=20)


def _start_process() -> None:
    """Production refuses development secrets; logs and traces as configured."""
    from comptoir.observability import logs, tracing

    settings = get_settings()
    try:
        ensure_fit_to_run(settings)
    except ConfigurationError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from error
    logs.configure(settings)
    tracing.configure(settings)


@app.command()
def worker(concurrency: int = typer.Option(2)) -> None:
    """Run a Celery worker (needs COMPTOIR_BROKER_URL). SIGTERM: warm shutdown (running tasks finish;
    unacknowledged ones go back to the broker, acks are late)."""
    _start_process()
    settings = get_settings()
    if settings.worker_metrics_port:
        # Multiprocess mode must be chosen before prometheus_client is first imported (by celery_app).
        directory = os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="comptoir-metrics-"))
        from comptoir.observability.metrics import serve_worker_metrics

        serve_worker_metrics(settings.worker_metrics_port, directory)
    from comptoir.automation.celery_app import celery

    celery.worker_main(["worker", f"--concurrency={concurrency}", f"--loglevel={get_settings().log_level}"])


@app.command()
def beat() -> None:
    """Run Celery beat, the scheduler of automation events (SIGTERM: stops between ticks)."""
    _start_process()
    from comptoir.automation.celery_app import celery

    celery.start(["beat", f"--loglevel={get_settings().log_level}", "--schedule=/tmp/celerybeat-schedule"])


@app.command()
def tick() -> None:
    """Run the scheduled events that are due now, once (what beat does every minute), and print them."""
    from comptoir.automation import events, intents, registry  # noqa: F401 -- registry wires the kinds

    intents.install()
    for run in events.tick():
        typer.echo(_describe_run(run))


@app.command("sandbox-advance")
def sandbox_advance(to: datetime = typer.Option(..., help="Where the clock goes (ISO 8601; UTC if no zone).",
                                                formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%z"])
                    ) -> None:
    """Sandbox mode only: move the instance's clock forward day by day, running what falls due."""
    from comptoir.automation import intents, registry, sandbox  # noqa: F401 -- registry wires the kinds
    from comptoir.errors import DomainError

    intents.install()
    try:
        runs = sandbox.advance(provider_seller_id=_provider_seller_id(), to=_as_utc(to))
    except DomainError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(1) from error
    for run in runs:
        typer.echo(_describe_run(run))
    typer.echo(f"{len(runs)} event runs; the clock is at {_as_utc(to).isoformat()}")


def _describe_run(run: Any) -> str:
    outcome = run.error or ", ".join(f"{k}={v}" for k, v in run.result.items()) or "-"
    return f"{run.ran_at:%Y-%m-%d %H:%M} {run.kind:<20} {run.status:<8} {outcome}"


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _provider_seller_id() -> uuid.UUID:
    from sqlalchemy import select

    from comptoir.database.engine import session_scope
    from comptoir.tenancy.context import Role, TenantContext
    from comptoir.tenancy.models import Seller

    # The provider's context reads every seller; the zero id only fills the required field.
    with session_scope(TenantContext(Role.PROVIDER, uuid.UUID(int=0))) as session:
        seller_id = session.scalar(select(Seller.id).where(Seller.kind == "provider"))
    if seller_id is None:
        typer.echo("error: no provider yet (run `comptoir demo` or create one)", err=True)
        raise typer.Exit(1)
    return seller_id


@app.command()
def check() -> None:
    """Check configuration, database and migrations, broker, SMTP and hosting servers; exit 1 on a failure."""
    from comptoir.observability.check import run_checks

    results = run_checks(get_settings())
    for result in results:
        typer.echo(result.line())
    if not all(result.ok for result in results):
        raise typer.Exit(1)


encryption_app = typer.Typer(help="Encryption at rest: key-encryption keys and rotation (docs/encryption.md).",
                             no_args_is_help=True)
app.add_typer(encryption_app, name="encryption")


@encryption_app.command("new-key")
def encryption_new_key(key_id: str = typer.Argument(..., help="The new key's id, e.g. 2026b.")) -> None:
    """Print a fresh key-encryption key entry to put first in COMPTOIR_ENCRYPTION_KEYS."""
    import base64
    import os

    from comptoir.security.keyring import KEY_ID

    if not KEY_ID.match(key_id):
        typer.echo("error: a key id is 1 to 32 letters, digits, '.', '_' or '-'", err=True)
        raise typer.Exit(1)
    typer.echo(f"{key_id}:{base64.b64encode(os.urandom(32)).decode()}")


@encryption_app.command("rotate")
def encryption_rotate(new_data_keys: bool = typer.Option(
        True, "--new-data-keys/--keep-data-keys", help="Also give every seller a new data key.")) -> None:
    """Re-wrap data keys with the current key-encryption key (first of COMPTOIR_ENCRYPTION_KEYS) and
    re-encrypt every sealed column; afterwards the older keys may leave the environment."""
    import comptoir.schema.root  # noqa: F401 -- every package's models register their sealed columns
    from comptoir.database.engine import session_scope
    from comptoir.security import rotation
    from comptoir.security.secrets import sealed_columns
    from comptoir.tenancy.context import Role, TenantContext

    columns = sealed_columns()
    # One transaction: a failure leaves everything as it was. The provider's context reads every seller.
    with session_scope(TenantContext(Role.PROVIDER, uuid.UUID(int=0))) as session:
        connection = session.connection()
        total = rotation.count_values(connection, columns)
        with typer.progressbar(length=total, label="re-encrypting") as bar:
            report = rotation.rotate(connection, columns, new_data_keys=new_data_keys, progress=bar.update)
    typer.echo(f"data keys re-wrapped: {report.keys_rewrapped}, replaced: {report.keys_replaced}; "
               f"values re-encrypted: {report.values_resealed}; left under a passphrase: {report.values_locked}")


@app.command("schema")
def export_schema(output: Path = typer.Option(Path("schema.graphql"))) -> None:
    """Write the GraphQL schema (SDL) to a file; a test fails when the committed file is stale."""
    from comptoir.schema.root import schema

    output.write_text(schema.as_str() + "\n", encoding="utf-8")
    typer.echo(f"wrote {output}")


if __name__ == "__main__":
    sys.exit(app())

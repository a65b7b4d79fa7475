"""`comptoir check`: each part of the deployment it depends on, OK or FAIL with the reason."""

from __future__ import annotations

import os
import smtplib
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select, text

from comptoir.settings import Settings, production_problems

TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    message: str

    def line(self) -> str:
        return f"{'OK  ' if self.ok else 'FAIL'} {self.name:<14} {self.message}"


def check_configuration(settings: Settings) -> CheckResult:
    problems = production_problems(settings)
    if not problems:
        return CheckResult("configuration", True, f"{settings.environment} settings are fit for production")
    if settings.production:
        return CheckResult("configuration", False, "; ".join(problems))
    return CheckResult("configuration", True, f"development settings (not fit for production: {len(problems)} "
                                              "issues, e.g. " + problems[0] + ")")


def check_database(settings: Settings) -> CheckResult:
    from comptoir.database.engine import sync_engine
    from comptoir.database.migrate import head_revision

    if not settings.database_url:
        return CheckResult("database", False, "COMPTOIR_DATABASE_URL is empty (only `comptoir serve` starts "
                                              "the embedded database)")
    with sync_engine().connect() as connection:
        current = connection.execute(text("SELECT comptoir_schema_version()")).scalar()
    head = head_revision()
    if current != head:
        return CheckResult("database", False, f"reachable, but migrations pending: database at {current}, code at "
                                              f"{head} (run `comptoir migrate`)")
    return CheckResult("database", True, f"reachable as the app role, migrations at head ({head})")


def check_broker(settings: Settings) -> CheckResult:
    if not settings.broker_url:
        return CheckResult("broker", True, "none configured: jobs run in-process (embedded mode)")
    from kombu import Connection

    with Connection(settings.broker_url, connect_timeout=TIMEOUT_SECONDS) as connection:
        connection.ensure_connection(max_retries=1, timeout=TIMEOUT_SECONDS)
    return CheckResult("broker", True, f"reachable ({connection.transport_cls})")


def check_smtp(settings: Settings) -> CheckResult:
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_SECONDS) as client:
        code, _ = client.noop()
        if settings.smtp_starttls:
            client.starttls()
        if settings.smtp_username:
            client.login(settings.smtp_username, settings.smtp_password)
    return CheckResult("smtp", code == 250, f"{settings.smtp_host}:{settings.smtp_port} answered {code}")


def check_hosting_servers(settings: Settings) -> CheckResult:
    """The default driver and each registered server's driver can be built and report their capabilities;
    the local drivers' webspace root is writable."""
    from comptoir.database.engine import session_scope
    from comptoir.hosting.server_models import HostingServer
    from comptoir.provisioning.hosting_agent import agent_for_driver
    from comptoir.tenancy.context import Role, TenantContext

    # The provider's context reads every seller's rows; the zero id only fills the required field.
    with session_scope(TenantContext(Role.PROVIDER, uuid.UUID(int=0))) as session:
        servers = [(s.name, s.driver) for s in session.execute(select(HostingServer.name, HostingServer.driver))]
    failures = []
    for name, driver in [("default", settings.hosting_agent), *servers]:
        try:
            agent_for_driver(driver).capabilities()
        except Exception as error:  # noqa: BLE001 -- reported per server
            failures.append(f"{name} ({driver}): {error}")
    root = settings.webspace_root
    if not (root.is_dir() and os.access(root, os.W_OK)) and not os.access(root.parent, os.W_OK):
        failures.append(f"webspace root {root} is not writable")
    if failures:
        return CheckResult("hosting", False, "; ".join(failures))
    return CheckResult("hosting", True, f"{len(servers) + 1} servers' drivers answer")


CHECKS: list[tuple[str, Callable[[Settings], CheckResult]]] = [
    ("configuration", check_configuration),
    ("database", check_database),
    ("broker", check_broker),
    ("smtp", check_smtp),
    ("hosting", check_hosting_servers),
]


def run_checks(settings: Settings) -> list[CheckResult]:
    results = []
    for name, check in CHECKS:
        try:
            results.append(check(settings))
        except (OSError, socket.timeout, smtplib.SMTPException) as error:
            results.append(CheckResult(name, False, f"unreachable: {type(error).__name__}: {error}"))
        except Exception as error:  # noqa: BLE001 -- one failed part must not hide the others
            results.append(CheckResult(name, False, f"{type(error).__name__}: {error}"))
    return results

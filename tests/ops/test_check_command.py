"""`comptoir check`: one OK/FAIL line per part of the deployment, exit code 1 when one fails."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from comptoir import cli
from comptoir.settings import get_settings
from tests import factories
from tests.tenancy.support import REDIS_BROKER, free_port, smtp_server  # noqa: F401 -- fixture


@pytest.fixture
def healthy(monkeypatch, smtp_server, tmp_path):  # noqa: F811
    monkeypatch.setattr(get_settings(), "webspace_root", tmp_path)
    monkeypatch.setattr(get_settings(), "broker_url", REDIS_BROKER)


def _check() -> tuple[int, dict[str, str]]:
    result = CliRunner().invoke(cli.app, ["check"])
    lines = {line.split()[1]: line for line in result.output.splitlines() if line[:4] in ("OK  ", "FAIL")}
    return result.exit_code, lines


def test_everything_reachable_is_reported_ok_with_exit_code_0(healthy):
    # given a provider (no registered server: the default driver alone)
    factories.provider()
    # when
    code, lines = _check()
    # then
    assert code == 0, lines
    assert set(lines) == {"configuration", "database", "broker", "smtp", "hosting"}
    assert all(line.startswith("OK") for line in lines.values()), lines
    assert "migrations at head" in lines["database"]


def test_an_unreachable_smtp_server_and_broker_fail_with_their_reason(healthy, monkeypatch):
    monkeypatch.setattr(get_settings(), "smtp_port", free_port())  # nothing listens there
    monkeypatch.setattr(get_settings(), "broker_url", f"redis://127.0.0.1:{free_port()}/0")
    code, lines = _check()
    assert code == 1
    assert lines["smtp"].startswith("FAIL") and "unreachable" in lines["smtp"]
    assert lines["broker"].startswith("FAIL")
    assert lines["database"].startswith("OK")  # one failure hides no other result


def test_production_with_development_secrets_fails_the_configuration_check(healthy, monkeypatch):
    monkeypatch.setattr(get_settings(), "environment", "production")
    code, lines = _check()
    assert code == 1
    assert lines["configuration"].startswith("FAIL") and "COMPTOIR_SECRET_KEY" in lines["configuration"]


def test_a_database_behind_the_code_fails_with_migrations_pending(healthy, monkeypatch):
    from comptoir.observability import check

    monkeypatch.setattr("comptoir.database.migrate.head_revision", lambda: "9999")
    result = check.check_database(get_settings())
    assert not result.ok and "migrations pending" in result.message and "9999" in result.message


def test_an_unknown_hosting_driver_fails_the_hosting_check(healthy, monkeypatch):
    monkeypatch.setattr(get_settings(), "hosting_agent", "nonexistent")
    code, lines = _check()
    assert code == 1 and lines["hosting"].startswith("FAIL") and "nonexistent" in lines["hosting"]

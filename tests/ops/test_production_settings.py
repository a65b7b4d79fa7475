"""Production settings refuse development secrets at start-up and hide GraphiQL and introspection."""

from __future__ import annotations

import base64

import pytest
from typer.testing import CliRunner

from comptoir.settings import ConfigurationError, Settings, ensure_fit_to_run, production_problems

STRONG = "k" * 40
FIT = {"environment": "production", "secret_key": STRONG,
       "database_url": "postgresql+psycopg://comptoir_app:s3cret-app@db/comptoir",
       "migration_database_url": "postgresql+psycopg://comptoir_owner:s3cret-owner@db/comptoir",
       "bootstrap_database_url": "", "sandbox": False,
       "encryption_keys": "k1:" + base64.b64encode(bytes(range(32))).decode()}


def test_production_with_real_secrets_starts():
    ensure_fit_to_run(Settings(**FIT))


@pytest.mark.parametrize(("override", "named"), [
    ({"secret_key": "dev-insecure-change-me"}, "COMPTOIR_SECRET_KEY"),
    ({"database_url": "postgresql+psycopg://comptoir_app:comptoir_app@db/comptoir"}, "COMPTOIR_DATABASE_URL"),
    ({"migration_database_url": "postgresql://comptoir_owner:comptoir_owner@db/c"}, "COMPTOIR_MIGRATION_DATABASE_URL"),
    ({"migration_database_url": ""}, "COMPTOIR_OWNER_PASSWORD"),
    ({"database_url": ""}, "COMPTOIR_DATABASE_URL"),
    ({"encryption_keys": ""}, "COMPTOIR_ENCRYPTION_KEYS"),
])
def test_production_refuses_development_secrets_with_the_setting_named(override, named):
    # given production settings with one development default
    settings = Settings(**{**FIT, **override})
    # when / then
    with pytest.raises(ConfigurationError, match=named):
        ensure_fit_to_run(settings)


def test_development_keeps_its_defaults_and_starts():
    settings = Settings(environment="development")
    ensure_fit_to_run(settings)
    assert production_problems(settings)  # still not fit for production, which `comptoir check` says
    assert settings.graphiql and settings.introspection and settings.log_format == "text"


def test_production_turns_graphiql_and_introspection_off_and_logs_json():
    settings = Settings(**FIT)
    assert (settings.graphiql, settings.introspection, settings.log_format) == (False, False, "json")


def test_production_keeps_graphiql_and_introspection_when_explicitly_asked(monkeypatch):
    monkeypatch.setenv("COMPTOIR_GRAPHIQL", "true")
    monkeypatch.setenv("COMPTOIR_INTROSPECTION", "true")
    settings = Settings(**FIT)
    assert settings.graphiql and settings.introspection


def test_the_worker_refuses_to_start_in_production_with_the_development_key(monkeypatch):
    from comptoir import cli
    from comptoir.settings import get_settings

    monkeypatch.setenv("COMPTOIR_ENVIRONMENT", "production")
    monkeypatch.setenv("COMPTOIR_SECRET_KEY", "dev-insecure-change-me")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli.app, ["worker"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "refusing to start in production" in result.output and "COMPTOIR_SECRET_KEY" in result.output


async def test_the_api_refuses_to_start_in_production_with_the_development_key(monkeypatch):
    from comptoir.app import create_app
    from comptoir.settings import get_settings

    monkeypatch.setattr(get_settings(), "environment", "production")
    monkeypatch.setattr(get_settings(), "secret_key", "dev-insecure-change-me")
    app = create_app()
    with pytest.raises(ConfigurationError, match="COMPTOIR_SECRET_KEY"):
        async with app.router.lifespan_context(app):
            pass

"""Key rotation (`comptoir encryption rotate`) and the sealing of values stored before migration 0017."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import os
import uuid
from pathlib import Path

import psycopg
import pytest
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from cryptography.fernet import Fernet
from sqlalchemy import create_engine
from typer.testing import CliRunner

from comptoir.cli import app
from comptoir.security import secrets
from comptoir.settings import get_settings
from tests import factories
from tests.hosting import support as hosting
from tests.security.support import new_key, use_keys  # noqa: F401
from tests.tenancy.support import cheap_password_hashing  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")
MIGRATION = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "0017_encryption_bank_files.py"


@pytest.fixture
def world(use_keys):  # type: ignore[no-untyped-def]
    """Alpha with three subscriptions: one sealed under key "a", one still in clear text (as before 0017),
    one sealed the pre-0017 way (s1:)."""
    first = new_key("a")
    use_keys(first)
    provider = factories.provider("root")
    alpha = factories.reseller(provider, "Alpha Hosting", "alpha_admin")
    entry = hosting.pool_entry(provider.seller_id, alpha.seller_id)
    ids = [hosting.subscribe(alpha.seller_id, entry) for _ in range(3)]
    return {"first": first, "alpha": alpha, "ids": ids}


def set_password(connection: psycopg.Connection, subscription_id: uuid.UUID, value: str) -> None:
    connection.execute("UPDATE subscriptions SET system_password = %s WHERE id = %s", (value, subscription_id))


def passwords(connection: psycopg.Connection, ids: list[uuid.UUID]) -> list[str]:
    return [connection.execute("SELECT system_password FROM subscriptions WHERE id = %s", (i,)).fetchone()[0]
            for i in ids]


def legacy_token(text: str) -> str:
    key = base64.urlsafe_b64encode(hashlib.sha256(b"comptoir-secrets:" + get_settings().secret_key.encode()).digest())
    return "s1:" + Fernet(key).encrypt(text.encode()).decode()


def test_rotation_rewraps_reencrypts_and_the_old_key_may_then_go(world, use_keys, superuser_connection) -> None:  # type: ignore[no-untyped-def]
    # given values sealed under key "a", in clear text, and in the old s1 format
    sealed, clear, legacy = world["ids"]
    set_password(superuser_connection, clear, "clear-password")
    set_password(superuser_connection, legacy, legacy_token("legacy-password"))
    before = passwords(superuser_connection, world["ids"])
    # when key "b" is put first and the rotation runs
    second = new_key("b")
    use_keys(second, world["first"])
    result = CliRunner().invoke(app, ["encryption", "rotate"])
    # then it reports its work
    assert result.exit_code == 0, result.output
    assert "re-encrypting" in result.output
    assert "re-wrapped: 1, replaced: 1; values re-encrypted: 3" in result.output
    # and every value is a new token under Alpha's new data key, wrapped by "b" only
    after = passwords(superuser_connection, world["ids"])
    keys = superuser_connection.execute(
        "SELECT id, kek_id, active FROM seller_data_keys WHERE seller_id = %s ORDER BY active", (world["alpha"].seller_id,)
    ).fetchall()
    assert [(kek, active) for _, kek, active in keys] == [("b", False), ("b", True)]
    active_id = keys[1][0]
    assert all(a != b and a.startswith(f"s2:{active_id.hex}:") for a, b in zip(after, before, strict=True))
    # and with key "a" removed from the environment everything still opens
    use_keys(second)
    assert [secrets.unseal(v) for v in after] == ["s3cret-password", "clear-password", "legacy-password"]


def test_a_value_sealed_under_a_retired_data_key_still_opens_after_the_old_kek_goes(world, use_keys) -> None:  # type: ignore[no-untyped-def]
    # given a token sealed before the rotation and kept outside the registered columns (a cache, a log)
    kept = secrets.seal("kept", seller_id=world["alpha"].seller_id)
    second = new_key("b")
    use_keys(second, world["first"])
    assert CliRunner().invoke(app, ["encryption", "rotate"]).exit_code == 0
    # when only "b" is left
    use_keys(second)
    # then the retired data key (re-wrapped by "b") still opens it
    assert secrets.unseal(kept) == "kept"


def test_rotation_refuses_when_a_data_key_is_wrapped_by_a_key_no_longer_in_the_ring(world, use_keys) -> None:  # type: ignore[no-untyped-def]
    use_keys(new_key("b"))
    result = CliRunner().invoke(app, ["encryption", "rotate"])
    assert result.exit_code != 0
    assert "'a' is not in COMPTOIR_ENCRYPTION_KEYS" in str(result.exception)


def test_migration_0017_seals_what_was_stored_in_clear_as_the_owner(world, superuser_connection) -> None:  # type: ignore[no-untyped-def]
    # given passwords stored in clear and as s1 tokens, and no data key yet (the state before 0017)
    sealed, clear, legacy = world["ids"]
    set_password(superuser_connection, sealed, "first-clear")
    set_password(superuser_connection, clear, "second-clear")
    set_password(superuser_connection, legacy, legacy_token("legacy-password"))
    superuser_connection.execute("DELETE FROM seller_data_keys")
    secrets.forget_keys()
    # when the migration's data step runs over the owner role's connection
    spec = importlib.util.spec_from_file_location("migration_0017", MIGRATION)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    engine = create_engine(os.environ["COMPTOIR_MIGRATION_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.begin() as connection, Operations.context(MigrationContext.configure(connection)):
            module.seal_stored_secrets()
    finally:
        engine.dispose()
    # then no clear text is left, row security is forced again, and the values open
    stored = passwords(superuser_connection, world["ids"])
    assert all(v.startswith("s2:") for v in stored)
    assert [secrets.unseal(v) for v in stored] == ["first-clear", "second-clear", "legacy-password"]
    forced = superuser_connection.execute(
        "SELECT bool_and(relforcerowsecurity) FROM pg_class WHERE relname IN "
        "('subscriptions', 'ssl_certificates', 'seller_data_keys')").fetchone()[0]
    assert forced is True

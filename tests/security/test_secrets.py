"""The seam: sealed values unreadable in the database and without the key, altered ones refused, old
formats still open, data keys per seller."""

from __future__ import annotations

import base64
import uuid

import pytest
from sqlalchemy import select

from comptoir.database.engine import session_scope
from comptoir.hosting.models import Subscription
from comptoir.security import secrets
from comptoir.security.envelope import PREFIX
from comptoir.security.models import SellerDataKey
from comptoir.settings import get_settings
from comptoir.tenancy.context import Role, TenantContext
from tests import factories
from tests.hosting import support as hosting
from tests.security.support import new_key, use_keys  # noqa: F401
from tests.tenancy.support import cheap_password_hashing  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")


@pytest.fixture
def provider() -> factories.Actor:
    return factories.provider("root")


@pytest.fixture
def alpha(provider: factories.Actor) -> factories.Actor:
    return factories.reseller(provider, "Alpha Hosting", "alpha_admin")


@pytest.fixture
def bravo(provider: factories.Actor) -> factories.Actor:
    return factories.reseller(provider, "Bravo Web", "bravo_admin")


def stored_password(superuser_connection, subscription_id: uuid.UUID) -> str:  # type: ignore[no-untyped-def]
    return superuser_connection.execute("SELECT system_password FROM subscriptions WHERE id = %s",
                                        (subscription_id,)).fetchone()[0]


def test_system_password_is_stored_sealed_and_raw_sql_shows_no_clear_text(
        provider, alpha, superuser_connection) -> None:  # type: ignore[no-untyped-def]
    # given a subscription created through the hosting service with a known password
    subscription_id = hosting.subscribe(alpha.seller_id, hosting.pool_entry(provider.seller_id, alpha.seller_id))
    # when the database is read as the superuser, every column as text
    row = superuser_connection.execute("SELECT s::text FROM subscriptions s WHERE id = %s", (subscription_id,)).fetchone()
    # then the password appears nowhere, and the column holds a token naming the seller's data key
    assert "s3cret-password" not in row[0]
    token = stored_password(superuser_connection, subscription_id)
    key_id = superuser_connection.execute("SELECT id FROM seller_data_keys WHERE seller_id = %s AND active",
                                          (alpha.seller_id,)).fetchone()[0]
    assert token.startswith(f"{PREFIX}{key_id.hex}:")
    assert secrets.unseal(token) == "s3cret-password"


def test_each_seller_has_its_own_data_key(alpha, bravo, superuser_connection) -> None:  # type: ignore[no-untyped-def]
    a, b = secrets.seal("same", seller_id=alpha.seller_id), secrets.seal("same", seller_id=bravo.seller_id)
    assert a.split(":")[1] != b.split(":")[1]
    assert superuser_connection.execute("SELECT count(*) FROM seller_data_keys").fetchone()[0] == 2
    # wrapped keys are not the keys: 12-byte nonce + 32-byte key + 16-byte tag
    assert {len(r[0]) for r in superuser_connection.execute("SELECT wrapped_key FROM seller_data_keys")} == {60}


def test_two_seals_of_one_text_differ(alpha) -> None:  # type: ignore[no-untyped-def]
    assert secrets.seal("x", seller_id=alpha.seller_id) != secrets.seal("x", seller_id=alpha.seller_id)


@pytest.mark.parametrize("position", [-1, -20, len(PREFIX) + 33 + 2])
def test_altered_ciphertext_is_refused(alpha, position: int) -> None:  # type: ignore[no-untyped-def]
    token = secrets.seal("card-token-123", seller_id=alpha.seller_id)
    flipped = "A" if token[position] != "A" else "B"
    altered = token[:position] + flipped + token[position + 1:] if position != -1 else token[:-1] + flipped
    with pytest.raises(secrets.SealedSecretError):
        secrets.unseal(altered)


def test_a_token_naming_an_unknown_data_key_is_refused(alpha) -> None:  # type: ignore[no-untyped-def]
    token = secrets.seal("x", seller_id=alpha.seller_id)
    forged = f"{PREFIX}{uuid.uuid4().hex}:{token.split(':', 2)[2]}"
    with pytest.raises(secrets.SealedSecretError, match="unknown data key"):
        secrets.unseal(forged)


@pytest.mark.parametrize("value", ["plain text", "s2:", "s2:nohex:abc", "s1:garbage"])
def test_values_that_are_not_tokens_are_refused(value: str) -> None:
    with pytest.raises(secrets.SealedSecretError):
        secrets.unseal(value)


def test_sealed_values_do_not_open_without_the_key_encryption_key(alpha, use_keys) -> None:  # type: ignore[no-untyped-def]
    # given a value sealed while key "a" is the ring
    use_keys(new_key("a"))
    token = secrets.seal("iban FR7630006000011234567890189", seller_id=alpha.seller_id)
    assert secrets.unseal(token).startswith("iban")
    # when the process restarts with another ring (key "a" gone)
    use_keys(new_key("z"))
    # then the value stays shut
    with pytest.raises(secrets.SealedSecretError, match="'a' is not in COMPTOIR_ENCRYPTION_KEYS"):
        secrets.unseal(token)


def test_values_of_no_seller_are_sealed_under_the_key_encryption_key(use_keys) -> None:  # type: ignore[no-untyped-def]
    use_keys(new_key("a"))
    token = secrets.seal("instance-wide")
    assert token.startswith(f"{PREFIX}k-a:") and secrets.unseal(token) == "instance-wide"


def test_tokens_sealed_before_envelope_encryption_still_open() -> None:
    import hashlib

    from cryptography.fernet import Fernet

    key = base64.urlsafe_b64encode(hashlib.sha256(b"comptoir-secrets:" + get_settings().secret_key.encode()).digest())
    legacy = "s1:" + Fernet(key).encrypt(b"old secret").decode()
    assert secrets.is_sealed(legacy) and secrets.unseal(legacy) == "old secret"


def test_the_seam_creates_a_sellers_key_before_the_sellers_own_transaction_commits(provider) -> None:  # type: ignore[no-untyped-def]
    # given a seller created in a transaction still open (demo data, a reseller provisioned with secrets)
    seller_id = uuid.uuid4()
    from comptoir.tenancy.models import Seller

    with session_scope(TenantContext(Role.PROVIDER, provider.seller_id)) as session:
        session.add(Seller(id=seller_id, kind="reseller", name="New"))
        session.flush()
        # when a secret of it is sealed inside that transaction
        token = secrets.seal("new seller's secret", seller_id=seller_id)
    # then it opens, and the key went with the seller when it is deleted
    assert secrets.unseal(token) == "new seller's secret"
    with session_scope(TenantContext(Role.PROVIDER, provider.seller_id)) as session:
        session.delete(session.get(Seller, seller_id))
    with session_scope(TenantContext(Role.PROVIDER, provider.seller_id)) as session:
        assert session.scalars(select(SellerDataKey).where(SellerDataKey.seller_id == seller_id)).all() == []


def test_registered_columns_include_the_ones_sealed_by_migration_0017() -> None:
    columns = {(c.table, c.column) for c in secrets.sealed_columns()}
    assert {("subscriptions", "system_password"), ("ssl_certificates", "private_key_pem")} <= columns


def test_a_subscription_row_read_through_the_orm_holds_the_token(provider, alpha) -> None:  # type: ignore[no-untyped-def]
    subscription_id = hosting.subscribe(alpha.seller_id, hosting.pool_entry(provider.seller_id, alpha.seller_id))
    with session_scope(TenantContext(Role.SYSTEM, alpha.seller_id)) as session:
        stored = session.get(Subscription, subscription_id).system_password  # type: ignore[union-attr]
    assert secrets.is_sealed(stored) and secrets.unseal(stored) == "s3cret-password"

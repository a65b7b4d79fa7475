"""Passwords are stored as argon2id hashes; tokens are kept only as digests."""

from __future__ import annotations

from sqlalchemy import select

from comptoir.database.engine import session_scope
from comptoir.tenancy import auth
from comptoir.tenancy.context import Role, TenantContext
from comptoir.tenancy.models import User, UserSession
from comptoir.tenancy.security import hash_password, new_token, token_digest, verify_password
from tests import factories


def test_a_password_hash_is_argon2id_and_never_the_password():
    # when
    stored = hash_password("correct-horse-battery")
    # then
    assert stored.startswith("$argon2id$")
    assert "correct-horse-battery" not in stored


def test_verification_accepts_the_password_and_refuses_others():
    # given
    stored = hash_password("correct-horse-battery")
    # then
    assert verify_password(stored, "correct-horse-battery") is True
    assert verify_password(stored, "Correct-horse-battery") is False


def test_verification_of_an_unknown_user_or_a_broken_hash_fails_closed():
    assert verify_password(None, "anything") is False
    assert verify_password("not-a-hash", "anything") is False


def test_a_token_is_kept_only_as_its_sha256_digest():
    # when
    token, digest = new_token()
    # then
    assert len(token) >= 40
    assert digest == token_digest(token) and len(digest) == 32


def test_log_in_with_the_stored_argon2_hash_opens_a_session_known_only_by_digest():
    # given
    provider = factories.provider("boss")
    # when
    with session_scope(None) as session:
        result = auth.log_in(session, username="boss", password=factories.PASSWORD)
    # then
    with session_scope(TenantContext(Role.PROVIDER, provider.seller_id)) as session:
        user = session.scalars(select(User).where(User.username == "boss")).one()
        stored = session.scalars(select(UserSession)).one()
    assert user.password_hash.startswith("$argon2id$")
    assert stored.token_hash == token_digest(result.token)

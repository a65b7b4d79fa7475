"""Forgotten password (SPEC §1): a reset link by e-mail for a matching username and e-mail, used once."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from comptoir import clock
from comptoir.database.engine import session_scope
from comptoir.messaging.models import OutboundEmail
from comptoir.settings import get_settings
from comptoir.tenancy.context import Role, TenantContext
from tests import factories
from tests.conftest import LOGIN
from tests.tenancy.support import (  # noqa: F401
    body_of,
    celery_worker_on_redis,
    cheap_password_hashing,
    smtp_server,
)

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

NEW_PASSWORD = "a-brand-new-passphrase"
RESET_REQUEST = """mutation Forgot($username: String!, $email: String!) {
  passwordResetRequest(input: {username: $username, email: $email}) { message errors { code field message } }
}"""
RESET_CONFIRM = """mutation Reset($token: String!, $password: String!) {
  passwordResetConfirm(input: {token: $token, newPassword: $password}) { errors { code field } }
}"""
PREFERENCES = """mutation Language($language: String!) {
  preferencesUpdate(input: {language: $language}) { errors { code } }
}"""
ME = "{ me { username } }"
PASSWORD_CHANGE = """mutation Change($current: String!, $new: String!) {
  passwordChange(input: {currentPassword: $current, newPassword: $new}) { errors { code } }
}"""
RESET_THEN_THEME = """mutation ResetThenTheme($username: String!, $email: String!) {
  passwordResetRequest(input: {username: $username, email: $email}) { errors { code } }
  preferencesUpdate(input: {theme: "dark"}) { user { theme } errors { code } }
}"""
CONFIRM_THEN_THEME = """mutation ConfirmThenTheme($token: String!, $password: String!) {
  passwordResetConfirm(input: {token: $token, newPassword: $password}) { errors { code } }
  preferencesUpdate(input: {theme: "dark"}) { user { theme } errors { code } }
}"""
LINK = re.compile(r"https://panel\.example\.test/reset-password\?token=([A-Za-z0-9_-]+)")


@pytest.fixture
def carol():
    provider = factories.provider("boss")
    reseller = factories.reseller(provider, "Resell", "resell")
    return factories.customer(reseller, "carol", email="carol@example.test")


def _outbox_size() -> int:
    with session_scope(TenantContext(Role.PROVIDER, uuid.UUID(int=0))) as session:
        return session.scalar(select(func.count()).select_from(OutboundEmail))


async def _request_link(client, mailbox, username="carol", email="carol@example.test") -> str:
    result = await client.execute(RESET_REQUEST, {"username": username, "email": email})
    assert result["data"]["passwordResetRequest"]["errors"] == []
    message = (await mailbox.async_wait_for(1))[-1]
    return LINK.search(body_of(message)).group(1)


async def _login_codes(client, username, password):
    result = await client.execute(LOGIN, {"u": username, "p": password})
    return [e["code"] for e in result["data"]["sessionCreate"]["errors"]]


async def test_reset_request_answers_the_same_whether_or_not_username_and_email_match(client, carol):
    # given
    attempts = [("carol", "carol@example.test"), ("carol", "someone@example.test"),
                ("nobody", "carol@example.test"), ("CAROL", "Carol@Example.test")]
    # when
    answers = [await client.execute(RESET_REQUEST, {"username": u, "email": e}) for u, e in attempts]
    # then
    assert all(answer == answers[0] for answer in answers)
    assert answers[0]["data"]["passwordResetRequest"]["errors"] == []


async def test_reset_request_with_a_matching_pair_delivers_an_email_with_a_reset_link(client, carol, smtp_server):
    # when
    await client.execute(RESET_REQUEST, {"username": "carol", "email": "carol@example.test"})
    # then
    [message] = await smtp_server.async_wait_for(1)
    assert message["To"] == "carol@example.test"
    assert message["Subject"] == "Reset your password"
    body = body_of(message)
    assert LINK.search(body)
    assert factories.PASSWORD not in body


async def test_reset_request_matches_username_and_email_without_regard_to_case(client, carol, smtp_server):
    # when
    await client.execute(RESET_REQUEST, {"username": "Carol", "email": "CAROL@example.test"})
    # then
    [message] = await smtp_server.async_wait_for(1)
    assert message["To"] == "carol@example.test"


@pytest.mark.parametrize(("username", "email"), [
    ("carol", "someone-else@example.test"),
    ("resell", "carol@example.test"),
    ("nobody", "carol@example.test"),
])
async def test_reset_request_with_a_pair_that_does_not_match_sends_nothing(client, carol, smtp_server,
                                                                           username, email):
    # when
    await client.execute(RESET_REQUEST, {"username": username, "email": email})
    # then
    assert _outbox_size() == 0
    assert smtp_server.messages == []


async def test_reset_email_is_written_in_the_users_language(client, carol, smtp_server):
    # given
    token = await client.login("carol", factories.PASSWORD)
    await client.execute(PREFERENCES, {"language": "fr"}, token=token)
    # when
    await client.execute(RESET_REQUEST, {"username": "carol", "email": "carol@example.test"})
    # then
    [message] = await smtp_server.async_wait_for(1)
    assert message["Subject"] == "Réinitialisez votre mot de passe"
    assert LINK.search(body_of(message))


async def test_reset_link_sets_the_new_password_and_the_old_one_stops_working(client, carol, smtp_server):
    # given
    token = await _request_link(client, smtp_server)
    # when
    result = await client.execute(RESET_CONFIRM, {"token": token, "password": NEW_PASSWORD})
    # then
    assert result["data"]["passwordResetConfirm"]["errors"] == []
    assert await _login_codes(client, "carol", factories.PASSWORD) == ["INVALID_CREDENTIALS"]
    assert await _login_codes(client, "carol", NEW_PASSWORD) == []


async def test_reset_link_works_only_once(client, carol, smtp_server):
    # given
    token = await _request_link(client, smtp_server)
    await client.execute(RESET_CONFIRM, {"token": token, "password": NEW_PASSWORD})
    # when
    result = await client.execute(RESET_CONFIRM, {"token": token, "password": "yet-another-passphrase"})
    # then
    assert result["data"]["passwordResetConfirm"]["errors"] == [{"code": "INVALID_TOKEN", "field": "token"}]
    assert await _login_codes(client, "carol", NEW_PASSWORD) == []


async def test_expired_reset_link_is_refused(client, carol, smtp_server):
    # given
    ttl = timedelta(minutes=get_settings().password_reset_ttl_minutes)
    with clock.frozen_at(datetime.now(UTC) - ttl - timedelta(seconds=1)):  # expiry is the database's clock
        token = await _request_link(client, smtp_server)
    # when
    result = await client.execute(RESET_CONFIRM, {"token": token, "password": NEW_PASSWORD})
    # then
    assert result["data"]["passwordResetConfirm"]["errors"] == [{"code": "INVALID_TOKEN", "field": "token"}]
    assert await _login_codes(client, "carol", factories.PASSWORD) == []


async def test_reset_link_still_works_just_before_it_expires(client, carol, smtp_server):
    # given
    ttl = timedelta(minutes=get_settings().password_reset_ttl_minutes)
    with clock.frozen_at(datetime.now(UTC) - ttl + timedelta(seconds=30)):  # expiry is the database's clock
        token = await _request_link(client, smtp_server)
    # when
    result = await client.execute(RESET_CONFIRM, {"token": token, "password": NEW_PASSWORD})
    # then
    assert result["data"]["passwordResetConfirm"]["errors"] == []


async def test_unknown_reset_token_is_refused(client, carol):
    # when
    result = await client.execute(RESET_CONFIRM, {"token": "made-up-token", "password": NEW_PASSWORD})
    # then
    assert result["data"]["passwordResetConfirm"]["errors"] == [{"code": "INVALID_TOKEN", "field": "token"}]


async def test_reset_ends_all_sessions_of_the_user(client, carol, smtp_server):
    # given
    first = await client.login("carol", factories.PASSWORD)
    second = await client.login("carol", factories.PASSWORD)
    token = await _request_link(client, smtp_server)
    # when
    await client.execute(RESET_CONFIRM, {"token": token, "password": NEW_PASSWORD})
    # then
    assert (await client.execute(ME, token=first))["data"]["me"] is None
    assert (await client.execute(ME, token=second))["data"]["me"] is None


async def test_reset_with_a_too_short_password_is_refused_and_the_link_stays_usable(client, carol, smtp_server):
    # given
    token = await _request_link(client, smtp_server)
    # when
    refused = await client.execute(RESET_CONFIRM, {"token": token, "password": "short"})
    # then
    assert refused["data"]["passwordResetConfirm"]["errors"] == [
        {"code": "PASSWORD_TOO_SHORT", "field": "newPassword"}]
    accepted = await client.execute(RESET_CONFIRM, {"token": token, "password": NEW_PASSWORD})
    assert accepted["data"]["passwordResetConfirm"]["errors"] == []


async def test_using_one_reset_link_voids_the_users_other_links(client, carol, smtp_server):
    # given: two requests, two links
    first = await _request_link(client, smtp_server)
    await client.execute(RESET_REQUEST, {"username": "carol", "email": "carol@example.test"})
    second = LINK.search(body_of((await smtp_server.async_wait_for(2))[1])).group(1)
    # when
    await client.execute(RESET_CONFIRM, {"token": first, "password": NEW_PASSWORD})
    result = await client.execute(RESET_CONFIRM, {"token": second, "password": "the-second-passphrase"})
    # then
    assert result["data"]["passwordResetConfirm"]["errors"] == [{"code": "INVALID_TOKEN", "field": "token"}]
    assert await _login_codes(client, "carol", NEW_PASSWORD) == []


async def test_changing_the_password_voids_outstanding_reset_links(client, carol, smtp_server):
    # given
    link = await _request_link(client, smtp_server)
    session = await client.login("carol", factories.PASSWORD)
    # when
    await client.execute(PASSWORD_CHANGE, {"current": factories.PASSWORD, "new": NEW_PASSWORD}, token=session)
    # then
    result = await client.execute(RESET_CONFIRM, {"token": link, "password": "the-attackers-passphrase"})
    assert result["data"]["passwordResetConfirm"]["errors"] == [{"code": "INVALID_TOKEN", "field": "token"}]


async def test_a_logged_in_user_asking_a_reset_for_someone_keeps_acting_as_itself(client, carol, smtp_server):
    # given
    boss = await client.login("boss", factories.PASSWORD)
    # when
    result = await client.execute(RESET_THEN_THEME, {"username": "carol", "email": "carol@example.test"},
                                  token=boss)
    # then
    assert "errors" not in result, result
    assert result["data"]["preferencesUpdate"] == {"user": {"theme": "dark"}, "errors": []}
    assert len(await smtp_server.async_wait_for(1)) == 1


async def test_a_logged_in_user_using_a_reset_link_keeps_acting_as_itself(client, carol, smtp_server):
    # given
    link = await _request_link(client, smtp_server)
    boss = await client.login("boss", factories.PASSWORD)
    # when
    result = await client.execute(CONFIRM_THEN_THEME, {"token": link, "password": NEW_PASSWORD}, token=boss)
    # then
    assert "errors" not in result, result
    assert result["data"]["preferencesUpdate"] == {"user": {"theme": "dark"}, "errors": []}


async def test_reset_email_is_delivered_by_a_celery_worker_through_the_redis_broker(
        client, carol, smtp_server, celery_worker_on_redis):
    # when
    await client.execute(RESET_REQUEST, {"username": "carol", "email": "carol@example.test"})
    # then
    [message] = await smtp_server.async_wait_for(1, timeout=30)
    token = LINK.search(body_of(message)).group(1)
    result = await client.execute(RESET_CONFIRM, {"token": token, "password": NEW_PASSWORD})
    assert result["data"]["passwordResetConfirm"]["errors"] == []

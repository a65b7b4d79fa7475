"""Rate limits on log-in and password-reset requests, per account and per client address (ARCHITECTURE)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from comptoir import clock
from comptoir.settings import get_settings
from tests import factories
from tests.conftest import LOGIN
from tests.tenancy.support import cheap_password_hashing, other_client  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

RESET_REQUEST = """mutation Forgot($username: String!, $email: String!) {
  passwordResetRequest(input: {username: $username, email: $email}) { message errors { code } }
}"""
T0 = datetime(2031, 3, 1, 9, 0, tzinfo=UTC)


async def _login_codes(client, username, password=factories.PASSWORD):
    result = await client.execute(LOGIN, {"u": username, "p": password})
    return [e["code"] for e in result["data"]["sessionCreate"]["errors"]]


async def _fail_logins(client, username, times):
    for _ in range(times):
        assert await _login_codes(client, username, "wrong-password") == ["INVALID_CREDENTIALS"]


async def _reset_codes(client, username, email="someone@example.test"):
    result = await client.execute(RESET_REQUEST, {"username": username, "email": email})
    return [e["code"] for e in result["data"]["passwordResetRequest"]["errors"]]


# --- log-in, per account ---------------------------------------------------------------------------

async def test_after_too_many_failures_for_an_account_even_the_right_password_is_rate_limited(client):
    # given
    factories.provider("boss")
    await _fail_logins(client, "boss", get_settings().login_failures_per_account)
    # when
    codes = await _login_codes(client, "boss")
    # then
    assert codes == ["RATE_LIMITED"]


async def test_one_failure_fewer_than_the_account_limit_still_lets_the_right_password_in(client):
    # given
    factories.provider("boss")
    await _fail_logins(client, "boss", get_settings().login_failures_per_account - 1)
    # when
    codes = await _login_codes(client, "boss")
    # then
    assert codes == []


async def test_the_account_limit_holds_from_every_client_address(client, other_client):
    # given
    factories.provider("boss")
    await _fail_logins(client, "boss", get_settings().login_failures_per_account)
    # when
    codes = await _login_codes(other_client, "boss")
    # then
    assert codes == ["RATE_LIMITED"]


async def test_the_account_limit_ignores_the_case_of_the_username(client):
    # given
    factories.provider("boss")
    for name in ["boss", "BOSS", "Boss", "bOSS", "BOss", "boSS"][: get_settings().login_failures_per_account]:
        await _login_codes(client, name, "wrong-password")
    # when
    codes = await _login_codes(client, "boss")
    # then
    assert codes == ["RATE_LIMITED"]


async def test_a_rate_limited_account_does_not_block_other_accounts(client):
    # given
    provider = factories.provider("boss")
    factories.reseller(provider, "Resell", "resell")
    await _fail_logins(client, "boss", get_settings().login_failures_per_account)
    # when
    codes = await _login_codes(client, "resell")
    # then
    assert codes == []


async def test_a_successful_login_forgets_the_accounts_earlier_failures(client):
    # given
    factories.provider("boss")
    limit = get_settings().login_failures_per_account
    await _fail_logins(client, "boss", limit - 1)
    assert await _login_codes(client, "boss") == []
    await _fail_logins(client, "boss", limit - 1)
    # when
    codes = await _login_codes(client, "boss")
    # then
    assert codes == []


async def test_the_account_limit_expires_after_the_window(client):
    # given
    factories.provider("boss")
    window = timedelta(minutes=get_settings().throttle_window_minutes)
    with clock.frozen_at(T0):
        await _fail_logins(client, "boss", get_settings().login_failures_per_account)
        assert await _login_codes(client, "boss") == ["RATE_LIMITED"]
    # when
    with clock.frozen_at(T0 + window + timedelta(seconds=1)):
        codes = await _login_codes(client, "boss")
    # then
    assert codes == []


async def test_the_account_limit_still_holds_just_before_the_window_ends(client):
    # given
    factories.provider("boss")
    window = timedelta(minutes=get_settings().throttle_window_minutes)
    with clock.frozen_at(T0):
        await _fail_logins(client, "boss", get_settings().login_failures_per_account)
    # when
    with clock.frozen_at(T0 + window - timedelta(seconds=1)):
        codes = await _login_codes(client, "boss")
    # then
    assert codes == ["RATE_LIMITED"]


# --- log-in, per client address ----------------------------------------------------------------------

async def test_many_usernames_tried_from_one_address_rate_limit_that_address(client):
    # given
    factories.provider("boss")
    for n in range(get_settings().login_failures_per_address):
        await _login_codes(client, f"guess{n}", "wrong-password")
    # when
    codes = await _login_codes(client, "boss")
    # then
    assert codes == ["RATE_LIMITED"]


async def test_an_address_limit_does_not_block_other_addresses(client, other_client):
    # given
    factories.provider("boss")
    for n in range(get_settings().login_failures_per_address):
        await _login_codes(client, f"guess{n}", "wrong-password")
    # when
    codes = await _login_codes(other_client, "boss")
    # then
    assert codes == []


async def test_the_address_limit_expires_after_the_window(client):
    # given
    factories.provider("boss")
    window = timedelta(minutes=get_settings().throttle_window_minutes)
    with clock.frozen_at(T0):
        for n in range(get_settings().login_failures_per_address):
            await _login_codes(client, f"guess{n}", "wrong-password")
    # when
    with clock.frozen_at(T0 + window + timedelta(seconds=1)):
        codes = await _login_codes(client, "boss")
    # then
    assert codes == []


# --- password reset requests --------------------------------------------------------------------------

async def test_reset_requests_beyond_the_account_limit_are_rate_limited(client):
    # given
    factories.provider("boss")
    for _ in range(get_settings().password_resets_per_account):
        assert await _reset_codes(client, "boss", "boss@p.test") == []
    # when
    codes = await _reset_codes(client, "boss", "boss@p.test")
    # then
    assert codes == ["RATE_LIMITED"]


async def test_reset_rate_limit_answers_the_same_for_an_unknown_username(client):
    # given
    for _ in range(get_settings().password_resets_per_account):
        await _reset_codes(client, "nobody")
    # when
    codes = await _reset_codes(client, "nobody")
    # then
    assert codes == ["RATE_LIMITED"]


async def test_reset_requests_for_many_usernames_from_one_address_are_rate_limited(client, other_client):
    # given
    factories.provider("boss")
    for n in range(get_settings().password_resets_per_address):
        await _reset_codes(client, f"guess{n}")
    # when
    same_address = await _reset_codes(client, "boss", "boss@p.test")
    other_address = await _reset_codes(other_client, "boss", "boss@p.test")
    # then
    assert (same_address, other_address) == (["RATE_LIMITED"], [])


async def test_reset_rate_limit_expires_after_the_window(client):
    # given
    factories.provider("boss")
    window = timedelta(minutes=get_settings().throttle_window_minutes)
    with clock.frozen_at(T0):
        for _ in range(get_settings().password_resets_per_account):
            await _reset_codes(client, "boss", "boss@p.test")
    # when
    with clock.frozen_at(T0 + window + timedelta(seconds=1)):
        codes = await _reset_codes(client, "boss", "boss@p.test")
    # then
    assert codes == []


async def test_reset_requests_do_not_count_towards_the_login_limit(client):
    # given
    factories.provider("boss")
    for _ in range(get_settings().password_resets_per_account):
        await _reset_codes(client, "boss", "boss@p.test")
    # when
    codes = await _login_codes(client, "boss")
    # then
    assert codes == []

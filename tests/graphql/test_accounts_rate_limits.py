"""Rate limits on log-in and password-reset requests, per account, per client address and per both (ARCHITECTURE)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from comptoir.settings import get_settings
from tests import factories
from tests.conftest import LOGIN
from tests.tenancy.support import age_throttle, cheap_password_hashing, client_at, other_client  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

RESET_REQUEST = """mutation Forgot($username: String!, $email: String!) {
  passwordResetRequest(input: {username: $username, email: $email}) { message errors { code } }
}"""
WINDOW = timedelta(minutes=get_settings().throttle_window_minutes)


async def _login_codes(client, username, password=factories.PASSWORD):
    result = await client.execute(LOGIN, {"u": username, "p": password})
    return [e["code"] for e in result["data"]["sessionCreate"]["errors"]]


async def _fail_logins(client, username, times):
    for _ in range(times):
        assert await _login_codes(client, username, "wrong-password") == ["INVALID_CREDENTIALS"]


async def _reset_codes(client, username, email="someone@example.test"):
    result = await client.execute(RESET_REQUEST, {"username": username, "email": email})
    return [e["code"] for e in result["data"]["passwordResetRequest"]["errors"]]


def _pair_limit() -> int:
    return get_settings().login_failures_per_account_and_address


# --- log-in, per account and address ---------------------------------------------------------------

async def test_after_too_many_failures_from_an_address_even_the_right_password_is_rate_limited_there(client):
    # given
    factories.provider("boss")
    await _fail_logins(client, "boss", _pair_limit())
    # when
    codes = await _login_codes(client, "boss")
    # then
    assert codes == ["RATE_LIMITED"]


async def test_one_failure_fewer_than_the_limit_still_lets_the_right_password_in(client):
    # given
    factories.provider("boss")
    await _fail_logins(client, "boss", _pair_limit() - 1)
    # when
    codes = await _login_codes(client, "boss")
    # then
    assert codes == []


async def test_the_owner_logs_in_from_another_address_while_failures_lock_one_address_out(client, other_client):
    # given: anyone can send wrong passwords for a known username
    factories.provider("boss")
    await _fail_logins(client, "boss", _pair_limit())
    assert await _login_codes(client, "boss") == ["RATE_LIMITED"]
    # when
    codes = await _login_codes(other_client, "boss")
    # then
    assert codes == []


async def test_the_limit_ignores_the_case_of_the_username(client):
    # given
    factories.provider("boss")
    for name in ["boss", "BOSS", "Boss", "bOSS", "BOss", "boSS"][: _pair_limit()]:
        await _login_codes(client, name, "wrong-password")
    # when
    codes = await _login_codes(client, "boss")
    # then
    assert codes == ["RATE_LIMITED"]


async def test_a_rate_limited_account_does_not_block_other_accounts(client):
    # given
    provider = factories.provider("boss")
    factories.reseller(provider, "Resell", "resell")
    await _fail_logins(client, "boss", _pair_limit())
    # when
    codes = await _login_codes(client, "resell")
    # then
    assert codes == []


async def test_a_successful_login_forgets_the_accounts_earlier_failures(client):
    # given
    factories.provider("boss")
    limit = _pair_limit()
    await _fail_logins(client, "boss", limit - 1)
    assert await _login_codes(client, "boss") == []
    await _fail_logins(client, "boss", limit - 1)
    # when
    codes = await _login_codes(client, "boss")
    # then
    assert codes == []


async def test_the_limit_expires_after_the_window(client, superuser_connection):
    # given
    factories.provider("boss")
    await _fail_logins(client, "boss", _pair_limit())
    assert await _login_codes(client, "boss") == ["RATE_LIMITED"]
    # when
    age_throttle(superuser_connection, WINDOW + timedelta(seconds=1))
    codes = await _login_codes(client, "boss")
    # then
    assert codes == []


async def test_the_limit_still_holds_just_before_the_window_ends(client, superuser_connection):
    # given
    factories.provider("boss")
    await _fail_logins(client, "boss", _pair_limit())
    # when
    age_throttle(superuser_connection, WINDOW - timedelta(minutes=1))
    codes = await _login_codes(client, "boss")
    # then
    assert codes == ["RATE_LIMITED"]


async def test_addresses_of_one_ipv6_network_count_as_one_address():
    # given: an IPv6 client can use every address of its /64
    factories.provider("boss")
    for host in range(1, _pair_limit() + 1):
        async with client_at(f"2001:db8:0:7::{host}") as client:
            await _fail_logins(client, "boss", 1)
    # when
    async with client_at("2001:db8:0:7::ffff") as same_network, client_at("2001:db8:0:8::1") as other_network:
        codes = (await _login_codes(same_network, "boss"), await _login_codes(other_network, "boss"))
    # then
    assert codes == (["RATE_LIMITED"], [])


# --- log-in, per account from anywhere ------------------------------------------------------------------

async def test_failures_from_many_addresses_reach_the_looser_account_limit(monkeypatch):
    # given: the account limit reached without reaching any address's limit
    monkeypatch.setattr(get_settings(), "login_failures_per_account", 2 * (_pair_limit() - 1))
    factories.provider("boss")
    for address in ("192.0.2.1", "192.0.2.2"):
        async with client_at(address) as client:
            await _fail_logins(client, "boss", _pair_limit() - 1)
    # when
    async with client_at("192.0.2.3") as client:
        codes = await _login_codes(client, "boss")
    # then
    assert codes == ["RATE_LIMITED"]


async def test_the_account_limit_does_not_apply_where_the_owner_logged_in_lately(monkeypatch):
    # given: the owner once logged in at home, then failures from elsewhere reached the account limit
    monkeypatch.setattr(get_settings(), "login_failures_per_account", 2 * (_pair_limit() - 1))
    factories.provider("boss")
    async with client_at("192.0.2.80") as home:
        assert await _login_codes(home, "boss") == []
    for address in ("192.0.2.1", "192.0.2.2"):
        async with client_at(address) as client:
            await _fail_logins(client, "boss", _pair_limit() - 1)
    # when
    async with client_at("192.0.2.80") as home, client_at("192.0.2.3") as elsewhere:
        codes = (await _login_codes(home, "boss"), await _login_codes(elsewhere, "boss"))
    # then
    assert codes == ([], ["RATE_LIMITED"])


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


async def test_the_address_limit_expires_after_the_window(client, superuser_connection):
    # given
    factories.provider("boss")
    for n in range(get_settings().login_failures_per_address):
        await _login_codes(client, f"guess{n}", "wrong-password")
    # when
    age_throttle(superuser_connection, WINDOW + timedelta(seconds=1))
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


async def test_reset_rate_limit_expires_after_the_window(client, superuser_connection):
    # given
    factories.provider("boss")
    for _ in range(get_settings().password_resets_per_account):
        await _reset_codes(client, "boss", "boss@p.test")
    # when
    age_throttle(superuser_connection, WINDOW + timedelta(seconds=1))
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

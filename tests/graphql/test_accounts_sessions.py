"""Sessions (SPEC §1): log out, revoke, expiry, and the "allow multiple sessions" setting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from comptoir import clock
from comptoir.settings import get_settings
from tests import factories
from tests.tenancy.support import cheap_password_hashing  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

ME = "{ me { username } }"
SESSIONS = "{ viewer { sessions { id current clientAddress } } }"
LOGOUT = "mutation { sessionDelete { session { id current } errors { code field } } }"
REVOKE = """mutation Revoke($id: ID!) {
  sessionRevoke(input: {id: $id}) { session { id current } errors { code field } }
}"""
MULTIPLE_SESSIONS = """mutation Settings($allowed: Boolean!) {
  sellerSettingsUpdate(input: {allowMultipleSessions: $allowed}) { seller { allowMultipleSessions } errors { code } }
}"""



async def _me(client, token):
    return (await client.execute(ME, token=token))["data"]["me"]


async def _current_session_id(client, token):
    sessions = (await client.execute(SESSIONS, token=token))["data"]["viewer"]["sessions"]
    return next(s["id"] for s in sessions if s["current"])


async def test_logout_makes_the_token_anonymous(client):
    # given
    factories.provider("boss")
    token = await client.login("boss", factories.PASSWORD)
    # when
    result = await client.execute(LOGOUT, token=token)
    # then
    assert result["data"]["sessionDelete"]["errors"] == []
    assert result["data"]["sessionDelete"]["session"]["current"] is True
    assert await _me(client, token) is None


async def test_logout_ends_only_the_session_it_came_with(client):
    # given
    factories.provider("boss")
    laptop = await client.login("boss", factories.PASSWORD)
    phone = await client.login("boss", factories.PASSWORD)
    # when
    await client.execute(LOGOUT, token=laptop)
    # then
    assert await _me(client, phone) == {"username": "boss"}


async def test_viewer_lists_open_sessions_and_marks_the_current_one(client):
    # given
    factories.provider("boss")
    await client.login("boss", factories.PASSWORD)
    token = await client.login("boss", factories.PASSWORD)
    # when
    sessions = (await client.execute(SESSIONS, token=token))["data"]["viewer"]["sessions"]
    # then
    assert len(sessions) == 2
    assert [s["current"] for s in sessions].count(True) == 1
    assert {s["clientAddress"] for s in sessions} == {"203.0.113.7"}


async def test_session_revoke_ends_another_own_session_and_keeps_the_current_one(client):
    # given
    factories.provider("boss")
    laptop = await client.login("boss", factories.PASSWORD)
    phone = await client.login("boss", factories.PASSWORD)
    phone_session = await _current_session_id(client, phone)
    # when
    result = await client.execute(REVOKE, {"id": phone_session}, token=laptop)
    # then
    assert result["data"]["sessionRevoke"] == {"session": {"id": phone_session, "current": False}, "errors": []}
    assert await _me(client, phone) is None
    assert await _me(client, laptop) == {"username": "boss"}


async def test_session_revoke_of_another_users_session_is_not_found_and_leaves_it_open(client):
    # given
    provider = factories.provider("boss")
    reseller = factories.reseller(provider, "Resell", "resell")
    factories.customer(reseller, "carol")
    admin_token = await client.login("resell", factories.PASSWORD)
    admin_session = await _current_session_id(client, admin_token)
    customer_token = await client.login("carol", factories.PASSWORD)
    # when
    result = await client.execute(REVOKE, {"id": admin_session}, token=customer_token)
    # then
    assert result["data"]["sessionRevoke"]["session"] is None
    assert [e["code"] for e in result["data"]["sessionRevoke"]["errors"]] == ["NOT_FOUND"]
    assert await _me(client, admin_token) == {"username": "resell"}


async def test_session_revoke_with_a_malformed_id_is_not_found(client):
    # given
    factories.provider("boss")
    token = await client.login("boss", factories.PASSWORD)
    # when
    result = await client.execute(REVOKE, {"id": "not-a-global-id"}, token=token)
    # then
    assert [(e["code"], e["field"]) for e in result["data"]["sessionRevoke"]["errors"]] == [("NOT_FOUND", "id")]


async def test_token_works_until_its_session_expires(client):
    # given
    factories.provider("boss")
    ttl = timedelta(hours=get_settings().session_ttl_hours)
    with clock.frozen_at(datetime.now(UTC) - ttl + timedelta(seconds=30)):  # expiry is the database's clock
        token = await client.login("boss", factories.PASSWORD)
    # when
    me = await _me(client, token)
    # then
    assert me == {"username": "boss"}


async def test_token_of_an_expired_session_is_anonymous(client):
    # given
    factories.provider("boss")
    ttl = timedelta(hours=get_settings().session_ttl_hours)
    with clock.frozen_at(datetime.now(UTC) - ttl - timedelta(seconds=1)):  # expiry is the database's clock
        token = await client.login("boss", factories.PASSWORD)
    # when
    result = await client.execute("{ me { username } viewer { user { username } } }", token=token)
    # then
    assert result == {"data": {"me": None, "viewer": None}}


async def test_revoked_session_token_is_refused_where_login_is_required(client):
    # given
    factories.provider("boss")
    token = await client.login("boss", factories.PASSWORD)
    await client.execute(LOGOUT, token=token)
    # when
    result = await client.execute(LOGOUT, token=token)
    # then
    assert result["data"] is None
    assert [e["extensions"]["code"] for e in result["errors"]] == ["UNAUTHENTICATED"]


async def test_multiple_sessions_are_allowed_by_default(client):
    # given
    factories.provider("boss")
    first = await client.login("boss", factories.PASSWORD)
    # when
    second = await client.login("boss", factories.PASSWORD)
    # then
    assert await _me(client, first) == {"username": "boss"}
    assert await _me(client, second) == {"username": "boss"}


async def test_with_multiple_sessions_off_a_new_login_ends_the_earlier_sessions(client):
    # given
    factories.provider("boss")
    first = await client.login("boss", factories.PASSWORD)
    settings = await client.execute(MULTIPLE_SESSIONS, {"allowed": False}, token=first)
    assert settings["data"]["sellerSettingsUpdate"] == {"seller": {"allowMultipleSessions": False}, "errors": []}
    # when
    second = await client.login("boss", factories.PASSWORD)
    # then
    assert await _me(client, first) is None
    assert await _me(client, second) == {"username": "boss"}


async def test_with_multiple_sessions_off_other_users_keep_their_sessions(client):
    # given
    provider = factories.provider("boss")
    reseller = factories.reseller(provider, "Resell", "resell")
    factories.customer(reseller, "carol")
    admin = await client.login("resell", factories.PASSWORD)
    customer = await client.login("carol", factories.PASSWORD)
    await client.execute(MULTIPLE_SESSIONS, {"allowed": False}, token=admin)
    # when
    await client.login("resell", factories.PASSWORD)
    # then
    assert await _me(client, customer) == {"username": "carol"}


async def test_turning_multiple_sessions_back_on_keeps_earlier_sessions_at_the_next_login(client):
    # given
    factories.provider("boss")
    token = await client.login("boss", factories.PASSWORD)
    await client.execute(MULTIPLE_SESSIONS, {"allowed": False}, token=token)
    await client.execute(MULTIPLE_SESSIONS, {"allowed": True}, token=token)
    # when
    await client.login("boss", factories.PASSWORD)
    # then
    assert await _me(client, token) == {"username": "boss"}

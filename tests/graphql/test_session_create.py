"""Log-in through GraphQL."""

from __future__ import annotations

from tests import factories
from tests.conftest import LOGIN

ME = "{ me { username role } }"


async def test_login_returns_a_token_that_identifies_the_user(client):
    # given
    factories.provider("boss")
    # when
    token = await client.login("boss", factories.PASSWORD)
    result = await client.execute(ME, token=token)
    # then
    assert result["data"]["me"] == {"username": "boss", "role": "PROVIDER"}


async def test_wrong_password_is_a_typed_error_and_no_token(client):
    factories.provider("boss")
    result = await client.execute(LOGIN, {"u": "boss", "p": "nope-nope-nope"})
    payload = result["data"]["sessionCreate"]
    assert payload["token"] is None
    assert [e["code"] for e in payload["errors"]] == ["INVALID_CREDENTIALS"]


async def test_anonymous_me_is_null(client):
    result = await client.execute(ME)
    assert result == {"data": {"me": None}}

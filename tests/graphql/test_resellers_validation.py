"""Creating a reseller with bad input gives typed errors and creates nothing (SPEC §2)."""

from __future__ import annotations

import pytest

from tests import factories
from tests.graphql.test_resellers_manage import CREATE, create_input
from tests.tenancy.support import cheap_password_hashing, seller_named, user_named  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

COUNT = "{ resellers { totalCount } }"


@pytest.fixture
async def boss(client):
    factories.provider("boss")
    return await client.login("boss", factories.PASSWORD)


async def _create_errors(client, boss, **overrides):
    result = await client.execute(CREATE, {"input": create_input(**overrides)}, token=boss)
    assert "errors" not in result, result
    payload = result["data"]["resellerCreate"]
    assert (payload["reseller"] is None) == bool(payload["errors"])
    return [(e["code"], e["field"]) for e in payload["errors"]]


def _administrator(**overrides):
    return create_input()["administrator"] | overrides


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"limits": [{"resource": "DISK_SPACE", "limit": -1}]}, ("NEGATIVE_LIMIT", "limits")),
    ({"limits": [{"resource": "CUSTOMERS", "limit": 5}, {"resource": "CUSTOMERS", "limit": 6}]},
     ("DUPLICATE_RESOURCE", "limits")),
    ({"name": "   "}, ("INVALID_NAME", "name")),
    ({"name": "x" * 256}, ("INVALID_NAME", "name")),
    ({"email": "sales-at-hostella"}, ("INVALID_EMAIL", "email")),
    ({"country": "France"}, ("INVALID_COUNTRY", "country")),
    ({"language": "it"}, ("UNSUPPORTED_LANGUAGE", "language")),
    ({"administrator": _administrator(email="admin@")}, ("INVALID_EMAIL", "administrator.email")),
    ({"administrator": _administrator(username="has space")}, ("INVALID_USERNAME", "administrator.username")),
    ({"administrator": _administrator(password="short")}, ("PASSWORD_TOO_SHORT", "administrator.password")),
    ({"administrator": _administrator(username="hostella1", password="HOSTELLA1")},
     ("PASSWORD_SAME_AS_USERNAME", "administrator.password")),
])
async def test_invalid_reseller_input_is_a_typed_error_and_creates_nothing(client, boss, overrides, expected):
    # when
    errors = await _create_errors(client, boss, **overrides)
    # then
    assert errors == [expected]
    assert (await client.execute(COUNT, token=boss))["data"]["resellers"]["totalCount"] == 0


async def test_administrator_username_taken_by_the_provider_is_refused_whatever_its_case(client, boss):
    # when
    errors = await _create_errors(client, boss, administrator=_administrator(username="BOSS"))
    # then
    assert errors == [("USERNAME_TAKEN", "administrator.username")]
    assert seller_named("Hostella") is None


async def test_administrator_username_taken_by_another_resellers_customer_is_refused(client, boss):
    # given: the username lives in another tenant
    other = factories.reseller(factories.Actor(user_named("boss").seller_id, "boss"), "Other", "other-admin")
    factories.customer(other, "carol")
    # when
    errors = await _create_errors(client, boss, administrator=_administrator(username="Carol"))
    # then
    assert errors == [("USERNAME_TAKEN", "administrator.username")]
    assert seller_named("Hostella") is None


async def test_the_same_administrator_username_twice_is_refused_the_second_time(client, boss):
    # given
    assert await _create_errors(client, boss) == []
    # when
    errors = await _create_errors(client, boss, name="Hostella Bis")
    # then
    assert errors == [("USERNAME_TAKEN", "administrator.username")]
    assert (await client.execute(COUNT, token=boss))["data"]["resellers"]["totalCount"] == 1

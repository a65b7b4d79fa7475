"""Log-in hardening (issue 7): parallel attempts never pass a limit; hashes follow the argon2 parameters."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter

import pytest
from argon2 import PasswordHasher

from comptoir.settings import get_settings
from comptoir.tenancy import security
from tests import factories
from tests.conftest import LOGIN
from tests.tenancy.support import client_at, user_named

PARALLEL = 30


class CountingHasher(PasswordHasher):
    """A real (cheap) argon2id hasher that counts the verifications it runs."""

    def __init__(self, time_cost: int = 1, memory_cost: int = 8) -> None:
        super().__init__(time_cost=time_cost, memory_cost=memory_cost, parallelism=1)
        self.verifications = 0
        self._lock = threading.Lock()

    def verify(self, hash, password):  # type: ignore[no-untyped-def,override]
        with self._lock:
            self.verifications += 1
        return super().verify(hash, password)


@pytest.fixture
def hasher(monkeypatch: pytest.MonkeyPatch) -> CountingHasher:
    counting = CountingHasher()
    monkeypatch.setattr(security, "_hasher", counting)
    monkeypatch.setattr(security, "_DUMMY_HASH", counting.hash("comptoir-dummy-password"))
    return counting


async def _login_code(address: str, username: str, password: str) -> str:
    async with client_at(address) as client:
        result = await client.execute(LOGIN, {"u": username, "p": password})
    errors = result["data"]["sessionCreate"]["errors"]
    return errors[0]["code"] if errors else "OK"


async def test_parallel_wrong_passwords_from_one_address_verify_no_more_than_the_limit(hasher):
    # given
    factories.provider("boss")
    limit = get_settings().login_failures_per_account_and_address
    # when
    codes = await asyncio.gather(*(_login_code("198.51.100.1", "boss", f"wrong-{n}") for n in range(PARALLEL)))
    # then
    assert hasher.verifications == limit
    assert Counter(codes) == {"INVALID_CREDENTIALS": limit, "RATE_LIMITED": PARALLEL - limit}


async def test_parallel_wrong_passwords_from_many_addresses_verify_no_more_than_the_account_limit(
        hasher, monkeypatch):
    # given
    monkeypatch.setattr(get_settings(), "login_failures_per_account", 7)
    factories.provider("boss")
    # when
    codes = await asyncio.gather(*(_login_code(f"198.51.100.{n + 1}", "boss", "wrong-password")
                                   for n in range(PARALLEL)))
    # then
    assert hasher.verifications == 7
    assert Counter(codes) == {"INVALID_CREDENTIALS": 7, "RATE_LIMITED": PARALLEL - 7}


async def test_parallel_guesses_at_many_accounts_from_one_address_verify_no_more_than_the_address_limit(hasher):
    # given
    limit = get_settings().login_failures_per_address
    # when
    codes = await asyncio.gather(*(_login_code("198.51.100.1", f"guess{n}", "wrong-password")
                                   for n in range(PARALLEL)))
    # then
    assert hasher.verifications == limit
    assert Counter(codes) == {"INVALID_CREDENTIALS": limit, "RATE_LIMITED": PARALLEL - limit}


async def test_a_hash_made_with_other_argon2_parameters_is_replaced_at_log_in(client, monkeypatch):
    # given: a password stored with the suite's parameters, then the operator raises the cost
    factories.provider("boss")
    stronger = CountingHasher(time_cost=2, memory_cost=16)
    monkeypatch.setattr(security, "_hasher", stronger)
    # when
    await client.login("boss", factories.PASSWORD)
    # then
    stored = user_named("boss").password_hash
    assert not stronger.check_needs_rehash(stored)
    assert stronger.verify(stored, factories.PASSWORD)
    assert await client.login("boss", factories.PASSWORD)


async def test_a_hash_with_the_current_parameters_is_kept(client, hasher):
    # given
    factories.provider("boss")
    before = user_named("boss").password_hash
    # when
    await client.login("boss", factories.PASSWORD)
    # then
    assert user_named("boss").password_hash == before


async def test_a_wrong_password_does_not_replace_an_old_hash(client, monkeypatch):
    # given
    factories.provider("boss")
    before = user_named("boss").password_hash
    monkeypatch.setattr(security, "_hasher", CountingHasher(time_cost=2, memory_cost=16))
    # when
    result = await client.execute(LOGIN, {"u": "boss", "p": "a-wrong-password"})
    # then
    assert result["data"]["sessionCreate"]["errors"][0]["code"] == "INVALID_CREDENTIALS"
    assert user_named("boss").password_hash == before

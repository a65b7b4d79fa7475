"""Password hashing runs off the event loop: log-ins do not stall unrelated requests (issue 7 item 4)."""

from __future__ import annotations

import asyncio
import statistics
import threading
import time

import pytest
from argon2 import PasswordHasher

from comptoir.schema.ids import encode_id
from comptoir.tenancy import security
from tests import factories
from tests.conftest import LOGIN
from tests.tenancy.support import client_at

CHEAP_QUERY = "{ languages { code } }"
BURST = 6
PROBE_INTERVAL = 0.05


@pytest.fixture
def production_password_hashing(monkeypatch: pytest.MonkeyPatch) -> PasswordHasher:
    """argon2id at the production default cost (settings.py): ~0.3 s per hash on an idle core."""
    hasher = PasswordHasher()
    monkeypatch.setattr(security, "_hasher", hasher)
    monkeypatch.setattr(security, "_DUMMY_HASH", hasher.hash("comptoir-dummy-password"))
    return hasher


class ThreadRecordingHasher(PasswordHasher):
    """A real (cheap) argon2id hasher that notes the thread each hash and verification ran on."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.threads: list[str] = []

    def hash(self, password, *, salt=None):  # type: ignore[no-untyped-def,override]
        self.threads.append(threading.current_thread().name)
        return super().hash(password, salt=salt)

    def verify(self, hash, password):  # type: ignore[no-untyped-def,override]
        self.threads.append(threading.current_thread().name)
        return super().verify(hash, password)


@pytest.fixture
def recording_hasher(monkeypatch: pytest.MonkeyPatch) -> ThreadRecordingHasher:
    hasher = ThreadRecordingHasher()
    monkeypatch.setattr(security, "_hasher", hasher)
    monkeypatch.setattr(security, "_DUMMY_HASH", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("x"))
    return hasher


async def _timed(client, query: str) -> float:
    started = time.perf_counter()
    result = await client.execute(query)
    assert "errors" not in result, result
    return time.perf_counter() - started


async def _probe_until(burst: asyncio.Future, client) -> list[float]:  # type: ignore[type-arg]
    """Latencies of the cheap query sent every PROBE_INTERVAL whatever the server does (as outside clients
    do), each counted from when it was due: a request due while the loop is blocked waits for it."""
    latencies: list[float] = []

    async def probe(due: float) -> None:
        await client.execute(CHEAP_QUERY)
        latencies.append(time.perf_counter() - due)

    probes, due = [], time.perf_counter()
    while not burst.done():
        while due <= time.perf_counter():  # every request that fell due, even while the loop was blocked
            probes.append(asyncio.create_task(probe(due)))
            due += PROBE_INTERVAL
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
    await asyncio.gather(*probes)
    return latencies


async def _log_in_from(address: str, username: str) -> None:
    async with client_at(address) as client:
        await client.login(username, factories.PASSWORD)


async def test_cheap_requests_stay_fast_while_several_clients_log_in(client, production_password_hashing):
    # given: accounts whose stored hashes have the production cost, and one hash timed on this machine
    provider = factories.provider("boss")
    for n in range(BURST):
        factories.reseller(provider, f"Reseller {n}", f"user{n}")
    started = time.perf_counter()
    production_password_hashing.hash(factories.PASSWORD)
    one_hash = time.perf_counter() - started
    await _timed(client, CHEAP_QUERY)  # warm-up
    # when: each client logs in from its own address while the cheap query is sent on a timetable
    burst = asyncio.gather(*(_log_in_from(f"198.51.100.{n + 1}", f"user{n}") for n in range(BURST)))
    latencies = await _probe_until(burst, client)
    await burst
    # then: the loop answered all along; on the loop, the median was about a hash's time
    assert len(latencies) >= 5, (latencies, one_hash)
    assert statistics.median(latencies) < one_hash / 5, (latencies, one_hash)


@pytest.mark.parametrize("mutation, variables", [
    (LOGIN, {"u": "boss", "p": factories.PASSWORD}),
    (LOGIN, {"u": "boss", "p": "a-wrong-password"}),
    (LOGIN, {"u": "nobody", "p": factories.PASSWORD}),
    ("""mutation { passwordChange(input: {currentPassword: "correct-horse-battery",
         newPassword: "another-long-secret"}) { errors { code } } }""", None),
    ("""mutation { resellerCreate(input: {name: "Resell", email: "r@r.test", administrator: {
         username: "resell", password: "another-long-secret", email: "r@r.test"}}) { errors { code } } }""", None),
    ("""mutation { customerCreate(input: {contact: {contactName: "Carol", email: "c@c.test"}, username: "carol",
         password: "another-long-secret"}) { errors { code } } }""", None),
], ids=["log-in", "wrong password", "unknown user", "password change", "reseller creation", "customer creation"])
async def test_every_hash_and_verification_runs_on_the_hashing_threads(client, recording_hasher, mutation,
                                                                        variables):
    # given
    factories.provider("boss")
    token = await client.login("boss", factories.PASSWORD)
    recording_hasher.threads.clear()
    # when
    result = await client.execute(mutation, variables, token=token)
    # then
    assert "errors" not in result, result
    assert recording_hasher.threads, "no password was hashed or verified"
    assert all(name.startswith("password-hash") for name in recording_hasher.threads), recording_hasher.threads


async def test_a_customer_login_change_hashes_on_the_hashing_threads(client, recording_hasher):
    # given
    reseller = factories.reseller(factories.provider("boss"), "Resell", "resell")
    carol = factories.customer(reseller, "carol")
    token = await client.login("resell", factories.PASSWORD)
    recording_hasher.threads.clear()
    # when
    result = await client.execute(
        "mutation($id: ID!) { customerLoginChange(input: {id: $id, password: \"another-long-secret\"})"
        " { errors { code } } }", {"id": encode_id("Customer", carol.customer_id)}, token=token)
    # then
    assert result["data"]["customerLoginChange"]["errors"] == []
    assert recording_hasher.threads and all(name.startswith("password-hash") for name in recording_hasher.threads)

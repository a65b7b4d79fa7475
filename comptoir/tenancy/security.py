"""Password hashing (argon2) and opaque tokens stored only as SHA-256 digests.

An argon2 hash costs ~0.3 s of CPU at the production settings. Services run on the event loop's
thread (AsyncSession.run_sync runs them in a greenlet there), so a hash computed in place would stall
every other request of the process. Hashing and verification therefore run on a small thread pool
(argon2-cffi releases the GIL): inside run_sync the service's greenlet hands the work to the pool and
waits for it the way SQLAlchemy waits for a database round trip, and the loop serves other requests
meanwhile. Outside an event loop (CLI, Celery workers, scripts) they simply run in place.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.util import await_only
from sqlalchemy.util.concurrency import in_greenlet

from comptoir.settings import get_settings

T = TypeVar("T")

HASHING_NICENESS = 10

_settings = get_settings()
_hasher = PasswordHasher(time_cost=_settings.password_hash_time_cost,
                         memory_cost=_settings.password_hash_memory_kib,
                         parallelism=_settings.password_hash_parallelism)
# Verified against when the username is unknown, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash("comptoir-dummy-password")


def _yield_to_requests() -> None:
    """Lower the hashing thread's CPU priority (argon2's lane threads inherit it): when cores are busy,
    serving requests comes before finishing a log-in's hash."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASHING_NICENESS)
    except (AttributeError, OSError):  # not Linux: threads share the process's priority
        pass


# Each hash keeps `parallelism` threads busy: about one core per thread in all; more hashes at once
# would only share the same cores and multiply the memory cost (64 MiB each). Further log-ins wait
# for a free thread without blocking anything else.
_pool = ThreadPoolExecutor(
    max_workers=max(1, (os.cpu_count() or 1) // _settings.password_hash_parallelism),
    thread_name_prefix="password-hash", initializer=_yield_to_requests)

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256


def hash_password(password: str) -> str:
    return _off_the_loop(_hasher.hash, password)


def verify_password(password_hash: str | None, password: str) -> bool:
    return _off_the_loop(_verify, password_hash, password)


def needs_rehash(password_hash: str) -> bool:
    """Whether a hash that just verified was made with other argon2 parameters than the current ones."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return True


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def _off_the_loop(function: Callable[..., T], *args: object) -> T:
    """Run CPU-heavy `function` on the hashing pool when called from a service under AsyncSession.run_sync."""
    if not in_greenlet():
        return function(*args)
    return await_only(asyncio.get_running_loop().run_in_executor(_pool, function, *args))


def new_token() -> tuple[str, bytes]:
    """A bearer token for the client and the digest we keep."""
    token = secrets.token_urlsafe(32)
    return token, token_digest(token)


def token_digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()

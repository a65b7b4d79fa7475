"""The pool's RESET ALL rides on each commit; a transaction begun after that commit is reset on check-in.

comptoir.database.engine sends "COMMIT; RESET ALL" in one round trip instead of a separate RESET ALL
when the connection goes back to the pool. These tests hold the guard to what it promised before:
no session-level setting reaches the next checkout, however the last transaction ended.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from comptoir.database.engine import async_engine

POOL_URL = os.environ["COMPTOIR_DATABASE_URL"] + "?application_name=comptoir_reset_by_commit"
LEAK = text("SELECT set_config('comptoir.seller_id', :value, false)")
SEEN = text("SELECT current_setting('comptoir.seller_id', true) AS seller, pg_backend_pid() AS pid")


@pytest.fixture
async def engine() -> AsyncIterator[AsyncEngine]:
    yield async_engine(POOL_URL)
    await async_engine(POOL_URL).dispose()


async def test_a_commit_resets_the_session_in_the_same_round_trip(engine):
    # given a session-level setting made in a transaction
    async with engine.connect() as connection:
        await connection.execute(LEAK, {"value": "leaked"})
        # when it commits
        await connection.commit()
        # then the next transaction on the same connection already sees the default
        after = (await connection.execute(SEEN)).one()
    assert after.seller == ""


async def test_a_transaction_begun_after_a_reset_commit_is_reset_on_check_in(engine):
    # given a commit that reset the session, then a new transaction that leaks a setting and ends
    # outside SQLAlchemy's commit (the driver commits it directly)
    async with engine.connect() as connection:
        await connection.execute(SEEN)
        await connection.commit()
        leaking = (await connection.execute(SEEN)).one()
        await connection.execute(LEAK, {"value": "leaked"})
        raw = await connection.get_raw_connection()
        await raw.driver_connection.commit()
    # when the connection serves the next checkout
    async with engine.connect() as connection:
        after = (await connection.execute(SEEN)).one()
    # then it is the same backend, with the setting gone
    assert after.pid == leaking.pid
    assert after.seller == ""

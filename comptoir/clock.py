"""The one clock: all "now" and "today" come from here so tests and the sandbox can move time.

In sandbox mode (COMPTOIR_SANDBOX=true) the instance's clock runs ahead of the wall clock by an offset
stored in the database; every transaction reads it as it begins (database.engine), so all processes
of the instance agree on the time.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

_frozen: datetime | None = None
_offset = timedelta(0)


def now() -> datetime:
    return _frozen if _frozen is not None else datetime.now(UTC) + _offset


def today() -> date:
    return now().date()


def set_offset(offset: timedelta) -> None:
    """How far the sandbox clock runs ahead of the wall clock (read from the database)."""
    global _offset
    _offset = offset


@contextlib.contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    """Freeze the clock at `moment` (tests and replays)."""
    global _frozen
    previous, _frozen = _frozen, moment
    try:
        yield
    finally:
        _frozen = previous

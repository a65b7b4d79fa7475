"""The sandbox clock (Stripe's test clocks, for a whole instance): move time forward, day by day,
running every event that falls due on the way, in order."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from comptoir import clock
from comptoir.automation import events, intents
from comptoir.automation.errors import AutomationErrorCode
from comptoir.automation.events import EventRun
from comptoir.automation.rules import day_steps
from comptoir.database.engine import session_scope
from comptoir.errors import DomainError
from comptoir.settings import get_settings

# A year of billing is ~365 steps; more than a few years in one call is a mistake, not a test.
LONGEST_ADVANCE = timedelta(days=3 * 366)


def advance(*, provider_seller_id: uuid.UUID, to: datetime) -> list[EventRun]:
    """Move the instance's clock to `to`, stopping at every midnight (UTC) on the way: now and at each
    stop the due events run, oldest first, then the intents they wrote are performed. Returns every run."""
    if not get_settings().sandbox:
        raise DomainError(AutomationErrorCode.SANDBOX_DISABLED, "The instance is not in sandbox mode "
                          "(COMPTOIR_SANDBOX=true): its clock cannot be moved.", field="to")
    start = clock.now()
    if to <= start:
        raise DomainError(AutomationErrorCode.NOT_IN_FUTURE, "The sandbox clock only moves forward.", field="to")
    if to - start > LONGEST_ADVANCE:
        raise DomainError(AutomationErrorCode.TOO_FAR, "Advance at most three years at a time.", field="to")
    runs = _run_due()  # what is already due runs before the clock moves
    for stop in day_steps(start, to):
        _move_clock(provider_seller_id, stop)
        runs += _run_due()
    return runs


def _run_due() -> list[EventRun]:
    """Due events, then the intents they wrote, so that what a day caused is done that day."""
    runs = events.tick()
    intents.relay(inline=True)
    return runs


def _move_clock(provider_seller_id: uuid.UUID, moment: datetime) -> None:
    with session_scope(intents.system_context(provider_seller_id)) as session:
        try:
            ahead_by = session.execute(text("SELECT comptoir_clock_advance_to(:to)"), {"to": moment}).scalar_one()
        except DBAPIError as error:  # another advance moved it past `moment` meanwhile
            raise DomainError(AutomationErrorCode.NOT_IN_FUTURE, "The sandbox clock has moved meanwhile.",
                              field="to") from error
    clock.set_offset(ahead_by)

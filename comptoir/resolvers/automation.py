"""Resolvers of scheduled events and the sandbox clock (thin: parse, call automation, build the payload).

Running an event or moving the clock happens in automation's own system-context transactions, on a
worker thread: they are long, and the request's session must not be shared with them.
"""

from __future__ import annotations

import asyncio

from sqlalchemy.orm import Session
from strawberry.types import Info

from comptoir import clock
from comptoir.audit import recorder
from comptoir.automation import events, sandbox
from comptoir.automation.errors import AutomationErrorCode
from comptoir.automation.models import ScheduledEvent as ScheduledEventModel
from comptoir.errors import DomainError
from comptoir.schema.automation import (
    EventRun,
    SandboxClock,
    SandboxClockAdvanceInput,
    SandboxClockAdvancePayload,
    ScheduledEvent,
    ScheduledEventFilterInput,
    ScheduledEventRunInput,
    ScheduledEventRunPayload,
    ScheduledEventSortInput,
)
from comptoir.schema.base import Connection, error_payload, page_request, run_mutation
from comptoir.schema.ids import decode_id
from comptoir.settings import get_settings


async def scheduled_events(
    info: Info, first: int | None = None, after: str | None = None,
    filter: ScheduledEventFilterInput | None = None, sort: ScheduledEventSortInput | None = None,
) -> Connection[ScheduledEvent]:
    sort = sort or ScheduledEventSortInput()
    request = page_request(info, first, after, sort.direction)
    event_filter = events.EventFilter(
        kind=filter.kind if filter else None, status=filter.status if filter else None,
        seller_id=decode_id(filter.seller_id, "Seller", field="filter.sellerId")
        if filter and filter.seller_id else None)

    def load(session: Session) -> Connection[ScheduledEvent]:
        page = events.list_events(session=session, filter_=event_filter, page=request, sort=sort.field)
        return Connection[ScheduledEvent].from_page(page, ScheduledEvent.from_model)

    return await info.context.run(load)


async def scheduled_event_run(info: Info, input: ScheduledEventRunInput) -> ScheduledEventRunPayload:
    """Run an event now (seller staff: their own; the provider: any)."""
    def visible(session: Session) -> ScheduledEventModel:  # row security decides what the caller may run
        return events.get_or_raise(session=session, event_id=decode_id(input.id, "ScheduledEvent"))

    found = await run_mutation(info, visible)
    if isinstance(found, DomainError):
        return error_payload(ScheduledEventRunPayload, found)
    event_id = found.id
    run = await asyncio.to_thread(events.run_now, seller_id=found.seller_id, event_id=event_id)
    if run is None:
        return error_payload(ScheduledEventRunPayload, DomainError(
            AutomationErrorCode.EVENT_BUSY, "The event is running right now; try again in a moment.", field="id"))
    event = await info.context.run(lambda s: events.get_or_raise(session=s, event_id=event_id))
    return ScheduledEventRunPayload(event=ScheduledEvent.from_model(event), run=EventRun.from_record(run))


async def sandbox_clock(info: Info) -> SandboxClock:
    return SandboxClock(enabled=get_settings().sandbox, now=clock.now())


async def sandbox_clock_advance(info: Info, input: SandboxClockAdvanceInput) -> SandboxClockAdvancePayload:
    """Move the instance's clock forward day by day, running what falls due (provider only)."""
    provider_seller_id = info.context.tenant.seller_id
    try:
        with recorder.origin(operation=info.field_name):  # the worker thread's sessions record it
            runs = await asyncio.to_thread(sandbox.advance, provider_seller_id=provider_seller_id, to=input.to)
    except DomainError as error:
        return error_payload(SandboxClockAdvancePayload, error)
    return SandboxClockAdvancePayload(clock=SandboxClock(enabled=True, now=clock.now()),
                                      runs=[EventRun.from_record(run) for run in runs])

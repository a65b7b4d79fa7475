"""GraphQL types of automation: scheduled events, their runs, the sandbox clock."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from comptoir.automation.errors import AutomationErrorCode as _AutomationErrorCode
from comptoir.automation.events import EventRun as EventRunRecord
from comptoir.automation.events import EventSort as _EventSort
from comptoir.automation.events import EventStatus as _EventStatus
from comptoir.automation.models import ScheduledEvent as EventModel
from comptoir.database.pagination import SortDirection
from comptoir.schema.base import Node, UserError, error_code_enum
from comptoir.schema.ids import encode_id

AutomationErrorCode = error_code_enum("AutomationErrorCode", _AutomationErrorCode)
ScheduledEventStatus = strawberry.enum(_EventStatus, name="ScheduledEventStatus")
ScheduledEventSortField = strawberry.enum(_EventSort, name="ScheduledEventSortField")


@strawberry.type
class AutomationError(UserError):
    code: AutomationErrorCode  # type: ignore[valid-type]


@strawberry.type(description="An automation event of one seller (SPEC §10): when it runs next, how its last run went.")
class ScheduledEvent(Node):
    kind: str = strawberry.field(description="expiration_check, intent_relay, … (more come with each domain).")
    seller_id: strawberry.ID = strawberry.field(description="Global id of the seller the event works for.")
    status: ScheduledEventStatus  # type: ignore[valid-type]
    run_at: datetime = strawberry.field(description="When it runs next (a done one-off event: when it was due).")
    recurrence: str | None = strawberry.field(
        description="ISO 8601 duration between runs (P1D: daily at midnight, seller's time zone); null: one-off.")
    attempts: int = strawberry.field(description="Failed attempts of the current run so far.")
    last_error: str = strawberry.field(description="Why the last attempt failed; empty after a success.")
    last_run_at: datetime | None
    runs: int = strawberry.field(description="Successful runs so far.")
    result: JSON = strawberry.field(description="Summary of the last successful run, e.g. {\"suspended\": 2}.")

    @classmethod
    def from_model(cls, event: EventModel) -> ScheduledEvent:
        return cls(id=strawberry.ID(encode_id("ScheduledEvent", event.id)), kind=event.kind,
                   seller_id=strawberry.ID(encode_id("Seller", event.seller_id)),
                   status=_EventStatus(event.status), run_at=event.run_at, recurrence=event.recurrence,
                   attempts=event.attempts, last_error=event.last_error, last_run_at=event.last_run_at,
                   runs=event.runs, result=event.result)


@strawberry.type(description="One run of a scheduled event.")
class EventRun:
    event_id: strawberry.ID
    kind: str
    ran_at: datetime = strawberry.field(description="The instance's time when it ran (the sandbox clock's).")
    status: ScheduledEventStatus  # type: ignore[valid-type]
    result: JSON
    error: str

    @classmethod
    def from_record(cls, run: EventRunRecord) -> EventRun:
        return cls(event_id=strawberry.ID(encode_id("ScheduledEvent", run.event_id)), kind=run.kind,
                   ran_at=run.ran_at, status=_EventStatus(run.status), result=run.result, error=run.error)


@strawberry.type(description="The instance's clock. In sandbox mode the provider moves it forward.")
class SandboxClock:
    enabled: bool = strawberry.field(description="Whether the instance runs in sandbox mode (COMPTOIR_SANDBOX).")
    now: datetime


@strawberry.input
class ScheduledEventFilterInput:
    kind: str | None = None
    status: ScheduledEventStatus | None = None  # type: ignore[valid-type]
    seller_id: strawberry.ID | None = strawberry.field(default=None, description="The provider's view: one seller.")


@strawberry.input
class ScheduledEventSortInput:
    field: ScheduledEventSortField = _EventSort.RUN_AT  # type: ignore[valid-type]
    direction: SortDirection = SortDirection.ASC


@strawberry.input
class ScheduledEventRunInput:
    id: strawberry.ID


@strawberry.input
class SandboxClockAdvanceInput:
    to: datetime = strawberry.field(description="Where the clock goes: later than now, at most three years on.")


@strawberry.type
class ScheduledEventRunPayload:
    event: ScheduledEvent | None = None
    run: EventRun | None = None
    errors: list[AutomationError] = strawberry.field(default_factory=list)


@strawberry.type
class SandboxClockAdvancePayload:
    clock: SandboxClock | None = None
    runs: list[EventRun] = strawberry.field(default_factory=list,
                                            description="Every event that ran on the way, in order.")
    errors: list[AutomationError] = strawberry.field(default_factory=list)

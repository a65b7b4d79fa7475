"""Query and Mutation fields of automation: scheduled events (SPEC §10) and the sandbox clock."""

from __future__ import annotations

import strawberry

from comptoir.resolvers import automation as r
from comptoir.schema.automation import (
    SandboxClock,
    SandboxClockAdvancePayload,
    ScheduledEvent,
    ScheduledEventRunPayload,
)
from comptoir.schema.base import Connection
from comptoir.schema.permissions import IsAuthenticated, IsProvider, IsStaff


@strawberry.type
class AutomationQuery:
    scheduled_events: Connection[ScheduledEvent] = strawberry.field(
        resolver=r.scheduled_events, permission_classes=[IsStaff],
        description="The seller's automation events (every seller's for the provider), filtered and sorted.")
    sandbox_clock: SandboxClock = strawberry.field(
        resolver=r.sandbox_clock, permission_classes=[IsAuthenticated],
        description="The instance's time, and whether it runs in sandbox mode.")


@strawberry.type
class AutomationMutation:
    scheduled_event_run: ScheduledEventRunPayload = strawberry.mutation(
        resolver=r.scheduled_event_run, permission_classes=[IsStaff],
        description="Run a scheduled event now; a recurring one keeps its rhythm from now on.")
    sandbox_clock_advance: SandboxClockAdvancePayload = strawberry.mutation(
        resolver=r.sandbox_clock_advance, permission_classes=[IsProvider],
        description="Sandbox mode only: move the instance's clock forward, day by day, running every event "
                    "that falls due on the way, in order. Returns what ran.")

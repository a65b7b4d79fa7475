"""The subscription root (served over WebSocket, graphql-transport-ws). Named SubscriptionRoot: the
schema's `Subscription` is the hosting subscription."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from comptoir.resolvers import updates
from comptoir.schema.hosting import BackgroundJob
from comptoir.schema.permissions import IsStaff


@strawberry.type(name="SubscriptionRoot")
class SubscriptionRoot:
    background_job_updated: AsyncGenerator[BackgroundJob, None] = strawberry.subscription(
        resolver=updates.background_job_updated, permission_classes=[IsStaff],
        description="A background job's progress and status: now, then at each change, until it ends.")

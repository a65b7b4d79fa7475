"""The floor: the same query shapes from a bare Strawberry schema over in-memory objects with plain fields
(the subscriptions page's types are in bench/floor_hosting.py).

No database, no authentication, no extensions: what Strawberry and uvicorn cost for these responses.
The application's figures are read against it, so the floor keeps the application's process settings
(gc.freeze() after start-up, as comptoir.app does): change both together.
"""

from __future__ import annotations

import enum
import gc
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import strawberry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from strawberry.asgi import GraphQL

from bench.database import LIMITS, PERMISSIONS, PROVIDER, RESELLERS
from bench.floor_hosting import SubscriptionConnection, build_page
from comptoir.hosting.vocabulary import Resource as _Resource
from comptoir.tenancy.allocation import ResellerPermission as _ResellerPermission

LIMITED = dict(LIMITS)  # the allocation each seeded reseller has

Resource = strawberry.enum(_Resource, name="Resource")
ResellerPermission = strawberry.enum(_ResellerPermission, name="ResellerPermission")


@strawberry.enum
class UserRole(enum.Enum):
    PROVIDER = "provider"


@strawberry.type
class User:
    id: strawberry.ID
    username: str
    email: str
    full_name: str
    role: UserRole
    language: str
    created_at: datetime


@strawberry.type
class ResourceAllocation:
    resource: Resource  # type: ignore[valid-type]
    limit: int | None
    used: int
    remaining: int | None


@strawberry.type
class ResellerAllocation:
    overselling_allowed: bool
    limits: list[ResourceAllocation]
    permissions: list[ResellerPermission]  # type: ignore[valid-type]


@strawberry.type
class Reseller:
    id: strawberry.ID
    name: str
    allocation: ResellerAllocation | None


@strawberry.type
class ResellerEdge:
    cursor: str
    node: Reseller


@strawberry.type
class ResellerConnection:
    edges: list[ResellerEdge]
    total_count: int | None


def _reseller(n: int) -> Reseller:
    limits = [ResourceAllocation(resource=r, limit=LIMITED.get(r), used=0, remaining=LIMITED.get(r))
              for r in _Resource]
    allocation = ResellerAllocation(overselling_allowed=False, limits=limits, permissions=PERMISSIONS)
    return Reseller(id=strawberry.ID(f"Reseller:{uuid.uuid4()}"), name=f"Reseller {n:02}",
                    allocation=allocation)


USER = User(id=strawberry.ID(f"User:{uuid.uuid4()}"), username=PROVIDER, email=f"{PROVIDER}@p.test",
            full_name="", role=UserRole.PROVIDER, language="en", created_at=datetime.now(UTC))
PAGE = ResellerConnection(edges=[ResellerEdge(cursor=str(n), node=_reseller(n)) for n in range(RESELLERS)],
                          total_count=RESELLERS)
SUBSCRIPTIONS = build_page(int(os.environ.get("BENCH_SUBSCRIPTIONS_PER_RESELLER", "500")))


@strawberry.type
class Query:
    @strawberry.field
    def me(self) -> User | None:
        return USER

    @strawberry.field
    def resellers(self, first: int | None = None) -> ResellerConnection:
        return PAGE

    @strawberry.field
    def subscriptions(self, first: int | None = None) -> SubscriptionConnection:
        return SUBSCRIPTIONS


schema = strawberry.Schema(query=Query)


async def healthz(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    gc.collect()
    gc.freeze()  # as the application does, so the comparison is of the work per request alone
    gc.set_threshold(20_000, 50, 100)
    yield


app = Starlette(routes=[Route("/healthz", healthz), Route("/graphql", GraphQL(schema, graphql_ide=None))],
                lifespan=lifespan)

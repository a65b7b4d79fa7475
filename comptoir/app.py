"""The Starlette application: /graphql, /healthz, /readyz."""

from __future__ import annotations

import gc
import logging
from contextlib import asynccontextmanager
from collections.abc import AsyncIterator

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from comptoir.database.engine import async_engine
from comptoir.database.migrate import head_revision
from comptoir.http_graphql import graphql_endpoint

log = logging.getLogger("comptoir")


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """Ready when the database answers as the app role and its schema is at the migrations' head."""
    try:
        async with async_engine().connect() as connection:
            current = (await connection.execute(text("SELECT comptoir_schema_version()"))).scalar()
    except Exception as error:  # noqa: BLE001 - any failure means "not ready", with the reason
        return JSONResponse({"status": "unavailable", "database": type(error).__name__}, status_code=503)
    head = head_revision()
    if current != head:
        return JSONResponse({"status": "migrations pending", "current": current, "head": head}, status_code=503)
    return JSONResponse({"status": "ready", "revision": current})


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    # Objects alive after start-up never need the cyclic collector's attention (measured: less GC work per request).
    gc.collect()
    gc.freeze()
    yield
    await async_engine().dispose()


def create_app() -> Starlette:
    return Starlette(
        routes=[
            Route("/graphql", graphql_endpoint, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
        ],
        lifespan=lifespan,
    )


app = create_app()

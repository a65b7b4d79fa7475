"""The Starlette application: /graphql (HTTP and WebSocket, GraphiQL), /webhooks/{config id}, /healthz, /readyz."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import cache

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.types import Message, Scope

from comptoir.automation import events, intents, registry  # noqa: F401 -- registry wires the kinds
from comptoir.database.engine import async_engine
from comptoir.database.migrate import head_revision
from comptoir.documents import downloads
from comptoir.graphiql import graphiql_assets
from comptoir.http_graphql import graphql_endpoint
from comptoir.http_middleware import HttpMiddleware
from comptoir.http_webhooks import webhook_endpoint
from comptoir.messaging import catcher
from comptoir.observability import logs, metrics, tracing
from comptoir.settings import ensure_fit_to_run, get_settings
from comptoir.websocket import GraphQLWebSocket

log = logging.getLogger("comptoir")

# A probe that hangs is as bad as one that fails: orchestrators time probes out after a second or so.
READINESS_TIMEOUT_SECONDS = 2.0


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def readiness_probe(engine: Callable[[], AsyncEngine]) -> Callable[[Request], Awaitable[JSONResponse]]:
    """/readyz: ready when `engine` answers as the app role and its schema is at the migrations' head."""
    head = cache(head_revision)  # reading the migration scripts once per application is enough

    async def readyz(request: Request) -> JSONResponse:
        try:
            async with asyncio.timeout(READINESS_TIMEOUT_SECONDS):
                async with engine().connect() as connection:
                    current = (await connection.execute(text("SELECT comptoir_schema_version()"))).scalar()
        except Exception as error:  # noqa: BLE001 - any failure means "not ready", with the reason
            return JSONResponse({"status": "unavailable", "database": type(error).__name__}, status_code=503)
        if current != head():
            return JSONResponse({"status": "migrations pending", "current": current, "head": head()},
                                status_code=503)
        return JSONResponse({"status": "ready", "revision": current})

    return readyz


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    ensure_fit_to_run(get_settings())  # production refuses development secrets before serving anything
    # Objects alive after start-up never need the cyclic collector's attention (measured: less GC work per request).
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)  # fewer young-generation collections under load (measured in bench/)
    scheduler = asyncio.create_task(embedded_scheduler()) if _runs_embedded_scheduler() else None
    catching = start_smtp_catcher()
    yield
    # SIGTERM: uvicorn stops accepting, finishes in-flight requests, then runs this: stop the embedded
    # tick (a tick in progress finishes in its thread: its claims are row locks, released at commit),
    # the fast-path publisher's threads, then the pool.
    if scheduler is not None:
        scheduler.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await scheduler
    await asyncio.to_thread(intents.shutdown)
    if catching:
        catcher.stop()
    await async_engine().dispose()


def start_smtp_catcher() -> bool:
    """Embedded mode with no SMTP server configured: catch the e-mails locally (caughtEmails lists them)."""
    settings = get_settings()
    if settings.broker_url or settings.smtp_host or not settings.smtp_catcher:
        return False
    try:
        host, port = catcher.start(settings.smtp_catcher_port)
    except OSError:
        log.warning("the local SMTP catcher could not listen on port %s", settings.smtp_catcher_port)
        return False
    log.info("no SMTP server configured: e-mails are caught on %s:%s (query caughtEmails)", host, port)
    return True


def _runs_embedded_scheduler() -> bool:
    settings = get_settings()
    return not settings.broker_url and settings.embedded_tick_seconds > 0


async def embedded_scheduler() -> None:
    """Without a broker there is no beat: the API process ticks the scheduler itself (the intent relay
    is one of its events), off the event loop. Several processes may tick: events are claimed once."""
    while True:
        try:
            await asyncio.to_thread(events.tick)
        except Exception:  # noqa: BLE001 -- a failed tick (database restarting…) is retried next period
            log.exception("scheduler tick failed")
        await asyncio.sleep(get_settings().embedded_tick_seconds)


class NoSniff(HttpMiddleware):
    """Every HTTP response says X-Content-Type-Options: nosniff (no browser guesses a type from content)."""

    def on_response_start(self, scope: Scope, message: Message) -> None:
        message["headers"] = [*message.get("headers", []), (b"x-content-type-options", b"nosniff")]


def create_app(*, readiness_engine: Callable[[], AsyncEngine] = async_engine) -> Starlette:
    """readiness_engine: what /readyz checks; the application's own engine unless a test says otherwise."""
    routes: list[BaseRoute] = [
        Route("/graphql", graphql_endpoint, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
        WebSocketRoute("/graphql", GraphQLWebSocket()),
        Route("/webhooks/{config_id}", webhook_endpoint, methods=["POST"]),
        Route("/healthz", healthz),
        Route("/readyz", readiness_probe(readiness_engine)),
        downloads.route(),
        Route("/metrics", metrics.metrics_endpoint),
    ]
    if get_settings().graphiql:
        routes.append(graphiql_assets())
    app = Starlette(routes=routes, lifespan=lifespan)
    app.add_middleware(NoSniff)
    app.add_middleware(metrics.HttpMetrics)
    tracing.instrument_app(app, get_settings())
    return app


logs.configure(get_settings())
metrics.install_collector()
intents.install()  # committed intents reach their handlers from this process
app = create_app()

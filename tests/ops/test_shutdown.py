"""The API's shutdown (uvicorn runs it after SIGTERM and draining requests) stops what the process started:
the embedded scheduler loop and the intent publisher's threads."""

from __future__ import annotations

import asyncio

from comptoir.automation import intents
from comptoir.settings import get_settings


async def test_shutdown_stops_the_embedded_tick_loop_and_the_publisher_threads(monkeypatch):
    from comptoir import app as application

    # given the embedded mode (no broker) and a publisher pool in use
    monkeypatch.setattr(get_settings(), "broker_url", "")
    monkeypatch.setattr(get_settings(), "embedded_tick_seconds", 1)
    intents._pool().submit(lambda: None).result()
    started: list[asyncio.Task] = []
    real = application.embedded_scheduler
    monkeypatch.setattr(application, "embedded_scheduler", lambda: _tracked(real(), started))
    app = application.create_app()
    # when the application starts then shuts down
    async with app.router.lifespan_context(app):
        await asyncio.sleep(0.05)
        assert started and not started[0].done()
    # then
    assert started[0].done()
    assert intents._executor is None


async def _tracked(coroutine, started):
    started.append(asyncio.current_task())
    return await coroutine

"""A base for the application's ASGI middlewares: HTTP only (WebSockets pass through untouched), a hook on
each response's start, and one around the whole request."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HttpMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_watched(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.on_response_start(scope, message)
            await send(message)

        await self.around(scope, lambda: self.app(scope, receive, send_watched))

    def on_response_start(self, scope: Scope, message: Message) -> None:
        """Change or read the response's status and headers before they are sent."""

    async def around(self, scope: Scope, call: Callable[[], Awaitable[None]]) -> None:
        await call()

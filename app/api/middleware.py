"""The base of the plain ASGI middlewares (``BodyGuard``, ``SecurityHeaders``, ``Identity``): they
act on HTTP requests only, and pass the lifespan and anything else through untouched. Plain ASGI
rather than Starlette's ``BaseHTTPMiddleware``, so that event streams pass without being buffered."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send


class HttpMiddleware:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.http(scope, receive, send)

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one HTTP request, calling ``self.app`` to pass it on."""
        raise NotImplementedError

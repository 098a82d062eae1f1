"""Security headers on every response, as a plain ASGI middleware (streams pass untouched).

``X-Content-Type-Options: nosniff`` and ``Referrer-Policy`` everywhere; the HTML pages get a
Content-Security-Policy that allows only this origin (plotly needs inline styles). The API docs
(``/docs``, ``/redoc``) run inline scripts, so they get a policy of their own.
"""

from __future__ import annotations

from starlette.types import Message, Receive, Scope, Send

from .middleware import HttpMiddleware

# frame-ancestors: no other site may show the pages in a frame (X-Frame-Options says the same to
# older browsers), where a click could be steered onto a button it does not show.
PAGE_POLICY = ("default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
               "frame-ancestors 'none'")
DOCS_POLICY = ("default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
               "script-src 'self' 'unsafe-inline'; worker-src 'self' blob:; frame-ancestors 'none'")
DOCS_PATHS = ("/docs", "/redoc")


class SecurityHeaders(HttpMiddleware):
    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        docs = scope["path"].startswith(DOCS_PATHS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                extra = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
                         (b"x-frame-options", b"DENY")]
                content_type = dict(headers).get(b"content-type", b"")
                if content_type.startswith(b"text/html"):
                    extra.append((b"content-security-policy", (DOCS_POLICY if docs else PAGE_POLICY).encode()))
                headers += [(name, value) for name, value in extra if name not in names]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)

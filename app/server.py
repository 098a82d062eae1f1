"""How ``python -m app`` runs uvicorn: a deadline for request headers, and a prompt stop.

* **Slow headers.** uvicorn has a keep-alive timeout but none for a request's headers, so a client
  that sends half of them holds its connection for ever. ``HeaderDeadline`` is uvicorn's httptools
  protocol with one timer, armed when the connection opens (and when a later request on it begins)
  and cancelled when the headers are complete; when it fires the client gets a 408 and the
  connection is closed. It has to live in the protocol: until the headers are complete there is no
  request, so no ASGI layer runs (the body's deadline is ASGI's: ``app/api/bodies.py``).
* **A prompt stop.** On SIGTERM uvicorn closes the listening socket and then waits for every open
  connection, an event stream included, before the app's lifespan shutdown may run; under Docker a
  stop that takes over 10 s ends in SIGKILL. ``Server.shutdown`` first tells the app it is stopping
  (``app.main.begin_shutdown``: event streams and long waits end), and gives the requests still
  under way ``NNVIZ_SHUTDOWN_SECONDS`` before they are cancelled; then the lifespan shutdown lets
  go of this server's job leases, so that another server adopts its jobs at once.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Callable

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from app.settings import Settings


class HeaderDeadline(HttpToolsProtocol):
    header_timeout = 10.0  # seconds; a subclass made by ``with_header_timeout`` sets the setting's value

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_timer: asyncio.TimerHandle | None = None
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._header_timer is None:  # a later request on a kept-alive connection
            self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._header_timer = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self.transport.is_closing():
            return
        body = json.dumps({"detail": f"the request's headers did not arrive within {self.header_timeout:g} s "
                                     "(NNVIZ_HEADER_TIMEOUT)"}).encode()
        self.transport.write(b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
                             b"content-length: %d\r\nconnection: close\r\n\r\n%s" % (len(body), body))
        self.transport.close()


def with_header_timeout(seconds: float) -> type[HeaderDeadline]:
    return type("HeaderDeadline", (HeaderDeadline,), {"header_timeout": seconds})


class Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, on_stopping: Callable[[], None]):
        super().__init__(config)
        self.on_stopping = on_stopping

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self.on_stopping()
        await super().shutdown(sockets)


def serve(settings: Settings, host: str, port: int) -> None:
    """Serve ``app.main:app`` until SIGTERM or SIGINT (port 0: any free port, logged at start)."""
    from app.main import app, begin_shutdown  # building the app opens nothing: its lifespan does

    # X-Forwarded-For is the app's own business (NNVIZ_TRUSTED_PROXIES, app/main.py), not uvicorn's.
    config = uvicorn.Config(app, host=host, port=port, proxy_headers=False, access_log=settings.access_log,
                            http=with_header_timeout(settings.header_timeout),
                            timeout_graceful_shutdown=settings.shutdown_seconds)
    Server(config, lambda: begin_shutdown(app)).run()

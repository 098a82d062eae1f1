"""Request bodies: a size limit per operation, a deadline, and a fast JSON parser for large ones.

``BodyGuard`` (a plain ASGI middleware) guards the body as the operation reads it. Its limit is
``NNVIZ_MAX_REQUEST_BYTES`` unless the route marks another setting with ``body_limit(...)``
(imports and specs with weights: ``NNVIZ_MAX_BODY_BYTES``; the CSV upload: ``NNVIZ_MAX_UPLOAD_BYTES``
plus room for the form around the file). A ``Content-Length`` above it is answered 413 before a
byte of the body is read; a chunked body is counted as it arrives and refused as soon as it passes
the limit. The whole body must arrive within ``NNVIZ_BODY_TIMEOUT`` seconds of the headers, or the
answer is 408. Either way the connection is then closed (the rest of the body is never read). Each
operation's limit is in the OpenAPI schema as ``x-max-body-bytes``.

``LargeJSONRoute`` parses JSON bodies with orjson instead of the standard library.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

import anyio
import orjson
from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import Message, Receive, Scope, Send

from app.services.specs import LIMIT_MARK
from app.settings import Settings

from .middleware import HttpMiddleware

DEFAULT_SETTING = "max_request_bytes"
FORM_ROOM = 64 * 1024  # a multipart form's boundaries and part headers around the file
STDLIB_FALLBACK_BYTES = 1_000_000  # below this, JSON orjson refuses (NaN, huge integers) is read by json


def body_limit(setting: str) -> dict[str, Any]:
    """A route's ``openapi_extra``: its body may be as large as ``setting`` says (the schema shows
    the running server's value as ``x-max-body-bytes``)."""
    return {LIMIT_MARK: {"x-max-body-bytes": setting}}


def limit_for(scope: Scope, settings: Settings, headers: Headers) -> tuple[int, str]:
    """The body limit of this request's operation (the router has put its route in the scope by the
    time the body is asked for) in bytes, and the setting it comes from."""
    extra = getattr(scope.get("route"), "openapi_extra", None) or {}
    setting = extra.get(LIMIT_MARK, {}).get("x-max-body-bytes", DEFAULT_SETTING)
    limit = getattr(settings, setting)
    if headers.get("content-type", "").startswith("multipart/form-data"):
        limit += FORM_ROOM
    return limit, setting


def too_large(settings: Settings, setting: str) -> HTTPException:
    return HTTPException(413, f"the body is larger than this operation's limit of {getattr(settings, setting)} bytes "
                              f"(NNVIZ_{setting.upper()})", headers={"Connection": "close"})


def too_slow(seconds: float) -> HTTPException:
    return HTTPException(408, f"the body did not arrive within {seconds:g} s of the headers (NNVIZ_BODY_TIMEOUT)",
                         headers={"Connection": "close"})


class BodyGuard(HttpMiddleware):
    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope)
        length = headers.get("content-length")
        chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        if not chunked and (length is None or length.strip() == "0"):
            await self.app(scope, receive, send)  # no body: nothing to guard
            return
        settings: Settings = scope["app"].state.settings
        deadline = anyio.current_time() + settings.body_timeout
        received, complete, started, limit, setting = 0, False, False, 0, ""

        async def guarded_receive() -> Message:
            nonlocal received, complete, limit, setting
            if complete:  # the body is in; what follows is a wait for the client to leave, with no deadline
                return await receive()
            if not setting:  # the first read: the operation is known, no byte of the body is read yet
                limit, setting = limit_for(scope, settings, headers)
                if length is not None and length.strip().isdigit() and int(length) > limit:
                    raise too_large(settings, setting)
            with anyio.move_on_after(deadline - anyio.current_time()) as timer:
                message = await receive()
            if timer.cancelled_caught:
                raise too_slow(settings.body_timeout)
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                complete = not message.get("more_body", False)
                if received > limit:
                    raise too_large(settings, setting)
            return message

        async def closing_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                answer_headers = message.get("headers", [])
                # An answer before the whole body: the rest is not read, so the connection ends.
                if not complete and not any(name.lower() == b"connection" for name, _ in answer_headers):
                    message = {**message, "headers": [*answer_headers, (b"connection", b"close")]}
            await send(message)

        try:
            await self.app(scope, guarded_receive, closing_send)
        except HTTPException as error:  # raised by a reader outside FastAPI's handlers
            if started or error.status_code not in (408, 413):
                raise
            await _answer(error, closing_send)


async def _answer(error: HTTPException, send: Send) -> None:
    body = json.dumps({"detail": error.detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
               (b"connection", b"close")]
    await send({"type": "http.response.start", "status": error.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _parse(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        if len(body) > STDLIB_FALLBACK_BYTES:
            raise
        # NaN and Infinity, which orjson refuses, are read here, so that the check of the value can name its field
        return json.loads(body)


class OrjsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = _parse(await self.body())
        return self._json


class LargeJSONRoute(APIRoute):
    """Reads JSON bodies with orjson: a 10 MB export in ~80 ms where the standard library takes ~430 ms.
    It runs on the event loop: a parser holds the GIL for the whole document, and measured, the loop
    stalls as long with the parse in the thread pool as without; only a faster parse (and the size
    limits) shorten the stall."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            return await handler(OrjsonRequest(request.scope, request.receive))

        return handle

"""Answers built once, kept in the server's ``BodyCache`` and sent with HTTP caching headers.

A route names what its answer is a function of (``key``) and how to build it; ``Cached`` answers
from the cache, gzipped when the client accepts it, under one of three policies (routes using it
are ``async``: a kept answer then costs no thread-pool hop):

* ``public``: a GET that is a pure function of its URL (activations, data sets).
  ``Cache-Control: public, max-age=N`` and a strong ETag: any cache may keep it.
* ``private``: a figure of a stored network, keyed by its id and ``updated_at``: ``Cache-Control:
  private, no-cache`` and an ETag, so the browser asks each time and hears 304 until the network
  changes (a job trains it). The route checks the owner first (404 for anyone else's network), so
  a kept body never reaches another person.
* ``kept``: a POST preview, a pure function of its body: no browser caches a POST, so it is kept on
  the server only.

The ETag is the key's digest (with the code's fingerprint), so a 304 costs no build at all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import TypeAdapter

from app.httpcache import accepts_gzip, etag_matches
from app.services.cache import digest

JSON = "application/json"
PRIVATE = "private, no-cache"


def model_json(model: Any, value: Any) -> bytes:
    """``value`` checked against the response model ``model`` and written as JSON (NaN as null)."""
    adapter = TypeAdapter(model)
    return adapter.dump_json(adapter.validate_python(value))


class Cached:
    """The answer of one request from the server's cache (a dependency: ``CachedDep``)."""

    def __init__(self, request: Request):
        self.request = request
        self.cache = request.app.state.services.cache
        self.max_age = request.app.state.settings.cache_max_age

    async def public(self, key: tuple, build: Callable[[], str | bytes]) -> Response:
        return await self._answer(key, build, f"public, max-age={self.max_age}")

    async def private(self, key: tuple, build: Callable[[], str | bytes]) -> Response:
        return await self._answer(key, build, PRIVATE)

    async def kept(self, key: tuple, build: Callable[[], str | bytes]) -> Response:
        return await self._answer(key, build, None)

    async def _answer(self, key: tuple, build: Callable[[], str | bytes], cache_control: str | None) -> Response:
        """A 304 or a kept body costs no thread; a body to build is built in the thread pool."""
        tag = digest(*key)
        headers = {"Vary": "Accept-Encoding"}
        if cache_control is not None:
            headers |= {"Cache-Control": cache_control, "ETag": f'"{tag}"'}
            if etag_matches(self.request.headers.get("if-none-match"), f'"{tag}"'):
                return Response(status_code=304, headers=headers)
        body = self.cache.get(tag) or await run_in_threadpool(self.cache.get_or_build, tag, build)
        if body.gzipped is not None and accepts_gzip(self.request.headers.get("accept-encoding", "")):
            return Response(body.gzipped, media_type=JSON, headers=headers | {"Content-Encoding": "gzip"})
        return Response(body.raw, media_type=JSON, headers=headers)


async def cached(request: Request) -> Cached:  # async: no thread-pool hop (see deps.py)
    return Cached(request)


CachedDep = Annotated[Cached, Depends(cached)]

"""Who is asking, for every request: an owner id in ``request.state.owner``.

``Authorization: Bearer <token>`` (from ``POST /api/tokens``) names its owner; an unknown, revoked
or expired token is a 401 that says which. Otherwise the signed cookie does; a request without a
valid one gets a new anonymous owner and the cookie that names it (``HttpOnly``, ``SameSite=Lax``,
``Secure`` over HTTPS). Nothing to sign up for, nothing to type.

An answer to someone is theirs: unless a route declares it ``public`` (the same for everyone), it
is ``private`` (no shared cache keeps it), and one that says nothing about caching is not kept at
all (see ``private``). How many new owners one address may get is limited
(``app/api/rates.py``).
"""

from __future__ import annotations

import json
from typing import Annotated

import anyio
from fastapi import Depends, Request
from starlette.datastructures import Headers
from starlette.types import Message, Receive, Scope, Send

from app.services.owners import TokenRefused, new_owner

from .middleware import HttpMiddleware

COOKIE = "nnviz_owner"
COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest browsers keep a cookie
ANONYMOUS_PATHS = ("/api/health",)  # load balancers' health checks get no cookie
# What an answer that names no caching gets. The API's are someone's networks, jobs, exports, tokens:
# kept nowhere. A page is the same for everyone but may carry a new visitor's cookie: private, and
# no-cache rather than no-store, which would keep it out of the browser's back-forward cache.
API_CACHING, PAGE_CACHING = b"private, no-store", b"private, no-cache"


def cookie_header(value: str, secure: bool) -> bytes:
    parts = [f"{COOKIE}={value}", "Path=/", f"Max-Age={COOKIE_MAX_AGE}", "HttpOnly", "SameSite=Lax"]
    return "; ".join([*parts, "Secure"] if secure else parts).encode()


class Identity(HttpMiddleware):
    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        services = getattr(scope["app"].state, "services", None)
        if scope["path"] in ANONYMOUS_PATHS or services is None:
            await self.app(scope, receive, send)
            return
        owners = services.owners
        headers = Headers(scope=scope)
        scheme, _, token = headers.get("authorization", "").partition(" ")
        issue = None
        if scheme.lower() == "bearer":
            try:
                owner = await anyio.to_thread.run_sync(owners.from_token, token.strip())
            except TokenRefused as refused:
                await _answer(send, 401, f"Authorization: {refused}", {"www-authenticate": "Bearer"})
                return
        else:
            cookies = _cookies(headers.get("cookie", ""))
            owner = owners.from_cookie(cookies.get(COOKIE))
            if owner is None:
                refusal = scope["app"].state.rates.refusal("identities", scope)
                if refusal is not None:
                    await _answer(send, 429, *refusal)
                    return
                owner = new_owner()
                issue = cookie_header(owners.cookie(owner), scope.get("scheme") == "https")
        scope.setdefault("state", {})["owner"] = owner

        default = API_CACHING if scope["path"].startswith("/api/") else PAGE_CACHING

        async def send_with_cookie(message: Message) -> None:
            # An answer any cache may keep for everyone (Cache-Control: public) must not carry a cookie.
            if message["type"] == "http.response.start" and not _public(message):
                message = private(message, default)
                if issue is not None:
                    message = {**message, "headers": [*message["headers"], (b"set-cookie", issue)]}
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def _public(message: Message) -> bool:
    return any(name.lower() == b"cache-control" and value.startswith(b"public")
               for name, value in message.get("headers", []))


def private(message: Message, default: bytes) -> Message:
    """The answer's start with ``Cache-Control`` marked ``private`` (its ``no-cache`` and ETag kept,
    so revalidation still works), or ``default`` when it names no caching."""
    headers = list(message.get("headers", []))
    for i, (name, value) in enumerate(headers):
        if name.lower() == b"cache-control":
            if b"private" not in value:
                headers[i] = (name, b"private, " + value)
            break
    else:
        headers.append((b"cache-control", default))
    return {**message, "headers": headers}


def _cookies(header: str) -> dict[str, str]:
    pairs = (part.strip().partition("=") for part in header.split(";"))
    return {name: value for name, _, value in pairs if name}


async def _answer(send: Send, status: int, detail: str, headers: dict[str, str]) -> None:
    body = json.dumps({"detail": detail}).encode()
    extra = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *extra]})
    await send({"type": "http.response.body", "body": body})


async def current_owner(request: Request) -> str:  # async: no thread-pool hop (see deps.py)
    return request.state.owner


OwnerDep = Annotated[str, Depends(current_owner)]

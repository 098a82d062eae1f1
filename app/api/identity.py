"""Who is asking, for every request: an owner id in ``request.state.owner``.

``Authorization: Bearer <token>`` (from ``POST /api/tokens``) names its owner; an unknown token is
a 401. Otherwise the signed cookie does; a request without a valid one gets a new anonymous owner
and the cookie that names it (``HttpOnly``, ``SameSite=Lax``, ``Secure`` over HTTPS). Nothing to
sign up for, nothing to type. How many new owners one address may get is limited
(``app/api/rates.py``).
"""

from __future__ import annotations

import json
from typing import Annotated

import anyio
from fastapi import Depends, Request
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.services.owners import new_owner

COOKIE = "nnviz_owner"
COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest browsers keep a cookie
ANONYMOUS_PATHS = ("/api/health",)  # load balancers' health checks get no cookie


def cookie_header(value: str, secure: bool) -> bytes:
    parts = [f"{COOKIE}={value}", "Path=/", f"Max-Age={COOKIE_MAX_AGE}", "HttpOnly", "SameSite=Lax"]
    return "; ".join([*parts, "Secure"] if secure else parts).encode()


class Identity:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        services = getattr(scope["app"].state, "services", None)
        if scope["type"] != "http" or scope["path"] in ANONYMOUS_PATHS or services is None:
            await self.app(scope, receive, send)
            return
        owners = services.owners
        headers = Headers(scope=scope)
        scheme, _, token = headers.get("authorization", "").partition(" ")
        issue = None
        if scheme.lower() == "bearer":
            owner = await anyio.to_thread.run_sync(owners.from_token, token.strip())
            if owner is None:
                await _answer(send, 401, "Authorization: unknown or revoked token (get one with POST /api/tokens)",
                              {"www-authenticate": "Bearer"})
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

        async def send_with_cookie(message: Message) -> None:
            # An answer any cache may keep for everyone (Cache-Control: public) must not carry a cookie.
            if issue is not None and message["type"] == "http.response.start" and not _public(message):
                message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", issue)]}
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def _public(message: Message) -> bool:
    return any(name.lower() == b"cache-control" and value.startswith(b"public")
               for name, value in message.get("headers", []))


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

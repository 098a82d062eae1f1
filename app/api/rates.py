"""Per client address: how fast it may create identities (new cookies), API tokens, jobs, joins of a
class and imported classes.

Identities cost nothing to make, so the per-person limits alone would let one machine be a thousand
people; these limits are per address instead, sized so that a class of 300 behind one school
address never meets them (``NNVIZ_ADDRESS_*_PER_MINUTE``). Beyond one: 429 with ``Retry-After``
and a message naming the limit. The address is the connection's, or the one ``X-Forwarded-For``
names when the connection comes from a trusted proxy (``NNVIZ_TRUSTED_PROXIES``, applied by
uvicorn's ``ProxyHeadersMiddleware`` in ``app/main.py``).
"""

from __future__ import annotations

from typing import Literal

from fastapi import Depends, HTTPException, Request, params
from starlette.types import Scope

from app.services.rates import AddressRate, retry_after
from app.settings import Settings

Kind = Literal["identities", "tokens", "jobs", "joins", "imports"]
WHAT: dict[str, str] = {"identities": "new visitors (requests without a cookie)", "tokens": "new API tokens",
                        "jobs": "jobs started", "joins": "requests to join a class", "imports": "classes imported"}


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else ""


class AddressRates:
    """One bucket set per kind, from the settings ``address_<kind>_per_minute``."""

    def __init__(self, settings: Settings):
        self.rates = {kind: AddressRate(getattr(settings, f"address_{kind}_per_minute")) for kind in WHAT}

    def refusal(self, kind: Kind, scope: Scope) -> tuple[str, dict[str, str]] | None:
        """None if the request's address may do one more ``kind``; else the 429's message and headers."""
        wait = self.rates[kind].take(client_address(scope))
        if not wait:
            return None
        seconds = retry_after(wait)
        limit = self.rates[kind].per_minute
        message = (f"too many {WHAT[kind]} from your address: this server allows {limit} a minute "
                   f"(NNVIZ_ADDRESS_{kind.upper()}_PER_MINUTE); retry after {seconds} s")
        return message, {"Retry-After": str(seconds)}


def limited(kind: Kind) -> params.Depends:
    """A route dependency: 429 when the request's address has done ``kind`` too often."""

    async def check(request: Request) -> None:  # async: no thread-pool hop (see deps.py)
        refusal = request.app.state.rates.refusal(kind, request.scope)
        if refusal is not None:
            raise HTTPException(429, refusal[0], headers=refusal[1])

    return Depends(check)

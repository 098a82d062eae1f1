"""Who is asking: anonymous owners, their signed cookies, API tokens and share links.

A browser gets an owner id on its first request, in a cookie signed with the server's key
(HMAC-SHA256), so nobody can claim another's id. API clients may instead ask for a token, an
unguessable string of which only a hash is stored; it names the same owner. A share link is an
unguessable token that opens one network read-only.

The signing key is the root of every credential the server hands out: a token records the key it
was minted under (as an HMAC of a fixed text, never the key), so changing ``NNVIZ_SECRET_KEY``
ends every cookie identity and every token at once, which is what an operator who rotates it
because it leaked, or to start a new term afresh, asks for (docs/limits.md).
A token also ends ``NNVIZ_TOKEN_TTL`` seconds after it was minted.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from typing import Any

from .scheduler import PersonLimit
from .store import Full, Store, iso_time

OWNER_BYTES = 16
TOKEN_BYTES = 32
PREFIX_CHARS = 8  # a token's first characters, shown in lists to tell tokens apart (208 secret bits stay)
LAST_USED_RESOLUTION = 60.0  # "last used" is written at most once a minute per token: no write per request
KEY_NAME = "cookie_signing_key"


def new_owner() -> str:
    return secrets.token_hex(OWNER_BYTES)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# What one person may keep, as the answer that refuses one more says it (``Full.what`` -> message).
FULL_MESSAGES = {
    "networks": "you already keep {limit} networks, the most one person may keep; delete some first",
    "upload_bytes": "your uploads would take {total} bytes, more than the {limit} bytes one person may keep "
                    "(NNVIZ_PERSON_UPLOAD_BYTES); delete some with DELETE /api/uploads/{{id}} (GET /api/uploads "
                    "lists them)",
    "tokens": "you already hold {limit} tokens, the most one person may (NNVIZ_PERSON_TOKENS); revoke one with "
              "DELETE /api/tokens/{{id}} (GET /api/tokens lists them) or all with DELETE /api/tokens?all=true",
    "streams": "you already have {limit} event streams open on this server, the most one person may "
               "(NNVIZ_PERSON_STREAMS); close some pages that follow a job or sweep, or poll GET /api/jobs/{{id}}",
    "classes": "you already lead {limit} classes, the most one person may lead at once (NNVIZ_CLASSES_PER_LECTURER); "
               "end one first (POST /api/classes/{{id}}/end)",
    "shares": "you already keep {limit} share links, the most one person may (NNVIZ_PERSON_SHARES); revoke one "
              "with DELETE /api/shares/{{token}} (GET /api/shares lists them)",
}


def over_limit(full: Full) -> PersonLimit:
    """The 429 for a write the store refused (``Full``), naming the limit."""
    return PersonLimit(FULL_MESSAGES[full.what].format(limit=full.limit, total=full.kept + full.adding))


class TokenRefused(Exception):
    """A bearer token that names nobody (any more); the message says why and what to do."""


class Owners:
    """``token_ttl``: seconds a token lives (0: until revoked); ``person_tokens``: live tokens one
    owner may hold."""

    def __init__(self, store: Store, secret_key: str = "", token_ttl: float = 0.0, person_tokens: int | None = None,
                 clock: Callable[[], float] = time.time):
        self.store, self.token_ttl, self.person_tokens, self.clock = store, token_ttl, person_tokens, clock
        # A configured key wins; otherwise the first server on this database makes one and every
        # server, and every restart, reads the same.
        key = secret_key or store.server_value(KEY_NAME, lambda: secrets.token_hex(32))
        self._key = key.encode()
        self.key_id = hmac.new(self._key, b"nnviz token key", hashlib.sha256).hexdigest()[:32]
        store.stamp_tokens(self.key_id)

    def _signature(self, owner: str) -> str:
        return hmac.new(self._key, owner.encode(), hashlib.sha256).hexdigest()

    def cookie(self, owner: str) -> str:
        """The cookie value naming ``owner``: ``<owner>.<signature>``."""
        return f"{owner}.{self._signature(owner)}"

    def from_cookie(self, value: str | None) -> str | None:
        """The owner a cookie names, or None when it is missing or not signed by this server."""
        owner, _, signature = (value or "").partition(".")
        # compare_digest refuses str with characters beyond ASCII (a TypeError); bytes it compares.
        if not owner or not hmac.compare_digest(signature.encode(), self._signature(owner).encode()):
            return None
        return owner

    # --- tokens ------------------------------------------------------------------------------

    def _expires(self, created_at: float) -> float | None:
        return created_at + self.token_ttl if self.token_ttl > 0 else None

    def new_token(self, owner: str) -> dict[str, Any]:
        """A new token of ``owner``'s (``PersonLimit`` when they hold as many live ones as one may):
        the token itself, shown only now, and what ``tokens`` lists of it."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        now = self.clock()
        try:
            token_id = self.store.add_token(_hash(token), owner, token[:PREFIX_CHARS], self.key_id,
                                            self.person_tokens, self._alive_after(now), now)
        except Full as full:
            raise over_limit(full) from None
        return {"token": token, "token_type": "bearer", **self._public({
            "id": token_id, "prefix": token[:PREFIX_CHARS], "created_at": now, "last_used_at": None}, now)}

    def _alive_after(self, now: float) -> float | None:
        return now - self.token_ttl if self.token_ttl > 0 else None

    def _public(self, row: dict[str, Any], now: float) -> dict[str, Any]:
        expires = self._expires(row["created_at"])
        return {"id": row["id"], "prefix": row["prefix"], "created_at": iso_time(row["created_at"]),
                "expires_at": iso_time(expires), "last_used_at": iso_time(row["last_used_at"]),
                "expired": expires is not None and expires <= now}

    def from_token(self, token: str) -> str:
        """The owner a bearer token names; ``TokenRefused`` (saying why) when it names nobody."""
        token_hash, now = _hash(token), self.clock()
        row = self.store.token(token_hash)
        if row is None:
            raise TokenRefused("unknown or revoked token (get one with POST /api/tokens)")
        if row["key_id"] != self.key_id:
            raise TokenRefused("this token was minted before the server's secret key changed, which ends every "
                               "token; get a new one with POST /api/tokens")
        expires = self._expires(row["created_at"])
        if expires is not None and expires <= now:
            raise TokenRefused(f"this token expired at {iso_time(expires)}; get a new one with POST /api/tokens")
        if row["last_used_at"] is None or now - row["last_used_at"] >= LAST_USED_RESOLUTION:
            self.store.token_used(token_hash, now)
        return row["owner"]

    def tokens(self, owner: str) -> list[dict[str, Any]]:
        """``owner``'s tokens, newest first: id, first characters, created, expires, last used; never the token."""
        now = self.clock()
        return [self._public(row, now) for row in self.store.tokens_of(owner, self.key_id)]

    def revoke_token(self, token: str, owner: str) -> bool:
        return self.store.delete_token(_hash(token), owner)

    def revoke_token_id(self, token_id: str, owner: str) -> bool:
        return self.store.delete_tokens(owner, token_id) == 1

    def revoke_all(self, owner: str) -> int:
        return self.store.delete_tokens(owner)

    @staticmethod
    def new_share_token() -> str:
        return secrets.token_urlsafe(TOKEN_BYTES)

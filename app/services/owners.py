"""Who is asking: anonymous owners, their signed cookies, API tokens and share links.

A browser gets an owner id on its first request, in a cookie signed with the server's key
(HMAC-SHA256), so nobody can claim another's id. API clients may instead ask for a token, an
unguessable string of which only a hash is stored; it names the same owner. A share link is an
unguessable token that opens one network read-only.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from .store import Store

OWNER_BYTES = 16
TOKEN_BYTES = 32
KEY_NAME = "cookie_signing_key"


def new_owner() -> str:
    return secrets.token_hex(OWNER_BYTES)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Owners:
    def __init__(self, store: Store, secret_key: str = ""):
        self.store = store
        # A configured key wins; otherwise the first server on this database makes one and every
        # server, and every restart, reads the same.
        key = secret_key or store.server_value(KEY_NAME, lambda: secrets.token_hex(32))
        self._key = key.encode()

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

    def new_token(self, owner: str) -> str:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        self.store.add_token(_hash(token), owner)
        return token

    def from_token(self, token: str) -> str | None:
        return self.store.token_owner(_hash(token))

    def revoke_token(self, token: str, owner: str) -> bool:
        return self.store.delete_token(_hash(token), owner)

    @staticmethod
    def new_share_token() -> str:
        return secrets.token_urlsafe(TOKEN_BYTES)

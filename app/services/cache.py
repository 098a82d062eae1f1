"""Caches bounded in bytes, least recently used out first: response bodies, and the networks
rebuilt from the database (``NetworkService``).

A figure is a pure function of what it is asked for (a query, a request body, or a stored network
as of its ``updated_at``); building one takes 10-50 ms, sending a kept one well under one. Keys
are digests of those inputs taken together with the code's fingerprint (``digest``), so a server
running other code never answers with a body an older one built. Each body is kept with its gzip
form, compressed once.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.metadata
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import orjson

import app

GZIP_LEVEL = 6  # zlib's default: within 1 % of level 9's size on figures, at about 3/4 of its time
GZIP_MIN_BYTES = 1000  # smaller bodies gain less than gzip's own framing costs
LARGEST_SHARE = 4  # a value larger than a quarter of its cache is used but not kept
V = TypeVar("V")


def _fingerprint() -> str:
    """What the bodies depend on besides their inputs: this code and the libraries that draw."""
    sha = hashlib.sha256(f"{app.__version__} {importlib.metadata.version('plotly')}".encode())
    root = Path(app.__file__).parent
    for path in sorted(root.rglob("*.py")):
        sha.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()[:16]


FINGERPRINT = _fingerprint()


def digest(*parts: Any) -> str:
    """A stable digest of JSON-like ``parts`` (dict keys sorted) and the code's fingerprint."""
    try:
        data = orjson.dumps([FINGERPRINT, *parts], option=orjson.OPT_SORT_KEYS)
    except TypeError:  # an integer beyond 64 bits (a request the services will refuse): the slow way
        data = json.dumps([FINGERPRINT, *parts], sort_keys=True, default=str).encode()
    return hashlib.sha256(data).hexdigest()[:32]


@dataclass(frozen=True)
class Body:
    """A response body and its gzip form (None when too small to gain from it)."""

    raw: bytes
    gzipped: bytes | None

    @classmethod
    def of(cls, content: str | bytes) -> Body:
        raw = content.encode() if isinstance(content, str) else content
        small = len(raw) < GZIP_MIN_BYTES
        return cls(raw, None if small else gzip.compress(raw, compresslevel=GZIP_LEVEL, mtime=0))

    @property
    def size(self) -> int:
        return len(self.raw) + len(self.gzipped or b"")


class LRU(Generic[V]):
    """Values by key, the least recently used dropped first once their sizes add up to more than
    ``max_bytes`` (0 keeps nothing); a value larger than a quarter of that is not kept. Thread-safe."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._values: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._values)

    @property
    def bytes(self) -> int:
        return self._bytes

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            entry = self._values.get(key)
            if entry is None:
                return None
            self._values.move_to_end(key)
            return entry[0]

    def put(self, key: Hashable, value: V, size: int) -> None:
        if size * LARGEST_SHARE > self.max_bytes:
            return
        with self._lock:
            previous = self._values.pop(key, None)
            self._bytes += size - (previous[1] if previous else 0)
            self._values[key] = (value, size)
            while self._bytes > self.max_bytes:
                self._bytes -= self._values.popitem(last=False)[1][1]

    def pop(self, key: Hashable) -> None:
        with self._lock:
            entry = self._values.pop(key, None)
            if entry is not None:
                self._bytes -= entry[1]


class BodyCache(LRU[Body]):
    """Response bodies by key; two requests missing the same key at once both build it."""

    def get_or_build(self, key: str, build: Callable[[], str | bytes]) -> Body:
        body = self.get(key)
        if body is None:
            body = Body.of(build())  # outside the lock: other requests go on meanwhile
            self.put(key, body, body.size)
        return body

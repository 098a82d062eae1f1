"""How fast one client address may do something costly: a token bucket per address.

A bucket holds up to ``per_minute`` tokens and refills at ``per_minute`` a minute, so a full
minute's worth may come at once (a class opening the page together) and then a steady rate (0: no
limit). One
server process keeps its own buckets in memory; behind several servers each allows its share.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

MAX_ADDRESSES = 100_000  # buckets kept; the least recently used beyond this are forgotten (they were full, or nearly)


class AddressRate:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic):
        self.per_minute, self.clock = per_minute, clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # address -> (tokens, when)
        self._lock = threading.Lock()  # routes in the thread pool and on the event loop take tokens

    def take(self, address: str) -> float:
        """Take one token for ``address``: 0.0 when allowed, else the seconds until one is free."""
        if self.per_minute <= 0:
            return 0.0
        per_second = self.per_minute / 60.0
        with self._lock:
            now = self.clock()
            tokens, then = self._buckets.pop(address, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - then) * per_second)
            wait = 0.0 if tokens >= 1.0 else (1.0 - tokens) / per_second
            self._buckets[address] = (tokens - 1.0 if wait == 0.0 else tokens, now)
            if len(self._buckets) > MAX_ADDRESSES:
                self._buckets.popitem(last=False)
        return wait


def retry_after(seconds: float) -> int:
    """Whole seconds for a ``Retry-After`` header (at least 1)."""
    return max(1, math.ceil(seconds))

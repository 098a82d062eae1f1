"""Scratch data expires, so that storage does not grow with every interaction.

A network without a name is scratch: the Playground's, a training job's, anything a page made on
the way. It is deleted once nobody has updated it for ``ttl`` seconds (``NNVIZ_SCRATCH_TTL``) and
no queued or running job trains it; naming it keeps it. An upload is deleted once it is that old
and neither a stored network's data spec nor such a job uses it. A job (its status, result and
history; the network it trained is the network's own) is deleted ``ttl`` seconds after it ended.
An ended class is deleted, with its members, ``class_ttl`` seconds after it ended
(``NNVIZ_CLASS_TTL``). A sweep runs when the server starts and then every few minutes, on a thread
of its own.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from .store import Store

log = logging.getLogger(__name__)

MAX_SWEEP_SECONDS = 300.0  # a sweep at least every five minutes; more often for a short TTL


class Expiry:
    """Deletes expired scratch data from ``store`` (``ttl`` 0 keeps it) and ended classes
    (``class_ttl`` 0 keeps them)."""

    def __init__(self, store: Store, ttl: float, clock: Callable[[], float] = time.time, class_ttl: float = 0.0):
        self.store, self.ttl, self.clock, self.class_ttl = store, ttl, clock, class_ttl
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def interval(self) -> float:
        """Seconds between sweeps: half the shortest TTL (an expired row lives at most 1.5 TTL), at most five
        minutes."""
        ttls = [ttl for ttl in (self.ttl, self.class_ttl) if ttl > 0] or [MAX_SWEEP_SECONDS]
        return min(MAX_SWEEP_SECONDS, max(1.0, min(ttls) / 2))

    def sweep(self) -> dict[str, list[str]]:
        """Delete what has expired by now; returns the deleted ids by table."""
        now = self.clock()
        deleted = {"jobs": [], "networks": [], "uploads": []}
        if self.ttl > 0:
            deleted = self.store.delete_scratch(now - self.ttl)
        deleted["classes"] = self.store.delete_ended_classes(now - self.class_ttl) if self.class_ttl > 0 else []
        if any(deleted.values()):
            log.info("expired %d ended jobs, %d scratch networks, %d unused uploads and %d ended classes",
                     len(deleted["jobs"]), len(deleted["networks"]), len(deleted["uploads"]), len(deleted["classes"]))
        return deleted

    def start(self) -> None:
        """One sweep now (what expired while the server was down), then one every ``interval``."""
        if self.ttl <= 0 and self.class_ttl <= 0:
            return
        self.sweep()
        self._thread = threading.Thread(target=self._run, name="nnviz-expiry", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.sweep()
            except Exception:  # a busy or closing database: the next sweep tries again
                log.exception("expiring scratch data failed")

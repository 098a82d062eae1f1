"""Change notifications for jobs: any thread publishes, event-loop code awaits.

A waiting request or event stream costs nothing until its job changes: ``publish`` (called from
the executor's or the job writer's thread) wakes exactly the waiters of that job through their
event loop, and ``wait`` returns at once when the job changed since the version the caller saw.

The hub also knows who follows a job (``watching``: an open event stream or a waiting request;
``seen``: a request for it), so that a job nobody follows can be parked (``unwatched``).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator


class Hub:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._versions: dict[str, int] = defaultdict(int)
        self._waiters: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Future]]] = defaultdict(set)
        self._clock = clock
        self._watchers: dict[str, int] = {}  # open streams and waiting requests per job
        self._seen: dict[str, float] = {}  # when someone last followed or asked for the job

    # --- who follows a job -------------------------------------------------------------------

    def seen(self, job_id: str) -> None:
        """Someone asked for ``job_id`` just now."""
        with self._lock:
            self._seen[job_id] = self._clock()

    @contextlib.contextmanager
    def watching(self, job_id: str) -> Iterator[None]:
        """``job_id`` is followed while inside (an event stream, a ``?wait=true`` request)."""
        with self._lock:
            self._watchers[job_id] = self._watchers.get(job_id, 0) + 1
        try:
            yield
        finally:
            with self._lock:
                self._watchers[job_id] -= 1
                if not self._watchers[job_id]:
                    del self._watchers[job_id]
                self._seen[job_id] = self._clock()

    def unwatched(self, job_ids: Iterable[str], after: float) -> list[str]:
        """Those of ``job_ids`` that nobody has followed or asked for in the last ``after`` seconds
        (a job first heard of here counts from now)."""
        now = self._clock()
        with self._lock:
            return [job_id for job_id in job_ids
                    if job_id not in self._watchers and now - self._seen.setdefault(job_id, now) >= after]

    def version(self, job_id: str) -> int:
        """How many times ``job_id`` has changed (0 before the first change)."""
        with self._lock:
            return self._versions.get(job_id, 0)

    def publish(self, job_id: str) -> None:
        """``job_id`` changed: wake its waiters (thread-safe)."""
        with self._lock:
            self._versions[job_id] += 1
            waiters = self._waiters.pop(job_id, set())
        for loop, future in waiters:
            with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is waiting
                loop.call_soon_threadsafe(_resolve, future)

    def forget(self, job_id: str) -> None:
        """Drop a finished job's counter (its waiters have been woken by the last publish)."""
        with self._lock:
            if job_id not in self._waiters:
                self._versions.pop(job_id, None)
            if job_id not in self._watchers:
                self._seen.pop(job_id, None)

    async def wait(self, job_id: str, seen: int, timeout: float) -> int:
        """Wait until ``job_id`` has changed since version ``seen`` (or ``timeout`` seconds pass);
        returns the current version."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        entry = (loop, future)
        with self._lock:
            if self._versions.get(job_id, 0) != seen:
                return self._versions[job_id]
            self._waiters[job_id].add(entry)
        try:
            async with asyncio.timeout(timeout):  # unlike wait_for, no task per wait
                await future
        except TimeoutError:
            pass
        finally:
            with self._lock:
                waiters = self._waiters.get(job_id)
                if waiters is not None:
                    waiters.discard(entry)
                    if not waiters:
                        del self._waiters[job_id]
        return self.version(job_id)


def _resolve(future: asyncio.Future) -> None:
    if not future.done():
        future.set_result(None)

"""Change notifications for jobs: any thread publishes, event-loop code awaits.

A waiting request or event stream costs nothing until its job changes: ``publish`` (called from
the executor's or the job writer's thread) wakes exactly the waiters of that job through their
event loop, and ``wait`` returns at once when the job changed since the version the caller saw.
``close`` (the server is stopping) wakes every waiter, and from then on ``wait`` returns at once:
streams and long waits see ``closed`` and end, so that the server need not wait for their clients.
The hub also knows who follows a job (``watching``: an open event stream or a waiting request;
``seen``: a request for it), so that a job nobody follows can be parked (``unwatched``).
``Streams`` counts each person's open event streams.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator

from .owners import over_limit
from .store import Full


class Hub:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        # A job's version is drawn from one counter for all jobs, so it never repeats: a job forgotten
        # (its counter dropped) and changed again cannot come back to a version a waiter already saw,
        # which would leave that waiter asleep through the job's end.
        self._versions: dict[str, int] = {}
        self._next_version = itertools.count(1)
        self._waiters: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Future]]] = defaultdict(set)
        self.closed = False
        self._clock = clock
        self._watchers: dict[str, int] = {}  # open streams and waiting requests per job
        self._seen: dict[str, float] = {}  # when someone last followed or asked for the job
        self._forgotten: set[str] = set()  # ended jobs whose counter goes when their last follower leaves

    def close(self) -> None:
        """The server is stopping: wake every waiter, now and from now on (thread-safe)."""
        with self._lock:
            self.closed = True
            waiters = [entry for entries in self._waiters.values() for entry in entries]
            self._waiters.clear()
        _wake(waiters)

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
                if job_id in self._forgotten and job_id not in self._watchers:
                    self._forgotten.discard(job_id)  # ended while followed: nobody needs its counter now
                    self._versions.pop(job_id, None)
                    self._seen.pop(job_id, None)
                else:
                    self._seen[job_id] = self._clock()

    def unwatched(self, job_ids: Iterable[str], after: float) -> list[str]:
        """Those of ``job_ids`` (every job that may be parked) that nobody has followed or asked for
        in the last ``after`` seconds (a job first heard of here counts from now). The times of other
        jobs are dropped: a request for an ended job, or a stream closing after its end, would
        otherwise leave one behind for every job the server ever ran."""
        now, job_ids = self._clock(), list(job_ids)
        with self._lock:
            for ended in self._seen.keys() - set(job_ids) - self._watchers.keys():
                del self._seen[ended]
            return [job_id for job_id in job_ids
                    if job_id not in self._watchers and now - self._seen.setdefault(job_id, now) >= after]

    def version(self, job_id: str) -> int:
        """A number that changes whenever ``job_id`` changes (0 before the first change)."""
        with self._lock:
            return self._versions.get(job_id, 0)

    def publish(self, job_id: str) -> None:
        """``job_id`` changed: wake its waiters (thread-safe)."""
        with self._lock:
            self._versions[job_id] = next(self._next_version)
            waiters = self._waiters.pop(job_id, set())
        _wake(waiters)

    def forget(self, job_id: str) -> None:
        """Drop a finished job's counter (its waiters have been woken by the last publish). While a
        request or stream still follows it, the counter stays until the last one leaves: one that read
        the version before the job's first change would otherwise find 0 again and sleep on."""
        with self._lock:
            if job_id in self._watchers or job_id in self._waiters:
                self._forgotten.add(job_id)
                return
            self._versions.pop(job_id, None)
            self._seen.pop(job_id, None)

    async def wait(self, job_id: str, seen: int, timeout: float) -> int:
        """Wait until ``job_id`` has changed since version ``seen`` (or ``timeout`` seconds pass);
        returns the current version."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        entry = (loop, future)
        with self._lock:
            if self.closed or self._versions.get(job_id, 0) != seen:
                return self._versions.get(job_id, 0)
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


def _wake(waiters: Iterable[tuple[asyncio.AbstractEventLoop, asyncio.Future]]) -> None:
    for loop, future in waiters:
        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is waiting
            loop.call_soon_threadsafe(_resolve, future)


def _resolve(future: asyncio.Future) -> None:
    if not future.done():
        future.set_result(None)


class Streams:
    """The event streams each person has open on this server process, at most ``person_streams``
    (None: no limit). Each open stream holds a connection and a task, and is woken by every change
    of its job: a thousand of them slowed everyone's requests.

    One more is refused (429), rather than the person's oldest stream closed to make room: a browser's
    EventSource reconnects by itself when its stream is closed, so a person with more pages open than
    the limit would have them close one another in an endless round, while an answer other than 200
    makes the EventSource give up and the page say so."""

    def __init__(self, person_streams: int | None):
        self.person_streams = person_streams
        self._lock = threading.Lock()
        self._open: Counter[str] = Counter()

    def open_count(self, owner: str) -> int:
        with self._lock:
            return self._open[owner]

    @contextlib.contextmanager
    def open(self, owner: str) -> Iterator[None]:
        """Hold one of ``owner``'s streams while the block runs (``PersonLimit`` when they hold the most)."""
        with self._lock:
            kept = self._open[owner]
            if self.person_streams is not None and kept >= self.person_streams:
                raise over_limit(Full("streams", kept, 1, self.person_streams))
            self._open[owner] += 1
        try:
            yield
        finally:
            with self._lock:
                self._open[owner] -= 1
                if self._open[owner] <= 0:
                    del self._open[owner]

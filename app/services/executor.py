"""Executors run jobs off the event loop. The routes and the job service see only the small
``Executor`` interface (start, submit, progress, position, cancel, shutdown), so a distributed
engine can replace the local process pool without touching them.

``SlicingExecutor`` is what every executor here shares: admission and the fair order (``Scheduler``),
cancel and queue position, choosing the next slice for each free worker, and what is done with a
worker's messages. Progress frames are kept here (the latest per job) and announced through
``notify(job_id)``; job state changes (started, checkpoint, finished) go to
``on_message(kind, job_id, payload)``. Subclasses move the slices to their workers.

``LocalExecutor``: a fixed pool of worker processes (forkserver: started clean, without the
server's threads), each holding many jobs and running them in short slices (``worker.py``). One
scheduler thread owns every pipe: it hands each free worker the next slice chosen by the fair
``Scheduler``, and passes the workers' messages on. ``DaskExecutor`` (``dask_executor.py``) does
the same on a Dask cluster.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing as mp
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import wait
from typing import Any, Protocol

from .scheduler import Job, PersonLimit, QueueFull, Scheduler, SchedulerLimits
from .worker import process_main

log = logging.getLogger(__name__)

OnMessage = Callable[[str, str, dict[str, Any]], None]
Notify = Callable[[str], None]

WORKER_DIED = "the worker process stopped unexpectedly"
RESPAWN_PAUSE_SECONDS = 1.0  # a worker that dies right after starting is not restarted in a tight loop
# A slice lasts about this long divided by the jobs waiting on its worker, within the bounds below:
# alone, a job trains in 50 ms slices; ten jobs on a worker take turns of 6.6 ms; fifty (a class of
# 100 on two workers) of 2 ms, each followed by the job's live frame (about 2 ms for the Playground's),
# so that each of them still gets 3-4 frames a second (benchmarks/bench_class.py). Shorter turns
# would give more frames and fewer steps between them.
TURN_SECONDS = 0.066
MIN_SLICE_SECONDS, MAX_SLICE_SECONDS = 0.002, 0.05

__all__ = ["Executor", "LocalExecutor", "PersonLimit", "QueueFull", "SchedulerLimits", "SlicingExecutor"]


class Executor(Protocol):
    def start(self, on_message: OnMessage, notify: Notify) -> None: ...

    def submit(self, job_id: str, task: dict[str, Any], owner: str = "", priority: str = "interactive") -> None:
        """Admit or queue a task; raises ``PersonLimit`` or ``QueueFull`` when it cannot take it."""

    def progress(self, job_id: str) -> tuple[int, dict[str, Any]] | None:
        """(sequence number, latest frame: ``{"progress": {...}, "json": text}``), None before the first."""

    def position(self, job_id: str) -> int | None:
        """1-based place among jobs waiting to be admitted; None once admitted."""

    def cancel(self, job_id: str) -> str:
        """``"dequeued"`` (never started), ``"signalled"`` (stops after its current slice) or ``"unknown"``."""

    def park(self, job_id: str) -> str:
        """Stop a job as ``cancel`` does, but it ends ``"parked"`` (its weights kept, to resume later)."""

    def quiet(self, job_ids: set[str]) -> None:
        """The jobs nobody follows now (replacing the last set): their slices make no live frames."""

    def heard(self, job_id: str) -> None:
        """Someone follows ``job_id`` again: its next slice makes a frame."""

    def shutdown(self) -> None: ...


class SlicingExecutor:
    """The shared half of the executors: jobs are admitted and ordered by one ``Scheduler`` whose
    workers are the subclass's (processes, cluster threads), each running one slice at a time.

    A subclass calls ``_dispatch`` (lock held) whenever something changed, which calls its hooks
    ``_worker_free``, ``_slice`` and ``_stop`` (lock held too); it passes each message that comes
    back to ``_receive`` and each slice report to ``_slice_done`` (lock held), and implements
    ``_wake`` (run ``_dispatch`` soon) and ``start`` / ``shutdown``.
    """

    def __init__(self, scheduler: Scheduler):
        self._lock = threading.Lock()
        self._scheduler = scheduler
        self._progress: dict[str, tuple[int, dict[str, Any]]] = {}
        self._on_message: OnMessage | None = None
        self._notify: Notify | None = None
        self._stopping = False
        self._thread: threading.Thread | None = None  # runs _loop
        self._parking: set[str] = set()  # jobs stopped to be parked: they end "parked", not "cancelled"
        self._quiet: frozenset[str] = frozenset()  # jobs nobody follows: no frames (a local worker's)

    # --- the interface -----------------------------------------------------------------------

    def submit(self, job_id: str, task: dict[str, Any], owner: str = "", priority: str = "interactive") -> None:
        with self._lock:
            if self._stopping:
                raise QueueFull("the server is shutting down")
            self._scheduler.submit(job_id, owner, priority, task)
        self._wake()

    def progress(self, job_id: str) -> tuple[int, dict[str, Any]] | None:
        return self._progress.get(job_id)

    def position(self, job_id: str) -> int | None:
        with self._lock:
            return self._scheduler.position(job_id)

    def cancel(self, job_id: str) -> str:
        with self._lock:
            if self._scheduler.dequeue(job_id):
                return "dequeued"
            if self._scheduler.stop(job_id) is None:
                return "unknown"
        self._wake()
        return "signalled"

    def park(self, job_id: str) -> str:
        self._parking.add(job_id)
        answer = self.cancel(job_id)
        if answer != "signalled":
            self._parking.discard(job_id)
        return answer

    def quiet(self, job_ids: set[str]) -> None:
        self._quiet = frozenset(job_ids)

    def heard(self, job_id: str) -> None:
        self._quiet = self._quiet - {job_id}

    def load(self) -> dict[str, int]:
        """Jobs admitted and waiting, for health and benchmarks."""
        with self._lock:
            return {"running": self._scheduler.running, "queued": self._scheduler.queued}

    def _start_loop(self, name: str) -> None:
        """Run the subclass's ``_loop`` in a thread of its own."""
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def _stop_loop(self) -> None:
        """Ask the loop to end, wake it, and wait (a little) for it."""
        with self._lock:
            self._stopping = True
        self._wake()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # --- what a subclass provides ------------------------------------------------------------

    def _loop(self) -> None:
        raise NotImplementedError

    def _wake(self) -> None:
        raise NotImplementedError

    def _worker_free(self, index: int) -> bool:
        """Can worker ``index`` start a slice now?"""
        raise NotImplementedError

    def _slice(self, index: int, job: Job, now: float) -> None:
        """Start a slice of ``job`` on worker ``index`` (its first one: ``job.task`` goes along)."""
        raise NotImplementedError

    def _stop(self, index: int, job: Job) -> None:
        """Stop a started ``job``; it answers with ``finished``."""
        raise NotImplementedError

    # --- shared ------------------------------------------------------------------------------

    def _deliver(self, kind: str, job_id: str, payload: dict[str, Any]) -> None:
        if kind == "finished" and job_id in self._parking:
            self._parking.discard(job_id)
            if payload.get("status") == "cancelled":  # one that ended meanwhile keeps its own end
                payload = payload | {"status": "parked", "error": None}
        if self._on_message is not None:
            self._on_message(kind, job_id, payload)

    def _announce(self, job_id: str) -> None:
        if self._notify is not None:
            self._notify(job_id)

    def _dispatch(self) -> float | None:
        """Start a slice on every free worker (lock held); the seconds until a paced job is due."""
        scheduler, now = self._scheduler, time.monotonic()
        for group in scheduler.finished_groups():  # its last run's "finished" has gone on already
            scheduler.remove(group.id)
            self._deliver("finished", group.id, {"status": "cancelled" if group.stopping else "done", "error": None})
        for job in scheduler.admit_waiting():
            self._announce(job.id)
        for index in range(scheduler.workers):
            for job in scheduler.jobs_on(index):
                if job.stopping and not job.in_slice and not job.started:
                    scheduler.remove(job.id)
                    self._deliver("finished", job.id, {"status": "cancelled", "error": "cancelled before it started"})
                elif job.stopping and not job.in_slice:
                    job.in_slice = True  # the worker answers with "finished"
                    self._stop(index, job)
            if not self._worker_free(index):
                continue
            job = scheduler.pick(index, now)
            if job is None:
                continue
            for started in (scheduler.jobs.get(job.parent), job):
                if started is not None and not started.started:
                    started.started = True
                    self._deliver("started", started.id, {})
            job.in_slice = True
            self._slice(index, job, now)
        due = scheduler.next_ready(now)
        return None if due is None else max(0.0, due - now)

    def _receive(self, kind: str, job_id: str, payload: dict[str, Any]) -> None:
        """A message from a worker (not under the lock)."""
        if kind == "progress":
            seq = self._progress.get(job_id, (0, {}))[0]
            self._progress[job_id] = (seq + 1, payload)
            self._announce(job_id)
        elif kind == "finished":
            with self._lock:
                self._scheduler.remove(job_id)  # a slice's answer may still follow
            self._deliver(kind, job_id, payload)
            self._progress.pop(job_id, None)
        else:
            self._deliver(kind, job_id, payload)

    def _slice_done(self, job_id: str, report: dict[str, float]) -> None:
        """A slice of ``job_id`` ended (lock held): ``{"seconds", "wait"}``."""
        job = self._scheduler.jobs.get(job_id)
        if job is not None:
            job.in_slice = False
            job.ready_at = time.monotonic() + report["wait"]
            self._scheduler.charge(job_id, report["seconds"])


class _Worker:
    def __init__(self, ctx: Any):
        self.conn, worker_end = ctx.Pipe()
        self.process = ctx.Process(target=process_main, args=(worker_end,), daemon=True, name="nnviz-worker")
        self.process.start()
        worker_end.close()
        self.started = time.monotonic()
        self.busy: str | None = None  # the job whose slice is running


class LocalExecutor(SlicingExecutor):
    """``workers`` processes on this machine, time-slicing up to ``limits.max_running`` jobs."""

    def __init__(self, workers: int = 2, limits: SchedulerLimits | None = None):
        if workers < 1:
            raise ValueError("workers must be >= 1")
        super().__init__(Scheduler(workers, limits or SchedulerLimits()))
        self.n_workers = workers
        self._ctx = mp.get_context("forkserver")
        self._ctx.set_forkserver_preload(["app.services.worker"])
        self._workers: list[_Worker] = []
        self._wake_reader, self._wake_writer = self._ctx.Pipe(duplex=False)

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self, on_message: OnMessage, notify: Notify | None = None) -> None:
        self._on_message, self._notify = on_message, notify
        self._workers = [_Worker(self._ctx) for _ in range(self.n_workers)]
        self._start_loop("nnviz-scheduler")

    def shutdown(self) -> None:
        self._stop_loop()
        for worker in self._workers:
            with contextlib.suppress(OSError):
                worker.conn.send(None)
        for worker in self._workers:
            worker.process.join(timeout=2)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(timeout=2)
            worker.conn.close()

    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            self._wake_writer.send(None)

    # --- the scheduler thread ----------------------------------------------------------------

    def _loop(self) -> None:
        # The next slices are chosen only when something changed for the scheduler (a slice or a job
        # ended, a wake-up, a paced job due): not after every live frame or checkpoint that passes
        # through, since choosing looks at every admitted job (300 in a full class).
        changed, due = True, None
        while True:
            with self._lock:
                if self._stopping:
                    return
                now = time.monotonic()
                if changed or (due is not None and now >= due):
                    wait_seconds = self._dispatch()
                    due = None if wait_seconds is None else now + wait_seconds
                timeout = None if due is None else max(0.0, due - now)
                conns = {worker.conn: worker for worker in self._workers}
                sentinels = {worker.process.sentinel: worker for worker in self._workers}
            ready = wait([*conns, *sentinels, self._wake_reader], timeout)
            changed = False
            for item in ready:
                if item is self._wake_reader:
                    changed = True
                    while self._wake_reader.poll():
                        self._wake_reader.recv()
                elif item in conns:
                    changed |= self._receive_from(conns[item])
            for item in ready:
                if item in sentinels and not sentinels[item].process.is_alive():
                    self._replace(sentinels[item])
                    changed = True

    def _worker_free(self, index: int) -> bool:
        return self._workers[index].busy is None

    def _slice(self, index: int, job: Job, now: float) -> None:
        worker = self._workers[index]
        if job.task:
            self._send(worker, ("add", job.id, job.task))
            job.task = {}  # the worker has it now
        seconds = min(MAX_SLICE_SECONDS, max(MIN_SLICE_SECONDS,
                                             TURN_SECONDS / max(1, self._scheduler.runnable_on(index, now))))
        worker.busy = job.id
        self._send(worker, ("slice", job.id, (seconds, job.id in self._quiet)))

    def _stop(self, index: int, job: Job) -> None:
        self._send(self._workers[index], ("stop", job.id, None))

    def _send(self, worker: _Worker, message: tuple) -> None:
        with contextlib.suppress(OSError):  # the worker died: its sentinel fires and its jobs fail
            worker.conn.send(message)

    def _receive_from(self, worker: _Worker) -> bool:
        """Pass on what ``worker`` sent (the messages one of its tasks made); whether it changed what
        the scheduler may choose."""
        try:
            messages = worker.conn.recv()
        except (EOFError, OSError):
            return True  # the process died; its sentinel says so
        changed = False
        for kind, job_id, payload in messages:
            if kind == "slice":
                with self._lock:
                    worker.busy = None
                    self._slice_done(job_id, payload)
            else:
                self._receive(kind, job_id, payload)
            changed |= kind in ("slice", "finished")
        return changed

    def _replace(self, dead: _Worker) -> None:
        if time.monotonic() - dead.started < RESPAWN_PAUSE_SECONDS:
            time.sleep(RESPAWN_PAUSE_SECONDS)
        with self._lock:
            if self._stopping:
                return
            index = self._workers.index(dead)
            lost = [job.id for job in self._scheduler.jobs_on(index)]
            for job_id in lost:
                self._scheduler.remove(job_id)
            dead.conn.close()
            self._workers[index] = _Worker(self._ctx)
        for job_id in lost:
            log.warning("job %s: %s", job_id, WORKER_DIED)
            self._deliver("finished", job_id, {"status": "failed", "error": WORKER_DIED})
            self._progress.pop(job_id, None)

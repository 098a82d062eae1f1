"""``DaskExecutor``: the jobs' slices as tasks on a Dask cluster (``NNVIZ_DASK_SCHEDULER``).

The same ``Executor`` interface and the same fair policy as ``LocalExecutor`` (both are a
``SlicingExecutor``), with the cluster's worker threads as the workers:

* **One slice, one task.** Each slice of a job is a ``dask_tasks.run_slice`` task. The job's run
  (weights, optimizer memory, data) stays in the worker's memory between slices, and every slice
  of the job is pinned to that worker (``workers=[address], allow_other_workers=False``).
  Pinning, not chaining slices by data dependency: a chained state would be a Dask result that
  Dask may move or, when its worker dies, recompute from the first slice; pinned, the state never
  moves and a lost worker is a clear event with one remedy (below).
* **Our order, Dask's priority too.** Each worker thread is one worker of the ``Scheduler``, and
  at most one slice per thread is in flight, so the per-person policy (interactive first, then
  the person with the least CPU lately) decides what runs next; the tasks also carry Dask's
  ``priority`` (interactive above batch, a stop above both). A slice lasts ``SLICE_SECONDS``,
  longer than locally because a task costs a few milliseconds of round trip.
* **Jobs survive a lost worker.** The executor keeps each training job's latest checkpoint
  (weights, optimizer memory, counts, history). When a worker leaves the scheduler's worker set
  (checked every ``WORKER_POLL_SECONDS``), a slice fails, or a slice finds no run for its job
  (``missing``), the job starts again on a live worker from that checkpoint with the steps still to
  do; its later checkpoints and final result carry the whole job's history and progress. A seeded
  full-batch run ends with the same weights as an undisturbed one (minibatches are shuffled anew
  from the seed). A group's run (an experiment's, a sweep's) is such a job too. After
  ``MAX_RESTARTS`` losses the job fails.

Messages come back in each task's result and are handled exactly as a local worker's.
``frame_delays`` keeps, for benchmarks, the seconds from a worker making a live frame to this
process receiving it (the clocks must agree: one machine, or synchronised ones).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import queue
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import distributed
from distributed import Client, Future

from app.nn.training import HISTORY_RECORDS

from .dask_tasks import run_slice
from .executor import Notify, OnMessage, SlicingExecutor
from .history import merge_history
from .scheduler import Job, Scheduler, SchedulerLimits

log = logging.getLogger(__name__)

SLICE_SECONDS = 0.1
WORKER_POLL_SECONDS = 0.5
MAX_RESTARTS = 3
CONNECT_SECONDS = 10.0
SHUTDOWN_SECONDS = 5.0
PRIORITY = {"interactive": 1, "batch": 0}
STOP_PRIORITY = 2
FRAME_DELAYS_KEPT = 10_000
FETCH_THREADS = 4


class _ClosingClient(Client):
    """A Client that closes itself at once when it cannot connect.

    A Client whose start failed would close itself when garbage-collected, at any later moment:
    inside another Client's start that is a deadlock (its close waits for distributed's LoopRunner
    lock, which that start holds)."""

    def start(self, **kwargs: Any) -> None:
        try:
            super().start(**kwargs)
        except BaseException:
            with contextlib.suppress(Exception):
                self.close()
            raise


def workers_lost(times: int) -> str:
    return f"the Dask workers running this job stopped {times} times"


def resume_task(task: dict[str, Any], checkpoint: dict[str, Any]) -> dict[str, Any]:
    """The training ``task`` continued from ``checkpoint``: its weights, optimizer memory and
    counts, the steps still to do, and the history records at the same spacing."""
    done, total = checkpoint["steps_trained"], checkpoint["progress"]["total_steps"]
    training = task["training"]
    every = training.get("history_every") or max(1, (total - task["network"]["steps_trained"]) // HISTORY_RECORDS)
    network = task["network"] | {"weights": checkpoint["weights"], "optimizer": checkpoint.get("optimizer"),
                                 "steps_trained": done, "epochs_trained": checkpoint["epochs_trained"]}
    return task | {"network": network,
                   "training": training | {"steps": total - done, "epochs": None, "history_every": every}}


@dataclass
class _Slot:
    """One worker thread of the cluster: a worker of the ``Scheduler``."""

    address: str | None = None  # None: gone (or not yet there)
    busy: str | None = None  # the job whose slice runs on it


@dataclass
class _Task:
    job_id: str
    index: int
    address: str
    future: Future
    stop: bool


@dataclass
class _Recovery:
    """What the executor keeps of a started job to start it again elsewhere."""

    placed: bool = False  # a worker holds its run
    restarts: int = 0
    checkpoint: dict[str, Any] | None = None  # the latest, with the whole job's history
    history: list[dict[str, Any]] = field(default_factory=list)  # records before the current run
    seconds: float = 0.0  # training seconds of every slice so far
    earlier_seconds: float = 0.0  # ... of the runs before the current one

    def task(self, original: dict[str, Any]) -> dict[str, Any]:
        """The task that starts the current run."""
        if self.checkpoint is None:
            return original
        return resume_task(original, self.checkpoint)

    def lose(self) -> None:
        self.placed = False
        self.restarts += 1
        self.earlier_seconds = self.seconds
        self.history = self.checkpoint["history"] if self.checkpoint else []

    def cancelled(self) -> dict[str, Any]:
        """The result of a job cancelled while no worker holds it: its latest checkpoint."""
        if self.checkpoint is None:
            return {"status": "cancelled", "error": None}
        keys = ("weights", "optimizer", "steps_trained", "epochs_trained", "history", "progress")
        return {"status": "cancelled", "error": None, "seconds": self.seconds} | {
            key: self.checkpoint.get(key) for key in keys}


class DaskExecutor(SlicingExecutor):
    """Jobs on the Dask cluster whose scheduler is at ``address`` (``tcp://host:8786``,
    ``tls://...``). ``security``: a ``distributed.security.Security``; None takes Dask's
    configuration (``DASK_DISTRIBUTED__COMM__TLS__...``)."""

    def __init__(self, address: str, limits: SchedulerLimits | None = None, security: Any = None,
                 connect_seconds: float = CONNECT_SECONDS):
        scheduler = Scheduler(1, limits or SchedulerLimits())
        scheduler.dead_workers.add(0)  # jobs wait there until the first worker appears
        super().__init__(scheduler)
        self.address = address
        self._security, self._connect_seconds = security, connect_seconds
        self._client: Client | None = None
        self._slots = [_Slot()]
        self._recovery: dict[str, _Recovery] = {}
        self._inflight: dict[str, _Task] = {}  # by task key
        # Ended tasks, their fetched answers (future, outcome) and None (wake up) for the dispatch
        # thread. The answers are fetched by other threads: fetching one from a worker that dies
        # meanwhile waits until that worker is found gone.
        self._events: queue.SimpleQueue[Future | tuple[Future, dict[str, Any]] | None] = queue.SimpleQueue()
        self._fetcher = ThreadPoolExecutor(FETCH_THREADS, thread_name_prefix="nnviz-dask-fetch")
        self._keys = itertools.count()
        self._unreachable = False
        self.frame_delays: deque[float] = deque(maxlen=FRAME_DELAYS_KEPT)

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self, on_message: OnMessage, notify: Notify | None = None) -> None:
        self._on_message, self._notify = on_message, notify
        try:
            self._client = _ClosingClient(self.address, timeout=self._connect_seconds, set_as_default=False,
                                  security=self._security)
        except Exception as exc:  # refused, timed out, or a TLS setting missing
            raise RuntimeError(f"cannot reach the Dask scheduler at {self.address!r} "
                               f"(NNVIZ_DASK_SCHEDULER): {exc}") from exc
        self._sync_workers()
        self._start_loop("nnviz-dask")

    def shutdown(self) -> None:
        self._stop_loop()
        if self._client is None:
            return
        # The slices under way end first, then every run a worker still holds is stopped, so the
        # workers keep nothing of this server's jobs (which are marked interrupted).
        self._wait([task.future for task in self._inflight.values()])
        with self._lock:
            self._inflight.clear()
            for job in list(self._scheduler.jobs.values()):
                recovery = self._recovery.get(job.id)
                if recovery is not None and recovery.placed:
                    self._submit(job.worker, job, None, 0.0, stop=True)
        self._wait([task.future for task in self._inflight.values()])
        self._client.close()
        self._fetcher.shutdown(wait=False, cancel_futures=True)

    def _wait(self, futures: list[Future]) -> None:
        with contextlib.suppress(Exception):  # a worker that does not answer in time keeps its runs
            distributed.wait(futures, timeout=SHUTDOWN_SECONDS)

    def _wake(self) -> None:
        self._events.put(None)

    # --- the dispatch thread -----------------------------------------------------------------

    def _loop(self) -> None:
        next_poll = time.monotonic() + WORKER_POLL_SECONDS
        while True:
            if time.monotonic() >= next_poll:
                self._sync_workers()
                next_poll = time.monotonic() + WORKER_POLL_SECONDS
            with self._lock:
                if self._stopping:
                    return
                due = self._dispatch()
            timeout = next_poll - time.monotonic() if due is None else min(due, next_poll - time.monotonic())
            try:
                items = [self._events.get(timeout=max(0.0, timeout))]
            except queue.Empty:
                continue
            with contextlib.suppress(queue.Empty):
                while True:
                    items.append(self._events.get_nowait())
            for item in items:
                if isinstance(item, Future):
                    self._fetcher.submit(self._fetch, item)
                elif item is not None:
                    try:
                        self._collect(*item)
                    except Exception:  # one bad answer must not stop every job
                        log.exception("could not handle the Dask task %s", item[0].key)

    def _sync_workers(self) -> None:
        """Follow the scheduler's worker set: a worker that left loses its slots (its jobs start
        again elsewhere), a new one gets one slot per thread."""
        try:
            workers = self._client.scheduler_info(n_workers=-1)["workers"]
        except Exception as exc:
            if not self._unreachable:
                log.warning("the Dask scheduler at %s does not answer: %s", self.address, exc)
            self._unreachable = True
            return
        self._unreachable = False
        abandoned: list[Future] = []
        with self._lock:
            for index, slot in enumerate(self._slots):
                if slot.address is not None and slot.address not in workers:
                    abandoned += self._lose(index)
            bound = {slot.address for slot in self._slots}
            for address, worker in workers.items():
                if address in bound:
                    continue
                for _ in range(max(1, worker.get("nthreads", 1))):
                    index = self._scheduler.add_worker()
                    if index == len(self._slots):
                        self._slots.append(_Slot())
                    self._slots[index] = _Slot(address)
        for future in abandoned:
            future.cancel()

    def _lose(self, index: int) -> list[Future]:
        """Slot ``index``'s worker is gone (lock held): its jobs start again elsewhere. Returns the
        tasks that were waiting for it."""
        slot = self._slots[index]
        log.warning("Dask worker %s left; its jobs start again from their latest checkpoints", slot.address)
        slot.address, slot.busy = None, None
        keys = [key for key, task in self._inflight.items() if task.index == index]
        abandoned = [self._inflight.pop(key).future for key in keys]
        for job in self._scheduler.lose_worker(index):
            self._lost(job)
        return abandoned

    def _lost(self, job: Job) -> None:
        """The run of ``job`` is gone (lock held): start it again, or fail it after too many losses."""
        job.in_slice = False
        recovery = self._recovery.get(job.id)
        if recovery is None or not recovery.placed:
            return
        recovery.lose()
        if recovery.restarts <= MAX_RESTARTS:
            log.warning("job %s: its worker was lost; it starts again (%d)", job.id, recovery.restarts)
            return
        self._scheduler.remove(job.id)
        self._recovery.pop(job.id, None)
        self._progress.pop(job.id, None)
        self._deliver("finished", job.id, {"status": "failed", "error": workers_lost(recovery.restarts)})

    # --- hooks of SlicingExecutor (lock held) ------------------------------------------------

    def _worker_free(self, index: int) -> bool:
        slot = self._slots[index]
        return slot.address is not None and slot.busy is None

    def _slice(self, index: int, job: Job, now: float) -> None:
        recovery = self._recovery.setdefault(job.id, _Recovery())
        task = None
        if not recovery.placed:
            task, recovery.placed = recovery.task(job.task), True
        self._slots[index].busy = job.id
        self._submit(index, job, task, SLICE_SECONDS, stop=False)

    def _stop(self, index: int, job: Job) -> None:
        recovery = self._recovery.get(job.id)
        if recovery is not None and recovery.placed:
            self._submit(index, job, None, 0.0, stop=True)
            return
        # No worker holds it (its worker was lost): it ends as of its latest checkpoint.
        self._scheduler.remove(job.id)
        self._recovery.pop(job.id, None)
        self._progress.pop(job.id, None)
        self._deliver("finished", job.id, (recovery or _Recovery()).cancelled())

    def _submit(self, index: int, job: Job, task: dict[str, Any] | None, seconds: float, stop: bool) -> None:
        address = self._slots[index].address
        key = f"nnviz-{'stop' if stop else 'slice'}-{job.id}-{next(self._keys)}"
        future = self._client.submit(run_slice, job.id, task, seconds, stop, key=key, workers=[address],
                                     allow_other_workers=False, pure=False,
                                     priority=STOP_PRIORITY if stop else PRIORITY[job.priority])
        self._inflight[key] = _Task(job.id, index, address, future, stop)
        future.add_done_callback(self._events.put)

    # --- answers -----------------------------------------------------------------------------

    def _fetch(self, future: Future) -> None:
        """Fetch an ended task's answer (a fetching thread)."""
        try:
            outcome = future.result()
        except Exception as exc:  # its worker died, Dask gave up on it, or it was abandoned
            if future.key in self._inflight:
                log.warning("a slice was lost: %s: %s", type(exc).__name__, exc)
            outcome = {"messages": [], "report": None, "missing": True}
        self._events.put((future, outcome))

    def _collect(self, future: Future, outcome: dict[str, Any]) -> None:
        """A task's answer: pass its messages on, then free its slot and account for its slice."""
        with self._lock:
            task = self._inflight.pop(future.key, None)
        future.release()
        if task is None:
            return  # abandoned when its worker left
        received = time.time()
        for kind, payload, created in outcome["messages"]:
            if kind == "progress":
                self.frame_delays.append(received - created)
            self._receive(kind, task.job_id, self._whole_job(kind, task.job_id, payload))
        with self._lock:
            slot = self._slots[task.index]
            if not task.stop and slot.address == task.address and slot.busy == task.job_id:
                slot.busy = None
            job = self._scheduler.jobs.get(task.job_id)
            if job is None:
                return
            if outcome["missing"]:
                self._lost(job)
            elif outcome["report"] is not None:
                self._recovery[job.id].seconds += outcome["report"]["seconds"]
                self._slice_done(job.id, outcome["report"])

    def _whole_job(self, kind: str, job_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        """A run's checkpoint or result as the whole job's: a run started from a checkpoint knows
        only its own history and time. Keeps the latest checkpoint."""
        with self._lock:
            recovery = self._recovery.get(job_id)
            if recovery is None:
                return payload
            if recovery.history and "history" in payload:
                payload = payload | {"history": merge_history(recovery.history, payload["history"])}
            if kind == "checkpoint":
                recovery.checkpoint = payload
            elif kind == "finished":
                self._recovery.pop(job_id)
                if recovery.earlier_seconds and "seconds" in payload:
                    payload = payload | {"seconds": recovery.earlier_seconds + payload["seconds"]}
            return payload

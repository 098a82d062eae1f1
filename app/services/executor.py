"""Executors run tasks off the event loop. The routes and the job service see only the small
``Executor`` interface (start, submit, progress, cancel, shutdown), so a distributed engine can
replace the local process pool without touching them.

``LocalExecutor``: a fixed pool of worker processes (forkserver: started clean, without the
server's threads) and a bounded queue of tasks waiting for a free worker. One listener thread
receives every worker's messages and hands them to ``on_message(kind, job_id, payload)``, so the
job service writes to the database from a single thread. A cancel sets the running worker's
shared flag, which its progress callback reads after every training step.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Protocol

OnMessage = Callable[[str, str, dict[str, Any]], None]

WORKER_DIED = "the worker process stopped unexpectedly"
# Training yields the CPU to the server process, so requests stay quick while jobs run.
WORKER_NICENESS = 5
RESPAWN_PAUSE_SECONDS = 1.0  # a worker that dies right after starting is not restarted in a tight loop


class QueueFull(RuntimeError):
    """Every worker is busy and the waiting queue is full; try again later."""


class Executor(Protocol):
    def start(self, on_message: OnMessage) -> None: ...

    def submit(self, job_id: str, task: dict[str, Any]) -> None:
        """Queue a task; raises ``QueueFull`` when it cannot take more."""

    def progress(self, job_id: str) -> tuple[int, dict[str, Any]] | None:
        """The latest progress payload of a job and its sequence number (None before the first)."""

    def cancel(self, job_id: str) -> str:
        """``"dequeued"`` (never started), ``"signalled"`` (running; stops after its current step)
        or ``"unknown"``."""

    def shutdown(self) -> None: ...


def _worker_main(conn: Connection, cancel_flag: Any) -> None:
    """A worker process: receive a task, run it, repeat; exit when the server goes away."""
    from .worker import run_task

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    os.nice(WORKER_NICENESS)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        def send(kind: str, payload: dict[str, Any], job_id: str = task["job_id"]) -> None:
            conn.send((kind, job_id, payload))

        try:
            run_task(task, send, lambda: cancel_flag.value != 0)
        except (BrokenPipeError, EOFError, OSError):
            return  # the server is gone


@dataclass
class _Slot:
    process: Any
    conn: Connection
    cancel_flag: Any
    job_id: str | None = None
    started: float = 0.0


class LocalExecutor:
    """``workers`` processes on this machine, at most ``queue_size`` tasks waiting."""

    def __init__(self, workers: int = 2, queue_size: int = 16):
        if workers < 1:
            raise ValueError("workers must be >= 1")
        self.n_workers, self.queue_size = workers, queue_size
        self._ctx = mp.get_context("forkserver")
        self._ctx.set_forkserver_preload(["app.services.worker"])
        self._lock = threading.Lock()
        self._pending: deque[tuple[str, dict[str, Any]]] = deque()
        # job id -> (sequence number, latest payload); replaced whole, so readers never see a mix.
        self._progress: dict[str, tuple[int, dict[str, Any]]] = {}
        self._slots: list[_Slot] = []
        self._on_message: OnMessage | None = None
        self._wake_reader, self._wake_writer = self._ctx.Pipe(duplex=False)
        self._stopping = False
        self._listener: threading.Thread | None = None

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self, on_message: OnMessage) -> None:
        self._on_message = on_message
        self._slots = [self._spawn() for _ in range(self.n_workers)]
        self._listener = threading.Thread(target=self._listen, name="nnviz-executor", daemon=True)
        self._listener.start()

    def _spawn(self) -> _Slot:
        server_end, worker_end = self._ctx.Pipe()
        flag = self._ctx.Value("b", 0, lock=False)
        process = self._ctx.Process(target=_worker_main, args=(worker_end, flag), daemon=True, name="nnviz-worker")
        process.start()
        worker_end.close()
        return _Slot(process, server_end, flag, started=time.monotonic())

    def shutdown(self) -> None:
        with self._lock:
            self._stopping = True
            self._pending.clear()
            for slot in self._slots:
                slot.cancel_flag.value = 1
                with contextlib.suppress(OSError):
                    slot.conn.send(None)
        self._wake_writer.send(None)
        if self._listener is not None:
            self._listener.join(timeout=5)
        for slot in self._slots:
            slot.process.join(timeout=2)
            if slot.process.is_alive():
                slot.process.kill()
                slot.process.join(timeout=2)
            slot.conn.close()

    # --- the interface -----------------------------------------------------------------------

    def submit(self, job_id: str, task: dict[str, Any]) -> None:
        with self._lock:
            if self._stopping:
                raise QueueFull("the server is shutting down")
            if len(self._pending) >= self.queue_size and self._idle_slot() is None:
                raise QueueFull(f"{self.queue_size} jobs are already waiting for a worker")
            self._pending.append((job_id, {**task, "job_id": job_id}))
            self._dispatch()

    def progress(self, job_id: str) -> tuple[int, dict[str, Any]] | None:
        latest = self._progress.get(job_id)
        return None if latest is None or latest[0] == 0 else latest

    def cancel(self, job_id: str) -> str:
        with self._lock:
            for i, (pending_id, _) in enumerate(self._pending):
                if pending_id == job_id:
                    del self._pending[i]
                    return "dequeued"
            for slot in self._slots:
                if slot.job_id == job_id:
                    slot.cancel_flag.value = 1
                    return "signalled"
        return "unknown"

    # --- internals (called with the lock held, or from the listener thread) ------------------

    def _idle_slot(self) -> _Slot | None:
        return next((slot for slot in self._slots if slot.job_id is None and slot.process.is_alive()), None)

    def _dispatch(self) -> None:
        while self._pending and (slot := self._idle_slot()) is not None:
            job_id, task = self._pending.popleft()
            slot.cancel_flag.value = 0
            slot.job_id = job_id
            self._progress[job_id] = (0, {})
            self._deliver("started", job_id, {})
            try:
                slot.conn.send(task)
            except OSError:
                slot.job_id = None
                self._deliver("finished", job_id, {"status": "failed", "error": WORKER_DIED})

    def _deliver(self, kind: str, job_id: str, payload: dict[str, Any]) -> None:
        if self._on_message is not None:
            self._on_message(kind, job_id, payload)

    def _listen(self) -> None:
        while True:
            with self._lock:
                if self._stopping:
                    return
                waitables = {slot.conn: slot for slot in self._slots}
                sentinels = {slot.process.sentinel: slot for slot in self._slots}
            ready = wait([*waitables, *sentinels, self._wake_reader])
            for item in ready:
                if item is self._wake_reader:
                    return
                if item in waitables:
                    self._receive(waitables[item])
            for item in ready:
                if item in sentinels and not sentinels[item].process.is_alive():
                    self._replace(sentinels[item])

    def _receive(self, slot: _Slot) -> None:
        try:
            kind, job_id, payload = slot.conn.recv()
        except (EOFError, OSError):
            return  # the process died; its sentinel says so
        if kind == "progress":
            seq = self._progress.get(job_id, (0, {}))[0]
            self._progress[job_id] = (seq + 1, payload)
            return
        if kind == "finished":
            self._deliver(kind, job_id, payload)
            with self._lock:
                slot.job_id = None
                self._progress.pop(job_id, None)
                if not self._stopping:
                    self._dispatch()
            return
        self._deliver(kind, job_id, payload)

    def _replace(self, dead: _Slot) -> None:
        if time.monotonic() - dead.started < RESPAWN_PAUSE_SECONDS:
            time.sleep(RESPAWN_PAUSE_SECONDS)
        with self._lock:
            if self._stopping:
                return
            job_id = dead.job_id
            dead.conn.close()
            self._slots[self._slots.index(dead)] = self._spawn()
        if job_id is not None:
            self._deliver("finished", job_id, {"status": "failed", "error": WORKER_DIED})
            with self._lock:
                self._progress.pop(job_id, None)
                self._dispatch()

"""What runs inside a Dask worker for ``DaskExecutor``: one slice of one job per task.

A job's run (a ``TrainRun`` from ``worker.py``, unchanged) stays in this process's
memory between slices, in a registry keyed by job id; the executor pins every slice of a job to
the worker that holds it. A task returns only what the slice produced, in the order it was
produced: ``(kind, payload, created)`` messages (``progress``, ``checkpoint``, ``finished``, as in
``worker.py``; ``created`` is the wall-clock time it was made, to measure delivery) and the slice
report ``{"seconds", "wait"}``. A slice that finds no run for its job (this worker restarted at
the same address, or dropped the run as stale) answers ``missing``, and the executor starts the
job again from its latest checkpoint.

Runs nobody has sliced for ``STALE_SECONDS`` (their server went away) are stopped and dropped.
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from .worker import DataCache, TrainRun, failure

STALE_SECONDS = 1800.0
SWEEP_SECONDS = 60.0

Message = tuple[str, dict[str, Any], float]


@dataclass
class _Held:
    """A job's run on this worker and the messages its current slice has sent."""

    run: TrainRun | None = None
    messages: list[Message] = field(default_factory=list)
    used: float = field(default_factory=time.monotonic)

    def send(self, kind: str, job_id: str, payload: dict[str, Any]) -> None:
        self.messages.append((kind, payload, time.time()))

    def take(self) -> list[Message]:
        messages, self.messages = self.messages, []
        return messages


_lock = threading.Lock()  # a worker may run several slices at once (one per thread)
_held: dict[str, _Held] = {}
_data_lock = threading.Lock()
_datasets = DataCache()
_swept = time.monotonic()


def run_slice(job_id: str, task: dict[str, Any] | None, seconds: float, stop: bool = False) -> dict[str, Any]:
    """Start the job here when ``task`` is given, then run one slice of about ``seconds`` (or stop
    it). Returns ``{"messages", "report", "missing"}``; never raises for the job's own errors, which
    end it ``failed`` like in a local worker."""
    _sweep()
    if task is not None:
        held = _Held()
        try:
            with _data_lock:  # the data cache is shared by the worker's threads
                held.run = TrainRun(job_id, task, held.send, _datasets)
            with _lock:
                _held[job_id] = held
        except Exception as exc:  # a task that cannot start fails alone
            held.send("finished", job_id, failure(exc))
            return {"messages": held.take(), "report": None, "missing": False}
    else:
        with _lock:
            held = _held.get(job_id)
        if held is None:
            return {"messages": [], "report": None, "missing": True}
    held.used = time.monotonic()
    report, ended = None, stop
    try:
        if stop:
            held.run.stop()
        else:
            report = held.run.slice(seconds)
    except Exception as exc:
        held.send("finished", job_id, failure(exc))
        ended = True
    if ended or held.run.finished:
        with _lock:
            _held.pop(job_id, None)
    return {"messages": held.take(), "report": report, "missing": False}


def _sweep() -> None:
    """Stop and drop runs no slice has touched for ``STALE_SECONDS``."""
    global _swept
    now = time.monotonic()
    if now - _swept < SWEEP_SECONDS:
        return
    with _lock:
        _swept = now
        stale = [job_id for job_id, held in _held.items() if now - held.used > STALE_SECONDS]
        dropped = [_held.pop(job_id) for job_id in stale]
    for held in dropped:
        with contextlib.suppress(Exception):  # nobody waits for this run any more
            held.run.stop()


def held_jobs() -> list[str]:
    """The jobs this worker holds (for tests and diagnostics)."""
    with _lock:
        return sorted(_held)

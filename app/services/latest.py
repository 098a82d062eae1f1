"""Each experiment's latest result with its default options, computed once per server.

The Experiments page shows every experiment's result at once. ``start_all`` (at start-up, unless
``NNVIZ_PRECOMPUTE_EXPERIMENTS`` is off) or else the first request for one starts its job (the
server's own, owned by nobody, batch work like any experiment); the finished job is kept in memory
and every later request reads it. A job that failed or was cancelled is forgotten, so the next
request tries again.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from app.nn import SpecError

from .experiments import EXPERIMENTS
from .jobs import FINAL_STATUSES, JobService
from .scheduler import PersonLimit, QueueFull
from .specs import NotFound
from .store import StorageError

log = logging.getLogger(__name__)


class LatestResults:
    def __init__(self, jobs: JobService):
        self.jobs = jobs
        self._lock = threading.Lock()  # two first requests start one job, not two
        self._finished: dict[str, dict[str, Any]] = {}  # name -> the finished job
        self._computing: dict[str, str] = {}  # name -> id of the job computing it

    def get(self, name: str) -> dict[str, Any]:
        """The experiment's latest run with its defaults: the finished job, or the job computing
        it (started now if none is). Raises ``NotFound`` for an unknown name."""
        if name not in EXPERIMENTS:
            raise NotFound(f"no experiment named {name!r}; expected one of: {', '.join(EXPERIMENTS)}")
        with self._lock:
            if name in self._finished:
                return self._finished[name]
            job_id = self._computing.get(name)
            if job_id is None:
                job_id = self._computing[name] = self.jobs.create_experiment(name, {}, owner=None)["id"]
        job = self.jobs.get(job_id)
        if job["status"] in FINAL_STATUSES:
            with self._lock:
                if self._computing.get(name) == job_id:
                    del self._computing[name]
                if job["status"] == "done":
                    self._finished[name] = job
        return job

    def start_all(self) -> None:
        """Start computing every experiment's result now (at start-up), so that the Experiments
        page's first visitor finds them done. One that cannot start (a full queue, the server's own share of
        the workers used up (a small NNVIZ_PERSON_JOBS), limits that do
        not allow its defaults, the storage) starts on its first request, as without this."""
        for name in EXPERIMENTS:
            try:
                self.get(name)
            except (QueueFull, PersonLimit, SpecError, StorageError) as exc:
                log.warning("the kept result of experiment %s will be computed on its first request: %s", name, exc)

    def computing(self) -> dict[str, str]:
        """The experiments whose result is being computed: name -> job id."""
        with self._lock:
            return dict(self._computing)

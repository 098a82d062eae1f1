"""Training and experiment jobs: validate, store, hand to the executor, record what comes back.

The executor's listener thread calls ``on_message``; it is the only place that writes a running
job's state, so the database has a single writer per server process. Jobs a crash left queued or
running are marked ``interrupted`` when the service starts.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from typing import Any

from app.nn import Dataset, Network, TrainConfig

from .executor import Executor
from .experiments import EXPERIMENTS, resolve_options
from .networks import NetworkService, iso_time
from .specs import (
    Limits,
    NotFound,
    build_dataset,
    check_budget,
    check_data_fits,
    live_options,
    network_spec,
    resolve_data_spec,
    train_config,
)
from .store import Store

log = logging.getLogger(__name__)

MAX_NETWORK_HISTORY = 2000  # records kept per network
FINAL_STATUSES = ("done", "diverged", "failed", "cancelled", "interrupted")
METRIC_KEYS = ("train_loss", "reg_loss", "train_accuracy", "test_loss", "test_accuracy", "train_r2", "test_r2",
               "dead_fraction", "update_ratio")


class Conflict(RuntimeError):
    """The request clashes with the current state (e.g. the network is being trained)."""


def public_job(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "kind": row["kind"],
        "status": row["status"],
        "network_id": row["network_id"],
        "created_at": iso_time(row["created_at"]),
        "started_at": iso_time(row["started_at"]),
        "finished_at": iso_time(row["finished_at"]),
        "error": row["error"],
        "progress": row["progress"],
        "metrics": row["metrics"],
        "history": row["history"],
        "result": row["result"],
        "request": row["request"],
    }


def merge_history(previous: list[dict[str, Any]], run: list[dict[str, Any]],
                  limit: int = MAX_NETWORK_HISTORY) -> list[dict[str, Any]]:
    """A network's history followed by a run's records (which replace any from the same steps on).

    Beyond ``limit`` records the older ones are thinned evenly, so a network trained in many short
    jobs keeps a history of bounded size; the first and latest records always stay.
    """
    first = run[0]["step"] if run else math.inf
    merged = [record for record in previous if record["step"] < first] + run
    if len(merged) <= limit:
        return merged
    keep = sorted({round(i * (len(merged) - 1) / (limit - 1)) for i in range(limit)})
    return [merged[i] for i in keep]


def metrics_of(history: list[dict[str, Any]], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    last = history[-1] if history else {}
    return {key: last[key] for key in METRIC_KEYS if key in last} | (extra or {})


class JobService:
    def __init__(self, store: Store, executor: Executor, networks: NetworkService, limits: Limits,
                 checkpoint_seconds: float = 1.0):
        self.store, self.executor, self.networks, self.limits = store, executor, networks, limits
        self.checkpoint_seconds = checkpoint_seconds
        self._lock = threading.Lock()  # guards "is this network busy?" against a second job

    def start(self) -> None:
        self.store.interrupt_active_jobs("the server stopped while this job was queued or running")
        self.executor.start(self.on_message)

    def stop(self) -> None:
        self.executor.shutdown()
        self.store.interrupt_active_jobs("the server stopped while this job was queued or running")

    # --- queries -----------------------------------------------------------------------------

    def get(self, job_id: str) -> dict[str, Any]:
        """The job as stored; a running job's progress is the worker's latest, not the last checkpoint's."""
        row = self.store.get_job(job_id)
        if row is None:
            raise NotFound(f"no job with id {job_id!r}")
        live = self.executor.progress(job_id) if row["status"] == "running" else None
        if live is not None:
            row["progress"] = {key: live[1].get(key) for key in ("step", "total_steps", "epoch")}
        return public_job(row)

    def list(self, limit: int = 100, full: bool = False) -> list[dict[str, Any]]:
        """Newest first; without ``full`` each job leaves out its history and result (they can be large)."""
        jobs = [public_job(row) for row in self.store.list_jobs(limit)]
        return jobs if full else [job | {"history": None, "result": None} for job in jobs]

    def status(self, job_id: str) -> str:
        row = self.store.get_job(job_id)
        if row is None:
            raise NotFound(f"no job with id {job_id!r}")
        return row["status"]

    def progress(self, job_id: str) -> tuple[int, dict[str, Any]] | None:
        return self.executor.progress(job_id)

    # --- training ----------------------------------------------------------------------------

    def create_training(self, request: dict[str, Any]) -> dict[str, Any]:
        """Check a training request, store the job (and a new network), queue it. Raises
        ``InvalidInput``, ``NotFound``, ``Conflict`` or the executor's ``QueueFull``."""
        data_spec = request.get("data") or {}
        upload = self.store.get_upload(data_spec["id"]) if data_spec.get("id") else None
        data_spec = resolve_data_spec(data_spec, self.limits, upload)
        data = build_dataset(data_spec, upload)
        config = train_config(request.get("training") or {}, self.limits)
        live = live_options(request.get("live"), self.limits)
        network_request = request.get("network") or {}
        with self._lock:  # "is this network idle?" and "this job trains it" happen together
            network_id, network = self._network(network_request, data, config)
            steps = check_budget(config, data, sum(w.size for w in network["weights"].values()), self.limits)
            created = None
            if network_id is None:
                network_id = created = self.store.create_network(network["spec"], network["weights"], data=data_spec)
            stored_request = {"network": network_request if created else {"id": network_id}, "data": data_spec,
                              "training": dict(vars(config)), "live": live}
            done = network["steps_trained"]
            job_id = self.store.create_job("train", stored_request, network_id, progress={
                "step": done, "total_steps": done + steps, "epoch": network["epochs_trained"]})
        task = {"kind": "train", "network": network, "data": data_spec, "upload": upload,
                "training": stored_request["training"], "live": live, "checkpoint_seconds": self.checkpoint_seconds}
        self._submit(job_id, task, created)
        return self.get(job_id)

    def _network(self, request: dict[str, Any], data: Dataset, config: TrainConfig) -> tuple[str | None, dict]:
        """The stored network to continue (its id and state), or a new one built from the spec (id None)."""
        if request.get("id"):
            stored = self.networks.row(request["id"])
            check_data_fits(stored["spec"], data)
            self.check_idle(stored["id"])
            keys = ("spec", "weights", "optimizer", "steps_trained", "epochs_trained")
            return stored["id"], {key: stored[key] for key in keys}
        spec = network_spec(request, self.limits, data)
        net = Network(spec, seed=request.get("seed", config.seed))
        return None, {"spec": spec.to_dict(), "weights": net.get_weights(), "optimizer": None, "steps_trained": 0,
                      "epochs_trained": 0.0}

    def check_idle(self, network_id: str) -> None:
        """Raise ``Conflict`` if a queued or running job is training this network."""
        job_id = self.store.active_job_for(network_id)
        if job_id is not None:
            raise Conflict(f"network {network_id!r} is being trained by job {job_id!r}; wait for it or cancel it")

    def _submit(self, job_id: str, task: dict[str, Any], created_network: str | None) -> None:
        try:
            self.executor.submit(job_id, task)
        except Exception:
            self.store.delete_job(job_id)
            if created_network is not None:
                self.store.delete_network(created_network)
            raise

    # --- experiments -------------------------------------------------------------------------

    def create_experiment(self, name: str, options: dict[str, Any]) -> dict[str, Any]:
        if name not in EXPERIMENTS:
            raise NotFound(f"no experiment named {name!r}; expected one of: {', '.join(EXPERIMENTS)}")
        options = resolve_options(name, options, self.limits)
        job_id = self.store.create_job("experiment", {"name": name, "options": options}, None)
        self._submit(job_id, {"kind": "experiment", "name": name, "options": options}, None)
        return self.get(job_id)

    # --- cancel ------------------------------------------------------------------------------

    def cancel(self, job_id: str) -> dict[str, Any]:
        status = self.status(job_id)
        if status in FINAL_STATUSES:
            return self.get(job_id)
        if self.executor.cancel(job_id) == "dequeued":
            self.store.update_job(job_id, status="cancelled", finished_at=time.time(),
                                  error="cancelled before it started")
        return self.get(job_id)

    # --- messages from the executor (one thread) ---------------------------------------------

    def on_message(self, kind: str, job_id: str, payload: dict[str, Any]) -> None:
        row = self.store.get_job(job_id)
        if row is None:
            return
        if kind == "started":
            self.store.update_job(job_id, status="running", started_at=time.time())
        elif kind == "checkpoint" and row["network_id"]:
            history = merge_history(self.networks.history(row["network_id"]), payload["history"])
            self.store.update_network(row["network_id"], payload["weights"], payload["steps_trained"],
                                      payload["epochs_trained"], history=history)
            self.store.update_job(job_id, progress=payload["progress"], history=payload["history"],
                                  metrics=metrics_of(payload["history"]))
        elif kind == "finished":
            self._finish(row, payload)

    def _finish(self, row: dict[str, Any], payload: dict[str, Any]) -> None:
        if payload["status"] == "failed":
            log.warning("job %s failed: %s\n%s", row["id"], payload.get("error"), payload.get("traceback", ""))
        job_fields: dict[str, Any] = {"status": payload["status"], "finished_at": time.time(),
                                      "error": payload.get("error")}
        network_fields = None
        if "history" in payload:
            job_fields |= {"history": payload["history"], "progress": payload["progress"],
                           "metrics": metrics_of(payload["history"], {"seconds": payload.get("seconds")})}
        if "result" in payload:
            job_fields["result"] = payload["result"]
        if row["network_id"] and "weights" in payload:
            network_fields = {"weights": payload["weights"], "optimizer": payload.get("optimizer"),
                              "steps_trained": payload["steps_trained"],
                              "epochs_trained": payload["epochs_trained"], "data": row["request"]["data"],
                              "history": merge_history(self.networks.history(row["network_id"]), payload["history"])}
        self.store.finish_job(row["id"], job_fields, row["network_id"], network_fields)


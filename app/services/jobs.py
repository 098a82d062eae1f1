"""Training, experiment and other group jobs: validate, store, hand to the executor, answer.

``JobService`` is three parts: this module (creating jobs, queries, cancels), the writer
(``job_writer.py``: the one thread that records what the executor reports) and the cluster part
(``job_cluster.py``: leases, adoption and resuming, parking, news between servers on the bus). Waiters and
event streams hear of every change through the ``Hub`` (``events.py``).

A training job nobody follows (``Hub.unwatched``: no event stream, waiting request or request for
it) for ``park_after`` seconds is **parked**: stopped like a cancel, its weights and optimizer
memory kept on its network, its slot freed; the next request for it (``follow``: its events, or
GET) queues it again for the steps it had left. A cancel ends a parked job. Jobs a crash left
queued or running are adopted and resumed from their last checkpoint (``job_cluster.py``).
"""
from __future__ import annotations

import contextlib
import logging
import queue
import secrets
import threading
import time
import zlib
from collections import OrderedDict
from typing import Any, Protocol

from app.nn import Dataset, Network, TrainConfig

from .bus import Bus, LocalBus
from .data_specs import build_dataset, resolve_data_spec
from .events import Hub
from .executor import Executor
from .experiment_runs import ExperimentRuns
from .experiments import EXPERIMENTS, resolve_options, run_tasks
from .job_cluster import LEASE_SECONDS, JobCluster, group_task
from .job_writer import Histories, JobWriter
from .networks import NetworkService, iso_time
from .specs import (
    Conflict,
    Limits,
    NotFound,
    check_budget,
    check_data_fits,
    check_live_cost,
    check_live_layer,
    frame_compute,
    job_load,
    live_options,
    network_spec,
    train_config,
)
from .store import Store

log = logging.getLogger(__name__)

# The server decides which jobs are interactive (a client may only ask for batch): those of at most
# INTERACTIVE_COMPUTE multiply-adds of steps (a Play chunk, a Step) whose frames cost at most
# INTERACTIVE_FRAME_COMPUTE each (about a millisecond: the Playground's grid 40 and node maps of a
# small network, not a grid of 200).
INTERACTIVE_COMPUTE = 1e9
INTERACTIVE_FRAME_COMPUTE = 1e6
NETWORK_LOCKS = 64  # locks shared by the networks (by hash) that guard "one active job per network"
FINAL_STATUSES = ("done", "diverged", "failed", "cancelled", "interrupted")


class ClassJobs(Protocol):
    """What a job made for a class asks of the classes (``classes.ClassService.check_job``), and whether
    someone leads a job's class (``leads``: its lecturer may read it)."""

    def check_job(self, class_id: str, owner: str | None, data_spec: dict[str, Any], spec: dict[str, Any],
                  seed: int | None, config: TrainConfig) -> None: ...

    def leads(self, class_id: str | None, owner: str | None) -> bool: ...


class GroupHandler(Protocol):
    """What a kind of group job (an experiment, a sweep) does with its runs' news, after a
    restart, and when the group ends."""

    def on_progress(self, group_id: str, index: int, progress: dict[str, Any]) -> None:
        """Run ``index`` under way has checkpointed (``progress``: its step counts)."""

    def on_run(self, group_id: str, index: int, payload: dict[str, Any]) -> None: ...

    def resume(self, row: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
        """The runs still to do (index, training task)."""

    def end(self, row: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
        """The job's final state (status, error, and ``result`` when it changes) from the group's."""


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


class JobService(JobCluster, JobWriter):
    """Jobs of one server process. With several servers on one database, each runs the jobs
    created through it and holds a lease on each, renewed every second: a job whose server stopped
    renewing (it crashed, or stopped and let go) is adopted by another server, or by this one when
    it starts again, and resumes from its last checkpoint. News for jobs run elsewhere (live
    frames, changes, cancels) arrives through the ``bus``."""

    def __init__(self, store: Store, executor: Executor, networks: NetworkService, limits: Limits,
                 checkpoint_seconds: float = 1.0, bus: Bus | None = None, server_id: str | None = None,
                 park_after: float = 0.0, lease_seconds: float = LEASE_SECONDS):
        self.store, self.executor, self.networks, self.limits = store, executor, networks, limits
        self.checkpoint_seconds = checkpoint_seconds
        self.park_after = park_after  # 0: never park
        self.lease_seconds = lease_seconds  # how long a lease holds unrenewed (renewed every LEASE_RENEW_SECONDS)
        self._parkable: set[str] = set()  # training jobs this server runs or queues
        self.hub = Hub()
        self.server_id = server_id or secrets.token_hex(8)
        self.bus: Bus = bus or LocalBus()
        # "Is this network idle?" and "this job trains it" happen together under its network's lock:
        # one lock per network (a few shared by hashing), so that a class pressing Play on their own
        # networks at once do not wait for one another's checks and writes
        self._locks = [threading.Lock() for _ in range(NETWORK_LOCKS)]
        self._inbox: queue.SimpleQueue[tuple[str, str, dict[str, Any]] | None] = queue.SimpleQueue()
        self._writer = threading.Thread(target=self._write_loop, name="nnviz-job-writer", daemon=True)
        self._stopping = threading.Event()
        self._leases = threading.Thread(target=self._lease_loop, name="nnviz-job-leases", daemon=True)
        self._remote: OrderedDict[str, tuple[int, dict[str, Any]]] = OrderedDict()  # frames of jobs run elsewhere
        # by job kind: what a group's runs are (an experiment's; a sweep registers itself)
        self.groups: dict[str, GroupHandler] = {"experiment": ExperimentRuns(store, self)}
        self._group_frames: dict[str, tuple[int, dict[str, Any]]] = {}  # latest progress of a group run here
        self.classes: ClassJobs | None = None  # checks a job made for a class's assignment (Services sets it)
        # the stored histories of the training jobs this writer has checkpointed (writer thread only)
        self._histories: dict[str, Histories] = {}

    def start(self) -> None:
        self._writer.start()
        self.bus.start(self._on_bus)
        self.executor.start(self.on_message, self._on_frame)
        self.adopt_orphans()  # jobs of servers that stopped, this one before a restart included
        self._leases.start()

    def stop(self) -> None:
        """Stop training here; this server's unfinished jobs are let go at once, so that another
        server (or this one, when it starts again) resumes them from their last checkpoint."""
        self._stopping.set()
        self._leases.join(timeout=10)
        self.executor.shutdown()
        self._inbox.put(None)
        self._writer.join(timeout=10)
        self.store.release_leases(self.server_id)
        self.bus.stop()

    def _costs(self, live: dict[str, Any] | None, parameters: int, data: Dataset,
               batch_size: int | None) -> dict[str, float]:
        """What a training task costs, for the scheduler (``load``) and the worker (its frames' budget)."""
        batch = min(batch_size or len(data.y_train), len(data.y_train))
        frame = frame_compute(live, parameters, len(data.y_train))
        return {"load": job_load(live, batch * parameters, frame), "frame_compute": frame,
                "frame_budget": self.limits.max_compute}

    def _end(self, job_id: str, status: str, error: str | None) -> None:
        self.store.update_job(job_id, status=status, error=error, finished_at=time.time())
        self._changed(job_id)

    # --- queries -----------------------------------------------------------------------------

    def get(self, job_id: str, owner: str | None = None) -> dict[str, Any]:
        """The job as stored; a running job's progress is the worker's latest, not the last checkpoint's."""
        row = self.store.get_job(job_id, owner)
        if row is None:
            raise NotFound(f"no job with id {job_id!r}")
        live = self.progress(job_id) if row["status"] == "running" else None
        if live is not None and (live[1]["progress"]["step"] or 0) >= (row["progress"].get("step") or 0):
            row["progress"] = dict(live[1]["progress"])  # (a job nobody followed: its checkpoint may be newer)
        job = public_job(row)
        if row["status"] == "queued":
            job["queue_position"] = self.executor.position(job_id)
        return job

    def list(self, limit: int = 100, full: bool = False, owner: str | None = None) -> list[dict[str, Any]]:
        """Newest first; without ``full`` each job leaves out its history and result (they can be large)."""
        jobs = [public_job(row) for row in self.store.list_jobs(limit, owner)]
        return jobs if full else [job | {"history": None, "result": None} for job in jobs]

    def reader(self, job_id: str, owner: str | None) -> str | None:
        """Whom ``owner`` reads the job as: themselves, or anyone's reader (None) when it is a job made
        for a class they lead (the wall's view of a student's job). Only reading: a cancel stays the owner's."""
        if owner is None or self.store.job_status(job_id, owner) is not None:
            return owner
        return None if self.classes is not None and self.classes.leads(self.store.job_class(job_id), owner) else owner

    def status(self, job_id: str, owner: str | None = None) -> str:
        status = self.store.job_status(job_id, owner)
        if status is None:
            raise NotFound(f"no job with id {job_id!r}")
        return status

    def progress(self, job_id: str) -> tuple[int, dict[str, Any]] | None:
        """(sequence number, latest live frame) of a running job, here or on another server:
        ``{"progress": {...}, "json": text}``."""
        return self.executor.progress(job_id) or self._group_frames.get(job_id) or self._remote.get(job_id)

    def publish_frame(self, job_id: str, progress: dict[str, Any], text: str) -> None:
        """A group's progress event (made by its handler, on the writer thread), to its streams here
        and on other servers."""
        seq = self._group_frames.get(job_id, (0, {}))[0] + 1
        self._group_frames[job_id] = (seq, {"progress": progress, "json": text})
        self.hub.publish(job_id)
        if self.bus.shared:
            self.bus.publish("frame", job_id, f"{seq}\t{text}")

    def position(self, job_id: str) -> int | None:
        return self.executor.position(job_id)

    # --- training ----------------------------------------------------------------------------

    def create_training(self, request: dict[str, Any], owner: str | None = None) -> dict[str, Any]:
        """Check a training request, store the job (and a new network), queue it. Raises
        ``InvalidInput``, ``NotFound``, ``Conflict`` or the executor's ``QueueFull``."""
        data_spec = request.get("data") or {}
        upload = self.store.get_upload(data_spec["id"], owner) if data_spec.get("id") else None
        data_spec = resolve_data_spec(data_spec, self.limits, upload)
        data = build_dataset(data_spec, upload)
        config = train_config(request.get("training") or {}, self.limits)
        live = live_options(request.get("live"), self.limits)
        network_request = request.get("network") or {}
        with self._network_lock(network_request.get("id")):
            network_id, network = self._network(network_request, data, config, owner)
            if request.get("class_id") is not None and self.classes is not None:
                seed = None if network_request.get("id") else network_request.get("seed", config.seed)
                self.classes.check_job(request["class_id"], owner, data_spec, network["spec"], seed, config)
            check_live_layer(live, network["spec"])
            parameters = sum(w.size for w in network["weights"].values())
            steps = check_budget(config, data, parameters, self.limits)
            check_live_cost(live, steps, parameters, len(data.y_train), self.limits)
            costs = self._costs(live, parameters, data, config.batch_size)
            batch = min(config.batch_size or len(data.y_train), len(data.y_train))
            cheap = (steps * batch * parameters <= INTERACTIVE_COMPUTE
                     and costs["frame_compute"] <= INTERACTIVE_FRAME_COMPUTE)
            priority = "interactive" if cheap and request.get("priority") != "batch" else "batch"
            created = None
            if network_id is None:
                self.networks.check_room(owner)
                network_id = created = self.store.create_network(network["spec"], network["weights"], data=data_spec,
                                                                 owner=owner)
            stored_request = {"network": network_request if created else {"id": network_id}, "data": data_spec,
                              "training": dict(vars(config)), "live": live, "priority": priority,
                              "class_id": request.get("class_id")}
            if request.get("class_id") is not None:
                # What the run trained, on the job itself: the class's crowd experiment reads each
                # run's settings from here, also once its network (a Play chunk's) is gone.
                stored_request["spec"] = network["spec"]
            done = network["steps_trained"]
            job_id = self.store.create_job("train", stored_request, network_id, progress={
                "step": done, "total_steps": done + steps, "epoch": network["epochs_trained"]}, owner=owner,
                server=self.server_id, lease_until=self._lease(), class_id=request.get("class_id"))
        task = {"kind": "train", "network": network, "data": data_spec, "upload": upload,
                "training": stored_request["training"], "live": live, "checkpoint_seconds": self.checkpoint_seconds}
        self.hub.seen(job_id)  # its creator asked for it just now
        self._submit(job_id, task | costs, created, owner, priority)
        self._parkable.add(job_id)
        return self.get(job_id, owner)

    def _network_lock(self, network_id: str | None) -> Any:
        """The lock under which a stored network's next job is checked and stored (a network made
        by the request itself needs none: nobody else can train it yet)."""
        if not network_id:
            return contextlib.nullcontext()
        return self._locks[zlib.crc32(network_id.encode()) % NETWORK_LOCKS]

    def _network(self, request: dict[str, Any], data: Dataset, config: TrainConfig,
                 owner: str | None) -> tuple[str | None, dict]:
        """The stored network to continue (its id and state), or a new one built from the spec (id None)."""
        if request.get("id"):
            stored = self.networks.row(request["id"], owner=owner)
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

    def _submit(self, job_id: str, task: dict[str, Any], created_network: str | None, owner: str | None,
                priority: str) -> None:
        try:
            self.executor.submit(job_id, task, owner or "", priority)
        except Exception:
            self.store.delete_job(job_id)
            if created_network is not None:
                self.store.delete_network(created_network)
            raise

    # --- experiments -------------------------------------------------------------------------

    def create_experiment(self, name: str, options: dict[str, Any], owner: str | None = None) -> dict[str, Any]:
        """Check the options, store the job and queue its runs (each setting × seed) as a group."""
        if name not in EXPERIMENTS:
            raise NotFound(f"no experiment named {name!r}; expected one of: {', '.join(EXPERIMENTS)}")
        options = resolve_options(name, options, self.limits)
        runs = run_tasks(name, options, self.checkpoint_seconds)
        job_id = self.create_group("experiment", {"name": name, "options": options}, runs, owner,
                                   total_steps=sum(run["training"]["steps"] for run in runs))
        return self.get(job_id, owner)

    # --- groups ------------------------------------------------------------------------------

    def create_group(self, kind: str, request: dict[str, Any], runs: list[dict[str, Any]],
                     owner: str | None, total_steps: int | None = None) -> str:
        """Store a group job (``kind`` has a handler in ``groups``) and queue its runs (training
        tasks), each an executor job ``run_id(group, index)``. Batch work, admitted and limited
        like one job of its owner. Its progress counts ``total_steps`` (default: the runs). Returns
        the job's id."""
        job_id = self.store.create_job(kind, request, None, owner=owner, server=self.server_id,
                                       lease_until=self._lease(),
                                       progress={"step": 0, "total_steps": total_steps or len(runs), "epoch": None})
        self._submit(job_id, group_task(job_id, list(enumerate(runs))), None, owner, "batch")
        return job_id

    # --- cancel ------------------------------------------------------------------------------

    def cancel(self, job_id: str, owner: str | None = None) -> dict[str, Any]:
        status = self.status(job_id, owner)
        if status in FINAL_STATUSES:
            return self.get(job_id, owner)
        if status == "parked":
            self._end(job_id, "cancelled", None)
            return self.get(job_id, owner)
        answer = self.executor.cancel(job_id)
        if answer == "dequeued":
            self._end(job_id, "cancelled", "cancelled before it started")
        elif answer == "unknown":  # another server runs it: it stops it, told now or at its next lease round
            self.store.request_cancel(job_id)
            self.bus.publish("cancel", job_id)
        return self.get(job_id, owner)

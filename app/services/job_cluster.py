"""The cluster part of the job service: leases, adoption and news between servers.

With several API servers on one database, each runs the jobs created through it and holds a lease on
each, renewed every second: a job whose server stopped renewing (it crashed, or stopped and let go)
is adopted by another server, or by this one when it starts again, and resumes from its last
checkpoint (a training job from its network's, a group with the runs it has no result of). News for
jobs run elsewhere (live frames, changes, cancels) arrives through the ``bus``. Each lease round also
parks the training jobs nobody follows (``park_unwatched``), which resume when asked for (``follow``). ``JobCluster`` is
one of ``JobService``'s parts (``jobs.py``); its state is the service's.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from .data_specs import build_dataset
from .scheduler import PersonLimit, QueueFull
from .specs import NotFound

log = logging.getLogger(__name__)

LEASE_SECONDS = 6.0  # default lease: a job whose server has not renewed it for this long is adopted by another
LEASE_RENEW_SECONDS = 1.0  # how often a server renews its leases and looks for cancels and orphaned jobs
# A job nobody has followed for this long makes no live frames (the executor's ``quiet``), until someone does.
QUIET_AFTER_SECONDS = 2.0
MAX_REMOTE_FRAMES = 1000  # latest frames kept of jobs other servers run
RUN_SEPARATOR = ":"  # a group's run is a job of the executor named "<group id>:<run index>"


def run_id(group_id: str, index: int) -> str:
    return f"{group_id}{RUN_SEPARATOR}{index}"


def group_task(group_id: str, runs: list[tuple[int, dict[str, Any]]]) -> dict[str, Any]:
    """The executor's task of a group: its runs (index, training task) as jobs of their own."""
    return {"kind": "group", "runs": [(run_id(group_id, index), task) for index, task in runs]}


class JobCluster:
    """Leases, adoption and the bus: the part of ``JobService`` that several servers share."""

    def _lease(self) -> float:
        return time.time() + self.lease_seconds

    def _lease_loop(self) -> None:
        while not self._stopping.wait(LEASE_RENEW_SECONDS):
            try:
                self.store.renew_leases(self.server_id, self._lease())
                for job_id in self.store.cancel_requests(self.server_id):
                    self.executor.cancel(job_id)
                self.adopt_orphans()
                self.park_unwatched()
            except Exception:  # a database hiccup: the next round tries again, well within the lease
                log.exception("renewing job leases failed")

    def adopt_orphans(self) -> list[str]:
        """Take over the jobs whose server stopped renewing their lease, and resume each."""
        adopted = []
        now = time.time()
        for job_id in self.store.orphaned_jobs(now):
            if self.store.claim_job(job_id, self.server_id, now, self._lease()):
                log.info("job %s: adopted from a server that stopped; resuming", job_id)
                self._resume(job_id)
                adopted.append(job_id)
        return adopted

    def _resume(self, job_id: str) -> None:
        """Queue an adopted job again: a training job from its network's last checkpoint, a group
        (an experiment, a sweep) with the runs it has no result of."""
        row = self.store.get_job(job_id)
        try:
            if row["kind"] in self.groups:
                runs, priority = self.groups[row["kind"]].resume(row), "batch"
                if not runs:
                    self._finish(row, self.groups[row["kind"]].end(row, {"status": "done", "error": None}))
                    self._changed(job_id)
                    return
                task: dict[str, Any] | None = group_task(job_id, runs)
            else:
                task, priority = self._resume_training(row)
            if task is None:
                return
            self.store.update_job(job_id, status="queued", error=None)
            self.hub.publish(job_id)
            self.executor.submit(job_id, task, row["owner"] or "", priority)
            if task["kind"] == "train":
                self._parkable.add(job_id)
        except Exception as exc:  # no room, or its network or data are gone: it cannot go on
            self._end(job_id, "interrupted", f"the server running this job stopped, and it could not resume: {exc}")

    def _resume_training(self, row: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
        request = row["request"]
        network = self.store.get_network(row["network_id"]) if row["network_id"] else None
        if network is None:
            raise NotFound("its network was deleted")
        total = row["progress"].get("total_steps") or network["steps_trained"]
        remaining = total - network["steps_trained"]
        if remaining <= 0:  # it had finished every step when its server stopped
            self._end(row["id"], "done", None)
            return None, ""
        data_spec = request["data"]
        upload = self.store.get_upload(data_spec["id"]) if data_spec.get("id") else None
        keys = ("spec", "weights", "optimizer", "steps_trained", "epochs_trained")
        training = request["training"] | {"steps": remaining, "epochs": None}
        parameters = sum(w.size for w in network["weights"].values())
        task = {"kind": "train", "network": {key: network[key] for key in keys}, "data": data_spec,
                "upload": upload, "training": training, "live": request["live"],
                "checkpoint_seconds": self.checkpoint_seconds}
        task |= self._costs(request["live"], parameters, build_dataset(data_spec, upload), training["batch_size"])
        return task, request.get("priority", "batch")

    # --- news ----------------------------------------------------------------------------------

    def _on_frame(self, job_id: str) -> None:
        """From the executor: a new live frame (or an admission) of a job this server runs."""
        self.hub.publish(job_id)
        if self.bus.shared and (latest := self.executor.progress(job_id)) is not None:
            self.bus.publish("frame", job_id, f"{latest[0]}\t{latest[1]['json']}")

    def _changed(self, job_id: str) -> None:
        self.hub.publish(job_id)
        self.bus.publish("changed", job_id)

    def _on_bus(self, kind: str, job_id: str, data: str) -> None:
        """From another server: a frame or a change of a job it runs, or a cancel for one of ours."""
        if kind == "frame":
            seq, _, text = data.partition("\t")
            frame = json.loads(text)
            progress = {key: frame.get(key) for key in ("step", "total_steps", "epoch")}
            self._remote[job_id] = (int(seq), {"progress": progress, "json": text})
            self._remote.move_to_end(job_id)
            while len(self._remote) > MAX_REMOTE_FRAMES:
                self._remote.popitem(last=False)
        elif kind == "cancel":
            self.executor.cancel(job_id)
        elif kind == "changed":
            self._remote.pop(job_id, None)
        self.hub.publish(job_id)

    # --- parking -----------------------------------------------------------------------------

    def park_unwatched(self) -> list[str]:
        """Park the training jobs nobody has followed for ``park_after`` seconds; their ids."""
        self.executor.quiet(set(self.hub.unwatched(list(self._parkable), QUIET_AFTER_SECONDS)))
        if not self.park_after:
            return []
        parked = self.hub.unwatched(list(self._parkable), self.park_after)
        for job_id in parked:
            self._parkable.discard(job_id)
            if self.executor.park(job_id) == "dequeued":  # it never started: nothing to keep
                self.store.update_job(job_id, status="parked")
                self._changed(job_id)
        return parked

    def follow(self, job_id: str, owner: str | None = None) -> dict[str, Any]:
        """The job, for someone asking for it: it counts as followed, and a parked job resumes."""
        self.heard(job_id)
        if self.status(job_id, owner) == "parked":
            self.unpark(job_id)
        return self.get(job_id, owner)

    def heard(self, job_id: str) -> None:
        """Someone asks for ``job_id`` or follows it: it is not parked, and makes live frames again."""
        self.hub.seen(job_id)
        self.executor.heard(job_id)

    def unpark(self, job_id: str) -> None:
        """Queue a parked job again for the steps it had left. With no room now it stays parked; a
        job whose network has been trained or deleted since ends (``cancelled``)."""
        known = self.store.get_job(job_id)
        with self._network_lock(known["network_id"] if known else None):
            row = self.store.get_job(job_id)
            if row is None or row["status"] != "parked":
                return
            network = self.store.get_network(row["network_id"]) if row["network_id"] else None
            if (network is None or network["steps_trained"] != row["progress"]["step"]
                    or self.store.active_job_for(network["id"])):
                self._end(job_id, "cancelled",
                          "parked while nobody followed it; its network has been trained or deleted since")
                return
            try:
                task, priority = self._resume_training(row)
            except Exception as exc:  # its data are gone
                self._end(job_id, "interrupted", f"parked while nobody followed it, and it could not resume: {exc}")
                return
            if task is None:
                return
            self.store.update_job(job_id, status="queued", server=self.server_id, lease_until=self._lease())
            try:
                self.executor.submit(job_id, task, row["owner"] or "", priority)
            except (PersonLimit, QueueFull):
                self.store.update_job(job_id, status="parked")
                return
            self._parkable.add(job_id)
        self._changed(job_id)

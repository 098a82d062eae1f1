"""The job service's writer: the one thread that records what the executor reports.

The executor calls ``on_message`` from its scheduler thread; the messages are queued for this
thread, the only place that writes a running job's state (so the scheduler never waits for the
database, and the database has a single writer per server process). A running training job's
history is read once, at its first checkpoint, and kept (``Histories``); each checkpoint is one
transaction. After each write the job's waiters are notified through the ``Hub``. ``JobWriter`` is
one of ``JobService``'s parts (``jobs.py``); its state is the service's.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from .history import GrowingHistory, metrics_of
from .job_cluster import RUN_SEPARATOR
from .store import StorageError

log = logging.getLogger(__name__)


@dataclass
class Histories:
    """A running training job's stored history and its network's, as the writer keeps them from its
    first checkpoint to its end: read once, each record encoded once."""

    network_id: str
    job: GrowingHistory
    network: GrowingHistory


class JobWriter:
    """The writer thread's part of ``JobService``: messages in, stored job and network state out."""

    def on_message(self, kind: str, job_id: str, payload: dict[str, Any]) -> None:
        """From the executor's thread: queue the message for the writer thread."""
        self._inbox.put((kind, job_id, payload))

    def _write_loop(self) -> None:
        while (message := self._inbox.get()) is not None:
            kind, job_id, payload = message
            group_id, _, index = job_id.partition(RUN_SEPARATOR)
            if index and kind not in ("finished", "checkpoint"):
                continue  # a group's run: its group hears of its checkpoints and its end
            ended = False
            try:
                if index:
                    self._apply_run(kind, group_id, int(index), payload)
                else:
                    ended = self._apply(kind, job_id, payload)
            except StorageError as exc:  # the training goes on; its next checkpoint tries again
                log.error("job %s: %s not saved: %s", job_id, kind, exc)
            except Exception:  # one bad message must not stop the job bookkeeping
                log.exception("job %s: could not record %s", job_id, kind)
            if kind != "checkpoint" or index:  # a training job's checkpoint changes nothing its followers
                self._changed(group_id)         # wait for (its status, its frames): no wake-up for 100 a second
            if ended:  # after its last change has woken its waiters, the hub drops its counter
                self.hub.forget(job_id)

    def _apply_run(self, kind: str, group_id: str, index: int, payload: dict[str, Any]) -> None:
        row = self.store.get_job(group_id)
        if row is None or row["kind"] not in self.groups:
            return
        if kind == "finished":
            self.groups[row["kind"]].on_run(group_id, index, payload)
        else:
            self.groups[row["kind"]].on_progress(group_id, index, payload["progress"])

    def _apply(self, kind: str, job_id: str, payload: dict[str, Any]) -> bool:
        """Record one message of a job; True when the job has ended (not parked)."""
        if kind == "started":  # needs no read: a deleted job's update changes nothing
            self.store.update_job(job_id, status="running", started_at=time.time())
            return False
        if kind == "checkpoint" and job_id in self._histories:  # no read: the writer has what it needs
            self._checkpoint(job_id, self._histories[job_id], payload)
            return False
        row = self.store.get_job(job_id)
        if row is None:
            return False
        if kind == "checkpoint" and row["network_id"]:
            histories = self._histories[job_id] = Histories(row["network_id"], GrowingHistory(row["history"]),
                                                            GrowingHistory(self.networks.history(row["network_id"])))
            self._checkpoint(job_id, histories, payload)
        elif kind == "finished":
            if row["kind"] in self.groups:
                payload = self.groups[row["kind"]].end(row, payload)
            self._finish(row, payload)
            self._group_frames.pop(job_id, None)
            if payload["status"] != "parked":
                self._parkable.discard(job_id)
                return True
        return False

    def _checkpoint(self, job_id: str, histories: Histories, payload: dict[str, Any]) -> None:
        """A running job's weights, progress and history so far, and its network's, in one write."""
        job_history, network_history = histories.job, histories.network
        job_history.update(payload["history"])
        network_history.update(payload["history"])
        self.store.save_job(job_id, {"progress": payload["progress"], "history": job_history.text(),
                                     "metrics": metrics_of(job_history.tail())},
                            histories.network_id, {"weights": payload["weights"], "optimizer": payload.get("optimizer"),
                                         "steps_trained": payload["steps_trained"],
                                         "epochs_trained": payload["epochs_trained"],
                                         "history": network_history.text()})

    def _finish(self, row: dict[str, Any], payload: dict[str, Any]) -> None:
        if payload["status"] == "failed":
            log.warning("job %s failed: %s\n%s", row["id"], payload.get("error"), payload.get("traceback", ""))
        job_fields: dict[str, Any] = {"status": payload["status"], "error": payload.get("error")}
        if payload["status"] != "parked":
            job_fields["finished_at"] = time.time()
        network_fields = None
        histories = self._histories.pop(row["id"], None)
        job_history, network_history = (histories.job, histories.network) if histories else (None, None)
        if "history" in payload:
            job_history = job_history or GrowingHistory(row["history"])  # a resumed job keeps its records
            job_history.update(payload["history"])
            job_fields |= {"history": job_history.text(), "progress": payload["progress"],
                           "metrics": metrics_of(job_history.tail(), {"seconds": payload.get("seconds")})}
        if "result" in payload:
            job_fields["result"] = payload["result"]
        if row["network_id"] and "weights" in payload:
            network_history = network_history or GrowingHistory(self.networks.history(row["network_id"]))
            network_history.update(payload["history"])
            network_fields = {"weights": payload["weights"], "optimizer": payload.get("optimizer"),
                              "steps_trained": payload["steps_trained"],
                              "epochs_trained": payload["epochs_trained"], "data": row["request"]["data"],
                              "history": network_history.text()}
        self.store.save_job(row["id"], job_fields, row["network_id"], network_fields)

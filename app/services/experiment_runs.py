"""An experiment as a job: a group of independent runs (``experiments.run_tasks``), each finished
run's record kept on the job, the result assembled (``experiments.assemble``) when the last has
ended. The job service calls it on its writer thread (``JobService.groups["experiment"]``)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .experiments import EXPERIMENTS, assemble, run_record, run_tasks

if TYPE_CHECKING:
    from .jobs import JobService
    from .store import Store

log = logging.getLogger(__name__)


@dataclass
class _Tally:
    """An experiment job's progress in training steps: each run's, finished or under way."""

    total_steps: int
    runs: int
    steps: dict[int, int] = field(default_factory=dict)
    finished: set[int] = field(default_factory=set)


class ExperimentRuns:
    """What happens to the runs of experiment jobs (``JobService.groups["experiment"]``, on the job
    service's writer thread). Each finished run's record (``run_record``) is kept on the job, in
    ``result["runs"]`` until the result replaces them; progress events count the steps done over
    all runs (finished ones, and the checkpoints of those under way); when the group ends, the
    result is assembled from the records. A server that adopts the job starts again only the runs
    without a record; a run that fails stops the others and fails the experiment."""

    def __init__(self, store: Store, jobs: JobService):
        self.store, self.jobs = store, jobs
        self._tallies: dict[str, _Tally] = {}

    def _tally(self, row: dict[str, Any]) -> _Tally:
        tally = self._tallies.get(row["id"])
        if tally is None:  # the first news of this job here (or since a restart)
            options = row["request"]["options"]
            runs = len(EXPERIMENTS[row["request"]["name"]].variants(options)) * options["seeds"]
            tally = self._tallies[row["id"]] = _Tally(row["progress"]["total_steps"], runs)
            for record in _records(row):
                tally.steps[record["run"]] = record["steps"]
                tally.finished.add(record["run"])
        return tally

    def _publish(self, job_id: str, tally: _Tally) -> dict[str, Any]:
        """Send the job's progress as an event; returns it (for the store)."""
        progress = {"step": sum(tally.steps.values()), "total_steps": tally.total_steps, "epoch": None}
        frame = progress | {"finished": len(tally.finished), "total": tally.runs}
        self.jobs.publish_frame(job_id, progress, json.dumps(frame, separators=(",", ":")))
        return progress

    def on_progress(self, job_id: str, index: int, progress: dict[str, Any]) -> None:
        """A run under way has checkpointed at step ``progress["step"]``."""
        tally = self._tallies.get(job_id)
        if tally is None:
            row = self.store.get_job(job_id)
            if row is None:
                return
            tally = self._tally(row)
        if index not in tally.finished:
            tally.steps[index] = progress.get("step") or 0
            self._publish(job_id, tally)

    def on_run(self, job_id: str, index: int, payload: dict[str, Any]) -> None:
        """Run ``index`` has finished (``payload``: its training task's result)."""
        row = self.store.get_job(job_id)
        records = _records(row)
        if payload.get("status") == "cancelled" or any(record["run"] == index for record in records):
            return  # cancelled: the experiment is stopping
        request = row["request"]
        record = run_record(request["name"], index, request["options"]["seeds"], payload)
        tally = self._tally(row)
        tally.steps[index] = record["steps"]
        tally.finished.add(index)
        progress = self._publish(job_id, tally)
        self.store.update_job(job_id, result={"runs": [*records, record]}, progress=progress)
        if record["status"] == "failed":  # the result cannot be made without it: stop the others
            self.jobs.executor.cancel(job_id)

    def resume(self, row: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
        """After its server stopped: the runs without a record, to start again."""
        request, done = row["request"], {record["run"] for record in _records(row)}
        tasks = run_tasks(request["name"], request["options"], self.jobs.checkpoint_seconds)
        return [(index, task) for index, task in enumerate(tasks) if index not in done]

    def end(self, row: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
        """The job's final state, from the group's (``payload``) and its runs' records."""
        self._tallies.pop(row["id"], None)
        records = _records(row)
        failed = next((record for record in records if record["status"] == "failed"), None)
        if failed is not None:
            return {"status": "failed", "error": f"run {failed['run']} failed: {failed['error']}", "result": None}
        if payload["status"] != "done":
            return {"status": payload["status"], "error": payload.get("error"), "result": None}
        try:
            result = assemble(row["request"]["name"], row["request"]["options"], records)
        except Exception as exc:  # a bug, not the person's: the job says so and the server goes on
            log.exception("experiment %s: could not assemble its result", row["id"])
            return {"status": "failed", "error": f"{type(exc).__name__}: {exc}", "result": None}
        return {"status": "done", "error": None, "result": result}


def _records(row: dict[str, Any]) -> list[dict[str, Any]]:
    return (row["result"] or {}).get("runs", [])

"""LatestResults: one job per experiment per server, kept once done, tried again after a failure."""

import pytest

from app.services.latest import LatestResults
from app.services.specs import NotFound


class Jobs:
    """Just what LatestResults uses of JobService: create an experiment job, read a job."""

    def __init__(self):
        self.created: list[tuple[str, dict, str | None]] = []
        self.status: dict[str, str] = {}

    def create_experiment(self, name, options, owner=None):
        job_id = f"job-{len(self.created)}"
        self.created.append((name, options, owner))
        self.status[job_id] = "queued"
        return {"id": job_id, "status": "queued"}

    def get(self, job_id, owner=None):
        return {"id": job_id, "status": self.status[job_id], "result": {"of": job_id}}


def test_one_job_with_the_defaults_kept_once_done():
    jobs = Jobs()
    latest = LatestResults(jobs)
    assert latest.get("capacity")["status"] == "queued"
    assert latest.get("capacity")["id"] == "job-0"  # still computing: the same job, not a second
    assert jobs.created == [("capacity", {}, None)]  # default options, the server's own job
    jobs.status["job-0"] = "done"
    kept = latest.get("capacity")
    assert kept["result"] == {"of": "job-0"}
    jobs.status["job-0"] = "deleted"  # kept in memory: the store is not asked again
    assert latest.get("capacity") is kept and len(jobs.created) == 1


def test_a_failed_job_is_forgotten_and_tried_again():
    jobs = Jobs()
    latest = LatestResults(jobs)
    latest.get("activations")
    jobs.status["job-0"] = "failed"
    assert latest.get("activations")["status"] == "failed"  # answered once as it ended
    assert latest.get("activations")["id"] == "job-1"
    with pytest.raises(NotFound, match="no experiment named 'alchemy'"):
        latest.get("alchemy")

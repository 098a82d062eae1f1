"""A real server process, killed with SIGKILL during a training, restarted on the same data."""

import os

import httpx
import pytest

from ..servers import AppServer, start_app
from ..services.test_experiments import alone
from ..waiting import wait_until
from .conftest import SPIRAL

pytestmark = pytest.mark.slow


@pytest.fixture
def server_factory(tmp_path):
    """``start()`` runs ``python -m app`` on the test's data folder (each time on a port of its own:
    a killed server's port may still be held) and waits until it answers. Only one of its servers
    runs at a time, so their leases are short (2 s instead of 6): the server started after a crash
    adopts the killed one's jobs as soon as it is up, instead of waiting out the lease."""
    servers: list[AppServer] = []
    env = os.environ | {"NNVIZ_DATA_DIR": str(tmp_path), "NNVIZ_CHECKPOINT_SECONDS": "0.2", "NNVIZ_WORKERS": "1",
                        "NNVIZ_LEASE_SECONDS": "2"}

    def start() -> AppServer:
        servers.append(start_app(tmp_path / f"server-{len(servers)}.log", env))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


RESUMABLE = {"network": {"hidden": [{"units": 16}, {"units": 16}], "seed": 3}, "data": SPIRAL,
             "training": {"optimizer": "adam", "learning_rate": 0.01, "steps": 8_000, "seed": 1}}


def test_sigkill_during_training_loses_nothing_and_the_job_resumes(server_factory):
    server = server_factory()
    api = httpx.Client(base_url=server.url, timeout=300)
    created = api.post("/api/networks", json={"input_dim": 2, "hidden": [{"units": 5}], "output_dim": 3}).json()
    finished = api.post("/api/jobs?wait=true", json={"network": {"hidden": [{"units": 10}]}, "data": SPIRAL,
                                                     "training": {"steps": 200}}).json()
    assert finished["status"] == "done"
    long = api.post("/api/jobs", json=RESUMABLE).json()
    wait_until(lambda: api.get(f"/api/networks/{long['network_id']}").json()["steps_trained"] > 0,
               what="a first checkpoint")
    before = {n["id"]: api.get(f"/api/networks/{n['id']}/export").json() for n in api.get("/api/networks").json()}
    assert set(before) == {created["id"], finished["network_id"], long["network_id"]}
    assert api.get(f"/api/jobs/{long['id']}").json()["status"] == "running"

    server.kill()

    api.base_url = server_factory().url  # its lease expires: the new server adopts the job and resumes it
    jobs = {job["id"]: job for job in api.get("/api/jobs").json()}
    assert jobs[finished["id"]]["status"] == "done" and jobs[finished["id"]]["metrics"] == finished["metrics"]
    after = {n["id"]: api.get(f"/api/networks/{n['id']}/export").json() for n in api.get("/api/networks").json()}
    assert after[created["id"]] == before[created["id"]]
    assert after[finished["network_id"]] == before[finished["network_id"]]
    resumed = wait_until(lambda: (job := api.get(f"/api/jobs/{long['id']}").json())["status"]
                         not in ("queued", "running") and job, timeout=300, what="the resumed job to end")
    assert resumed["status"] == "done" and resumed["progress"]["step"] == 8_000
    assert resumed["history"][0]["step"] == 0 and resumed["history"][-1]["step"] == 8_000
    # Full batch and seeded: the same weights as a run nobody disturbed (Adam's moments were checkpointed too).
    undisturbed = api.post("/api/jobs", json=RESUMABLE).json()
    undisturbed = wait_until(lambda: (job := api.get(f"/api/jobs/{undisturbed['id']}").json())["status"] == "done"
                             and job, timeout=300, what="the undisturbed job")
    weights = [api.get(f"/api/networks/{job['network_id']}/export").json()["weights"] for job in (resumed, undisturbed)]
    assert weights[0] == weights[1]


def _crash_and_restart(server: AppServer, server_factory, api: httpx.Client, path: str) -> dict:
    """Kill the server (SIGKILL), start another on the same data, point ``api`` at it and wait until
    the job at ``path`` ends."""
    server.kill()
    api.base_url = server_factory().url
    return wait_until(lambda: (job := api.get(path).json())["status"] not in ("queued", "running") and job,
                      timeout=300, what=f"{path} to end after the restart")


def test_a_sweep_cut_off_by_a_crash_runs_the_rest_after_a_restart(server_factory):
    server = server_factory()
    api = httpx.Client(base_url=server.url, timeout=300)
    sweep = api.post("/api/sweeps", json={
        "base": {"network": {"hidden": [{"units": 16}]}, "data": SPIRAL, "training": {"steps": 3000}},
        "axes": {"training.learning_rate": [0.1, 0.3, 1.0]}, "seeds": 2}).json()
    early = wait_until(lambda: (rows := api.get(f"/api/sweeps/{sweep['id']}").json()["rows"]) and rows,
                       what="a first finished run")

    # The new server adopts the sweep and starts again the runs without a row.
    done = _crash_and_restart(server, server_factory, api, f"/api/sweeps/{sweep['id']}")
    assert done["status"] == "done" and done["progress"] == {"finished": 6, "total": 6}
    assert [row["run"] for row in done["rows"]] == list(range(6)) and all(r["status"] == "done" for r in done["rows"])
    kept = {row["run"]: row["network_id"] for row in done["rows"]}
    assert all(kept[row["run"]] == row["network_id"] for row in early)  # rows from before the crash stay


def test_an_experiment_cut_off_by_a_crash_runs_the_rest_after_a_restart(server_factory):
    server = server_factory()
    api = httpx.Client(base_url=server.url, timeout=300)
    job = api.post("/api/experiments/capacity", json={"steps": 3000, "seeds": 2}).json()
    wait_until(lambda: (api.get(f"/api/jobs/{job['id']}").json()["result"] or {}).get("runs"),
               what="a first finished run")

    # The new server adopts the experiment and starts again the runs without a record.
    done = _crash_and_restart(server, server_factory, api, f"/api/jobs/{job['id']}")
    assert done["status"] == "done", done["error"]
    assert done["progress"] == {"step": 3 * 2 * 3000, "total_steps": 3 * 2 * 3000, "epoch": None}
    assert done["result"] == alone("capacity", done["request"]["options"])  # as if nothing had happened

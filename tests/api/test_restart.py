"""A real server process, killed with SIGKILL during a training, restarted on the same data."""

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from ..waiting import wait_for_server, wait_until
from .conftest import SPIRAL

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server_factory(tmp_path):
    """``start(port)`` runs ``python -m app`` on the test's data folder and waits until it answers."""
    processes = []
    env = os.environ | {"NNVIZ_DATA_DIR": str(tmp_path), "NNVIZ_CHECKPOINT_SECONDS": "0.2", "NNVIZ_WORKERS": "1"}

    def start(port: int) -> subprocess.Popen:
        processes.append(subprocess.Popen([sys.executable, "-m", "app", "--port", str(port)], cwd=ROOT, env=env,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_for_server(f"http://127.0.0.1:{port}", processes[-1])
        return processes[-1]

    yield start
    for process in processes:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)


def test_sigkill_during_training_loses_nothing(server_factory):
    port = free_port()
    server = server_factory(port)
    api = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
    created = api.post("/api/networks", json={"input_dim": 2, "hidden": [{"units": 5}], "output_dim": 3}).json()
    finished = api.post("/api/jobs?wait=true", json={"network": {"hidden": [{"units": 10}]}, "data": SPIRAL,
                                                     "training": {"steps": 200}}).json()
    assert finished["status"] == "done"
    long = api.post("/api/jobs", json={"network": {"hidden": [{"units": 64}, {"units": 64}]}, "data": SPIRAL,
                                       "training": {"steps": 100_000}}).json()
    wait_until(lambda: api.get(f"/api/networks/{long['network_id']}").json()["steps_trained"] > 0,
               what="a first checkpoint")
    before = {n["id"]: api.get(f"/api/networks/{n['id']}/export").json() for n in api.get("/api/networks").json()}
    assert set(before) == {created["id"], finished["network_id"], long["network_id"]}
    assert api.get(f"/api/jobs/{long['id']}").json()["status"] == "running"

    os.kill(server.pid, signal.SIGKILL)
    server.wait(timeout=10)

    server_factory(port)
    jobs = {job["id"]: job for job in api.get("/api/jobs").json()}
    assert jobs[long["id"]]["status"] == "interrupted" and "stopped" in jobs[long["id"]]["error"]
    assert jobs[finished["id"]]["status"] == "done"
    assert jobs[finished["id"]]["metrics"] == finished["metrics"]
    after = {n["id"]: api.get(f"/api/networks/{n['id']}/export").json() for n in api.get("/api/networks").json()}
    assert set(after) == set(before)
    assert after[created["id"]] == before[created["id"]]
    assert after[finished["network_id"]] == before[finished["network_id"]]
    assert after[long["network_id"]]["steps_trained"] >= before[long["network_id"]]["steps_trained"] > 0
    for network_id in after:
        response = api.post(f"/api/networks/{network_id}/predict", json={"inputs": [[0.1, 0.2]]})
        assert response.status_code == 200
    # The interrupted network trains on from its last checkpoint.
    resumed = api.post("/api/jobs?wait=true", json={"network": {"id": long["network_id"]}, "data": SPIRAL,
                                                    "training": {"steps": 20}}).json()
    assert resumed["status"] == "done"
    assert resumed["history"][-1]["step"] == after[long["network_id"]]["steps_trained"] + 20

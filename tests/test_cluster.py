"""scripts/cluster.sh for real: PostgreSQL, a Dask scheduler and two workers, two API servers and
nginx on loopback; jobs and their live progress through nginx; then a stop that leaves nothing.

Marked ``cluster`` and ``slow``. Without Debian's postgresql or nginx the tests are skipped, unless
CI is set, where that is a failure (``.ci/run`` installs both).
"""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psutil
import pytest

from .servers import PortTaken, port_taken, retry_if_port_taken

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "cluster.sh"
START_SECONDS = 180  # the script's own deadline per part is 120 s; a busy machine is slow to start Python
SPIRAL = {"name": "spiral", "n_per_class": 50, "classes": 3, "seed": 0}
pytestmark = [pytest.mark.cluster, pytest.mark.slow]


@dataclass
class Cluster:
    script: subprocess.Popen[str]
    addresses: dict[str, str]  # url, api-1, api-2, scheduler, database, logs: as the script printed them
    processes: list[psutil.Process]  # everything it started, PostgreSQL's server included
    stderr: Path

    def client(self, name: str = "url") -> httpx.Client:
        return httpx.Client(base_url=self.addresses[name], timeout=60)


def read_until_ready(script: subprocess.Popen[str]) -> dict[str, str] | None:
    """The addresses the script prints before "ready"; None if it ends or takes too long first."""
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=lambda: [*map(lines.put, script.stdout), lines.put(None)], daemon=True).start()
    addresses, deadline = {}, time.monotonic() + START_SECONDS
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        if line is None:
            return None
        if line.strip() == "ready":
            return addresses
        name, _, value = line.strip().partition(" ")
        addresses[name] = value.strip()
    return None


def started_processes(script: subprocess.Popen[str], logs: Path) -> list[psutil.Process]:
    """The script's descendants, and PostgreSQL's server (pg_ctl detaches it) with its own."""
    processes = psutil.Process(script.pid).children(recursive=True)
    postmaster = psutil.Process(int((logs / "postgres" / "data" / "postmaster.pid").read_text().split()[0]))
    return [*processes, postmaster, *postmaster.children(recursive=True)]


def start_cluster(stderr: Path) -> tuple[subprocess.Popen[str], dict[str, str]]:
    """The script, once it printed "ready", and its addresses. ``PortTaken`` if a part could not bind
    a port the script chose (another process took it in between)."""
    # The folder must go at the stop (the last test checks it), whatever the caller's environment says.
    environment = {name: value for name, value in os.environ.items() if name != "KEEP_CLUSTER_DIR"}
    environment["NNVIZ_PYTHON"] = sys.executable
    with stderr.open("w") as errors:
        script = subprocess.Popen(["bash", str(SCRIPT)], stdout=subprocess.PIPE, stderr=errors, text=True,
                                  env=environment)
    addresses = read_until_ready(script)
    if addresses is None:
        script.terminate()
        script.wait(timeout=60)
        reason = stderr.read_text()
        if port_taken(reason):
            raise PortTaken(reason)
        if "is not installed" in reason:
            (pytest.fail if os.environ.get("CI") else pytest.skip)(reason.strip())
        pytest.fail(f"scripts/cluster.sh did not get ready:\n{reason[-4000:]}")
    return script, addresses


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    stderr = tmp_path_factory.mktemp("cluster") / "stderr"  # each attempt's anew
    script, addresses = retry_if_port_taken(lambda: start_cluster(stderr))
    try:
        yield Cluster(script, addresses, started_processes(script, Path(addresses["logs"])), stderr)
    finally:
        if script.poll() is None:
            script.terminate()
            script.wait(timeout=60)


def test_everything_answers_through_nginx_and_directly(cluster):
    assert set(cluster.addresses) == {"url", "api-1", "api-2", "scheduler", "database", "logs"}
    for name in ("url", "api-1", "api-2"):
        health = cluster.client(name).get("/api/health")
        assert health.status_code == 200 and health.json()["status"] == "ok", name
    assert urlsplit(cluster.addresses["url"]).hostname == "127.0.0.1"
    assert cluster.addresses["scheduler"].startswith("tcp://127.0.0.1:")
    assert cluster.addresses["database"].startswith("postgresql://nnviz:")
    commands = [" ".join(process.cmdline()) for process in cluster.processes]
    started = {part: sum(part in command for command in commands)
               for part in ("dask scheduler", "dask worker", "-m app")}
    assert started == {"dask scheduler": 1, "dask worker": 2, "-m app": 2}


def test_a_job_through_nginx_is_stored_for_both_servers(cluster):
    with cluster.client() as client:
        owner = client.get("/api/me").json()["owner"]  # the cookie first, as a browser's first page
        response = client.post("/api/jobs?wait=true", json={"network": {"hidden": [{"units": 16}]},
                                                            "data": SPIRAL, "training": {"steps": 200}})
        assert response.status_code == 200, response.text
        job = response.json()
        assert job["status"] == "done" and job["progress"]["step"] == 200 and job["metrics"]["train_accuracy"] > 0.4
        # One database and one cookie key: each server knows this visitor and their job.
        for name in ("api-1", "api-2"):
            with cluster.client(name) as direct:
                direct.cookies = client.cookies
                assert direct.get("/api/me").json()["owner"] == owner, name
                assert direct.get(f"/api/jobs/{job['id']}").json()["status"] == "done", name


def events(response: httpx.Response) -> Iterator[tuple[str, dict]]:
    event = None
    for line in response.iter_lines():
        if line.startswith("event: "):
            event = line.removeprefix("event: ")
        elif line.startswith("data: "):
            yield event, json.loads(line.removeprefix("data: "))


def test_live_progress_arrives_through_nginx_while_the_job_runs(cluster):
    long_job = {"network": {"hidden": [{"units": 16}]}, "data": SPIRAL, "training": {"steps": 100_000},
                "live": {"grid": 8, "interval_ms": 100, "steps_per_second": 200}}  # paced: ~8 minutes
    with cluster.client() as client:
        client.get("/api/me")
        job = client.post("/api/jobs", json=long_job).json()
        steps, final = [], None
        with client.stream("GET", f"/api/jobs/{job['id']}/events") as stream:
            assert stream.status_code == 200 and stream.headers["content-type"].startswith("text/event-stream")
            for kind, data in events(stream):
                if kind == "done":
                    final = data
                    break
                steps.append(data["step"])
                if len(steps) == 1:
                    # Unbuffered: the first event is here while the job has most of its steps to go
                    # (its stored status may still say queued: the live frame can be ahead of it).
                    assert client.get(f"/api/jobs/{job['id']}").json()["status"] in ("queued", "running")
                if len(steps) == 3:
                    client.post(f"/api/jobs/{job['id']}/cancel")
    assert len(steps) >= 3 and steps == sorted(steps) and steps[-1] < 100_000
    assert final is not None and final["id"] == job["id"] and final["status"] == "cancelled"


def alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_stop_leaves_no_process_no_port_and_no_folder(cluster):
    cluster.script.send_signal(signal.SIGTERM)
    assert cluster.script.wait(timeout=120) == 0, cluster.stderr.read_text()
    assert cluster.stderr.read_text().rstrip().endswith("stopped")
    assert [process for process in cluster.processes if alive(process)] == []
    assert not Path(cluster.addresses["logs"]).exists()
    for name in ("url", "api-1", "api-2", "scheduler", "database"):
        address = urlsplit(cluster.addresses[name])
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((address.hostname, address.port), timeout=5).close()

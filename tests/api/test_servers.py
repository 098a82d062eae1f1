"""Two API servers on one PostgreSQL database: a job started through one is followed, cancelled
and trained further through the other, and survives its server being killed."""

import os
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.postgres import new_database

from ..servers import AppServer, start_app
from ..waiting import wait_until
from .conftest import SPIRAL, sse_events

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

LONG = {"network": {"hidden": [{"units": 32}, {"units": 32}]}, "data": SPIRAL,
        "training": {"steps": 100_000}, "live": {"grid": 20, "interval_ms": 50}}


def start(url: str, log: Path) -> AppServer:
    env = os.environ | {"NNVIZ_DATABASE_URL": url, "NNVIZ_SECRET_KEY": "shared-by-both-servers",
                        "NNVIZ_CHECKPOINT_SECONDS": "0.2", "NNVIZ_WORKERS": "1", "NNVIZ_DATA_DIR": "/nonexistent"}
    return start_app(log, env)


@pytest.fixture
def servers(postgres, tmp_path):
    url = new_database(postgres)
    started = []
    try:
        for name in ("a", "b"):
            started.append(start(url, tmp_path / f"{name}.log"))
        yield started
    finally:
        for server in started:
            server.stop()


def first_frames(client: httpx.Client, job_id: str, count: int) -> list[dict]:
    frames = []
    with client.stream("GET", f"/api/jobs/{job_id}/events") as response:
        assert response.status_code == 200
        for kind, data in sse_events(response.iter_lines()):
            if kind == "progress":
                frames.append(data)
                if len(frames) == count:
                    return frames
    raise AssertionError("the stream ended before the frames came")


def test_a_job_crosses_servers_and_survives_its_server(servers):
    server_a, server_b = servers
    a = httpx.Client(base_url=server_a.url, timeout=60)
    owner = a.get("/api/me").json()["owner"]
    b = httpx.Client(base_url=server_b.url, timeout=60, cookies=a.cookies)  # one visitor, one cookie, both servers
    assert b.get("/api/me").json()["owner"] == owner

    job = a.post("/api/jobs", json=LONG).json()
    frames = first_frames(b, job["id"], 3)  # live progress of a job server A runs, read through B
    assert frames[-1]["step"] > frames[0]["step"] and "boundary" in frames[-1]
    cancelled = b.post(f"/api/jobs/{job['id']}/cancel").json()
    cancelled = wait_until(lambda: (j := b.get(f"/api/jobs/{job['id']}").json())["status"] == "cancelled" and j,
                           what="the cancel through B")
    assert 0 < cancelled["progress"]["step"] < 100_000
    more = b.post("/api/jobs?wait=true", json={"network": {"id": job["network_id"]}, "data": SPIRAL,
                                               "training": {"steps": 50}}).json()
    assert more["status"] == "done" and more["progress"]["step"] == cancelled["progress"]["step"] + 50

    doomed = a.post("/api/jobs", json=LONG | {"training": {"steps": 8_000}}).json()
    wait_until(lambda: a.get(f"/api/networks/{doomed['network_id']}").json()["steps_trained"] > 0,
               what="a first checkpoint")
    server_a.kill()
    killed_at = time.monotonic()
    adopted = wait_until(lambda: (j := b.get(f"/api/jobs/{doomed['id']}").json())["status"]
                         not in ("queued", "running") and j, timeout=300, what="server B to finish the job")
    assert adopted["status"] == "done" and adopted["progress"]["step"] == 8_000
    print(f"\njob adopted and finished by server B {time.monotonic() - killed_at:.1f} s after server A was killed")


def class_events(client: httpx.Client, class_id: str, wanted: int, first: threading.Event) -> list[tuple[str, dict]]:
    """The class stream's events until an ``assignment`` event of version ``wanted`` has come; ``first``
    is set when the first event has come."""
    seen = []
    with client.stream("GET", f"/api/classes/{class_id}/events") as response:
        assert response.status_code == 200
        for kind, data in sse_events(response.iter_lines()):
            seen.append((kind, data))
            first.set()
            if kind == "assignment" and data.get("version") == wanted:
                return seen
    raise AssertionError(f"the stream ended before version {wanted}: {seen}")


def test_a_class_works_the_same_through_either_server(servers):
    """A lecturer on one server, a student on the other: joining, the assignment's news on the
    student's stream, the student's class job on the lecturer's wall and the leaderboard."""
    server_a, server_b = servers
    lecturer = httpx.Client(base_url=server_a.url, timeout=60)
    made = lecturer.post("/api/classes", json={"title": "Two servers"}).json()
    setup = {"data": SPIRAL, "network": {"hidden": [{"units": 8, "activation": "relu"}]}, "training": {"steps": 20}}
    first = lecturer.put(f"/api/classes/{made['id']}/assignment",
                         json={"setup": setup, "unlocked": ["training.learning_rate"]})
    assert first.status_code == 200, first.text
    student = httpx.Client(base_url=server_b.url, timeout=60)
    joined = student.post("/api/classes/join", json={"code": made["code"], "name": "Ada"})
    assert joined.status_code == 201, joined.text

    # The student's stream is on B; the lecturer changes the assignment through A: the news crosses.
    events: list = []
    opened = threading.Event()
    reader = threading.Thread(target=lambda: events.extend(class_events(student, made["id"], 2, opened)))
    reader.start()
    assert opened.wait(60)  # the stream is open and has sent version 1 before the change below
    second = lecturer.put(f"/api/classes/{made['id']}/assignment",
                          json={"setup": setup, "unlocked": ["training.learning_rate"], "prompt": "Now with a prompt."})
    assert second.status_code == 200 and second.json()["version"] == 2
    reader.join(60)
    assert [data["version"] for kind, data in events if kind == "assignment"] == [1, 2]

    job = student.post("/api/jobs?wait=true", json={"class_id": made["id"], **setup}).json()
    assert job["status"] == "done", job
    tiles = wait_until(lambda: (t := lecturer.get(f"/api/classes/{made['id']}/wall").json()["tiles"])[0]["job"] and t,
                       what="the student's job on the wall served by A")
    assert tiles[0]["name"] == "Ada" and tiles[0]["job"]["id"] == job["id"] and tiles[0]["step"] == 20
    # The lecturer (A) reads the student's class job, which B ran.
    assert lecturer.get(f"/api/jobs/{job['id']}").json()["progress"]["step"] == 20

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings

from ..waiting import DEADLINE, wait_until

SPIRAL = {"name": "spiral", "n_per_class": 100, "classes": 3, "noise": 0.2, "seed": 0, "test_fraction": 0}
SMALL_NET = {"hidden": [{"units": 8, "activation": "relu"}]}
SMALL_JOB = {"network": {"hidden": [{"units": 4}]}, "data": SPIRAL | {"n_per_class": 20}, "training": {"steps": 20}}
FINAL = ("done", "diverged", "failed", "cancelled", "interrupted")


def open_client(data_dir: Path, **settings) -> TestClient:
    return TestClient(create_app(Settings(data_dir=data_dir, **settings)))


@contextmanager
def two_people(data_dir: Path, **settings) -> Iterator[tuple[TestClient, TestClient]]:
    """Alice and Bob: two visitors (separate cookie jars) of one server (one worker)."""
    with open_client(data_dir, workers=1, **settings) as alice:
        yield alice, TestClient(alice.app)


@pytest.fixture(scope="module")
def people(tmp_path_factory) -> Iterator[tuple[TestClient, TestClient]]:
    """Alice and Bob on a server of the module's own."""
    with two_people(tmp_path_factory.mktemp("people")) as pair:
        yield pair


def class_server(tmp_path_factory: pytest.TempPathFactory, **settings) -> Iterator[TestClient]:
    """The lecturer's client on a server of the module's own (one worker, no kept experiments), for
    the class tests."""
    with open_client(tmp_path_factory.mktemp("data"), workers=1, precompute_experiments=False, **settings) as client:
        yield client


@contextmanager
def assigned_class(lecturer: TestClient, title: str, assignment: dict) -> Iterator[dict]:
    """A new class of ``lecturer``'s with ``assignment`` set; ended afterwards, so the lecturer has
    room for the next."""
    made = lecturer.post("/api/classes", json={"title": title}).json()
    answer = lecturer.put(f"/api/classes/{made['id']}/assignment", json=assignment)
    assert answer.status_code == 200, answer.text
    yield made
    lecturer.post(f"/api/classes/{made['id']}/end")


def person(client: TestClient) -> TestClient:
    """Another person on the same server (a cookie jar of their own)."""
    return TestClient(client.app)


def join(lecturer: TestClient, code: str, name: str) -> TestClient:
    """A new person who has joined the class of ``code`` as ``name``."""
    student = person(lecturer)
    joined = student.post("/api/classes/join", json={"code": code, "name": name})
    assert joined.status_code == 201, joined.text
    return student


@pytest.fixture(scope="session")
def client(tmp_path_factory) -> Iterator[TestClient]:
    """One server (two workers) shared by the API tests: starting workers costs time. A ``?wait=true``
    waits up to five deadlines (the default is 120 s): an experiment's batch work on a machine whose
    cores are all busy can take longer than that, and the tests wait for it to finish."""
    with open_client(tmp_path_factory.mktemp("data"), workers=2, wait_seconds=5 * DEADLINE) as test_client:
        yield test_client


@pytest.fixture
def network(client) -> dict:
    response = client.post("/api/networks", json={"input_dim": 2, "hidden": [{"units": 4, "activation": "tanh"}],
                                                   "output_dim": 3})
    assert response.status_code == 201
    return response.json()


@pytest.fixture(scope="session")
def trained(client) -> dict:
    """A small network trained on the spiral (finished job)."""
    response = client.post("/api/jobs?wait=true", json={
        "network": {"hidden": [{"units": 16, "activation": "relu"}, {"units": 8, "activation": "tanh"}]},
        "data": SPIRAL | {"n_per_class": 50, "test_fraction": 0.2},
        "training": {"steps": 300, "learning_rate": 0.5},
    })
    assert response.status_code == 200, response.text
    job = response.json()
    assert job["status"] == "done"
    return job


def sse_events(lines: Iterable[str]) -> Iterator[tuple[str | None, dict]]:
    """A Server-Sent Events stream's (event, data) pairs from its lines, as they arrive; the data
    must be strict JSON (no NaN or infinity)."""
    kind = None
    for line in lines:
        if line.startswith("event: "):
            kind = line.removeprefix("event: ")
        elif line.startswith("data: "):
            yield kind, json.loads(line.removeprefix("data: "), parse_constant=pytest.fail)


def wait_status(client: TestClient, job_id: str, statuses=FINAL, timeout: float = DEADLINE) -> dict:
    """The job once its status is one of ``statuses``."""

    def reached() -> dict | None:
        job = client.get(f"/api/jobs/{job_id}").json()
        return job if job["status"] in statuses else None

    return wait_until(reached, timeout, f"job {job_id} to be {' or '.join(statuses)}")


def field_of(response) -> list[str]:
    return [error["field"] for error in response.json()["detail"]]

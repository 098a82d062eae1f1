"""Live progress across machines: how late a frame reaches a browser on another API server.

Starts ``scripts/cluster.sh`` (PostgreSQL, a Dask scheduler and 2 workers, 2 API servers, nginx,
all on loopback). K people each create a network and start a Play-sized job through server A; the
job runs on a Dask worker. Each person reads the job's events from server B (the frames cross
from the worker to A, then through PostgreSQL's NOTIFY to B), and, for comparison, from A. Every
frame carries ``made``, the worker's clock when it made it; the delay is the time it is read here
minus ``made`` (one machine, one clock). Target: p95 <= 150 ms on loopback, server B.

    python benchmarks/bench_cluster.py [--people 5] [--seconds 10]

Needs Debian's postgresql and nginx (as the cluster tests do).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import queue
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from server import event_lines  # benchmarks/server.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
DATA = {"name": "spiral", "n_per_class": 100, "classes": 3, "noise": 0.2, "seed": 0, "test_fraction": 0.2}
NETWORK = {"input_dim": 2, "hidden": [{"units": 8, "activation": "relu"}, {"units": 8, "activation": "relu"}],
           "output_dim": 3, "loss": "softmax", "init": "he"}
TRAINING = {"optimizer": "adam", "learning_rate": 0.01, "seed": 0, "steps": 10_000, "history_every": 100}
LIVE = {"grid": 40, "interval_ms": 50, "steps_per_second": 800}  # paced: the job outlasts the reading


def start_cluster() -> tuple[subprocess.Popen[str], dict[str, str]]:
    """scripts/cluster.sh running, and the addresses it printed before "ready"."""
    script = subprocess.Popen(["bash", str(ROOT / "scripts" / "cluster.sh")], stdout=subprocess.PIPE, text=True,
                              env=os.environ | {"NNVIZ_PYTHON": sys.executable})
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=lambda: [*map(lines.put, script.stdout), lines.put(None)], daemon=True).start()
    addresses: dict[str, str] = {}
    while (line := lines.get(timeout=300)) is not None:
        if line.strip() == "ready":
            return script, addresses
        name, _, value = line.strip().partition(" ")
        addresses[name] = value.strip()
    raise RuntimeError("scripts/cluster.sh ended before it was ready (see its error output above)")


async def read_delays(base: str, cookies: httpx.Cookies, job_id: str, until: float) -> list[float]:
    """Seconds from each frame's making to its arrival here, reading the job's events from ``base``."""
    delays: list[float] = []
    async with (httpx.AsyncClient(base_url=base, cookies=cookies, timeout=60) as client,
                client.stream("GET", f"/api/jobs/{job_id}/events") as events):
        async for kind, line in event_lines(events):
            if kind == "progress":
                arrived = time.time()
                made = json.loads(line.removeprefix("data: ")).get("made")
                if made is not None:
                    delays.append(arrived - made)
                if time.monotonic() >= until:
                    break
            elif kind == "done":
                break
    return delays


async def person(a: str, b: str, seconds: float) -> tuple[list[float], list[float]]:
    async with httpx.AsyncClient(base_url=a, timeout=60) as client:
        await client.get("/api/me")
        network = (await client.post("/api/networks", json={**NETWORK, "data": DATA})).json()
        response = await client.post("/api/jobs", json={"network": {"id": network["id"]}, "data": DATA,
                                                        "training": TRAINING, "live": LIVE})
        if response.status_code != 202:
            raise RuntimeError(f"the job was refused: {response.status_code} {response.text[:300]}")
        job_id = response.json()["id"]
        until = time.monotonic() + seconds
        on_b, on_a = await asyncio.gather(read_delays(b, client.cookies, job_id, until),
                                          read_delays(a, client.cookies, job_id, until))
        await client.post(f"/api/jobs/{job_id}/cancel")
    return on_b, on_a


def summary(delays: list[float]) -> str:
    if len(delays) < 20:
        return f"only {len(delays)} frames"
    cuts = statistics.quantiles(delays, n=20)
    return (f"{len(delays)} frames, p50 {1e3 * statistics.median(delays):.0f} ms, p95 {1e3 * cuts[18]:.0f} ms, "
            f"max {1e3 * max(delays):.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    script, addresses = start_cluster()
    try:
        print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; {args.people} people, "
              f"jobs through {addresses['api-1']}, events from both servers", flush=True)

        async def room() -> list[tuple[list[float], list[float]]]:
            return await asyncio.gather(*(person(addresses["api-1"], addresses["api-2"], args.seconds)
                                          for _ in range(args.people)))

        results = asyncio.run(room())
        print(f"worker to a browser on server B (via NOTIFY): {summary([d for b, _ in results for d in b])} "
              f"(target p95 <= 150 ms)")
        print(f"worker to a browser on server A (the job's own): {summary([d for _, a in results for d in a])}")
    finally:
        script.terminate()
        script.wait(timeout=60)


if __name__ == "__main__":
    main()

"""A room of people pressing Play at once, against a real server (``python -m app``, default settings).

K simulated people, each with their own HTTP client and cookie, create a network and press Play
exactly as the Playground does (2-8-8-3 ReLU on the spiral, Adam, 10,000-step chunks continuing
the network, live grid 40 every 33 ms with node maps of 16 cells and edges, at the Playground's default
pace ``live.ramp``, or at full speed with ``--full-speed``; a finished chunk is followed by the next),
then read their events for ``--seconds``. Printed for each K: the
first live update after pressing Play (median, slowest), live updates per second per person (median,
lowest), training steps per second over everyone, refusals, bytes per event and over everyone per
second (what a room's network carries), the CPU of the web process and of its workers (and the
server's CPU per update: a figure less swayed than the rates by other programs on the machine), and
the load average before and after.

Targets (2-core machine): K = 10: slowest first update <= 0.5 s, median >= 8 updates/s, lowest >= 4;
K = 50: everyone gets a job, slowest first update <= 2 s, median >= 3 updates/s; K = 100 (a class
pressing Play at once): everyone served, slowest first update <= 1 s, everyone (the lowest) >= 3
updates/s; steps/s at K = 10 >= 0.8 x steps/s at K = 1.

    python benchmarks/bench_people.py [--people 1 10 50] [--seconds 15] [--full-speed]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time

import httpx
from server import (  # benchmarks/server.py, beside this script
    cpu_seconds,
    descendants_cpu_seconds,
    event_lines,
    start_server,
)

DATA = {"name": "spiral", "n_per_class": 100, "classes": 3, "noise": 0.2, "seed": 0, "test_fraction": 0.2}
NETWORK = {"input_dim": 2, "hidden": [{"units": 8, "activation": "relu"}, {"units": 8, "activation": "relu"}],
           "output_dim": 3, "loss": "softmax", "init": "he"}
TRAINING = {"optimizer": "adam", "learning_rate": 0.005, "regularization": "l2", "reg_strength": 0.001,
            "batch_size": None, "seed": 0, "steps": 10_000, "history_every": 100}
# the Playground's (static/js/playground/figures.js), with its default pace
LIVE = {"grid": 40, "interval_ms": 33, "nodes": 16, "edges": True, "ramp": True}


class Person:
    def __init__(self, base: str, live: dict):
        self.live = live
        self.client = httpx.AsyncClient(base_url=base, timeout=60)
        self.first_update: float | None = None
        self.updates = 0
        self.steps = 0
        self.refused: list[int] = []
        self.bytes = 0

    async def play(self, until: float) -> None:
        network = (await self.client.post("/api/networks", json={**NETWORK, "seed": 0, "data": DATA})).json()
        pressed = time.perf_counter()
        while time.perf_counter() < until:
            body = {"network": {"id": network["id"]}, "data": DATA, "training": TRAINING, "live": self.live}
            response = await self.client.post("/api/jobs", json=body)
            if response.status_code != 202:
                self.refused.append(response.status_code)
                return
            job = response.json()
            start_step = job["progress"]["step"]
            last_step = start_step
            async with self.client.stream("GET", f"/api/jobs/{job['id']}/events") as events:
                async for kind, line in event_lines(events):
                    if kind == "progress":
                        self.bytes += len(line)
                        if self.first_update is None:
                            self.first_update = time.perf_counter() - pressed
                        self.updates += 1
                        last_step = json.loads(line.removeprefix("data: "))["step"]
                        if time.perf_counter() >= until:
                            break
                    elif kind == "done":
                        last_step = json.loads(line.removeprefix("data: "))["progress"]["step"]
                        break
            self.steps += last_step - start_step
            if time.perf_counter() >= until:
                await self.client.post(f"/api/jobs/{job['id']}/cancel")


async def room(base: str, people: int, seconds: float, live: dict) -> list[Person]:
    crowd = [Person(base, live) for _ in range(people)]
    for person in crowd:
        await person.client.get("/api/me")  # each gets a cookie of their own
    until = time.perf_counter() + seconds
    await asyncio.gather(*(person.play(until) for person in crowd))
    for person in crowd:
        await person.client.aclose()
    return crowd


def report(k: int, crowd: list[Person], seconds: float, cpu: float, workers_cpu: float,
           load: tuple[float, float]) -> float:
    firsts = [p.first_update for p in crowd if p.first_update is not None]
    rates = [p.updates / seconds for p in crowd]
    steps = sum(p.steps for p in crowd) / seconds
    refused = sum(len(p.refused) for p in crowd)
    updates = max(1, sum(p.updates for p in crowd))
    size = sum(p.bytes for p in crowd) / updates
    print(f"K = {k:3d}: first update median {statistics.median(firsts):.2f} s, slowest {max(firsts):.2f} s | "
          f"updates/s per person median {statistics.median(rates):.1f}, lowest {min(rates):.1f} | "
          f"{steps:,.0f} steps/s in all | {refused} refused | {size:,.0f} bytes per event, "
          f"{sum(p.bytes for p in crowd) / seconds / 1000:,.0f} KB/s to everyone | "
          f"web process CPU {cpu / seconds * 100:.0f} % of a core, workers {workers_cpu / seconds * 100:.0f} % | "
          f"{(cpu + workers_cpu) * 1000 / updates:.1f} ms of the server's CPU per update | "
          f"load average {load[0]:.1f} -> {load[1]:.1f}"
          if firsts else f"K = {k}: no live update at all ({refused} refused)", flush=True)
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--full-speed", action="store_true", help="no pace (live.ramp off): train as fast as it goes")
    args = parser.parse_args()
    live = LIVE | {"ramp": not args.full_speed}
    rates = {}
    for k in args.people:
        with tempfile.TemporaryDirectory() as data_dir:
            server, base = start_server(data_dir)
            try:
                cpu, workers, load = cpu_seconds(server.pid), descendants_cpu_seconds(server.pid), os.getloadavg()[0]
                crowd = asyncio.run(room(base, k, args.seconds, live))
                rates[k] = report(k, crowd, args.seconds, cpu_seconds(server.pid) - cpu,
                                  descendants_cpu_seconds(server.pid) - workers, (load, os.getloadavg()[0]))
            finally:
                server.terminate()
                server.wait(timeout=20)
    if 1 in rates and 10 in rates:
        print(f"steps/s at K = 10 over K = 1: {rates[10] / rates[1]:.2f} (target >= 0.8)")


if __name__ == "__main__":
    main()

"""A class at work, against a real server (``python -m app``, default settings): N students and the
lecturer's wall.

The lecturer makes a class and sets an assignment (the Playground's default setup: 2-8-8-3 ReLU on
the spiral, Adam at 0.005). N students (default 100), each with their own client and cookie but one
client address (a school behind one router), join by the code, then each presses Play within the
first 10 s (spread evenly) as the Playground does: a 10,000-step chunk with the class's id, live grid
40 every 33 ms with node maps and edges, at the default pace (``ramp``); a finished chunk is followed
by the next. Meanwhile the lecturer reads the class's event stream (the wall's ``tiles``).

Printed: whether everyone was served (a job and a first live frame), the slowest first frame after
pressing Play, live updates per second per student (median, lowest), the time from a student's first
frame to their tile on the wall with a boundary (max), and the wall stream's bytes per second.

Also printed: the steps each student's network trained (what the frames showed last): in a crowd
each job's slices are shorter, so frames keep coming at the cost of steps.

Targets: everyone served; slowest first frame <= 1 s; each student >= 3 updates a second; the wall
within 2 s of a first frame; the wall stream <= 100 KB/s at 100 students.

    python benchmarks/bench_class.py [--students 100] [--seconds 30]
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
from server import cpu_seconds, event_lines, start_server  # benchmarks/server.py, beside this script

DATA = {"name": "spiral", "n_per_class": 100, "classes": 3, "noise": 0.2, "seed": 0, "test_fraction": 0.2}
NETWORK = {"hidden": [{"units": 8, "activation": "relu"}, {"units": 8, "activation": "relu"}], "loss": "softmax",
           "init": "he"}
TRAINING = {"optimizer": "adam", "learning_rate": 0.005, "regularization": "l2", "reg_strength": 0.001, "seed": 0}
CHUNK = {"steps": 10_000, "history_every": 100}
LIVE = {"grid": 40, "interval_ms": 33, "nodes": 16, "edges": True, "ramp": True}  # the Playground's
PRESS_WITHIN = 10.0  # seconds over which the students press Play
WALL_GRACE = 3.0  # seconds the wall is read after the students stop


class Student:
    def __init__(self, base: str, name: str):
        self.client = httpx.AsyncClient(base_url=base, timeout=120)
        self.name = name
        self.member_id: str | None = None
        self.pressed: float | None = None
        self.first_frame: float | None = None  # perf_counter of the first live frame
        self.updates = 0
        self.last_frame = ""  # the newest frame's data line (decoded once, at the end)
        self.refused: list[int] = []

    async def join(self, code: str) -> None:
        answer = await self.client.post("/api/classes/join", json={"code": code, "name": self.name})
        answer.raise_for_status()
        self.member_id = answer.json()["you"]["id"]

    async def play(self, class_id: str, delay: float, until: float) -> None:
        await asyncio.sleep(delay)
        self.pressed = time.perf_counter()
        network: dict = NETWORK
        while time.perf_counter() < until:
            body = {"class_id": class_id, "network": network, "data": DATA, "training": TRAINING | CHUNK,
                    "live": LIVE}
            response = await self.client.post("/api/jobs", json=body)
            if response.status_code != 202:
                self.refused.append(response.status_code)
                return
            job = response.json()
            network = {"id": job["network_id"]}
            async with self.client.stream("GET", f"/api/jobs/{job['id']}/events") as stream:
                async for kind, line in event_lines(stream):
                    if kind == "progress":
                        if self.first_frame is None:
                            self.first_frame = time.perf_counter()
                        self.updates += 1
                        self.last_frame = line
                    if kind == "done" or time.perf_counter() >= until:
                        break
            if time.perf_counter() >= until:
                await self.client.post(f"/api/jobs/{job['id']}/cancel")


class Wall:
    """The lecturer's stream: its bytes, and when each member's tile first showed a boundary."""

    def __init__(self, client: httpx.AsyncClient):
        self.client = client
        self.bytes = 0
        self.tiles = 0
        self.shown: dict[str, float] = {}

    async def read(self, class_id: str, until: float) -> None:
        async with self.client.stream("GET", f"/api/classes/{class_id}/events") as stream:
            async for kind, line in event_lines(stream):
                self.bytes += len(line) + len(kind or "") + 9  # "event: " and the line ends
                if kind == "tiles":
                    for tile in json.loads(line.removeprefix("data: ")):
                        self.tiles += 1
                        if tile["boundary"] is not None and tile["member_id"] not in self.shown:
                            self.shown[tile["member_id"]] = time.perf_counter()
                if time.perf_counter() >= until:
                    return


async def lesson(base: str, students: int, seconds: float) -> tuple[list[Student], Wall, float]:
    lecturer = httpx.AsyncClient(base_url=base, timeout=120)
    made = (await lecturer.post("/api/classes", json={"title": "Benchmark"})).json()
    setup = {"data": DATA, "network": NETWORK, "training": TRAINING}
    (await lecturer.put(f"/api/classes/{made['id']}/assignment",
                        json={"setup": setup, "unlocked": ["training.learning_rate"]})).raise_for_status()
    room = [Student(base, f"Student {i + 1:03d}") for i in range(students)]
    await asyncio.gather(*(student.join(made["code"]) for student in room))
    wall = Wall(lecturer)
    start = time.perf_counter()
    until = start + seconds
    # The wall is read a little longer than the students play: a first frame that came just before
    # the end still reaches it.
    reading = asyncio.create_task(wall.read(made["id"], until + WALL_GRACE))
    await asyncio.gather(*(student.play(made["id"], PRESS_WITHIN * i / students, until)
                           for i, student in enumerate(room)))
    await reading
    seconds = time.perf_counter() - start
    for client in [lecturer, *(student.client for student in room)]:
        await client.aclose()
    return room, wall, seconds


def report(room: list[Student], wall: Wall, seconds: float, wall_seconds: float, cpu: float) -> None:
    """``seconds``: how long the students played; ``wall_seconds``: how long the wall was read."""
    served = [s for s in room if s.first_frame is not None and not s.refused]
    firsts = [s.first_frame - s.pressed for s in served]
    rates = [s.updates / (seconds - (s.pressed - min(x.pressed for x in room))) for s in served]
    to_wall = [wall.shown[s.member_id] - s.first_frame for s in served if s.member_id in wall.shown]
    missing = len(served) - len(to_wall)
    print(f"{len(room)} students: all served? {'yes' if len(served) == len(room) else 'no'} "
          f"({len(served)} served, {sum(len(s.refused) for s in room)} refused)", flush=True)
    if firsts:
        print(f"first live frame after Play: median {statistics.median(firsts):.2f} s, slowest {max(firsts):.2f} s "
              "(target <= 1 s)")
        rates.sort()
        print(f"live updates/s per student: median {statistics.median(rates):.1f}, lowest {rates[0]:.1f}, "
              f"lowest tenth {rates[len(rates) // 10]:.1f} (target >= 3)")
        steps = [json.loads(s.last_frame.removeprefix("data: "))["step"] for s in served if s.last_frame]
        if steps:
            print(f"steps trained per student: median {statistics.median(steps):.0f}, fewest {min(steps)}")
    if to_wall:
        print(f"first frame -> tile with a boundary on the wall: median {statistics.median(to_wall):.2f} s, "
              f"max {max(to_wall):.2f} s (target <= 2 s){f'; {missing} never shown' if missing else ''}")
    print(f"wall stream: {wall.bytes / wall_seconds / 1000:.1f} KB/s (target <= 100), {wall.tiles / wall_seconds:.1f} "
          f"tiles/s, {wall.bytes / max(1, wall.tiles):.0f} bytes per tile")
    print(f"web process CPU {cpu / wall_seconds * 100:.0f} % of a core; load average {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        server, base = start_server(data_dir)
        try:
            cpu = cpu_seconds(server.pid)
            print(f"load average at the start {os.getloadavg()[0]:.1f}", flush=True)
            room, wall, wall_seconds = asyncio.run(lesson(base, args.students, args.seconds))
            report(room, wall, args.seconds, wall_seconds, cpu_seconds(server.pid) - cpu)
        finally:
            server.terminate()
            server.wait(timeout=20)


if __name__ == "__main__":
    main()

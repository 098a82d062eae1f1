"""Attacks on the training scheduler, each while a room of people press Play, against a real server
(``python -m app``, default settings, a fresh one per attack).

The room: 10 people, each with their own cookie, press Play as the Playground does (a 2-8-8-3 ReLU
network on the spiral, Adam; the first job ramps, then 30,000-step jobs at full speed; live grid 40
every 50 ms with node maps, edges and the hidden view) and read their events. They come from the same
address as the attacker (as a class behind NAT: here all from loopback). The attack starts
``--lead`` seconds before them and stops when they stop (at most 60 s in all):

* ``none``: the room alone, for comparison;
* ``paced-flood``: 16 fresh identities each post 8 paced jobs (10 steps/s, the longest a paced job
  may run, a 2-unit network on 4 points) and never follow them;
* ``largest``: one identity posts 4 of the largest jobs the limits allow (8 x 256 ReLU, full batch,
  as many points and steps as ``max_step_compute`` and ``max_compute`` let it) and follows them;
  the report's own (10,000 points, full batch, 43 steps) is tried first and its status printed;
* ``frames-interactive``: one identity posts 4 frame-heavy jobs (grid 200, node maps, edges, the
  hidden view, 50 ms frames; as wide a 2-layer network as one frame may cost) marked ``"interactive"`` and
  follows them, while another posts a 2-run sweep: printed, how long the sweep takes;
* ``frames``: one such frame-heavy job;
* ``big-bodies``: one identity sends three 15.9 MB JSON bodies at once to ``POST /api/figures/neuron``,
  again and again (printed: how long the refusals took);
* ``streams``: one identity opens 1,000 event streams on a paced job of its own;
* ``credentials``: one identity mints 500 API tokens as fast as it can, then makes 300 share links;
* ``slow-clients``: 1,500 connections each send a request's headers and half its body, then
  nothing (printed: how many the server still holds open 35 s after they were sent).

Printed per attack: what the server answered the attacker, people served (a live frame, no refusal),
the slowest first frame after pressing Play, live updates per second per person (lowest, median).
Target under every attack: all 10 served, slowest first frame <= 1 s, lowest >= 5 updates/s.

With ``--root DIR`` the server is that checkout's (another branch's worktree, say): on code without
these limits the attacks are the report's own (100,000 paced steps; 10,000 points, full batch).

    python benchmarks/bench_abuse.py [--quick] [--seconds 20] [--people 10] [--attacks paced-flood ...] [--root DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
from server import ROOT, event_lines, start_server  # benchmarks/server.py, beside this script

BIG_BODY_BYTES = 15_900_000
HALF_SENT = 1_500
SLOW_LOOK_SECONDS = 35.0  # when to count the half-sent bodies still held open

DATA = {"name": "spiral", "n_per_class": 100, "classes": 3, "noise": 0.2, "seed": 0, "test_fraction": 0.2}
NETWORK = {"input_dim": 2, "hidden": [{"units": 8, "activation": "relu"}, {"units": 8, "activation": "relu"}],
           "output_dim": 3, "loss": "softmax", "init": "he"}
TRAINING = {"optimizer": "adam", "learning_rate": 0.01, "regularization": "l2", "reg_strength": 0.001,
            "batch_size": None, "seed": 0, "steps": 30_000, "history_every": 100}
LIVE = {"grid": 40, "interval_ms": 50, "nodes": 20, "edges": True, "hidden": {"layer": 1}}
HEAVY_LIVE = {"grid": 200, "interval_ms": 50, "nodes": 20, "edges": True, "hidden": {"layer": 1}}
WIDE = 256  # units of each of the largest network's 8 layers


def parameters(hidden: list[int], inputs: int = 2, outputs: int = 3) -> int:
    sizes = [inputs, *hidden, outputs]
    return sum(a * b + b for a, b in itertools.pairwise(sizes))


async def identity(base: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=60)
    await client.get("/api/me")  # a cookie of its own
    return client


async def follow(client: httpx.AsyncClient, job_id: str) -> None:
    """Read a job's events (as a page would), until cancelled."""
    with contextlib.suppress(httpx.HTTPError):
        async with client.stream("GET", f"/api/jobs/{job_id}/events") as events:
            async for _ in events.aiter_lines():
                pass


class Person:
    def __init__(self, client: httpx.AsyncClient):
        self.client = client
        self.first_frame: float | None = None
        self.updates = 0
        self.refused: list[int] = []

    async def play(self, until: float) -> None:
        network = (await self.client.post("/api/networks", json={**NETWORK, "seed": 0, "data": DATA})).json()
        pressed, first = time.perf_counter(), True
        while time.perf_counter() < until:
            body = {"network": {"id": network["id"]}, "data": DATA, "training": TRAINING,
                    "live": LIVE | ({"ramp": True} if first else {})}
            first = False
            response = await self.client.post("/api/jobs", json=body)
            if response.status_code != 202:
                self.refused.append(response.status_code)
                return
            job = response.json()
            async with self.client.stream("GET", f"/api/jobs/{job['id']}/events") as events:
                async for kind, _ in event_lines(events):
                    if kind == "progress":
                        if self.first_frame is None:
                            self.first_frame = time.perf_counter() - pressed
                        self.updates += 1
                        if time.perf_counter() >= until:
                            break
                    elif kind == "done":
                        break
            if time.perf_counter() >= until:
                await self.client.post(f"/api/jobs/{job['id']}/cancel")


class Attack:
    """An attack's clients, its answers and the streams it follows."""

    def __init__(self, base: str, limits: dict):
        self.base, self.limits = base, limits
        self.answers: Counter[str] = Counter()
        self.clients: list[httpx.AsyncClient] = []
        self.tasks: list[asyncio.Task] = []
        self.notes: list[str] = []

    async def client(self) -> httpx.AsyncClient:
        client = await identity(self.base)
        self.clients.append(client)
        return client

    async def post_job(self, client: httpx.AsyncClient, body: dict, watch: bool) -> dict | None:
        response = await client.post("/api/jobs", json=body)
        self.answers[str(response.status_code)] += 1
        if response.status_code != 202:
            return None
        job = response.json()
        self.answers[job["request"]["priority"]] += 1
        if watch:
            self.tasks.append(asyncio.create_task(follow(client, job["id"])))
        return job

    async def none(self) -> None:
        return

    async def paced_flood(self) -> None:
        steps = int(10 * self.limits.get("max_paced_seconds", 10_000))  # (older servers: the report's)
        body = {"network": {"hidden": [{"units": 2, "activation": "tanh"}]},
                "data": {"name": "spiral", "n_per_class": 2, "classes": 2, "seed": 0, "test_fraction": 0},
                "training": {"steps": steps}, "live": {"steps_per_second": 10}}
        people = [await self.client() for _ in range(16)]
        refused = await people[0].post("/api/jobs", json=body | {"training": {"steps": 100_000}})
        self.notes.append(f"100,000 paced steps: {refused.status_code}")
        await asyncio.gather(*(self.post_job(c, body, watch=False) for c in people for _ in range(8)))

    async def largest(self) -> None:
        client = await self.client()
        hidden = [{"units": WIDE, "activation": "relu"}] * 8
        size = parameters([WIDE] * 8)
        original = {"network": {"hidden": hidden}, "training": {"steps": 43},
                    "data": {"name": "spiral", "n_per_class": 3333, "classes": 3, "seed": 0, "test_fraction": 0}}
        response = await client.post("/api/jobs", json=original)
        field = response.json()["detail"][0].get("field") if response.status_code == 422 else ""
        self.notes.append(f"10,000 points full batch: {response.status_code} {field}")
        if response.status_code == 202:  # a server without a limit per step: the report's attack it is
            self.answers["202"] += 1
            self.tasks.append(asyncio.create_task(follow(client, response.json()["id"])))
            for _ in range(3):
                await self.post_job(client, original, watch=True)
            return
        per_class = max(1, int(self.limits["max_step_compute"] // size) // 3)
        steps = int(self.limits["max_compute"] // (3 * per_class * size))
        body = {"network": {"hidden": hidden}, "training": {"steps": steps},
                "data": {"name": "spiral", "n_per_class": per_class, "classes": 3, "seed": 0, "test_fraction": 0}}
        self.notes.append(f"largest: {3 * per_class} points x {size:,} parameters, {steps} steps")
        for _ in range(4):
            await self.post_job(client, body, watch=True)

    def heavy_body(self) -> dict:
        # as wide as one frame may be: (grid² + nodes² + points) x parameters <= max_frame_compute
        cells = HEAVY_LIVE["grid"] ** 2 + HEAVY_LIVE["nodes"] ** 2 + 240
        units = 2
        while parameters([units + 1] * 2) * cells <= self.limits.get("max_frame_compute", 1.2e9):
            units += 1
        steps = min(self.limits["max_steps"], int(self.limits["max_compute"] // (240 * parameters([units] * 2))))
        return {"network": {"hidden": [{"units": units, "activation": "relu"}] * 2}, "data": DATA,
                "training": {"steps": steps}, "live": HEAVY_LIVE, "priority": "interactive"}

    async def frames_interactive(self) -> None:
        client, other = await self.client(), await self.client()
        for _ in range(4):
            await self.post_job(client, self.heavy_body(), watch=True)
        self.tasks.append(asyncio.create_task(self.sweep(other)))

    async def sweep(self, client: httpx.AsyncClient) -> None:
        body = {"base": {"network": {"hidden": [{"units": 8, "activation": "relu"}] * 2}, "data": DATA,
                         "training": {"optimizer": "sgd", "learning_rate": 1.0, "steps": 1000}},
                "axes": {"training.learning_rate": [0.5, 1.0]}, "seeds": 1}
        began = time.perf_counter()
        response = await client.post("/api/sweeps", json=body)
        if response.status_code != 202:
            self.notes.append(f"sweep refused: {response.status_code}")
            return
        sweep_id = response.json()["id"]
        try:
            while (await client.get(f"/api/sweeps/{sweep_id}")).json()["status"] in ("queued", "running"):
                await asyncio.sleep(0.1)
        except asyncio.CancelledError:
            self.notes.append(f"the 2-run sweep had not finished after {time.perf_counter() - began:.1f} s")
            raise
        self.notes.append(f"the 2-run sweep took {time.perf_counter() - began:.1f} s")

    async def frames(self) -> None:
        await self.post_job(await self.client(), self.heavy_body(), watch=True)

    async def big_bodies(self) -> None:
        client = await self.client()
        body = b'{"w1": 1, "w2": 1, "b": 0, "activation": "tanh", "data": {"points": [' + b"[0.5, 0.5, 1], " * (
            BIG_BODY_BYTES // 15) + b"[0, 0, 0]]}}"
        took: list[float] = []

        async def send() -> None:
            while True:
                began = time.perf_counter()
                try:
                    response = await client.post("/api/figures/neuron", content=body,
                                                 headers={"content-type": "application/json"})
                    self.answers[str(response.status_code)] += 1
                except httpx.TransportError:  # the server answered and closed before the body was sent
                    self.answers["closed while sending"] += 1
                took.append(time.perf_counter() - began)

        async def note() -> None:
            try:
                await asyncio.Event().wait()
            finally:
                if took:
                    self.notes.append(f"{len(took)} bodies of {len(body) / 1e6:.1f} MB answered in "
                                      f"{statistics.median(took):.2f} s (median), {max(took):.2f} s at most")

        self.tasks += [asyncio.create_task(send()) for _ in range(3)] + [asyncio.create_task(note())]

    async def streams(self) -> None:
        client = await self.client()
        job = await self.post_job(client, {"network": {"hidden": [{"units": 2}]}, "data": DATA,
                                           "training": {"steps": 5_000}, "live": {"steps_per_second": 10}},
                                  watch=False)
        if job is None:
            return
        opened: Counter[int] = Counter()

        async def stream() -> None:
            try:
                async with client.stream("GET", f"/api/jobs/{job['id']}/events") as events:
                    opened[events.status_code] += 1
                    async for _ in events.aiter_lines():
                        pass
            except httpx.HTTPError:
                opened[0] += 1

        self.tasks += [asyncio.create_task(stream()) for _ in range(1_000)]
        await asyncio.sleep(2)
        self.notes.append("1,000 streams asked for: " + ", ".join(f"{code or 'failed'}: {n}"
                                                                  for code, n in sorted(opened.items())))

    async def credentials(self) -> None:
        client = await self.client()
        began = time.perf_counter()
        minted = await asyncio.gather(*(client.post("/api/tokens") for _ in range(500)))
        codes = Counter(response.status_code for response in minted)
        self.notes.append(f"500 tokens in {time.perf_counter() - began:.1f} s: "
                          + ", ".join(f"{code}: {n}" for code, n in sorted(codes.items())))
        network = (await client.post("/api/networks", json={**NETWORK, "data": DATA})).json()
        shares = Counter([(await client.post(f"/api/networks/{network['id']}/share")).status_code
                          for _ in range(300)])
        self.notes.append("300 share links: " + ", ".join(f"{code}: {n}" for code, n in sorted(shares.items())))

    async def slow_clients(self) -> None:
        host, port = self.base.removeprefix("http://").split(":")
        connections: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        refused = 0
        for _ in range(HALF_SENT):
            try:
                connection = await asyncio.open_connection(host, int(port))
            except OSError:
                refused += 1
                continue
            connection[1].write(b"POST /api/networks/counts HTTP/1.1\r\nHost: nnviz\r\n"
                                b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n" + b" " * 500)
            connections.append(connection)
        began = time.perf_counter()

        async def closed(reader: asyncio.StreamReader) -> bool:
            """Whether the server has closed the connection (its answer, if any, then the end)."""
            try:
                await asyncio.wait_for(reader.read(), 1)
                return True
            except (TimeoutError, OSError):
                return False

        async def note() -> None:
            try:
                await asyncio.Event().wait()
            finally:  # looked at once the body deadline (NNVIZ_BODY_TIMEOUT, 30 s) has passed for all
                await asyncio.sleep(max(0.0, SLOW_LOOK_SECONDS - (time.perf_counter() - began)))
                ended = await asyncio.gather(*(closed(reader) for reader, _ in connections))
                self.notes.append(f"{len(connections)} half-sent bodies ({refused} connections refused); "
                                  f"{len(ended) - sum(ended)} still open {time.perf_counter() - began:.0f} s later")
                for _, writer in connections:
                    writer.close()

        self.tasks.append(asyncio.create_task(note()))

    async def stop(self) -> None:
        for task in self.tasks:
            if not task.done() and task.get_coro().__name__ == "sweep":
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(task), 1)  # a sweep gets to say it finished
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        for client in self.clients:
            await client.aclose()


ATTACKS = ("none", "paced-flood", "largest", "frames-interactive", "frames", "big-bodies", "streams", "credentials",
           "slow-clients")


async def scene(base: str, attack_name: str, people: int, lead: float, seconds: float) -> tuple[Attack, list[Person]]:
    limits = (await httpx.AsyncClient(base_url=base).get("/api/limits")).json()
    attack = Attack(base, limits)
    await getattr(attack, attack_name.replace("-", "_"))()
    await asyncio.sleep(lead)
    room = [Person(await identity(base)) for _ in range(people)]
    until = time.perf_counter() + seconds
    await asyncio.gather(*(person.play(until) for person in room))
    for person in room:
        await person.client.aclose()
    await attack.stop()
    return attack, room


def report(name: str, attack: Attack, room: list[Person], seconds: float) -> None:
    served = [p for p in room if p.first_frame is not None and not p.refused]
    firsts = [p.first_frame for p in room if p.first_frame is not None]
    rates = [p.updates / seconds for p in room]
    answers = ", ".join(f"{key}: {n}" for key, n in sorted(attack.answers.items()))
    slowest = f"{max(firsts):.2f} s" if firsts else "none"
    print(f"{name:19} served {len(served):2d}/{len(room)} | slowest first frame {slowest} | updates/s per person "
          f"lowest {min(rates):.1f}, median {statistics.median(rates):.1f} | refused "
          f"{sum(len(p.refused) for p in room)}", flush=True)
    for line in ([f"attacker's answers: {answers}"] if answers else []) + attack.notes:
        print(f"{'':19} {line}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attacks", nargs="+", choices=ATTACKS, default=list(ATTACKS))
    parser.add_argument("--people", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=20.0, help="how long the room plays (at most 55)")
    parser.add_argument("--lead", type=float, default=2.0, help="seconds the attack runs before the room comes")
    parser.add_argument("--quick", action="store_true", help="each attack briefly (6 s of play)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose server to run")
    args = parser.parse_args()
    seconds = 6.0 if args.quick else min(args.seconds, 60.0 - args.lead - 3)
    print(f"{args.people} people play {seconds:.0f} s per attack; load average before: "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} ({os.cpu_count()} cores)", flush=True)
    for name in args.attacks:
        with tempfile.TemporaryDirectory() as data_dir:
            server, base = start_server(data_dir, root=args.root)
            try:
                attack, room = asyncio.run(scene(base, name, args.people, args.lead, seconds))
                report(name, attack, room, seconds)
            finally:
                server.terminate()
                server.wait(timeout=20)
    print(f"load average after: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()

"""A room of people reading at once, against a real server (``python -m app``, default settings).

``--clients`` simulated people (default 50), each with their own HTTP client and cookie, first
train a small network of their own (2-8-8-3 ReLU on the spiral), then for ``--seconds`` send one
request after another, drawn at random from this mix (weights in ``MIX``): the pages ``/`` and
``/activations``, activation figures, their network's decision boundary (grid 100, as the
Playground draws it at rest), predictions of it, their list of networks, and a small job: a tiny
network trained for 20 steps (``?wait=true``), then deleted, as the One-neuron page's "train" does.

Like a browser, a client keeps each answer's ``ETag`` and sends ``If-None-Match`` when it asks
again (``--no-revalidate``: never, every read is answered in full); it accepts gzip. By default a
client sends its next request as soon as the last one is answered, so the mean latency is the
number of clients over the rate (Little's law); ``--pace N`` makes each client start a request
every 1/N s instead (as long as the answers keep up), to see the latency at a given load.

Printed: requests per second in all, p50 / p95 per kind of request and over every read (all but
the jobs and deletes), answers ``304``, errors (any status >= 400 or failed connection), the web
process's CPU (per request too) and the load average. Target (2-core machine, default settings):
>= 300 requests/s, read p95 <= 150 ms, no errors.

    python benchmarks/bench_load.py [--clients 50] [--seconds 60] [--no-revalidate] [--pace N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time
from collections import defaultdict

import httpx
from server import cpu_seconds, start_server  # benchmarks/server.py, beside this script

DATA = {"name": "spiral", "n_per_class": 100, "classes": 3, "noise": 0.2, "seed": 0, "test_fraction": 0.2}
NETWORK = {"input_dim": 2, "hidden": [{"units": 8, "activation": "relu"}, {"units": 8, "activation": "relu"}],
           "output_dim": 3, "loss": "softmax", "init": "he"}
TRAINING = {"optimizer": "adam", "learning_rate": 0.01, "seed": 0}
SMALL_JOB = {"network": {"hidden": [{"units": 4, "activation": "tanh"}]}, "data": DATA | {"n_per_class": 20},
             "training": {"steps": 20}}
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "prelu", "maxout", "elu", "softplus", "gelu", "swish",
               "linear")
MIX = {"page": 2, "activation figure": 3, "boundary figure": 3, "predict": 3, "network list": 2, "small job": 1}
WRITES = ("small job", "delete")


class Client:
    def __init__(self, base: str, seed: int, revalidate: bool):
        # Idle connections are dropped before the server's keep-alive timeout (5 s) can close them
        # under a request.
        self.http = httpx.AsyncClient(base_url=base, timeout=60, limits=httpx.Limits(keepalive_expiry=2))
        self.random = random.Random(seed)
        self.revalidate = revalidate
        self.etags: dict[str, str] = {}
        self.network_id = ""
        self.times: dict[str, list[float]] = defaultdict(list)
        self.not_modified = 0
        self.errors: list[str] = []

    async def setup(self) -> None:
        """A cookie of one's own and a trained network."""
        await self.http.get("/api/me")
        network = (await self.http.post("/api/networks", json={**NETWORK, "data": DATA})).json()
        self.network_id = network["id"]
        job = await self.http.post("/api/jobs?wait=true", json={"network": {"id": self.network_id}, "data": DATA,
                                                                "training": TRAINING | {"steps": 200}})
        if job.status_code != 200 or job.json()["status"] != "done":
            raise RuntimeError(f"the setup job failed: {job.status_code} {job.text[:200]}")

    def _request(self, kind: str) -> tuple[str, str, dict | None]:
        """(method, url, JSON body) of one request of this kind."""
        pick = self.random
        if kind == "page":
            return "GET", pick.choice(("/", "/activations")), None
        if kind == "activation figure":
            name = pick.choice(ACTIVATIONS)
            query = "&compare=sigmoid&tanh_identity=true" if name == "tanh" else ""
            return "GET", f"/api/activations/{name}/figure?start=-5&stop=5{query}", None
        if kind == "boundary figure":
            return "GET", f"/api/networks/{self.network_id}/figures/decision-boundary?grid=100", None
        if kind == "predict":
            inputs = [[round(pick.uniform(-1, 1), 3), round(pick.uniform(-1, 1), 3)] for _ in range(10)]
            return "POST", f"/api/networks/{self.network_id}/predict", {"inputs": inputs}
        if kind == "network list":
            return "GET", "/api/networks", None
        return "POST", "/api/jobs?wait=true", SMALL_JOB

    async def send(self, kind: str, method: str, url: str, body: dict | None = None) -> httpx.Response | None:
        """One request, timed and checked; None if it failed."""
        headers = {"If-None-Match": self.etags[url]} if self.revalidate and url in self.etags else {}
        started = time.perf_counter()
        try:
            response = await self.http.request(method, url, json=body, headers=headers)
        except httpx.HTTPError as exc:
            self.errors.append(f"{kind}: {type(exc).__name__} {exc}")
            return None
        self.times[kind].append(time.perf_counter() - started)
        if response.status_code == 304:
            self.not_modified += 1
        elif response.status_code >= 400:
            self.errors.append(f"{kind}: {response.status_code} {response.text[:120]}")
            return None
        elif "etag" in response.headers:
            self.etags[url] = response.headers["etag"]
        return response

    async def run(self, until: float, pace: float) -> None:
        kinds, weights = list(MIX), list(MIX.values())
        interval = 1 / pace if pace else 0.0
        start = time.perf_counter() + self.random.uniform(0, interval)  # clients out of step
        while start < until:
            await asyncio.sleep(max(0.0, start - time.perf_counter()))
            kind = self.random.choices(kinds, weights)[0]
            response = await self.send(kind, *self._request(kind))
            if kind == "small job" and response is not None:
                await self.send("delete", "DELETE", f"/api/networks/{response.json()['network_id']}")
            start = max(start + interval, time.perf_counter())  # late: the next one at once


async def room(base: str, pid: int, clients: int, seconds: float, revalidate: bool, pace: float) -> None:
    crowd = [Client(base, seed, revalidate) for seed in range(clients)]
    await asyncio.gather(*(client.setup() for client in crowd))
    load, cpu, own, started = os.getloadavg()[0], cpu_seconds(pid), time.process_time(), time.perf_counter()
    await asyncio.gather(*(client.run(started + seconds, pace) for client in crowd))
    elapsed = time.perf_counter() - started
    report(crowd, elapsed, (cpu_seconds(pid) - cpu, time.process_time() - own), (load, os.getloadavg()[0]))
    for client in crowd:
        await client.http.aclose()


def quantiles(values: list[float]) -> str:
    if len(values) < 2:
        return "n/a"
    cuts = statistics.quantiles(values, n=100)
    return f"p50 {cuts[49] * 1000:6.0f} ms  p95 {cuts[94] * 1000:6.0f} ms"


def report(crowd: list[Client], seconds: float, cpu: tuple[float, float], load: tuple[float, float]) -> None:
    """``cpu``: the web process's and this process's CPU seconds; ``load``: load averages before and after."""
    times: dict[str, list[float]] = defaultdict(list)
    for client in crowd:
        for kind, values in client.times.items():
            times[kind] += values
    total = sum(len(values) for values in times.values())
    reads = [t for kind, values in times.items() if kind not in WRITES for t in values]
    errors = [error for client in crowd for error in client.errors]
    print(f"{len(crowd)} clients, {seconds:.0f} s: {total / seconds:.0f} requests/s in all, "
          f"{sum(c.not_modified for c in crowd)} answered 304, {len(errors)} errors")
    for kind in [*MIX, "delete"]:
        print(f"  {kind:18s} {len(times[kind]):7d}  {quantiles(times[kind])}")
    print(f"  {'every read':18s} {len(reads):7d}  {quantiles(reads)}   (target: >= 300 requests/s, read p95 <= 150 ms)")
    print(f"web process CPU {cpu[0] / seconds * 100:.0f} % of a core ({cpu[0] / max(total, 1) * 1000:.2f} ms a "
          f"request), the clients' {cpu[1] / seconds * 100:.0f} %; "
          f"load average {load[0]:.2f} before, {load[1]:.2f} after")
    for error in sorted(set(errors))[:10]:
        print("  error:", error)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--no-revalidate", dest="revalidate", action="store_false",
                        help="never send If-None-Match: every read is answered in full")
    parser.add_argument("--pace", type=float, default=0.0,
                        help="requests a second each client starts (0: the next as soon as the last is answered)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        server, base = start_server(data_dir)
        try:
            asyncio.run(room(base, server.pid, args.clients, args.seconds, args.revalidate, args.pace))
        finally:
            server.terminate()
            server.wait(timeout=20)


if __name__ == "__main__":
    main()

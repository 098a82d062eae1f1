"""The REST API under load, against a real server process (``python -m app`` on a free port):

1. the case-study job (2-100-3 ReLU, 10,000 full-batch steps) end to end through ``POST /api/jobs?wait=true``,
   against the trainer alone on the same work (target: within 1.3x);
2. p50 / p95 latency of figure GETs while two trainings run;
3. live progress: Server-Sent Events per second for a 2-8-8-3 network on ~500 points, each with a
   40 x 40 boundary grid (target: >= 10 per second at the default interval);
4. cancel latency: ``POST /api/jobs/{id}/cancel`` until it answers with the job ``cancelled``
   (target: ~100 ms).

    python benchmarks/bench_api.py [--workers 2]
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
from server import job_events, start_server  # benchmarks/server.py, beside this script

from app.nn import LayerSpec, Network, NetworkSpec, TrainConfig, make_dataset, train

ROOT = Path(__file__).resolve().parents[1]
SPIRAL = {"name": "spiral", "n_per_class": 100, "classes": 3, "noise": 0.2, "seed": 0, "test_fraction": 0}
CASE_STUDY = {
    "network": {"hidden": [{"units": 100, "activation": "relu"}], "loss": "softmax", "init": "small"},
    "data": SPIRAL,
    "training": {"optimizer": "sgd", "learning_rate": 1.0, "regularization": "l2", "reg_strength": 0.001,
                 "batch_size": None, "steps": 10000, "seed": 0},
}
LONG = {"network": {"hidden": [{"units": 64}, {"units": 64}]}, "data": SPIRAL, "training": {"steps": 100_000}}


def start(data_dir: str, workers: int) -> tuple[subprocess.Popen, httpx.Client]:
    server, base = start_server(data_dir, workers)
    return server, httpx.Client(base_url=base, timeout=120)


def trainer_alone() -> float:
    data = make_dataset("spiral")
    net = Network(NetworkSpec(2, (LayerSpec(100, "relu"),), 3, "softmax", "small"), seed=0)
    t0 = time.perf_counter()
    train(net, data, TrainConfig(learning_rate=1.0, reg_strength=1e-3, steps=10_000))
    return time.perf_counter() - t0


def case_study(client: httpx.Client, repeat: int) -> None:
    api_times, accuracy = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        job = client.post("/api/jobs?wait=true", json=CASE_STUDY).json()
        api_times.append(time.perf_counter() - t0)
        accuracy = job["metrics"]["train_accuracy"]
    alone = min(trainer_alone() for _ in range(repeat))
    best = min(api_times)
    print(f"case study: API {best:.2f} s (train accuracy {accuracy:.3f}), trainer alone {alone:.2f} s, "
          f"ratio {best / alone:.2f}x (target <= 1.3x)")


def figure_latency(client: httpx.Client, requests: int) -> None:
    network_id = client.post("/api/jobs?wait=true", json=CASE_STUDY | {"training": {"steps": 500}}).json()["network_id"]
    running = [client.post("/api/jobs", json=LONG).json()["id"] for _ in range(2)]
    time.sleep(1.0)
    kinds = ["decision-boundary", "training", "topology", "neurons", "dead-units"]
    latencies: dict[str, list[float]] = {kind: [] for kind in kinds}
    for i in range(requests):
        kind = kinds[i % len(kinds)]
        t0 = time.perf_counter()
        response = client.get(f"/api/networks/{network_id}/figures/{kind}")
        latencies[kind].append(time.perf_counter() - t0)
        assert response.status_code == 200, response.text
    statuses = [client.get(f"/api/jobs/{job_id}").json()["status"] for job_id in running]
    for job_id in running:
        client.post(f"/api/jobs/{job_id}/cancel")
    every = np.concatenate([np.asarray(v) for v in latencies.values()]) * 1000
    print(f"figure GETs while two trainings run ({statuses}): {len(every)} requests, "
          f"p50 {np.percentile(every, 50):.0f} ms, p95 {np.percentile(every, 95):.0f} ms")
    for kind, values in latencies.items():
        p50, p95 = np.percentile(values, [50, 95]) * 1000
        print(f"  {kind:18s} p50 {p50:6.0f} ms  p95 {p95:6.0f} ms")


def sse_rate(client: httpx.Client, seconds: float) -> None:
    body = {"network": {"hidden": [{"units": 8}, {"units": 8}]}, "data": SPIRAL | {"n_per_class": 167},
            "training": {"steps": 100_000}, "live": {"grid": 40}}
    job = client.post("/api/jobs", json=body).json()
    frames, grids, first, last = 0, 0, None, None
    for kind, frame in job_events(client, job["id"]):
        if kind != "progress":
            continue
        now = time.perf_counter()
        first = first or now
        last = now
        frames += 1
        grids += "boundary" in frame
        if now - first >= seconds:
            break
    client.post(f"/api/jobs/{job['id']}/cancel")
    rate = (frames - 1) / (last - first) if frames > 1 else 0.0
    print(f"live events, 2-8-8-3 on 501 points, 40x40 grid: {frames} frames ({grids} with a grid) in "
          f"{last - first:.1f} s = {rate:.1f} frames/s (target >= 10)")


def cancel_latency(client: httpx.Client, repeat: int) -> None:
    latencies = []
    for _ in range(repeat):
        job = client.post("/api/jobs", json=LONG).json()
        while client.get(f"/api/jobs/{job['id']}").json()["status"] != "running":
            time.sleep(0.02)
        time.sleep(0.3)
        t0 = time.perf_counter()
        status = client.post(f"/api/jobs/{job['id']}/cancel").json()["status"]
        latencies.append(time.perf_counter() - t0)
        assert status == "cancelled", status
    print(f"cancel of a running 2-64-64-3 job: median {np.median(latencies) * 1000:.0f} ms, "
          f"max {max(latencies) * 1000:.0f} ms over {repeat} (target ~100 ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="best of this many case-study runs")
    parser.add_argument("--requests", type=int, default=100, help="figure GETs to time")
    parser.add_argument("--seconds", type=float, default=5.0, help="how long to count live events")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        server, client = start(data_dir, args.workers)
        try:
            case_study(client, args.repeat)
            figure_latency(client, args.requests)
            sse_rate(client, args.seconds)
            cancel_latency(client, args.repeat * 2)
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()

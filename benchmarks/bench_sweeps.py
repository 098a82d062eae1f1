"""Sweeps: 16 runs as 16 training jobs one after another on one worker, against the same 16 runs
as one sweep on 1 worker and on 2 workers, all through the services (store, job service, local
executor: what a request costs besides HTTP); for reference, the bare ``train`` calls in this
process. Two shapes: the case study's network (2-100-3 ReLU on the spiral, full-batch SGD, 1,000
steps) and a 2-8-8-3 network (same data and steps). Target: the sweep on 1 worker costs at most
1.1x the jobs one after another.

    python benchmarks/bench_sweeps.py [--steps 1000] [--repeat 1]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from app.nn import Network, NetworkSpec, TrainConfig, train
from app.services import LocalExecutor, SchedulerLimits, Services
from app.services.data_specs import build_dataset
from app.services.jobs import FINAL_STATUSES
from app.settings import Settings

SPIRAL = {"name": "spiral", "n_per_class": 100, "classes": 3, "noise": 0.2, "seed": 0, "test_fraction": 0.0}
SHAPES = {"2-100-3": [{"units": 100, "activation": "relu"}],
          "2-8-8-3": [{"units": 8, "activation": "relu"}, {"units": 8, "activation": "relu"}]}


def sweep_request(hidden: list[dict], steps: int) -> dict:
    """16 runs: 2 learning rates x 2 strengths x 4 seeds."""
    return {"base": {"network": {"hidden": hidden, "init": "small"}, "data": SPIRAL,
                     "training": {"optimizer": "sgd", "learning_rate": 1.0, "reg_strength": 1e-3, "steps": steps}},
            "axes": {"training.learning_rate": [0.5, 1.0], "training.reg_strength": [1e-3, 1e-2]}, "seeds": 4}


def wait(services: Services, job_id: str) -> None:
    """Until the job (a sweep too) has ended: its status alone, a light query."""
    while services.jobs.status(job_id) not in FINAL_STATUSES:
        time.sleep(0.002)


def one_after_another(services: Services, request: dict) -> tuple[float, float]:
    """The sweep's runs, each a training job (without live frames, as a sweep's runs), the next
    posted when the last has ended: (wall seconds, seconds inside the trainer)."""
    plan = services.sweeps.plan(request)
    began, training = time.perf_counter(), 0.0
    for run in plan.runs:
        job = services.jobs.create_training(run.request | {"live": {"interval_ms": 60_000, "grid": 2}}, "bench")
        wait(services, job["id"])
        training += services.jobs.get(job["id"])["metrics"]["seconds"]
    return time.perf_counter() - began, training


def in_process(services: Services, request: dict) -> tuple[float, float]:
    """The sweep's runs, each a plain ``train`` call in this process."""
    plan = services.sweeps.plan(request)
    data = build_dataset(plan.tasks[0]["data"])
    began = time.perf_counter()
    for task in plan.tasks:
        net = Network(NetworkSpec.from_dict(task["network"]["spec"]), seed=task["network"]["seed"])
        train(net, data, TrainConfig(**task["training"]))
    seconds = time.perf_counter() - began
    return seconds, seconds


def as_sweep(services: Services, request: dict) -> tuple[float, float]:
    began = time.perf_counter()
    sweep = services.sweeps.start("bench", request)
    wait(services, sweep["id"])
    seconds = time.perf_counter() - began
    finished = services.sweeps.get(sweep["id"])
    assert finished["progress"]["finished"] == 16 and all(row["status"] == "done" for row in finished["rows"])
    return seconds, sum(row["seconds"] for row in finished["rows"])


def open_services(workers: int, data_dir: Path) -> Services:
    settings = Settings(data_dir=data_dir, workers=workers)
    executor = LocalExecutor(workers, SchedulerLimits())
    return Services.open(settings, executor)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=1, help="best of this many")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pools = {workers: open_services(workers, Path(tmp) / f"w{workers}") for workers in (1, 2)}
        try:
            for services in pools.values():  # warm up: workers started, code and data loaded
                as_sweep(services, sweep_request(SHAPES["2-8-8-3"], 10))
            for shape, hidden in SHAPES.items():
                request = sweep_request(hidden, args.steps)
                modes = {"bare": (in_process, 1), "jobs": (one_after_another, 1), "sweep1": (as_sweep, 1),
                         "sweep2": (as_sweep, 2)}
                best: dict[str, tuple[float, float]] = {}
                for _ in range(args.repeat):  # the modes take turns, so a busy moment hits them alike
                    for mode, (measure, workers) in modes.items():
                        best[mode] = min(best.get(mode, (float("inf"), 0.0)), measure(pools[workers], request))
                (alone, alone_training), (one, one_training) = best["jobs"], best["sweep1"]
                two, bare = best["sweep2"][0], best["bare"][0]
                print(f"{shape}: 16 runs x {args.steps} steps: jobs one after another on 1 worker {alone:.2f} s "
                      f"({alone_training:.2f} s training); sweep on 1 worker {one:.2f} s ({one_training:.2f} s "
                      f"training) = {one / alone:.2f}x the jobs (target <= 1.1x); sweep on 2 workers {two:.2f} s = "
                      f"{one / two:.2f}x faster than on 1; bare train() calls in one process {bare:.2f} s",
                      flush=True)
        finally:
            for services in pools.values():
                services.close()


if __name__ == "__main__":
    main()

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
from app.services.jobs import FINAL_STATUSES
from app.services.specs import build_dataset
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


def one_after_another(services: Services, request: dict) -> float:
    """The sweep's runs, each a training job (without live frames, as a sweep's runs), the next
    posted when the last has ended."""
    plan = services.sweeps.plan(request)
    began = time.perf_counter()
    for run in plan.runs:
        job = services.jobs.create_training(run.request | {"live": {"interval_ms": 60_000, "grid": 2}}, "bench")
        wait(services, job["id"])
    return time.perf_counter() - began


def in_process(services: Services, request: dict) -> float:
    """The sweep's runs, each a plain ``train`` call in this process."""
    plan = services.sweeps.plan(request)
    data = build_dataset(plan.tasks[0]["data"])
    began = time.perf_counter()
    for task in plan.tasks:
        net = Network(NetworkSpec.from_dict(task["network"]["spec"]), seed=task["network"]["seed"])
        train(net, data, TrainConfig(**task["training"]))
    return time.perf_counter() - began


def as_sweep(services: Services, request: dict) -> float:
    began = time.perf_counter()
    sweep = services.sweeps.start("bench", request)
    wait(services, sweep["id"])
    seconds = time.perf_counter() - began
    finished = services.sweeps.get(sweep["id"])
    assert finished["progress"]["finished"] == 16 and all(row["status"] == "done" for row in finished["rows"])
    return seconds


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
                bare = min(in_process(pools[1], request) for _ in range(args.repeat))
                alone = min(one_after_another(pools[1], request) for _ in range(args.repeat))
                one = min(as_sweep(pools[1], request) for _ in range(args.repeat))
                two = min(as_sweep(pools[2], request) for _ in range(args.repeat))
                print(f"{shape}: 16 runs x {args.steps} steps: jobs one after another on 1 worker {alone:.2f} s; "
                      f"sweep on 1 worker {one:.2f} s = {one / alone:.2f}x the jobs (target <= 1.1x); "
                      f"sweep on 2 workers {two:.2f} s = {one / two:.2f}x faster than on 1; "
                      f"bare train() calls in one process {bare:.2f} s", flush=True)
        finally:
            for services in pools.values():
                services.close()


if __name__ == "__main__":
    main()

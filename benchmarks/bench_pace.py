"""How fast the Playground's default run learns, as a person watches it: its first job through the API.

Starts a server, creates the Playground's default network (spiral, 2-8-8-3 ReLU, He init, seed 0),
posts the first Play job as the page does (30,000 steps, Adam at the default 0.005, L2 0.001, full batch, history
every 100, the default pace ``live.ramp``, frames of grid 40 with node maps and edges every
``--interval-ms``), reads its events for ``--seconds`` and prints, each second, the step and the
training accuracy of the newest history record a frame carried, then when the accuracy first came
within half a point of its best and the frames per second.

    python benchmarks/bench_pace.py [--seconds 25] [--interval-ms 33] [--learning-rate 0.005] [--root OTHER_CHECKOUT]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import httpx
from server import ROOT, job_events, start_server  # benchmarks/server.py, beside this script

DATA = {"name": "spiral", "n_per_class": 100, "classes": 3, "noise": 0.2, "seed": 0, "test_fraction": 0.2}
NETWORK = {"input_dim": 2, "features": ["x1", "x2"], "output_dim": 3, "loss": "softmax", "init": "he",
           "hidden": [{"units": 8, "activation": "relu"}, {"units": 8, "activation": "relu"}]}
TRAINING = {"optimizer": "adam", "learning_rate": 0.005, "regularization": "l2", "reg_strength": 0.001,
            "batch_size": None, "steps": 30_000, "history_every": 100, "seed": 0}


def watch(base: str, seconds: float, interval_ms: int, learning_rate: float) -> list[tuple[float, int, float | None]]:
    """(seconds since the job was posted, step, training accuracy of the newest record) per frame."""
    client = httpx.Client(base_url=base, timeout=60)
    network = client.post("/api/networks", json=NETWORK | {"seed": 0, "data": DATA}).json()
    live = {"grid": 40, "interval_ms": interval_ms, "nodes": 16, "edges": True, "ramp": True}
    posted = time.perf_counter()
    training = TRAINING | {"learning_rate": learning_rate}
    job = client.post("/api/jobs", json={"network": {"id": network["id"]}, "data": DATA, "training": training,
                                         "live": live}).json()
    frames: list[tuple[float, int, float | None]] = []
    accuracy = None
    for kind, frame in job_events(client, job["id"]):
        if kind != "progress":
            break  # done (or failed)
        accuracy = frame.get("record", {}).get("train_accuracy", accuracy)
        frames.append((time.perf_counter() - posted, frame["step"], accuracy))
        if frames[-1][0] >= seconds:
            break
    client.post(f"/api/jobs/{job['id']}/cancel")
    return frames


def report(frames: list[tuple[float, int, float | None]]) -> None:
    print(f"{'seconds':>7} {'step':>7} {'train accuracy':>15}")
    second = 0
    for at, step, accuracy in frames:
        if at >= second:
            print(f"{at:7.1f} {step:7,} {'' if accuracy is None else f'{accuracy:14.1%}':>15}")
            second += 1
    measured = [(at, accuracy) for at, _, accuracy in frames if accuracy is not None]
    best = max(accuracy for _, accuracy in measured)
    first_at, first = measured[0]
    plateau_at = next(at for at, accuracy in measured if accuracy >= best - 0.005)
    print(f"accuracy {first:.1%} at {first_at:.1f} s (the first frame), within 0.5 points of its best "
          f"({best:.1%}) at {plateau_at:.1f} s: {plateau_at - first_at:.1f} s of learning")
    for name, part in (("while it learns", [f for f in frames if f[0] <= plateau_at]),
                       ("after", [f for f in frames if f[0] > plateau_at])):
        if len(part) > 1:
            span = part[-1][0] - part[0][0]
            print(f"frames {name}: {len(part)} in {span:.1f} s, {(len(part) - 1) / span:.1f} a second")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=25.0)
    parser.add_argument("--interval-ms", type=int, default=33)
    parser.add_argument("--learning-rate", type=float, default=TRAINING["learning_rate"])
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose server runs (an older version)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        server, base = start_server(data_dir, root=args.root)
        try:
            report(watch(base, args.seconds, args.interval_ms, args.learning_rate))
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()

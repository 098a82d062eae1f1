"""Size and speed of the decision-boundary figure: a 2-16-16-3 network, a 150x150 grid and 1,000
points (spiral, 3 classes, 20 % held out). Prints the build time (boundary grid plus figure) and
the serialised size of ``plotly.io.to_json`` against the targets (60 ms, 250 KB), then the same
for every other figure builder on the same network.

    python benchmarks/bench_figures.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import replace

import plotly.graph_objects as go

from app.nn import LayerSpec, Network, NetworkSpec, TrainConfig, make_dataset, train
from app.viz import (
    activation_figure,
    decision_boundary_figure,
    figure_json,
    forward_trace_figure,
    hidden_space_figure,
    neuron_maps_figure,
    topology_figure,
    training_figure,
)

TARGET_MS = 60.0
TARGET_KB = 250.0


def measure(build: Callable[[], go.Figure], repeat: int) -> tuple[float, float, float]:
    """(median build ms, median to_json ms, JSON size in KB)."""
    builds, dumps = [], []
    text = ""
    for _ in range(repeat):
        t0 = time.perf_counter()
        fig = build()
        t1 = time.perf_counter()
        text = figure_json(fig)
        dumps.append(time.perf_counter() - t1)
        builds.append(t1 - t0)
    median = lambda values: sorted(values)[len(values) // 2] * 1e3  # noqa: E731
    return median(builds), median(dumps), len(text.encode()) / 1e3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="median of this many builds")
    args = parser.parse_args()
    spiral = make_dataset("spiral", n_per_class=334, classes=3, test_fraction=0.2)  # 1,002 points
    keep = 1000 - len(spiral.y_test)
    data = replace(spiral, X_train=spiral.X_train[:keep], y_train=spiral.y_train[:keep])
    net = Network(NetworkSpec(2, (LayerSpec(16, "relu"), LayerSpec(16, "relu")), 3), seed=0)
    result = train(net, data, TrainConfig(steps=300, learning_rate=1.0))
    points = len(data.y_train) + len(data.y_test)

    build_ms, json_ms, size_kb = measure(lambda: decision_boundary_figure(net, data, grid=150), args.repeat)
    ok = build_ms <= TARGET_MS and size_kb <= TARGET_KB
    print(f"decision boundary 2-16-16-3, grid 150x150, {points} points: build_ms={build_ms:.1f} "
          f"(target {TARGET_MS:.0f}) to_json_ms={json_ms:.1f} size_kb={size_kb:.1f} (target {TARGET_KB:.0f}) "
          f"{'OK' if ok else 'OVER TARGET'}")

    others = {
        "topology": lambda: topology_figure(net),
        "training curves": lambda: training_figure(result.history),
        "neuron maps (grid 40)": lambda: neuron_maps_figure(net, data),
        "hidden space": lambda: hidden_space_figure(net, data, layer=2),
        "forward trace": lambda: forward_trace_figure(net, data.X_train[0]),
        "activations (4)": lambda: activation_figure(["sigmoid", "tanh", "relu", "maxout"]),
    }
    for name, build in others.items():
        build_ms, json_ms, size_kb = measure(build, max(3, args.repeat // 4))
        print(f"  {name:24s} build_ms={build_ms:6.1f} to_json_ms={json_ms:5.1f} size_kb={size_kb:6.1f}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

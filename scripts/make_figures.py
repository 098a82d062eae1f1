"""``make figures``: every figure for a sample trained network, written as HTML to build/figures/.

The spiral case study (2-16-16-3, ReLU and tanh) trained briefly, plus small runs for the
comparisons and regressions. plotly.js is copied from the plotly package next to the pages
(plotly.min.js): they work offline.

    python scripts/make_figures.py [--out build/figures]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import plotly.graph_objects as go

from app.nn import LayerSpec, Network, NetworkSpec, TrainConfig, make_dataset, train
from app.viz import (
    activation_figure,
    boundary_comparison_figure,
    dead_units_figure,
    decision_boundary_figure,
    forward_trace_figure,
    hidden_space_figure,
    loss_comparison_figure,
    neuron_figure,
    neuron_maps_figure,
    topology_figure,
    training_figure,
    update_ratio_figure,
)


def trained(spec: NetworkSpec, data, steps: int, **config) -> tuple[Network, list[dict]]:
    net = Network(spec, seed=0)
    options = {"learning_rate": 1.0, "reg_strength": 1e-3} | config
    return net, train(net, data, TrainConfig(steps=steps, **options)).history


def figures() -> dict[str, go.Figure]:
    spiral = make_dataset("spiral", test_fraction=0.2)
    spec = NetworkSpec(2, (LayerSpec(16, "relu"), LayerSpec(16, "tanh")), 3)
    net, history = trained(spec, spiral, 1500)
    moons = make_dataset("moons", noise=0.25, test_fraction=0.25)
    capacity = [(f"{h} hidden neurons", trained(NetworkSpec(2, (LayerSpec(h),), 2), moons, 1500)[0], moons)
                for h in (3, 6, 20)]
    strength = [(f"λ = {lam}", trained(NetworkSpec(2, (LayerSpec(20),), 2), moons, 1500, reg_strength=lam)[0],
                 moons) for lam in (0.001, 0.01, 0.1)]
    relu = trained(NetworkSpec(2, (LayerSpec(20, "relu"),), 3), spiral, 600, learning_rate=0.5)[1]
    tanh = trained(NetworkSpec(2, (LayerSpec(20, "tanh"),), 3), spiral, 600, learning_rate=0.5)[1]
    sine = make_dataset("sine", test_fraction=0.2)
    exploding = train(Network(NetworkSpec(1, (LayerSpec(16, "relu"),), 1, "mse", "he")), sine,
                      TrainConfig(steps=200, learning_rate=5.0, history_every=1))
    wide = trained(NetworkSpec(2, (LayerSpec(100, "relu"),), 3), spiral, 500)[0]
    plane = make_dataset("plane", test_fraction=0.2)
    plane_net = trained(NetworkSpec(2, (LayerSpec(8, "tanh"),), 1, "mse", "xavier"), plane, 500, learning_rate=0.1)[0]
    sine_net = trained(NetworkSpec(1, (LayerSpec(16, "tanh"),), 1, "mse", "xavier"), sine, 3000,
                       learning_rate=0.1, reg_strength=0.0)[0]
    circle = make_dataset("circle")
    two_unit = trained(NetworkSpec(2, (LayerSpec(8, "tanh"), LayerSpec(2, "tanh")), 2, init="xavier"), circle,
                       2000, learning_rate=0.3)[0]
    return {
        "activations": activation_figure(["sigmoid", "tanh", "relu"]),
        "activations-leaky-maxout": activation_figure(["leaky_relu", "prelu", "maxout"], slope=0.1),
        "activations-tanh-identity": activation_figure(["tanh", "sigmoid"], tanh_identity=True, derivative=False),
        "neuron": neuron_figure((2.0, -1.0), 0.3, "sigmoid", make_dataset("linear")),
        "boundary": decision_boundary_figure(net, spiral),
        "boundary-regression-2d": decision_boundary_figure(plane_net, plane),
        "boundary-regression-1d": decision_boundary_figure(sine_net, sine),
        "neuron-maps": neuron_maps_figure(net, spiral),
        "neuron-maps-1d": neuron_maps_figure(sine_net, sine),
        "topology": topology_figure(Network(NetworkSpec.from_sizes([3, 4, 4, 1], loss="mse"), seed=0)),
        "topology-spiral": topology_figure(net),
        "topology-wide": topology_figure(wide),
        "topology-spec": topology_figure(NetworkSpec(3, (LayerSpec(4, "maxout"), LayerSpec(4, "prelu")), 2)),
        "training": training_figure(history),
        "training-log-epochs": training_figure(history, x_axis="epoch", log_loss=True),
        "training-diverged": training_figure(exploding.history, log_loss=True, diverged_at=exploding.diverged_at),
        "dead-units": dead_units_figure(history),
        "update-ratio": update_ratio_figure(history),
        "hidden-space-2-units": hidden_space_figure(two_unit, circle, layer=2),
        "hidden-space-pca": hidden_space_figure(net, spiral, layer=2),
        "hidden-space-1d": hidden_space_figure(sine_net, sine),
        "compare-capacity": boundary_comparison_figure(capacity),
        "compare-regularization": boundary_comparison_figure(strength),
        "compare-activations": loss_comparison_figure([("relu", relu), ("tanh", tanh)], target=0.6),
        "forward-trace": forward_trace_figure(net, [0.3, -0.5]),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="build/figures", help="output folder (default: build/figures)")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, fig in figures().items():
        path = out / f"{name}.html"
        fig.write_html(path, include_plotlyjs="directory", full_html=True)
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

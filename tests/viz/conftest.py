"""Shared fixtures: small trained networks and a decoder for the figure dict's typed arrays."""

import base64
import json
import math

import numpy as np
import pytest

from app.nn import Dataset, LayerSpec, Network, NetworkSpec, TrainConfig, make_dataset, train


def values(array) -> np.ndarray:
    """A figure-dict array as numpy: plotly stores numpy arrays as {dtype, bdata, shape}."""
    if isinstance(array, dict) and "bdata" in array:
        flat = np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"]))
        if "shape" in array:
            flat = flat.reshape([int(s) for s in str(array["shape"]).split(",")])
        return flat
    return np.asarray(array)


@pytest.fixture(scope="session")
def spiral_data():
    return make_dataset("spiral", n_per_class=40, test_fraction=0.25)


@pytest.fixture(scope="session")
def spiral_run(spiral_data):
    net = Network(NetworkSpec(2, (LayerSpec(12, "relu"), LayerSpec(6, "tanh")), 3), seed=0)
    result = train(net, spiral_data, TrainConfig(steps=200, learning_rate=0.5, history_every=20))
    return net, result


def regression_run(data_name: str, n_points: int, test_fraction: float, spec: NetworkSpec, seed: int,
                   config: TrainConfig) -> tuple[Network, Dataset]:
    """A small regression network trained on ``data_name``: the network and its data."""
    data = make_dataset(data_name, n_points=n_points, test_fraction=test_fraction)
    net = Network(spec, seed=seed)
    train(net, data, config)
    return net, data


@pytest.fixture(scope="session")
def sine_run():
    return regression_run("sine", 60, 0.2, NetworkSpec(1, (LayerSpec(10, "tanh"),), 1, "mse", "xavier"), 1,
                          TrainConfig(steps=100, learning_rate=0.1))


@pytest.fixture(scope="session")
def plane_run():
    return regression_run("plane", 80, 0.25, NetworkSpec(2, (LayerSpec(5, "relu"),), 1, "mse", "he"), 2,
                          TrainConfig(steps=50, learning_rate=0.05))


def assert_finite_json(text: str) -> None:
    """The serialised figure holds no NaN or inf: neither as JSON constants nor inside typed arrays."""

    def reject(constant):
        raise AssertionError(f"non-finite constant {constant} in the figure JSON")

    def walk(node):
        if isinstance(node, dict):
            if "bdata" in node:
                assert np.all(np.isfinite(values(node).astype(float))), "non-finite value in a typed array"
            else:
                for child in node.values():
                    walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)
        elif isinstance(node, float):
            assert math.isfinite(node)

    walk(json.loads(text, parse_constant=reject))

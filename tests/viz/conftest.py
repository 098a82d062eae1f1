"""Shared fixtures: small trained networks and a decoder for the figure dict's typed arrays."""

import base64
import json
import math

import numpy as np
import pytest

from app.nn import LayerSpec, Network, NetworkSpec, TrainConfig, make_dataset, train


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


@pytest.fixture(scope="session")
def sine_run():
    data = make_dataset("sine", n_points=60, test_fraction=0.2)
    net = Network(NetworkSpec(1, (LayerSpec(10, "tanh"),), 1, "mse", "xavier"), seed=1)
    train(net, data, TrainConfig(steps=100, learning_rate=0.1))
    return net, data


@pytest.fixture(scope="session")
def plane_run():
    data = make_dataset("plane", n_points=80, test_fraction=0.25)
    net = Network(NetworkSpec(2, (LayerSpec(5, "relu"),), 1, "mse", "he"), seed=2)
    train(net, data, TrainConfig(steps=50, learning_rate=0.05))
    return net, data


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

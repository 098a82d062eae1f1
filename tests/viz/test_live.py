import numpy as np
import pytest

from app.nn import LayerSpec, Network, NetworkSpec, make_dataset
from app.viz import boundary_grid, data_bounds
from app.viz.live import decode_grid, encode_grid, rounded


@pytest.mark.parametrize("classes", [2, 3, 8])
def test_a_classification_grid_keeps_every_cell_s_class_and_its_shade(classes):
    data = make_dataset("gauss", classes=classes, n_per_class=30, seed=1)
    net = Network(NetworkSpec(2, (LayerSpec(16, "tanh"),), classes, init="xavier"), seed=2)
    grid = boundary_grid(net, data_bounds(data), 40)
    frame = encode_grid(grid, classes)
    z = decode_grid(frame)
    assert z.shape == (40, 40)
    assert np.array_equal(np.floor(z), np.floor(grid["z"]))  # the same class in every cell
    levels = 256 // classes
    assert np.max(np.abs(z - grid["z"])) <= 0.99 / (levels - 1) / 2 + 1e-6  # half a level of shade
    assert len(frame["data"]) < 1600 * 4 / 3  # deflated: below one base64 byte per cell


def test_regression_grids_and_curves_within_half_a_level():
    net = Network(NetworkSpec(2, (LayerSpec(8, "tanh"),), 1, loss="mse"), seed=0)
    grid = boundary_grid(net, (-1, 1, -2, 2), 30)
    z = decode_grid(encode_grid(grid, 1))
    spread = grid["z"].max() - grid["z"].min()
    assert np.max(np.abs(z - grid["z"])) <= spread / 255 / 2 + 1e-6
    curve_net = Network(NetworkSpec(1, (LayerSpec(8, "tanh"),), 1, loss="mse"), seed=0)
    curve = boundary_grid(curve_net, (-1, 1, 0, 1), 50)
    decoded = decode_grid(encode_grid(curve, 1))
    assert decoded.shape == (50,)
    assert np.max(np.abs(decoded - curve["z"])) <= (curve["z"].max() - curve["z"].min()) / 65535 / 2 + 1e-6


def test_a_flat_grid_and_rounding():
    grid = {"kind": "regression", "x": np.linspace(0, 1, 4), "y": np.linspace(0, 1, 4), "z": np.full((4, 4), 2.5)}
    assert np.array_equal(decode_grid(encode_grid(grid, 1)), np.full((4, 4), 2.5))
    assert rounded({"a": [0.123456789, None, 3], "b": 1 / 3}) == {"a": [0.123457, None, 3], "b": 0.333333}

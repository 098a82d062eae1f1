import numpy as np
import pytest

from app.nn import LayerSpec, Network, NetworkSpec, make_dataset
from app.viz import boundary_grid, data_bounds, decision_boundary_figure
from app.viz.live import decode_grid, encode_grid, live_overlay, rounded


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


def test_the_live_overlay_is_what_the_figure_shows():
    data = make_dataset("spiral", classes=3, n_per_class=40, noise=0.2, seed=0, test_fraction=0.25)
    net = Network(NetworkSpec(2, (LayerSpec(8, "relu"),), 3, init="he"), seed=1)
    overlay = live_overlay(net, data)
    figure = decision_boundary_figure(net, data, grid=20)
    (crosses,) = [t for t in figure.data if t.legendgroup == "misclassified"]
    assert len(overlay["wrong"]) == len(crosses.x) > 0
    assert np.allclose([w[0] for w in overlay["wrong"]], crosses.x, atol=1e-6)
    assert np.allclose([w[1] for w in overlay["wrong"]], crosses.y, atol=1e-6)
    assert [w[2] for w in overlay["wrong"]] == list(crosses.customdata)
    assert overlay["score"] in figure.layout.title.text and overlay["score"].startswith("accuracy train")


def test_a_regression_overlay_has_the_r2_and_no_crosses():
    data = make_dataset("sine", n_points=60, noise=0.1, seed=0, test_fraction=0.0)
    net = Network(NetworkSpec(1, (LayerSpec(8, "tanh"),), 1, loss="mse"), seed=0)
    overlay = live_overlay(net, data)
    assert set(overlay) == {"score"} and overlay["score"].startswith("train R²")

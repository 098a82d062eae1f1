import json

import numpy as np
import pytest

from app.nn import LayerSpec, Network, NetworkSpec, make_dataset
from app.viz import (
    boundary_grid,
    data_bounds,
    decision_boundary_figure,
    hidden_space_figure,
    neuron_maps_figure,
    node_maps,
    topology_figure,
)
from app.viz.live import (
    HIDDEN_LEVELS,
    decode_biases,
    decode_edges,
    decode_grid,
    decode_hidden,
    decode_wrong,
    encode_edges,
    encode_grid,
    encode_hidden,
    encode_wrong,
    live_overlay,
    rounded,
)
from app.viz.thumbnails import decode_maps
from app.viz.topology import EDGE_STYLES


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


def test_a_live_grid_s_fewer_levels_keep_the_class_within_half_a_level_in_fewer_bytes():
    data = make_dataset("spiral", classes=3, n_per_class=40, seed=1)
    net = Network(NetworkSpec(2, (LayerSpec(16, "tanh"),), 3, init="xavier"), seed=2)
    grid = boundary_grid(net, data_bounds(data), 40)
    full, live = encode_grid(grid, 3), encode_grid(grid, 3, 32)
    assert (full["levels"], live["levels"]) == (85, 32)
    z = decode_grid(live)
    assert np.array_equal(np.floor(z), np.floor(grid["z"]))
    assert np.max(np.abs(z - grid["z"])) <= 0.99 / 31 / 2 + 1e-6
    assert len(live["data"]) < len(full["data"])
    assert encode_grid(grid, 3, 1000)["levels"] == 85  # never more than a byte holds


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
    wrong = decode_wrong(overlay["wrong"])
    assert overlay["wrong"]["count"] == len(wrong) == len(crosses.x) > 0
    x_min, x_max, y_min, y_max = overlay["wrong"]["bounds"]
    # 10 bits over the points' extent: within half a level (a 2,046th of it)
    assert np.allclose(wrong[:, 0], crosses.x, atol=(x_max - x_min) / 2046 + 1e-6)
    assert np.allclose(wrong[:, 1], crosses.y, atol=(y_max - y_min) / 2046 + 1e-6)
    assert list(wrong[:, 2].astype(int)) == list(crosses.customdata)
    assert len(overlay["wrong"]["data"]) == 4 * len(wrong)  # 3 bytes a point, base64
    assert overlay["score"] in figure.layout.title.text and overlay["score"].startswith("accuracy train")


def test_wrong_points_keep_their_class_and_corners():
    every = np.array([[-2.0, -1.0], [3.0, 5.0], [0.5, 0.5]])
    encoded = encode_wrong(every, np.array([7, 0, 3]), every)
    assert encoded["bounds"] == [-2.0, 3.0, -1.0, 5.0]
    np.testing.assert_allclose(decode_wrong(encoded), [[-2, -1, 7], [3, 5, 0], [0.5, 0.5, 3]], atol=6 / 2046)
    assert encode_wrong(every[:0], np.array([], dtype=int), every)["data"] == ""


def test_a_regression_overlay_has_the_r2_and_no_crosses():
    data = make_dataset("sine", n_points=60, noise=0.1, seed=0, test_fraction=0.0)
    net = Network(NetworkSpec(1, (LayerSpec(8, "tanh"),), 1, loss="mse"), seed=0)
    overlay = live_overlay(net, data)
    assert set(overlay) == {"score"} and overlay["score"].startswith("train R²")


def _spiral_net(hidden):
    data = make_dataset("spiral", classes=3, n_per_class=40, noise=0.2, seed=0, test_fraction=0.25)
    return data, Network(NetworkSpec(2, hidden, 3, init="he"), seed=1)


@pytest.mark.parametrize("hidden", [(LayerSpec(8, "relu"), LayerSpec(8, "tanh")), (LayerSpec(100, "relu"),),
                                    (LayerSpec(5, "maxout", pieces=2),)])
def test_live_edges_are_the_topology_s_edges_within_half_a_level(hidden):
    _, net = _spiral_net(hidden)
    frame = encode_edges(net)
    values, styles = decode_edges(frame)
    figure = topology_figure(net)
    (points,) = [t for t in figure.data if t.name == "weights"]
    drawn = np.array(points.marker.color, dtype=np.float64)
    assert frame["count"] == len(drawn) == len(points.meta["edge_ends"])
    assert frame["scale"] == pytest.approx(points.marker.cmax, rel=1e-6)
    assert np.max(np.abs(values - drawn)) <= frame["scale"] / 127 / 2 + 1e-6
    # each edge's style is the line trace that draws it: its ends are in that trace, with a break after
    lines = {t.meta["edge_style"]: t for t in figure.data if isinstance(t.meta, dict) and "edge_style" in t.meta}
    assert sorted(lines) == list(range(len(EDGE_STYLES)))
    for style, trace in lines.items():
        ends = [points.meta["edge_ends"][i] for i in np.flatnonzero(styles == style)]
        assert list(trace.x) == [v for x0, _, x1, _ in ends for v in (x0, x1, None)]
        assert list(trace.y) == [v for _, y0, _, y1 in ends for v in (y0, y1, None)]
    # the bias squares: their colours, within half a level, and their colour scale
    (squares,) = [t for t in figure.data if (t.name or "").startswith("biases")]
    biases = decode_biases(frame["biases"])
    assert frame["biases"]["count"] == len(squares.marker.color) == len(biases)
    assert frame["biases"]["scale"] == pytest.approx(squares.marker.cmax, rel=1e-6)
    assert np.max(np.abs(biases - np.array(squares.marker.color))) <= frame["biases"]["scale"] / 127 / 2 + 1e-6
    edges_only = {key: frame[key] for key in ("count", "scale", "data")}
    assert len(json.dumps(edges_only)) < 3 * frame["count"] + 100  # about two bytes per edge, base64


@pytest.mark.parametrize("hidden", [(LayerSpec(8, "relu"), LayerSpec(2, "tanh")), (LayerSpec(100, "relu"),)])
def test_live_hidden_space_rows_are_the_figure_s_within_half_a_level(hidden):
    data, net = _spiral_net(hidden)
    layer = len(hidden)
    frame = encode_hidden(net, data, layer)
    rows = decode_hidden(frame)
    x0, x1, y0, y1 = frame["bounds"]
    half = np.array([x1 - x0, y1 - y0]) / (HIDDEN_LEVELS - 1) / 2 + 1e-6
    figure = hidden_space_figure(net, data, layer)
    marked = [t for t in figure.data if isinstance(t.meta, dict)]
    assert len(marked) == 2 + 3  # the right panel: two sets of grid lines, a trace per class
    for trace in marked:
        start, stop, every = trace.meta["hidden_rows"]
        expected = rows[start:stop]
        xs, ys = np.array(trace.x, dtype=float), np.array(trace.y, dtype=float)
        if every:  # a line: a break (None) after every `every` rows
            assert np.all(np.isnan(xs[every::every + 1]))
            xs, ys = xs[~np.isnan(xs)], ys[~np.isnan(ys)]
        assert len(xs) == stop - start
        # the figure rounds its lines to 1e-5 of their extent, the frame to a level of its bounds
        assert np.all(np.abs(xs - expected[:, 0]) <= half[0] + 1e-5 * np.max(np.abs(rows)))
        assert np.all(np.abs(ys - expected[:, 1]) <= half[1] + 1e-5 * np.max(np.abs(rows)))
    assert frame["rows"] == 2 * 11 * 60 + len(data.y)


def test_the_hidden_space_of_one_input_is_a_curve_the_frame_carries_too():
    data = make_dataset("sine", n_points=40, noise=0.1, seed=0, test_fraction=0.0)
    net = Network(NetworkSpec(1, (LayerSpec(4, "tanh"),), 1, loss="mse"), seed=0)
    rows = decode_hidden(encode_hidden(net, data, 1))
    (curve, points) = [t for t in hidden_space_figure(net, data, 1).data if isinstance(t.meta, dict)]
    assert curve.meta["hidden_rows"] == [0, 240, 240] and points.meta["hidden_rows"] == [240, 280, 0]
    assert np.allclose(rows[:240, 0], curve.x, atol=np.ptp(rows[:, 0]) / 4095)
    assert np.allclose(rows[240:, 1], points.y, atol=np.ptp(rows[:, 1]) / 4095)


def test_node_map_layers_carry_the_neuron_figure_s_colour_axes():
    data, net = _spiral_net((LayerSpec(8, "relu"), LayerSpec(6, "tanh")))
    bounds = data_bounds(data)
    nodes = node_maps(net, bounds, 12)
    figure = neuron_maps_figure(net, data, grid=12)
    for r in (1, 2):
        axis = figure.layout["coloraxis" if r == 1 else f"coloraxis{r}"]
        layer = nodes["layers"][r]
        assert layer["scale"] == pytest.approx([axis.cmin, axis.cmax], rel=1e-6)
        scales = figure.layout.meta["colorscales"]
        assert [list(stop) for stop in axis.colorscale] == scales["signed" if layer["signed"] else "unsigned"]
    assert nodes["layers"][1]["signed"] is False and nodes["layers"][2]["signed"] is True  # relu, tanh
    # each heatmap names its node map; the map equals its z within the map's half level
    maps = decode_maps(nodes["maps"], 12)
    offsets = np.cumsum([0] + [layer["units"] for layer in nodes["layers"]])
    heatmaps = [t for t in figure.data if t.type == "heatmap"]
    assert len(heatmaps) == 14
    for trace in heatmaps:
        r, c = trace.meta["node"]
        decoded = maps[offsets[r] + c]
        limit = nodes["maps"]["limits"][offsets[r] + c]
        assert np.max(np.abs(decoded - np.array(trace.z))) <= limit / 127.5 / 2 + 1e-3 * limit
        assert np.allclose(trace.x, np.linspace(bounds[0], bounds[1], 12), atol=1e-6)

"""Input features in the figures, and the small maps of features and nodes."""

import numpy as np
import pytest

from app.nn import LayerSpec, Network, NetworkSpec, SpecError, TrainConfig, make_dataset, train
from app.nn.features import feature_values
from app.viz import (
    decision_boundary_figure,
    feature_maps,
    forward_trace_figure,
    hidden_space_figure,
    neuron_maps_figure,
    node_maps,
    topology_figure,
)
from app.viz.thumbnails import decode_maps, encode_maps, plane_points

from .conftest import values

FEATURES = ("x1", "x2", "x1sq", "x2sq", "x1x2")


@pytest.fixture(scope="module")
def circle_run():
    data = make_dataset("circle", n_per_class=40, noise=0.02, seed=3, test_fraction=0.25)
    net = Network(NetworkSpec(2, (LayerSpec(3, "tanh"),), 2, features=FEATURES), seed=0)
    train(net, data, TrainConfig(steps=200, learning_rate=0.5))
    return net, data


def _trace(fig, name):
    return next(t for t in fig.to_dict()["data"] if t.get("name") == name or t.get("name", "").startswith(f"{name}:"))


def test_topology_draws_one_input_node_per_feature_labelled_by_it(circle_run):
    net, _ = circle_run
    fig = topology_figure(net)
    neurons = _trace(fig, "neurons")
    assert list(neurons["text"][:5]) == ["X₁", "X₂", "X₁²", "X₂²", "X₁X₂"]
    assert len(values(neurons["x"])) == 5 + 3 + 2
    assert [list(w) for w in neurons["customdata"][4:6]] == [[0, 4], [1, 0]]
    assert "x₁²" in neurons["hovertext"][2]
    assert len(values(_trace(fig, "weights")["x"])) == 5 * 3 + 3 * 2
    assert fig.layout.title.text.startswith("Network 5-3-2: 5 neurons, 21 weights, 5 biases, 26 parameters")
    assert fig.layout.annotations[0].text == "<b>input features</b><br>5 of x₁, x₂"


def test_topology_edges_say_which_weight_they_draw_and_the_legend_explains_the_biases(circle_run):
    net, _ = circle_run
    fig = topology_figure(net)
    weights = _trace(fig, "weights")
    where = [tuple(w[:3]) for w in weights["customdata"]]
    values_ = values(weights["marker"]["color"])
    for (layer, i, j), value, data in zip(where, values_, weights["customdata"]):
        assert net.params[f"W{layer}"][i, j] == pytest.approx(value) == pytest.approx(data[3])
    assert (1, 2, 0) in where and (2, 1, 1) in where
    biases = _trace(fig, "biases")["customdata"]
    assert [tuple(b[:2]) for b in biases] == [(1, 0), (1, 1), (1, 2), (2, 0), (2, 1)]
    assert all(net.params[f"b{layer}"][j] == pytest.approx(value) for layer, j, value in biases)
    shown = [t["name"] for t in fig.to_dict()["data"] if t.get("showlegend", True)]
    assert shown == ["biases: the square beside each neuron (colour: sign and size)"]
    assert fig.layout.showlegend is not False


def test_boundary_neuron_maps_and_hidden_space_use_the_features(circle_run):
    net, data = circle_run
    fig = decision_boundary_figure(net, data, grid=30)
    accuracy = float(np.mean(net.predict(data.X_train) == data.y_train))
    assert accuracy > 0.95  # a circle is easy with x1², x2²
    assert f"train {100 * accuracy:.1f} %" in fig.layout.title.text
    maps = neuron_maps_figure(net, data, grid=12)
    points = plane_points([-1, 1, -1, 1], 12)
    hidden = np.tanh(feature_values(FEATURES, points) @ net.params["W1"] + net.params["b1"])
    drawn = neuron_maps_figure(net, grid=12, bounds=[-1, 1, -1, 1]).to_dict()["data"][0]
    np.testing.assert_allclose(values(drawn["z"]).ravel(), hidden[:, 0], rtol=1e-5)
    assert len(maps.to_dict()["data"]) == 3
    assert len(hidden_space_figure(net, data).to_dict()["data"]) > 2


def test_forward_trace_shows_the_feature_layer(circle_run):
    net, _ = circle_run
    fig = forward_trace_figure(net, [0.5, -0.2])
    titles = [a.text for a in fig.layout.annotations]
    assert titles[1].startswith("φ(x) = (X₁, X₂, X₁², X₂², X₁X₂)<br>φ [5x1]")
    assert titles[2].startswith("z1 = W1·φ + b1<br>W1 [3x5]")
    phi = values(fig.to_dict()["data"][1]["z"]).ravel()
    np.testing.assert_allclose(phi, [0.5, -0.2, 0.25, 0.04, -0.1], rtol=1e-6)


@pytest.mark.parametrize("levels", [256, 15])
def test_maps_round_trip_within_half_a_level(levels):
    rng = np.random.default_rng(0)
    maps = [rng.normal(size=64), np.zeros(64), np.array([3.0] * 63 + [-1.5])]
    encoded = encode_maps(maps, levels)
    assert encoded["limits"] == [pytest.approx(np.abs(maps[0]).max(), rel=1e-3), 0.0, 3.0]
    assert encoded["levels"] == levels
    for original, decoded in zip(maps, decode_maps(encoded, 8)):
        half_level = (np.abs(original).max() or 1.0) / (levels - 1)  # a level is 2·limit / (levels − 1)
        np.testing.assert_allclose(decoded.ravel(), original, atol=half_level * 1.01)
        if levels % 2:  # an odd count has a code for 0: a zero map, and zero cells, stay white
            assert np.all(decoded.ravel()[original == 0] == 0)


def test_fewer_levels_deflate_to_fewer_bytes_and_bad_levels_name_the_field():
    x = np.linspace(-1, 1, 20)
    maps = [np.tanh(3 * a * np.add.outer(x, x)).ravel() for a in np.linspace(0.2, 2, 20)]
    assert len(encode_maps(maps, 15)["data"]) < len(encode_maps(maps, 256)["data"]) / 2
    with pytest.raises(SpecError) as caught:
        encode_maps(maps, 1)
    assert caught.value.field == "levels"


def test_feature_maps_are_the_features_over_the_plane():
    answer = feature_maps(grid=10)
    assert [f["name"] for f in answer["features"]] == ["x1", "x2", "x1sq", "x2sq", "x1x2", "sin_x1", "sin_x2"]
    assert answer["features"][5] == {"name": "sin_x1", "label": "sin πX₁", "formula": "sin(π·x₁)"}
    maps = decode_maps(answer["maps"], 10)
    points = plane_points(answer["bounds"], 10)
    np.testing.assert_allclose(maps[2].ravel(), points[:, 0] ** 2, atol=1.44 / 127)
    assert maps[0][0, 0] < 0 < maps[0][0, -1]  # x1 grows along a row
    assert maps[1][0, 0] < 0 < maps[1][-1, 0]  # x2 grows from row to row
    with pytest.raises(SpecError) as info:
        feature_maps(grid=1)
    assert info.value.field == "grid"


def test_node_maps_hold_every_node_over_the_plane(circle_run):
    net, _ = circle_run
    answer = node_maps(net, [-1, 1, -1, 1], grid=9)
    shapes = [{key: layer[key] for key in ("name", "units", "total")} for layer in answer["layers"]]
    assert shapes == [{"name": "x", "units": 5, "total": 5}, {"name": "h1", "units": 3, "total": 3},
                      {"name": "out", "units": 2, "total": 2}]
    maps = decode_maps(answer["maps"], 9)
    assert len(maps) == 10
    points = plane_points([-1, 1, -1, 1], 9)
    outputs = net.forward(points)
    limit = np.abs(outputs[:, 1]).max()
    np.testing.assert_allclose(maps[9].ravel(), outputs[:, 1], atol=limit / 127)
    wide = node_maps(Network(NetworkSpec(2, (LayerSpec(40),), 3)), [-1, 1, -1, 1], grid=4, max_units=32)
    assert (wide["layers"][1]["units"], wide["layers"][1]["total"]) == (32, 40)
    with pytest.raises(SpecError) as info:
        node_maps(Network(NetworkSpec(3, (), 2)), [-1, 1, -1, 1])
    assert info.value.field == "net" and "2 inputs" in info.value.message

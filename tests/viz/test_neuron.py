import numpy as np
import pytest

from app.nn import Network, NetworkSpec, make_dataset
from app.viz import CLASS_COLORS, CLASS_SYMBOLS, neuron_figure, neuron_maps_figure

from .conftest import values


def test_single_neuron_plane_line_and_points():
    data = make_dataset("linear", n_per_class=30)
    fig = neuron_figure((1.0, 2.0), 0.5, "sigmoid", data, grid=50)
    d = fig.to_dict()
    heat = d["data"][0]
    z = values(heat["z"])
    assert heat["type"] == "heatmap" and z.shape == (50, 50)
    xs, ys = values(heat["x"]), values(heat["y"])
    expected = 1 / (1 + np.exp(-(1.0 * xs[10] + 2.0 * ys[30] + 0.5)))
    assert z[30, 10] == pytest.approx(expected, rel=1e-5)
    line = d["data"][1]
    lx, ly = values(line["x"]), values(line["y"])
    np.testing.assert_allclose(1.0 * lx + 2.0 * ly + 0.5, 0, atol=1e-9)  # both ends on w·x + b = 0
    points = d["data"][2:]
    assert [p["marker"]["color"] for p in points] == list(CLASS_COLORS[:2])
    assert [p["marker"]["symbol"] for p in points] == list(CLASS_SYMBOLS[:2])
    assert sum(len(values(p["x"])) for p in points) == 60
    assert d["layout"]["xaxis"]["title"]["text"].startswith("x₁")
    assert d["layout"]["xaxis"]["zeroline"] and d["layout"]["yaxis"]["zeroline"]  # the axes x₁ = 0, x₂ = 0


def test_neuron_without_data_and_other_activations():
    fig = neuron_figure((0.0, 0.0), 1.0, "tanh")
    assert len(fig.data) == 1  # w = 0: no line to draw
    assert fig.data[0].z.min() == pytest.approx(np.tanh(1.0), rel=1e-6)
    fig = neuron_figure((1, -1), 0, "relu", grid=10)
    assert fig.data[0].zmid == 0


@pytest.mark.parametrize(("args", "match"), [
    (((1,), 0), "w: must be two numbers"),
    (((1, float("nan")), 0), r"w\[1\]"),
    (((1, 1), "b"), "b: must be a number"),
    (((1, 1), 0, "maxout"), "activation"),
    (((1, 1), 0, "foo"), "unknown activation"),
])
def test_neuron_rejects_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        neuron_figure(*args)


def test_neuron_maps_one_thumbnail_per_hidden_unit(spiral_run, spiral_data):
    net, _ = spiral_run  # hidden layers of 12 (relu) and 6 (tanh)
    fig = neuron_maps_figure(net, spiral_data, grid=20)
    d = fig.to_dict()
    assert len(d["data"]) == 12 + 6 and all(t["type"] == "heatmap" for t in d["data"])
    assert all(values(t["z"]).shape == (20, 20) for t in d["data"])
    assert {t["coloraxis"] for t in d["data"][:12]} == {"coloraxis"}
    assert {t["coloraxis"] for t in d["data"][12:]} == {"coloraxis2"}
    # thumbnail (layer 1, unit 5) is that unit's activation over the grid
    heat = d["data"][4]
    xs, ys = values(heat["x"]), values(heat["y"])
    a = net.hidden_outputs(np.array([[xs[3], ys[17]]], dtype=np.float64))[0]["a"][0, 4]
    assert values(heat["z"])[17, 3] == pytest.approx(a, rel=1e-5, abs=1e-6)
    # shared scale per layer: relu layer from its min to its max, tanh layer symmetric
    layer1 = np.concatenate([values(t["z"]).ravel() for t in d["data"][:12]])
    assert d["layout"]["coloraxis"]["cmax"] == pytest.approx(layer1.max(), rel=1e-5)
    assert d["layout"]["coloraxis2"]["cmin"] == -d["layout"]["coloraxis2"]["cmax"]


def test_neuron_maps_cap_wide_layers_and_need_two_inputs():
    net = Network(NetworkSpec.from_sizes([2, 40, 3]), seed=0)
    fig = neuron_maps_figure(net, grid=8, max_units=10)
    assert len(fig.data) == 10 and "10 of 40 shown" in fig.data[0].hovertemplate
    with pytest.raises(ValueError, match="2 inputs"):
        neuron_maps_figure(Network(NetworkSpec.from_sizes([3, 4, 1], loss="mse")))
    linear = neuron_maps_figure(Network(NetworkSpec.from_sizes([2, 3])))
    assert not linear.data and "No hidden layers" in linear.layout.annotations[0].text


def test_neuron_maps_of_a_one_input_network_are_curves(sine_run):
    net, data = sine_run  # one hidden layer of 10 tanh units
    fig = neuron_maps_figure(net, data, grid=30)
    d = fig.to_dict()
    assert len(d["data"]) == 10 and all(t["type"] == "scatter" for t in d["data"])
    xs, ys = values(d["data"][2]["x"]), values(d["data"][2]["y"])
    assert len(xs) == 120
    expected = net.hidden_outputs(xs[:, None].astype(np.float64))[0]["a"][:, 2]
    np.testing.assert_allclose(ys, expected, rtol=1e-5, atol=1e-6)
    assert d["layout"]["yaxis"]["range"] == d["layout"]["yaxis2"]["range"]  # one y range per layer

import numpy as np
import pytest

from app.nn import LayerSpec, Network, NetworkSpec, make_dataset
from app.viz import CLASS_COLORS, forward_trace_figure, hidden_space_figure
from app.viz.inside import LINE_POINTS

from .conftest import values


def _line_points(trace):
    return int(np.sum(values(trace["x"]) != None))  # noqa: E711


def test_two_unit_layer_warps_the_grid():
    data = make_dataset("circle", n_per_class=25)
    net = Network(NetworkSpec(2, (LayerSpec(2, "tanh"),), 2), seed=3)
    fig = hidden_space_figure(net, data, layer=1, grid_lines=5)
    d = fig.to_dict()
    # per panel: vertical lines, horizontal lines, one trace per class
    assert [t["name"] for t in d["data"]] == ["vertical grid lines", "horizontal grid lines", "class 0", "class 1"] * 2
    assert _line_points(d["data"][0]) == 5 * LINE_POINTS
    right = d["data"][4:]
    assert all(t["xaxis"] == "x2" for t in right)
    hx, hy = values(right[2]["x"]), values(right[2]["y"])
    expected = net.hidden_outputs(data.X[data.y == 0])[0]["a"]
    np.testing.assert_allclose(np.c_[hx, hy], expected, rtol=1e-5, atol=1e-6)
    assert right[2]["marker"]["color"] == CLASS_COLORS[0]
    assert d["layout"]["xaxis2"]["title"]["text"] == "h1 unit 1 (activation)"
    # the first warped vertical line is the hidden image of the input plane's left edge
    left = np.array(values(d["data"][0]["x"])[:LINE_POINTS], dtype=float)
    bottom_to_top = np.array(values(d["data"][0]["y"])[:LINE_POINTS], dtype=float)
    image = net.hidden_outputs(np.c_[left, bottom_to_top])[0]["a"]
    warped = np.c_[np.array(values(right[0]["x"])[:LINE_POINTS], dtype=float),
                   np.array(values(right[0]["y"])[:LINE_POINTS], dtype=float)]
    np.testing.assert_allclose(warped, image, atol=1e-4)


def test_wide_layer_uses_principal_components(spiral_run, spiral_data):
    net, _ = spiral_run
    fig = hidden_space_figure(net, spiral_data, layer=1)
    assert "principal component 1" in fig.layout.xaxis2.title.text
    assert "% of variance" in fig.layout.yaxis2.title.text
    right = [t for t in fig.data if t.xaxis == "x2" and t.mode == "markers"]
    assert sum(len(t.x) for t in right) == len(spiral_data.y)
    coords = np.concatenate([np.c_[t.x, t.y] for t in right])
    # principal components are centred: the projected points average to 0
    np.testing.assert_allclose(coords.mean(axis=0), 0, atol=1e-4)


def test_hidden_space_checks():
    data = make_dataset("xor", n_per_class=10)
    net = Network(NetworkSpec(2, (LayerSpec(3),), 2), seed=0)
    with pytest.raises(ValueError, match="layer"):
        hidden_space_figure(net, data, layer=2)
    with pytest.raises(ValueError, match="grid_lines"):
        hidden_space_figure(net, data, grid_lines=1)
    with pytest.raises(ValueError, match="no hidden layer"):
        hidden_space_figure(Network(NetworkSpec(2, (), 2)), data)


def test_forward_trace_columns_shapes_and_values():
    net = Network(NetworkSpec.from_sizes([3, 4, 4, 1], loss="mse"), seed=0)
    x = [0.5, -1.0, 2.0]
    fig = forward_trace_figure(net, x)
    d = fig.to_dict()
    titles = [a["text"] for a in d["layout"]["annotations"]]
    assert titles[0] == "x [3x1]"
    assert titles[1] == "z1 = W1·x + b1<br>W1 [4x3]"
    assert titles[2] == "h1 = relu(z1)<br>h1 [4x1]"
    assert titles[3] == "z2 = W2·h1 + b2<br>W2 [4x4]"
    assert titles[5] == "out = W3·h2 + b3<br>W3 [1x4], out [1x1]"
    assert len(d["data"]) == 6
    steps = net.trace(np.array(x))
    np.testing.assert_allclose(values(d["data"][1]["z"]).ravel(), steps[0]["pre_activation"], rtol=1e-6)
    np.testing.assert_allclose(values(d["data"][2]["z"]).ravel(), steps[0]["activation_value"], rtol=1e-6)
    np.testing.assert_allclose(values(d["data"][5]["z"]).ravel(), steps[-1]["pre_activation"], rtol=1e-6)
    assert d["data"][1]["text"][0][0] == f"{steps[0]['pre_activation'][0]:.3g}"
    assert "ŷ =" in d["layout"]["title"]["text"]


def test_forward_trace_classification_ends_with_probabilities(spiral_run):
    net, _ = spiral_run
    fig = forward_trace_figure(net, np.array([0.2, -0.1]))
    last = fig.data[-1]
    assert last.coloraxis == "coloraxis2"
    assert float(np.sum(last.z)) == pytest.approx(1.0, rel=1e-5)
    assert fig.layout.annotations[-1].text.startswith("probabilities")
    with pytest.raises(ValueError, match="x: must have 2 values"):
        forward_trace_figure(net, [1, 2, 3])
    with pytest.raises(ValueError, match="finite"):
        forward_trace_figure(net, [1, float("nan")])


def test_one_input_network_bends_the_input_line(sine_run):
    net, data = sine_run
    fig = hidden_space_figure(net, data)
    names = [t.name for t in fig.data]
    assert names[0] == "points" and names[1].startswith("the input interval")
    assert len(fig.data[2].x) == len(data.y)
    assert "principal component 1" in fig.layout.xaxis2.title.text


def test_forward_trace_of_a_two_output_regression():
    net = Network(NetworkSpec(2, (LayerSpec(3),), 2, "mse"), seed=0)
    fig = forward_trace_figure(net, [0.1, 0.2])
    out = net.forward(np.array([[0.1, 0.2]]))[0]
    assert fig.layout.title.text.endswith(f"ŷ = {out[0]:.3g}, {out[1]:.3g}")

import numpy as np
import pytest

from app.nn import LayerSpec, Network, NetworkSpec, SpecError, make_dataset
from app.viz import (
    CLASS_COLORS,
    CLASS_SYMBOLS,
    boundary_comparison_figure,
    boundary_grid,
    data_bounds,
    decision_boundary_figure,
    figure_json,
)
from app.viz.boundary import class_colorscale, class_confidence

from .conftest import assert_finite_json, values


def test_data_bounds_add_the_margin(spiral_data):
    x_min, x_max, y_min, y_max = data_bounds(spiral_data, margin=0.1)
    X = spiral_data.X
    span = X[:, 0].max() - X[:, 0].min()
    assert x_min == pytest.approx(X[:, 0].min() - 0.1 * span)
    assert x_max == pytest.approx(X[:, 0].max() + 0.1 * span)
    assert y_min < X[:, 1].min() and y_max > X[:, 1].max()
    with pytest.raises(ValueError, match="margin"):
        data_bounds(spiral_data, margin=-1)


def test_class_confidence_encodes_argmax_and_winning_probability():
    probs = np.array([[0.2, 0.3, 0.5], [1 / 3, 1 / 3, 1 / 3], [0.0, 1.0, 0.0]])
    z = class_confidence(probs)
    # class 2 at (0.5 - 1/3) / (2/3) = 0.25 of the way to certainty; chance = 0; certainty = 0.99
    assert z == pytest.approx([2 + 0.99 * 0.25, 0.0, 1.99])


def test_boundary_grid_shapes_and_classes(spiral_run):
    net, _ = spiral_run
    grid = boundary_grid(net, (-1, 1, -2, 2), grid=30)
    assert grid["kind"] == "classification"
    assert grid["x"].shape == (30,) and grid["y"].shape == (30,) and grid["z"].shape == (30, 30)
    assert grid["y"][0] == pytest.approx(-2) and grid["y"][-1] == pytest.approx(2)
    # rows run along y: the floor of z is the predicted class at (x[j], y[i])
    i, j = 7, 21
    predicted = net.predict(np.array([[grid["x"][j], grid["y"][i]]], dtype=np.float64))[0]
    assert int(np.floor(grid["z"][i, j])) == predicted
    assert grid["z"].min() >= 0 and grid["z"].max() < 3


@pytest.mark.parametrize(("bounds", "grid", "match"), [
    ((0, 0, 0, 1), 10, "x_min must be below"),
    ((0, 1, 0), 10, "four"),
    ((0, float("nan"), 0, 1), 10, "finite"),
    ((0, 1, 0, 1), 1, "grid"),
    ((0, 1, 0, 1), 10_000, "grid"),
])
def test_boundary_grid_rejects_bad_arguments(spiral_run, bounds, grid, match):
    with pytest.raises(ValueError, match=match):
        boundary_grid(spiral_run[0], bounds, grid)


def test_classification_figure_traces_and_colours(spiral_run, spiral_data):
    net, _ = spiral_run
    fig = decision_boundary_figure(net, spiral_data, grid=40)
    d = fig.to_dict()
    types = [t["type"] for t in d["data"]]
    # heatmap, 3 train + 3 test classes, misclassified
    assert types == ["heatmap"] + ["scatter"] * 7
    heat = d["data"][0]
    grid = boundary_grid(net, data_bounds(spiral_data), 40)
    np.testing.assert_array_equal(values(heat["z"]), grid["z"])
    assert values(heat["x"]).shape == (40,) and values(heat["z"]).shape == (40, 40)
    assert heat["zmin"] == 0 and heat["zmax"] == 3
    for k in range(3):
        train, test = d["data"][1 + k], d["data"][4 + k]
        assert train["marker"]["color"] == CLASS_COLORS[k] == test["marker"]["color"]
        assert train["marker"]["symbol"] == CLASS_SYMBOLS[k] == test["marker"]["symbol"]  # a shape per class too
        assert len(values(train["x"])) == int(np.sum(spiral_data.y_train == k))
        assert len(values(test["x"])) == int(np.sum(spiral_data.y_test == k))
        assert test["marker"]["line"]["width"] > train["marker"]["line"]["width"]  # test points outlined
    wrong = d["data"][7]
    n_wrong = int(np.sum(net.predict(spiral_data.X_train) != spiral_data.y_train)
                  + np.sum(net.predict(spiral_data.X_test) != spiral_data.y_test))
    assert len(values(wrong["x"])) == n_wrong and wrong["name"] == f"misclassified ({n_wrong})"
    assert d["layout"]["xaxis"]["title"]["text"].startswith("x₁")
    assert d["layout"]["yaxis"]["title"]["text"].startswith("x₂")
    untouched = decision_boundary_figure(net, spiral_data, grid=40, misclassified=False).to_dict()["data"]
    assert len(untouched) == 8 and untouched[7]["legendgroup"] == "misclassified"
    assert len(values(untouched[7]["x"])) == 0  # the data as it is: an empty trace has no legend entry
    assert all(len(values(a["x"])) == len(values(b["x"])) for a, b in zip(untouched[1:7], d["data"][1:7], strict=True))


def test_class_colour_bands_follow_the_palette():
    scale = class_colorscale(3)
    assert [s[0] for s in scale] == pytest.approx([0, 1 / 3, 1 / 3, 2 / 3, 2 / 3, 1])
    # the strong end of class 1's band is a tint of class 1's colour (orange: red > green > blue)
    r, g, b = (int(c) for c in scale[3][1][4:-1].split(","))
    assert r > g > b


def test_binary_logistic_network_uses_two_bands():
    data = make_dataset("xor", n_per_class=20)
    net = Network(NetworkSpec(2, (LayerSpec(4, "tanh"),), 1, "logistic"), seed=0)
    fig = decision_boundary_figure(net, data, grid=20)
    assert fig.data[0].zmax == 2
    assert len(fig.data) == 1 + 2 + 1  # no test set: heatmap, two classes, misclassified


@pytest.mark.parametrize("loss", ["logistic", "hinge"])
def test_linear_classifier_draws_its_line(loss):
    """One neuron (no hidden layers, one output) classifies by the sign of w·x + b: that line is drawn,
    and every grid cell on its positive side is class 1."""
    data = make_dataset("linear", n_per_class=20)
    net = Network(NetworkSpec(2, (), 1, loss), seed=0)
    net.params["W1"][:] = [[1.5], [-0.5]]
    net.params["b1"][:] = [0.25]
    fig = decision_boundary_figure(net, data, grid=30)
    line = fig.data[-1]
    assert line.name == "w·x + b = 0" and line.mode == "lines"
    np.testing.assert_allclose(1.5 * np.array(line.x) - 0.5 * np.array(line.y) + 0.25, 0, atol=1e-9)
    grid = boundary_grid(net, data_bounds(data), 30)
    gx, gy = np.meshgrid(grid["x"], grid["y"])
    score = 1.5 * gx - 0.5 * gy + 0.25
    classes = np.floor(grid["z"])
    assert np.all(classes[score > 1e-6] == 1) and np.all(classes[score < -1e-6] == 0)
    hidden = Network(NetworkSpec(2, (LayerSpec(3, "relu"),), 1, loss), seed=0)
    assert "w·x + b = 0" not in [trace.name for trace in decision_boundary_figure(hidden, data, grid=10).data]


def test_regression_2d_heatmap_and_points(plane_run):
    net, data = plane_run
    fig = decision_boundary_figure(net, data, grid=25)
    d = fig.to_dict()
    assert [t["type"] for t in d["data"]] == ["heatmap", "scatter", "scatter"]
    np.testing.assert_allclose(values(d["data"][0]["z"]).ravel(),
                               boundary_grid(net, data_bounds(data), 25)["z"].ravel())
    np.testing.assert_allclose(values(d["data"][1]["marker"]["color"]), data.y_train, rtol=1e-6)
    assert d["layout"]["coloraxis"]["colorbar"]["title"]["text"] == "output ŷ"


def test_regression_1d_fitted_curve(sine_run):
    net, data = sine_run
    fig = decision_boundary_figure(net, data, grid=50)
    d = fig.to_dict()
    curve = d["data"][0]
    assert curve["mode"] == "lines"
    grid = boundary_grid(net, data_bounds(data), 50)
    assert grid["kind"] == "regression-1d" and grid["y"] is None
    np.testing.assert_allclose(values(curve["y"]), grid["z"])
    np.testing.assert_allclose(values(curve["y"]), net.forward(values(curve["x"])[:, None].astype(float))[:, 0],
                               rtol=1e-5, atol=1e-6)
    assert len(values(d["data"][1]["x"])) == len(data.y_train)
    assert len(values(d["data"][2]["y"])) == len(data.y_test)


def test_mismatched_data_is_rejected(spiral_run, sine_run):
    with pytest.raises(SpecError) as info:
        decision_boundary_figure(spiral_run[0], sine_run[1])
    assert info.value.field == "data" and "mse loss is for regression" not in info.value.message
    assert "for classification, but the data is for regression" in info.value.message


def test_json_has_no_nan_even_for_exploded_weights(spiral_data):
    net = Network(NetworkSpec(2, (LayerSpec(8, "relu"),), 3), seed=0)
    net.params["W1"][...] = 1e200
    net.params["W2"][...] = 1e200
    assert_finite_json(figure_json(decision_boundary_figure(net, spiral_data, grid=10)))


def test_comparison_panels_share_colours_and_titles(spiral_data):
    panels = [(f"{h} hidden neurons", Network(NetworkSpec(2, (LayerSpec(h),), 3), seed=0), spiral_data)
              for h in (3, 6, 20)]
    fig = boundary_comparison_figure(panels, grid=20)
    d = fig.to_dict()
    heatmaps = [t for t in d["data"] if t["type"] == "heatmap"]
    assert len(heatmaps) == 3
    assert [h["xaxis"] for h in heatmaps] == ["x", "x2", "x3"]
    assert all(h["colorscale"] == heatmaps[0]["colorscale"] for h in heatmaps)
    titles = [a["text"] for a in d["layout"]["annotations"]]
    assert [t.split("<br>")[0] for t in titles] == ["3 hidden neurons", "6 hidden neurons", "20 hidden neurons"]
    legend_traces = [t for t in d["data"] if t["type"] == "scatter" and t.get("showlegend", True)]
    assert all(t["xaxis"] == "x" for t in legend_traces)  # one legend, from the first panel
    assert d["layout"]["title"]["text"] == "Decision regions compared"
    with pytest.raises(ValueError, match="panels"):
        boundary_comparison_figure([])


def test_comparison_of_1d_fits_is_titled_as_fits():
    data = make_dataset("sine", n_points=40, seed=0)
    panels = [(f"{h} units", Network(NetworkSpec(1, (LayerSpec(h),), 1, "mse"), seed=0), data) for h in (2, 8)]
    assert boundary_comparison_figure(panels, grid=20).layout.title.text == "Fitted functions compared"


def test_class_count_must_match_the_outputs(spiral_data):
    net = Network(NetworkSpec(2, (LayerSpec(4),), 2), seed=0)
    with pytest.raises(SpecError) as info:
        decision_boundary_figure(net, spiral_data)
    assert info.value.field == "data"
    assert info.value.message == ("does not fit the network: the network has 2 outputs but the data's classes "
                                  "under the softmax loss need 3")

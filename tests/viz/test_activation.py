import re

import numpy as np
import pytest

from app.nn import SpecError
from app.viz import activation_figure, activation_values
from app.viz.activation import SATURATED_GRADIENT, evaluate, saturated_ranges


def _shapes(fig, name):
    return [s for s in fig.layout.shapes if s.legendgroup == name]


def test_values_match_the_formulas():
    v = activation_values("sigmoid", -4, 4, 9)
    sig = 1 / (1 + np.exp(-v["x"]))
    np.testing.assert_allclose(v["y"], sig)
    np.testing.assert_allclose(v["dy"], sig * (1 - sig))
    v = activation_values("leaky_relu", -2, 2, 5)
    np.testing.assert_allclose(v["y"], [-0.02, -0.01, 0, 1, 2])
    np.testing.assert_allclose(v["dy"], [0.01, 0.01, 0.01, 1, 1])
    v = activation_values("prelu", -2, 2, 5)
    np.testing.assert_allclose(v["y"], [-0.5, -0.25, 0, 1, 2])
    v = activation_values("prelu", -2, 2, 5, slope=0.5)
    np.testing.assert_allclose(v["dy"], [0.5, 0.5, 0.5, 1, 1])


def test_maxout_is_the_max_of_its_pieces():
    v = activation_values("maxout", -2, 2, 5)  # default pieces x and -0.5x
    np.testing.assert_allclose(v["y"], [1, 0.5, 0, 1, 2])
    np.testing.assert_allclose(v["dy"], [-0.5, -0.5, 1, 1, 1])
    v = activation_values("maxout", -2, 2, 5, maxout_pieces=[(2, 1), (0, 0)])
    np.testing.assert_allclose(v["y"], [0, 0, 1, 3, 5])


@pytest.mark.parametrize(("kwargs", "match"), [
    (dict(name="swishy"), "name"),
    (dict(name="tanh", num=1), "num"),
    (dict(name="tanh", stop=float("inf")), "stop"),
    (dict(name="prelu", slope=float("nan")), "slope"),
    (dict(name="maxout", maxout_pieces=[(1,)]), r"maxout_pieces\[0\]"),
])
def test_bad_arguments_name_the_field(kwargs, match):
    with pytest.raises(SpecError) as info:
        activation_values(**kwargs)
    assert re.match(match, info.value.field)


def test_start_and_stop_in_either_order_give_the_same_range():
    forward, backward = activation_values("tanh", -1, 1, 5), activation_values("tanh", 1, -1, 5)
    for key in ("x", "y", "dy"):
        np.testing.assert_array_equal(forward[key], backward[key])
    assert forward["x"][0] == -1


def test_prelu_and_maxout_derivatives_come_from_the_layers_backward_pass():
    x = np.linspace(-3, 3, 12)  # misses both kinks (x = 0 and x = 0.4)
    for name, options in (("prelu", dict(slope=0.3)), ("maxout", dict(maxout_pieces=[(1.5, 0.2), (-0.5, 1)]))):
        _, dy = evaluate(name, x, **options)
        h = 1e-6
        numeric = (evaluate(name, x + h, **options)[0] - evaluate(name, x - h, **options)[0]) / (2 * h)
        np.testing.assert_allclose(dy, numeric, rtol=1e-6)


def test_sigmoid_is_shaded_where_x_is_large():
    fig = activation_figure(["sigmoid"], -6, 6, 241)
    shapes = _shapes(fig, "sigmoid")
    assert len(shapes) == 2
    left, right = sorted(shapes, key=lambda s: s.x0)
    assert left.x0 == pytest.approx(-6) and right.x1 == pytest.approx(6)
    # σ'(x) = 0.05 at |x| ≈ 2.94: the middle, where the gradient flows, is not shaded
    assert -3.1 < left.x1 < -2.8 and 2.8 < right.x0 < 3.1
    x = np.linspace(-6, 6, 241)
    sig = 1 / (1 + np.exp(-x))
    inside = (x >= right.x0) | (x <= left.x1)
    assert np.all(sig[inside] * (1 - sig[inside]) < SATURATED_GRADIENT)


def test_traces_overlay_and_derivatives():
    fig = activation_figure(["sigmoid", "tanh", "relu"], num=101)
    # Named as people read them; the legend groups keep the activations' names.
    assert [t.name for t in fig.data] == ["Sigmoid", "Sigmoid′ (derivative)", "tanh", "tanh′ (derivative)",
                                          "ReLU", "ReLU′ (derivative)"]
    assert [t.legendgroup for t in fig.data] == ["sigmoid", "sigmoid", "tanh", "tanh", "relu", "relu"]
    assert fig.layout.title.text == "Sigmoid, tanh, ReLU: value (solid) and derivative (dashed)"
    assert all(len(t.x) == 101 and len(t.y) == 101 for t in fig.data)
    assert fig.data[0].line.color == fig.data[1].line.color != fig.data[2].line.color
    assert fig.data[1].line.dash == "dash"
    relu = _shapes(fig, "relu")
    assert len(relu) == 1 and relu[0].x0 == pytest.approx(-5) and relu[0].x1 == 0  # zero gradient for x <= 0
    assert fig.layout.xaxis.title.text.startswith("x (pre-activation")
    assert len(activation_figure(["relu"], derivative=False).data) == 1


def test_tanh_identity_overlay_lies_on_tanh():
    fig = activation_figure(["tanh"], tanh_identity=True)
    overlay = next(t for t in fig.data if t.name.startswith("2σ(2x) − 1"))
    np.testing.assert_allclose(overlay.y, np.tanh(overlay.x), atol=1e-12)


def test_maxout_pieces_and_leaky_slope_are_drawn():
    fig = activation_figure(["maxout", "leaky_relu"], maxout_pieces=[(1, 0), (-0.5, 0), (0.2, 1)])
    pieces = [t for t in fig.data if t.name.startswith("piece")]
    assert [t.name for t in pieces] == ["piece 1: 1·x + 0", "piece 2: -0.5·x + 0", "piece 3: 0.2·x + 1"]
    maxout = next(t for t in fig.data if t.name == "Maxout")
    np.testing.assert_allclose(maxout.y, np.max([p.y for p in pieces], axis=0))
    notes = [a for a in fig.layout.annotations]
    assert [a.text for a in notes] == ["α = 0.01 for x < 0"]
    # The arrow points at the curve (x, 0.01 x) on the left; the caption starts at the left edge and
    # sits above the curve, clear of x = 0 where the derivative steps up.
    assert notes[0].x < 0 and notes[0].y == pytest.approx(0.01 * notes[0].x)
    assert notes[0].xanchor == "left" and notes[0].ax == pytest.approx(-4.9) and notes[0].ay > 1


def test_saturated_ranges_runs():
    x = np.arange(6.0)
    assert saturated_ranges(x, np.array([0, 0, 1, 1, 0, 0.01])) == [(0.0, 1.0), (4.0, 5.0)]
    assert saturated_ranges(x, np.ones(6)) == []


def test_names_are_checked():
    with pytest.raises(SpecError, match="names"):
        activation_figure("relu")
    with pytest.raises(SpecError, match="names: unknown activation"):
        activation_figure(["relu", "nope"])


def test_range_is_bounded():
    with pytest.raises(SpecError, match="start: must be between -1000 and 1000"):
        activation_values("gelu", -1e9, 0)
    v = activation_values("gelu", -1000, 1000, 11)
    assert np.all(np.isfinite(v["y"])) and np.all(np.isfinite(v["dy"]))


def test_small_slopes_are_not_saturation():
    fig = activation_figure(["leaky_relu", "prelu", "relu"], slope=0.01)
    assert _shapes(fig, "leaky_relu") == [] and _shapes(fig, "prelu") == []
    assert [s.name for s in _shapes(fig, "relu")] == ["ReLU: f′ = 0 (no gradient)"]
    assert [s.name for s in _shapes(activation_figure(["elu"]), "elu")] == ["ELU saturated (|f′| < 0.05)"]

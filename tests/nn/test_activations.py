import warnings

import numpy as np
import pytest

from app.nn import SpecError
from app.nn.activations import ACTIVATION_NAMES, ACTIVATIONS, get_activation, stable_sigmoid
from app.nn.gradcheck import rel_error

SMOOTH = ["sigmoid", "tanh", "elu", "softplus", "gelu", "swish", "linear"]
KINKED = ["relu", "leaky_relu"]
ELEMENTWISE = [name for name, info in ACTIVATIONS.items() if info.function is not None]


def numeric_derivative(fn, z, h=1e-5):
    return (fn(z + h) - fn(z - h)) / (2 * h)


@pytest.mark.parametrize("name", SMOOTH)
def test_smooth_derivatives_match_centred_differences(name):
    act = get_activation(name)
    z = np.random.default_rng(0).uniform(-4, 4, 500)
    if name == "elu":
        z = z[np.abs(z) > 1e-3]  # elu's second derivative jumps at 0
    analytic = act.grad(z, act.fn(z))
    assert rel_error(analytic, numeric_derivative(act.fn, z)).max() < 1e-7


@pytest.mark.parametrize("name", KINKED)
def test_kinked_derivatives_match_away_from_the_kink(name):
    act = get_activation(name)
    z = np.random.default_rng(1).uniform(-4, 4, 500)
    z = z[np.abs(z) > 1e-3]
    analytic = act.grad(z, act.fn(z))
    assert rel_error(analytic, numeric_derivative(act.fn, z)).max() < 1e-5


def test_values_at_known_points():
    z = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_allclose(get_activation("relu").fn(z), [0, 0, 3])
    np.testing.assert_allclose(get_activation("leaky_relu").fn(z), [-0.02, 0, 3])
    np.testing.assert_allclose(get_activation("leaky_relu", slope=0.2).fn(z), [-0.4, 0, 3])
    np.testing.assert_allclose(get_activation("sigmoid").fn(z), 1 / (1 + np.exp(-z)), rtol=1e-15)
    np.testing.assert_allclose(get_activation("elu").fn(z), [np.exp(-2) - 1, 0, 3])
    np.testing.assert_allclose(get_activation("softplus").fn(z), np.log1p(np.exp(z)), rtol=1e-14)
    np.testing.assert_allclose(get_activation("swish").fn(z), z / (1 + np.exp(-z)), rtol=1e-14)
    np.testing.assert_allclose(get_activation("linear").fn(z), z)
    assert get_activation("gelu").fn(np.array([0.0]))[0] == 0.0
    assert get_activation("gelu").fn(np.array([10.0]))[0] == pytest.approx(10.0)


def test_tanh_is_a_scaled_sigmoid():
    x = np.linspace(-20, 20, 4001)
    sigmoid = get_activation("sigmoid").fn
    np.testing.assert_allclose(get_activation("tanh").fn(x), 2 * sigmoid(2 * x) - 1, rtol=0, atol=1e-12)


def test_sigmoid_is_stable_at_extremes():
    x = np.array([-1e4, -745.0, 0.0, 745.0, 1e4])
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        out = stable_sigmoid(x)
        for name in ELEMENTWISE:
            act = get_activation(name)
            values = act.fn(x)
            grads = act.grad(x, values)
            assert np.all(np.isfinite(values)) and np.all(np.isfinite(grads)), name
    np.testing.assert_array_equal(out[[0, 2, 4]], [0.0, 0.5, 1.0])
    assert 0 < out[1] < 1e-300


def test_sigmoid_saturates_and_its_derivative_is_at_most_a_quarter():
    act = get_activation("sigmoid")
    x = np.linspace(-10, 10, 2001)
    d = act.grad(x, act.fn(x))
    assert d.max() == pytest.approx(0.25)
    assert d[np.abs(x) > 8].max() < 5e-4


def test_out_buffer_is_written_in_place():
    z = np.linspace(-3, 3, 7)
    for name in ELEMENTWISE:
        act = get_activation(name)
        out = np.empty_like(z)
        result = act.fn(z, out=out)
        assert result is out
        np.testing.assert_allclose(out, act.fn(z))


def test_unknown_activation_names_the_choices():
    with pytest.raises(SpecError, match=r"'swoosh' is not an elementwise activation.*relu") as info:
        get_activation("swoosh")
    assert info.value.field == "activation"


def test_every_activation_has_its_words_next_to_it():
    assert set(ELEMENTWISE) | {"prelu", "maxout"} == set(ACTIVATION_NAMES)
    for name in ACTIVATION_NAMES:
        info = ACTIVATIONS[name]
        assert info.name == name and info.label and len(info.description) > 10 and len(info.verdict) > 10
    assert [name for name, info in ACTIVATIONS.items() if info.in_notes] == \
        ["sigmoid", "tanh", "relu", "leaky_relu", "prelu", "maxout"]
    assert "avoid" in ACTIVATIONS["sigmoid"].verdict.lower() and "default" in ACTIVATIONS["relu"].verdict.lower()
    assert get_activation("leaky_relu").slope == ACTIVATIONS["leaky_relu"].slope == 0.01

import numpy as np
import pytest

from app.nn.activations import get_activation
from app.nn.cache import Cache
from app.nn.gradcheck import numerical_gradient, rel_error
from app.nn.layers import Dense, Maxout, PReLU
from app.nn.losses import LOSS_NAMES, get_loss
from app.nn.regularizers import Regularizer


def compute_loss(name, scores, y):
    """``(loss, dscores)`` of loss ``name`` for scores (N, C) and labels or targets y (N,)."""
    loss = get_loss(name)
    scores = np.asarray(scores, dtype=np.float64)
    return loss.forward_backward(scores, loss.encode(y, scores.shape[1]))


def bind_random(layer, rng, scale=1.0):
    params, grads = {}, {}
    for name, (shape, _) in layer.param_shapes().items():
        params[name] = rng.normal(0, scale, shape)
        grads[name] = np.zeros(shape)
    layer.bind(params, grads)
    return params, grads


def check_layer(layer, x, rng):
    """Gradient check of f = sum(layer(x) * dout) with respect to x and every parameter."""
    params, grads = bind_random(layer, rng)
    dout = rng.normal(size=(x.shape[0], layer.units))

    def f():
        return float(np.sum(layer.forward(x, Cache()) * dout))

    cache = Cache()
    layer.forward(x, cache)
    dx = layer.backward(dout, cache)
    errors = {"x": rel_error(dx, numerical_gradient(f, x)).max()}
    for name, p in params.items():
        errors[name] = rel_error(grads[name], numerical_gradient(f, p)).max()
    return errors


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "elu", "softplus", "gelu", "swish", "linear"])
def test_dense_layer_gradients_smooth(activation):
    rng = np.random.default_rng(0)
    layer = Dense(3, 4, get_activation(activation))
    errors = check_layer(layer, rng.normal(size=(5, 3)), rng)
    assert max(errors.values()) < 1e-7, errors


def test_dense_without_activation_gives_scores():
    rng = np.random.default_rng(0)
    errors = check_layer(Dense(3, 2, None), rng.normal(size=(6, 3)), rng)
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("factory", [
    lambda: Dense(3, 4, get_activation("relu")),
    lambda: Dense(3, 4, get_activation("leaky_relu", slope=0.1)),
    lambda: PReLU(3, 4, 0.2),
    lambda: Maxout(3, 4, pieces=3),
])
def test_kinked_layers_gradients(factory):
    # Several seeds: a draw that puts a pre-activation (or a maxout tie) within h of a kink is
    # rejected, the notes' advice for checking kinked functions.
    checked = 0
    for seed in range(20):
        rng = np.random.default_rng(seed)
        layer = factory()
        x = rng.normal(size=(5, 3))
        params, _ = bind_random(layer, np.random.default_rng(seed))
        z = (x @ params["W"] + params["b"]).reshape(5, layer.pieces, layer.units)
        if np.abs(z).min() < 1e-3 or (layer.pieces > 1 and np.abs(np.diff(np.sort(z, axis=1), axis=1)).min() < 1e-3):
            continue
        errors = check_layer(layer, x, np.random.default_rng(seed))
        assert max(errors.values()) < 1e-5, errors
        checked += 1
    assert checked >= 5


def test_prelu_learns_its_slope_and_maxout_takes_the_max():
    rng = np.random.default_rng(3)
    prelu = PReLU(2, 3, 0.25)
    params, _ = bind_random(prelu, rng)
    x = rng.normal(size=(4, 2))
    z = x @ params["W"] + params["b"]
    np.testing.assert_allclose(prelu.forward(x, Cache()), np.where(z > 0, z, params["alpha"] * z))

    maxout = Maxout(2, 3, pieces=2)
    params, _ = bind_random(maxout, rng)
    z = x @ params["W"] + params["b"]
    np.testing.assert_allclose(maxout.forward(x, Cache()), np.maximum(z[:, :3], z[:, 3:]))


def random_scores_away_from_kinks(name, rng):
    for _ in range(100):
        scores = rng.normal(size=(6, 4)) * 2
        if name in ("logistic", "hinge"):
            scores = scores[:, :1]
        y = rng.integers(0, 2 if scores.shape[1] == 1 else 4, size=6)
        if name == "mse":
            y = rng.normal(size=6)
        if name == "svm":
            s_y = scores[np.arange(6), y][:, None]
            if np.abs(scores - s_y + 1).min() < 1e-3:
                continue
        if name == "hinge" and np.abs(1 - (2 * y - 1) * scores[:, 0]).min() < 1e-3:
            continue
        return scores, y
    raise AssertionError("no sample away from kinks")


@pytest.mark.parametrize("name", LOSS_NAMES)
def test_loss_gradients(name):
    rng = np.random.default_rng(0)
    scores, y = random_scores_away_from_kinks(name, rng)
    _, dscores = compute_loss(name, scores, y)
    numeric = numerical_gradient(lambda: compute_loss(name, scores, y)[0], scores)
    limit = 1e-7 if name in ("softmax", "logistic", "mse") else 1e-5
    assert rel_error(dscores, numeric).max() < limit


def test_softmax_matches_the_notes_example():
    # p = [0.2, 0.3, 0.5], true class 1 -> dscores = [0.2, -0.7, 0.5] (batch of one)
    scores = np.log(np.array([[0.2, 0.3, 0.5]]))
    loss, dscores = compute_loss("softmax", scores, np.array([1]))
    assert loss == pytest.approx(-np.log(0.3))
    np.testing.assert_allclose(dscores, [[0.2, -0.7, 0.5]], atol=1e-15)


def test_softmax_chance_loss_and_huge_logits():
    loss, _ = compute_loss("softmax", np.zeros((10, 3)), np.arange(10) % 3)
    assert loss == pytest.approx(np.log(3))
    loss, d = compute_loss("softmax", np.array([[1e4, 0.0, -1e4]]), np.array([2]))
    assert loss == pytest.approx(2e4) and np.all(np.isfinite(d))


def test_svm_loss_by_hand():
    # CS231n's example: scores [13, -7, 11], correct class 0, margin 1 -> max(0, -19) + max(0, -1) = 0
    # and with scores [3.2, 5.1, -1.7], class 0: max(0, 5.1 - 3.2 + 1) + max(0, -1.7 - 3.2 + 1) = 2.9
    loss, d = compute_loss("svm", np.array([[13.0, -7.0, 11.0], [3.2, 5.1, -1.7]]), np.array([0, 0]))
    assert loss == pytest.approx(2.9 / 2)
    np.testing.assert_allclose(d, [[0, 0, 0], [-0.5, 0.5, 0]])


def test_binary_losses_by_hand():
    loss, _ = compute_loss("logistic", np.array([[0.0], [2.0]]), np.array([1, 0]))
    assert loss == pytest.approx((np.log(2) + np.log1p(np.exp(2))) / 2)
    loss, _ = compute_loss("hinge", np.array([[0.5], [-2.0]]), np.array([1, 0]))
    assert loss == pytest.approx((0.5 + 0.0) / 2)
    loss, _ = compute_loss("mse", np.array([[1.0], [3.0]]), np.array([0.0, 1.0]))
    assert loss == pytest.approx((1 + 4) / 2)
    with pytest.raises(ValueError, match="two classes"):
        compute_loss("logistic", np.zeros((3, 1)), np.array([0, 1, 2]))


def test_predictions_and_probabilities():
    scores = np.array([[1.0, 3.0, 2.0], [0.0, 0.0, 5.0]])
    soft = get_loss("softmax")
    np.testing.assert_array_equal(soft.predict(scores), [1, 2])
    np.testing.assert_allclose(soft.probabilities(scores).sum(axis=1), 1.0)
    logistic = get_loss("logistic")
    np.testing.assert_array_equal(logistic.predict(np.array([[-1.0], [2.0]])), [0, 1])
    np.testing.assert_allclose(logistic.probabilities(np.array([[0.0]])), [[0.5, 0.5]])


@pytest.mark.parametrize("kind", ["l1", "l2"])
def test_regularizer_gradients(kind):
    rng = np.random.default_rng(0)
    w = rng.normal(size=20)
    w = w[np.abs(w) > 1e-3]
    reg = Regularizer(kind, 0.3)
    grad = np.zeros_like(w)
    reg.add_grad(w, grad)
    numeric = numerical_gradient(lambda: reg.penalty(w), w)
    assert rel_error(grad, numeric).max() < (1e-7 if kind == "l2" else 1e-5)


def test_regularizer_values_and_errors():
    w = np.array([1.0, -2.0])
    assert Regularizer("l2", 0.5).penalty(w) == pytest.approx(0.5 * 0.5 * 5)
    assert Regularizer("l1", 0.5).penalty(w) == pytest.approx(1.5)
    assert Regularizer("none", 0.5).penalty(w) == 0
    with pytest.raises(ValueError, match="unknown regularization"):
        Regularizer("l3", 0.1)
    with pytest.raises(ValueError, match="reg_strength"):
        Regularizer("l2", float("nan"))

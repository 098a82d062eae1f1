import numpy as np
import pytest

from app.nn import FEATURES, LayerSpec, Network, NetworkSpec, SpecError, TrainConfig, check_network, make_dataset, train
from app.nn.features import feature_values

ALL = ("x1", "x2", "x1sq", "x2sq", "x1x2", "sin_x1", "sin_x2")


def test_every_feature_is_its_formula():
    X = np.array([[0.5, -0.25], [-1.0, 2.0], [0.0, 0.1]])
    x1, x2 = X[:, 0], X[:, 1]
    expected = np.column_stack([x1, x2, x1**2, x2**2, x1 * x2, np.sin(np.pi * x1), np.sin(np.pi * x2)])
    np.testing.assert_allclose(feature_values(ALL, X), expected, rtol=1e-15)
    assert tuple(FEATURES) == ALL
    assert [FEATURES[name].label for name in ALL] == ["X₁", "X₂", "X₁²", "X₂²", "X₁X₂", "sin πX₁", "sin πX₂"]


def test_two_inputs_default_to_the_inputs_themselves_and_train_bit_for_bit():
    data = make_dataset("spiral", n_per_class=30, classes=3, seed=1)
    config = TrainConfig(steps=40, learning_rate=0.5, history_every=10)
    plain = NetworkSpec(2, (LayerSpec(6, "relu"),), 3)
    chosen = NetworkSpec(2, (LayerSpec(6, "relu"),), 3, features=["x1", "x2"])
    assert plain.features == ("x1", "x2") == chosen.features and plain == chosen
    assert NetworkSpec(3, (), 2).features is None and NetworkSpec(3, (), 2).feature_dim == 3
    nets = [Network(plain, seed=4), Network(chosen, seed=4)]
    histories = [train(net, data, config).history for net in nets]
    np.testing.assert_array_equal(nets[0].flat, nets[1].flat)
    assert histories[0] == histories[1]


def test_the_first_layer_has_one_row_per_feature_and_the_counts_follow():
    spec = NetworkSpec(2, (LayerSpec(4, "tanh"),), 2, features=["x1", "x2", "x1sq", "x2sq", "x1x2"])
    net = Network(spec, seed=0)
    assert net.params["W1"].shape == (5, 4) and spec.sizes == [5, 4, 2]
    assert net.counts() == spec.counts() == {
        "layers": 2, "neurons": 6, "weights": 5 * 4 + 4 * 2, "biases": 6, "slopes": 0, "parameters": 34,
    }
    X = np.random.default_rng(0).normal(size=(6, 2))
    phi = feature_values(spec.features, X)
    expected = np.tanh(phi @ net.params["W1"] + net.params["b1"]) @ net.params["W2"] + net.params["b2"]
    np.testing.assert_allclose(net.forward(X), expected, rtol=1e-14)
    np.testing.assert_array_equal(net.input_features(X), phi)


def test_squares_make_a_circle_linearly_separable():
    """No hidden layer: with x1² and x2² a linear classifier separates the inner disc from the ring."""
    data = make_dataset("circle", n_per_class=80, noise=0.0, seed=2)
    config = TrainConfig(steps=600, learning_rate=1.0, reg_strength=0.0)
    scores = {}
    for features in (("x1", "x2"), ("x1sq", "x2sq")):
        net = Network(NetworkSpec(2, (), 2, features=features), seed=0)
        train(net, data, config)
        scores[features] = float(np.mean(net.predict(data.X_train) == data.y_train))
    assert scores[("x1sq", "x2sq")] > 0.97 and scores[("x1", "x2")] < 0.75


@pytest.mark.parametrize("activation, loss", [("tanh", "softmax"), ("sigmoid", "mse")])
def test_gradients_with_features_match_finite_differences(activation, loss):
    spec = NetworkSpec(2, (LayerSpec(5, activation), LayerSpec(3, "tanh")), 1 if loss == "mse" else 3, loss,
                       "xavier", features=list(ALL))
    net = Network(spec, seed=3)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(8, 2))
    y = rng.normal(size=(8, 1)) if loss == "mse" else rng.integers(0, 3, 8)
    result = check_network(net, X, y, "l2", 0.1, max_entries=None)
    assert set(result.relative_errors) == set(net.params)
    assert max(result.relative_errors.values()) < 1e-7, result.relative_errors


@pytest.mark.parametrize("input_dim, features, field, message", [
    (2, ["x1", "cube"], "features[1]", "unknown feature 'cube'; expected one of: x1, x2, x1sq"),
    (2, ["x1sq", "x1sq"], "features[1]", "'x1sq' is already chosen"),
    (2, [], "features", "choose at least one feature"),
    (3, ["x1"], "features", "input features are functions of two inputs (x₁, x₂); this network has 3 inputs"),
    (1, ["x1"], "features", "input features are functions of two inputs (x₁, x₂); this network has 1 input:"),
    (2, ["x1", 2], "features", "must be a list of feature names"),
])
def test_feature_errors_name_the_field(input_dim, features, field, message):
    with pytest.raises(SpecError) as info:
        NetworkSpec(input_dim, (), 2, features=features)
    assert info.value.field == field and info.value.message.startswith(message)


def test_round_trip_keeps_the_features_and_old_stored_specs_still_load():
    spec = NetworkSpec(2, (LayerSpec(3, "relu"),), 2, features=("x1x2", "sin_x1"))
    net = Network(spec, seed=5)
    stored = {"spec": spec.to_dict(), "weights": {k: v.tolist() for k, v in net.get_weights().items()}}
    assert stored["spec"]["features"] == ["x1x2", "sin_x1"]
    copy = Network.from_dict(stored)
    assert copy.spec == spec
    X = np.random.default_rng(1).normal(size=(5, 2))
    np.testing.assert_array_equal(copy.forward(X), net.forward(X))
    old = {"input_dim": 2, "hidden": [{"units": 3, "activation": "relu", "slope": None, "pieces": 2}],
           "output_dim": 2, "loss": "softmax", "init": "small"}  # stored before features existed
    assert NetworkSpec.from_dict(old).features == ("x1", "x2")
    assert NetworkSpec.from_dict(old | {"input_dim": 3}).to_dict()["features"] is None

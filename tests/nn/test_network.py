import numpy as np
import pytest

from app.nn import LayerSpec, Network, NetworkSpec, SpecError, check_network
from app.nn.activations import get_activation


def test_the_notes_counts():
    assert Network(NetworkSpec.from_sizes([3, 4, 2])).counts() == {
        "layers": 2, "neurons": 6, "weights": 20, "biases": 6, "slopes": 0, "parameters": 26,
    }
    counts = Network(NetworkSpec.from_sizes([3, 4, 4, 1], loss="mse")).counts()
    assert (counts["layers"], counts["neurons"], counts["weights"], counts["biases"], counts["parameters"]) == (
        3, 9, 32, 9, 41,
    )


def test_maxout_pieces_and_prelu_slopes_count():
    spec = NetworkSpec(2, (LayerSpec(4, "maxout", pieces=3), LayerSpec(5, "prelu")), 3)
    counts = Network(spec).counts()
    # maxout: 2·4·3 weights + 12 biases; prelu: 4·5 weights + 5 biases + 5 slopes; output 5·3 + 3
    assert counts["weights"] == 24 + 20 + 15
    assert counts["biases"] == 12 + 5 + 3
    assert counts["slopes"] == 5
    assert counts["neurons"] == 4 + 5 + 3
    assert counts["parameters"] == 59 + 20 + 5


def test_forward_is_the_notes_formula():
    net = Network(NetworkSpec.from_sizes([3, 4, 4, 1], activation="tanh", loss="mse", init="xavier"), seed=1)
    p = net.params
    x = np.random.default_rng(0).normal(size=(7, 3))
    h1 = np.tanh(x @ p["W1"] + p["b1"])
    h2 = np.tanh(h1 @ p["W2"] + p["b2"])
    np.testing.assert_allclose(net.forward(x), h2 @ p["W3"] + p["b3"], rtol=1e-14)
    assert p["W1"].shape == (3, 4) and p["W3"].shape == (4, 1)


def test_trace_shows_each_layer_with_the_notes_shapes():
    net = Network(NetworkSpec.from_sizes([3, 4, 4, 1], loss="mse", init="he"), seed=2)
    x = np.array([0.5, -1.0, 2.0])
    trace = net.trace(x)
    assert [t["name"] for t in trace] == ["h1", "h2", "out"]
    assert trace[0]["W_shape"] == [4, 3] and trace[1]["W_shape"] == [4, 4] and trace[2]["W_shape"] == [1, 4]
    assert trace[0]["output_shape"] == [4, 1]
    z1 = x @ net.params["W1"] + net.params["b1"]
    np.testing.assert_allclose(trace[0]["pre_activation"], z1)
    np.testing.assert_allclose(trace[0]["activation_value"], np.maximum(z1, 0))
    np.testing.assert_allclose(trace[2]["activation_value"], net.forward(x[None])[0])


def test_params_are_views_of_one_flat_vector_weights_first():
    net = Network(NetworkSpec(2, (LayerSpec(3, "prelu"),), 2))
    assert list(net.info)[:2] == ["W1", "W2"]
    assert net.n_weights == 2 * 3 + 3 * 2
    net.flat[:] = np.arange(net.flat.size)
    assert net.params["W1"][0, 0] == 0 and net.params["alpha1"][-1] == net.flat.size - 1
    np.testing.assert_array_equal(net.weights_flat, np.arange(12))


def test_init_schemes_scale_and_seed():
    def std(init):
        return Network(NetworkSpec(400, (LayerSpec(300),), 2, init=init), seed=0).params["W1"].std()

    assert std("small") == pytest.approx(0.01, rel=0.02)
    assert std("he") == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    assert std("xavier") == pytest.approx(np.sqrt(2 / 700), rel=0.02)
    a, b = Network(NetworkSpec.from_sizes([2, 5, 3]), seed=4), Network(NetworkSpec.from_sizes([2, 5, 3]), seed=4)
    np.testing.assert_array_equal(a.flat, b.flat)
    assert not np.array_equal(a.flat, Network(NetworkSpec.from_sizes([2, 5, 3]), seed=5).flat)
    assert np.all(a.params["b1"] == 0)
    assert np.all(Network(NetworkSpec(2, (LayerSpec(3, "prelu"),), 2)).params["alpha1"] == 0.25)


SMOOTH_NETS = [
    NetworkSpec(2, (LayerSpec(5, "tanh"), LayerSpec(4, "sigmoid")), 3, "softmax", "xavier"),
    NetworkSpec(2, (LayerSpec(4, "elu"), LayerSpec(4, "softplus")), 1, "logistic", "xavier"),
    NetworkSpec(2, (LayerSpec(4, "gelu"), LayerSpec(3, "swish")), 2, "mse", "he"),
    NetworkSpec(2, (LayerSpec(4, "linear"),), 1, "mse", "xavier"),
]


@pytest.mark.parametrize("spec", SMOOTH_NETS, ids=lambda s: "-".join(h.activation for h in s.hidden) + "-" + s.loss)
@pytest.mark.parametrize("reg", ["none", "l2"])
def test_network_gradients_smooth(spec, reg):
    rng = np.random.default_rng(0)
    net = Network(spec, seed=3)
    X = rng.normal(size=(8, 2))
    y = rng.normal(size=(8, spec.output_dim)) if spec.loss == "mse" else rng.integers(0, max(2, spec.output_dim), 8)
    errors = check_network(net, X, y, reg, 0.1, max_entries=None).relative_errors
    assert set(errors) == set(net.params)
    assert max(errors.values()) < 1e-7, errors


KINKED_NETS = [
    NetworkSpec(2, (LayerSpec(6, "relu"), LayerSpec(5, "leaky_relu", slope=0.1)), 3, "softmax", "he"),
    NetworkSpec(2, (LayerSpec(5, "prelu"), LayerSpec(4, "maxout", pieces=2)), 3, "svm", "he"),
    NetworkSpec(2, (LayerSpec(5, "relu"),), 1, "hinge", "he"),
]


@pytest.mark.parametrize("spec", KINKED_NETS, ids=lambda s: "-".join(h.activation for h in s.hidden) + "-" + s.loss)
@pytest.mark.parametrize("reg", ["none", "l1", "l2"])
def test_network_gradients_with_kinks(spec, reg):
    rng = np.random.default_rng(1)
    net = Network(spec, seed=7)
    X = rng.normal(size=(6, 2))
    y = rng.integers(0, max(2, spec.output_dim), 6)
    errors = check_network(net, X, y, reg, 0.05, max_entries=None).relative_errors
    assert max(errors.values()) < 1e-5, errors


def test_gradient_check_catches_a_broken_backward(monkeypatch):
    net = Network(SMOOTH_NETS[0], seed=0)
    act = net.layers[0].activation
    monkeypatch.setattr(type(act), "grad", lambda self, z, a, out=None: np.ones_like(z))
    rng = np.random.default_rng(0)
    result = check_network(net, rng.normal(size=(5, 2)), rng.integers(0, 3, 5))
    assert result.params["W1"].relative_error > 1e-2 and result.params["W3"].relative_error < 1e-7
    assert result.verdict == "wrong" and "large enough to measure: a bug in the backward pass" in result.note


@pytest.mark.parametrize("bad, field, message", [
    (dict(input_dim=0), "input_dim", "must be an integer >= 1"),
    (dict(output_dim=-1), "output_dim", "must be an integer >= 1"),
    (dict(hidden=(LayerSpec(0),)), "hidden[0].units", "must be an integer >= 1"),
    (dict(hidden=(LayerSpec(3), LayerSpec(2, "swoosh"))), "hidden[1].activation", "unknown activation 'swoosh'"),
    (dict(hidden=(LayerSpec(3, "maxout", pieces=0),)), "hidden[0].pieces", "must be an integer >= 1"),
    (dict(loss="cross"), "loss", "unknown loss 'cross'"),
    (dict(init="zeros"), "init", "unknown init 'zeros'"),
    (dict(loss="logistic", output_dim=2), "output_dim", "must be 1 for the logistic loss"),
    (dict(input_dim=2.5), "input_dim", "must be an integer"),
])
def test_spec_errors_name_the_field(bad, field, message):
    with pytest.raises(SpecError) as info:
        NetworkSpec(**{"input_dim": 2, "output_dim": 3, **bad})
    assert info.value.field == field and info.value.message.startswith(message)
    assert str(info.value) == f"{field}: {info.value.message}"


def test_round_trip_through_stored_data_and_weight_errors():
    spec = NetworkSpec(2, (LayerSpec(3, "leaky_relu", slope=0.2), LayerSpec(2, "maxout", pieces=3)), 3)
    net = Network(spec, seed=9)
    weights = {name: value.tolist() for name, value in net.get_weights().items()}
    optimizer = {"name": "momentum", "t": 0, "v": np.ones(net.flat.size)}
    copy = Network.from_dict({"spec": spec.to_dict(), "weights": weights, "steps_trained": 12,
                              "epochs_trained": 1.5, "optimizer": optimizer})
    assert copy.spec == spec and copy.steps_trained == 12 and copy.epochs_trained == 1.5
    assert copy.optimizer_state is optimizer
    np.testing.assert_array_equal(copy.flat, net.flat)
    x = np.random.default_rng(0).normal(size=(4, 2))
    np.testing.assert_array_equal(copy.forward(x), net.forward(x))
    assert copy.layers[0].activation == get_activation("leaky_relu", slope=0.2)
    for bad, field, message in [
        ({**weights, "W1": np.zeros((3, 2))}, "weights.W1", "has shape [3, 2], expected [2, 3]"),
        ({**weights, "b1": [np.nan, 0, 0]}, "weights.b1", "contains NaN or inf"),
        ({**weights, "b1": [[1, 2], [3]]}, "weights.b1", "must be numbers in an array of shape [3]"),
        ({k: v for k, v in weights.items() if k != "W2"}, "weights", "missing W2"),
    ]:
        with pytest.raises(SpecError) as info:
            net.set_weights(bad)
        assert (info.value.field, info.value.message) == (field, message)
    np.testing.assert_array_equal(copy.flat, net.flat)  # a refused load changes nothing


def test_forward_rejects_wrong_input_width():
    net = Network(NetworkSpec.from_sizes([2, 3, 2]))
    with pytest.raises(SpecError, match=r"inputs: must have shape \(N, 2\)"):
        net.forward(np.zeros((4, 3)))


def test_dead_fraction_counts_units_never_positive():
    net = Network(NetworkSpec(2, (LayerSpec(4, "relu"), LayerSpec(3, "tanh")), 2), seed=0)
    X = np.random.default_rng(0).uniform(-1, 1, (50, 2))
    net.params["W1"][:] = 0.0
    net.params["b1"][:] = [-1.0, -1.0, -1.0, 1.0]  # three units never positive
    caches = net.caches()
    net.forward(X, caches)
    assert net.dead_fractions_of(caches) == [0.75, 0.0]
    net.params["b1"][:] = 1.0
    net.forward(X, caches)
    assert net.dead_fractions_of(caches) == [0.0, 0.0]


def _random_specs(count: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    activations = ["relu", "tanh", "sigmoid", "leaky_relu", "prelu", "maxout", "elu", "linear"]
    for _ in range(count):
        hidden = tuple(LayerSpec(int(rng.integers(1, 12)), str(rng.choice(activations)),
                                 pieces=int(rng.integers(1, 5)))
                       for _ in range(int(rng.integers(0, 5))))
        yield NetworkSpec(int(rng.integers(1, 7)), hidden, int(rng.integers(1, 6)), loss="mse")


def test_spec_counts_equal_the_built_networks_for_every_activation():
    specs = list(_random_specs(300))
    # every activation, PReLU slopes and maxout with several piece counts among them
    assert {layer.activation for spec in specs for layer in spec.hidden} >= {"prelu", "maxout", "relu", "linear"}
    assert {layer.pieces for spec in specs for layer in spec.hidden if layer.activation == "maxout"} >= {1, 2, 3, 4}
    for spec in specs:
        assert spec.counts() == Network(spec).counts(), spec


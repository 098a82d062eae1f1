import numpy as np
import pytest

from app.nn import LayerSpec, Network, NetworkSpec, check_network, jitter_biases, make_dataset, rel_error
from app.nn.gradcheck import THRESHOLDS, verdict

DATA = make_dataset("spiral")
X, Y = DATA.X_train[::15], DATA.y_train[::15]  # 20 points, every class


def deep(activation: str, init: str) -> Network:
    net = Network(NetworkSpec(2, (LayerSpec(8, activation),) * 3, 3, "softmax", init), seed=0)
    jitter_biases(net, seed=0)
    return net


def test_relative_error_with_a_floor():
    np.testing.assert_allclose(rel_error([1.0, 1e-9], [1.1, 2e-9]), [0.1 / 1.1, 0.5])
    np.testing.assert_allclose(rel_error([1.0, 1e-9], [1.1, 2e-9], floor=1e-6), [0.1 / 1.1, 1e-3])
    assert rel_error([0.0], [0.0])[0] == 0.0
    assert [verdict(e) for e in (1e-7, 1e-3, 0.5)] == ["ok", "worrying", "wrong"]
    assert THRESHOLDS == {"ok": 1e-4, "wrong": 1e-2}


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_tiny_gradients_at_the_small_initialisation_are_ok_and_said_to_be_tiny(activation):
    result = check_network(deep(activation, "small"), X, Y, max_entries=20)
    assert max(result.relative_errors.values()) > THRESHOLDS["ok"]  # rounding noise, by the notes' formula
    assert result.verdict == "ok"
    limited = [name for name, check in result.params.items() if check.scale_limited]
    assert "W1" in limited and "W4" not in limited
    # The noise estimate: a few float64 ulps of the loss (≈ ln 3), amplified by 1/h.
    assert 1e-11 < result.noise < 1e-9 and result.floor == pytest.approx(result.noise / THRESHOLDS["ok"])
    assert all(check.absolute_error < result.noise for check in result.params.values())
    assert "not from a bug" in result.note


def test_the_same_networks_at_xavier_have_measurable_gradients():
    for activation in ("tanh", "sigmoid"):
        result = check_network(deep(activation, "xavier"), X, Y, max_entries=20)
        assert result.verdict == "ok" and max(result.relative_errors.values()) < 1e-6
        assert not any(check.scale_limited for check in result.params.values())


def test_a_wrong_gradient_below_the_floor_is_not_passed_off_as_noise(monkeypatch):
    """Doubling a gradient of 1e-8 leaves an absolute error a hundred times the noise: still wrong."""
    net = deep("sigmoid", "small")
    layer = net.layers[0]
    backward = type(layer).backward

    def doubled(self, dout, cache):
        dx = backward(self, dout, cache)
        if self is layer:
            self.dW *= 2.0
        return dx

    monkeypatch.setattr(type(layer), "backward", doubled)
    result = check_network(net, X, Y, max_entries=20)
    w1 = result.params["W1"]
    assert w1.gradient_scale < result.floor and w1.absolute_error > 10 * result.noise
    assert w1.error > THRESHOLDS["ok"] and result.verdict != "ok"

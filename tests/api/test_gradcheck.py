import pytest

from app.nn.layers import Dense

from .conftest import SPIRAL, field_of


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu", "maxout", "prelu"])
def test_gradcheck_is_ok(client, activation):
    response = client.post("/api/gradcheck", json={
        "network": {"hidden": [{"units": 5, "activation": activation}], "init": "xavier", "seed": 1},
        "data": SPIRAL, "regularization": "l2", "reg_strength": 0.01})
    assert response.status_code == 200
    body = response.json()
    assert set(body["max_relative_error"]) >= {"W1", "b1", "W2", "b2"}
    assert body["verdict"] == "ok" and body["points"] == 20
    assert body["thresholds"] == {"ok": 1e-4, "wrong": 1e-2}
    assert max(body["max_relative_error"].values()) < 1e-4


DEEP_TANH = {"hidden": [{"units": 8, "activation": "tanh"}] * 3}


def test_tiny_gradients_are_judged_by_their_scale_not_called_a_bug(client):
    """At the small initialisation the first layers' gradients are ~1e-6 and below: their relative
    errors are rounding noise (far above 1e-4), which the verdict must not call worrying or wrong."""
    body = client.post("/api/gradcheck", json={"network": DEEP_TANH | {"init": "small"}, "data": SPIRAL}).json()
    assert max(body["max_relative_error"].values()) > 1e-4  # the notes' formula alone would cry wolf
    assert body["verdict"] == "ok"
    limited = {name for name, check in body["parameters"].items() if check["scale_limited"]}
    assert {"W1", "W2"} <= limited and "W4" not in limited
    w2 = body["parameters"]["W2"]  # every gradient of W2 is below the floor
    assert w2["gradient_scale"] < body["floor"] and w2["error"] < 1e-4 < w2["relative_error"]
    assert body["floor"] == pytest.approx(body["noise"] / 1e-4)
    assert body["note"].startswith("ok. Some gradients of W1, W2") and "cannot resolve them" in body["note"]
    assert "come from that scale, not from a bug" in body["note"]


def test_the_same_network_at_xavier_is_simply_ok(client):
    body = client.post("/api/gradcheck", json={"network": DEEP_TANH | {"init": "xavier"}, "data": SPIRAL}).json()
    assert body["verdict"] == "ok" and max(body["max_relative_error"].values()) < 1e-6
    assert not any(check["scale_limited"] for check in body["parameters"].values())
    assert all(check["gradient_scale"] > body["floor"] for check in body["parameters"].values())
    assert body["note"] == "ok: every relative error is below 0.0001."


@pytest.mark.parametrize("init", ["small", "xavier"])
def test_a_broken_backward_pass_is_still_wrong(client, monkeypatch, init):
    backward = Dense.backward

    def broken(self, dout, cache):
        dx = backward(self, dout, cache)
        self.dW *= 1.5  # every weight gradient half as large again
        return dx

    monkeypatch.setattr(Dense, "backward", broken)
    body = client.post("/api/gradcheck", json={"network": DEEP_TANH | {"init": init}, "data": SPIRAL}).json()
    assert body["verdict"] == "wrong"
    assert body["parameters"]["W4"]["error"] == pytest.approx(1 / 3, rel=1e-3)  # |1.5a − a| / 1.5a
    assert "large enough to measure" in body["note"]


def test_gradcheck_regression(client):
    body = client.post("/api/gradcheck", json={"network": {"hidden": [{"units": 4, "activation": "tanh"}]},
                                               "data": {"name": "plane"}}).json()
    assert body["verdict"] == "ok" and body["max_relative_error"]["W1"] < 1e-6


@pytest.mark.parametrize(("body", "field"), [
    ({"network": {"hidden": []}}, "data"),
    ({"network": {"id": "abc"}, "data": SPIRAL}, "network.id"),  # a spec, never a stored network
    ({"network": {"hidden": [{"units": 4}]}, "data": SPIRAL, "regularization": "l3"}, "regularization"),
    ({"network": {"hidden": [{"units": 4}]}, "data": SPIRAL, "reg_strength": -1}, "reg_strength"),
    ({"network": {"hidden": [{"units": 256, "activation": "maxout", "pieces": 8}] * 8}, "data": SPIRAL}, "network"),
])
def test_gradcheck_errors(client, body, field):
    response = client.post("/api/gradcheck", json=body)
    assert response.status_code == 422 and field in field_of(response)

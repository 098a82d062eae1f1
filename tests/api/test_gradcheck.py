import pytest

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


def test_gradcheck_regression(client):
    body = client.post("/api/gradcheck", json={"network": {"hidden": [{"units": 4, "activation": "tanh"}]},
                                               "data": {"name": "plane"}}).json()
    assert body["verdict"] == "ok" and body["max_relative_error"]["W1"] < 1e-6


@pytest.mark.parametrize(("body", "field"), [
    ({"network": {"hidden": []}}, "data"),
    ({"network": {"id": "abc"}, "data": SPIRAL}, "network.id"),
    ({"network": {"hidden": [{"units": 4}]}, "data": SPIRAL, "regularization": "l3"}, "regularization"),
    ({"network": {"hidden": [{"units": 4}]}, "data": SPIRAL, "reg_strength": -1}, "reg_strength"),
])
def test_gradcheck_errors(client, body, field):
    response = client.post("/api/gradcheck", json=body)
    assert response.status_code == 422 and field in field_of(response)

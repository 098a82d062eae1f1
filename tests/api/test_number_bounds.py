"""Numbers a request may carry are bounded where the request is read: a 422 naming the field,
never a job that fails later with numbers JSON cannot hold."""

import json

import pytest

from app.api.schemas import MAX_WEIGHT
from app.nn import MAX_COORDINATE
from app.services.history import MAX_NETWORK_HISTORY

from .conftest import field_of

MOONS = {"name": "moons", "n_per_class": 20, "noise": 0.1, "seed": 0}


@pytest.mark.parametrize("row, field", [([1e308, 0.0, 0], "data.points[0][0]"), ([0.0, -1e7, 1], "data.points[0][1]"),
                                        ([0.0, 0.0, 1e300], "data.points[0][2]")])
def test_added_points_beyond_the_bound_are_a_422(client, row, field):
    for response in (client.post("/api/networks", json={"data": MOONS | {"points": [row]}}),
                     client.post("/api/jobs", json={"data": MOONS | {"points": [row]}, "training": {"steps": 5}}),
                     client.post("/api/datasets/preview", json=MOONS | {"points": [row]})):
        assert response.status_code == 422, response.text
        assert field_of(response) == [field.removeprefix("data.") if "preview" in str(response.url) else field]
        assert "1000000" in response.json()["detail"][0]["msg"]


def test_added_points_a_sweep_varies_are_bounded_too(client):
    base = {"data": MOONS, "network": {"hidden": [{"units": 3}]}, "training": {"steps": 5}}
    response = client.post("/api/sweeps", json={"base": base, "axes": {"data.points": [[[1e308, 0.0, 0]], []]},
                                                "seeds": 1})
    assert response.status_code == 422 and field_of(response) == ["axes.data.points"]
    assert "from -1e+06 to 1e+06" in response.json()["detail"][0]["msg"]


def test_points_at_the_bound_are_accepted_and_train(client):
    points = [[MAX_COORDINATE, -MAX_COORDINATE, 0], [-MAX_COORDINATE, MAX_COORDINATE, 1]]
    body = {"data": MOONS | {"points": points}, "network": {"hidden": [{"units": 3}]}, "training": {"steps": 5}}
    response = client.post("/api/jobs?wait=true", json=body)
    assert response.status_code == 200, response.text
    job = response.json()
    assert job["status"] in ("done", "diverged"), job["error"]
    figure = client.get(f"/api/networks/{job['network_id']}/figures/decision-boundary?grid=10")
    assert figure.status_code == 200
    json.loads(figure.text, parse_constant=pytest.fail)


def test_a_csv_value_beyond_the_bound_is_a_422(client):
    for csv, task in (("0,0,a\n1,1e7,b\n", "classification"), ("0,0,1\n1,1,-1e309\n", "regression")):
        response = client.post("/api/datasets", files={"file": ("d.csv", csv)}, data={"task": task})
        assert response.status_code == 422, response.text
        assert field_of(response) == ["file"] and "1e+06" in response.json()["detail"][0]["msg"]


@pytest.fixture
def exported(client, trained) -> dict:
    return client.get(f"/api/networks/{trained['network_id']}/export").json()


def test_imported_weights_are_bounded_like_a_weight_set_by_hand(client, exported, trained):
    too_big = exported | {"weights": exported["weights"] | {"W1": [[1e308] * 16, [0.0] * 16]}}
    response = client.post("/api/networks/import", json=too_big)
    assert response.status_code == 422 and field_of(response) == ["weights.W1"]
    assert response.json()["detail"][0]["msg"] == "must be numbers from -1e+06 to 1e+06"
    bias = exported | {"weights": exported["weights"] | {"b1": [-2e6] + [0.0] * 15}}
    assert field_of(client.post("/api/networks/import", json=bias)) == ["weights.b1"]
    patch = client.patch(f"/api/networks/{trained['network_id']}/weights", json={"layer": 1, "i": 0, "j": 0,
                                                                                 "value": 2 * MAX_WEIGHT})
    assert field_of(patch) == ["value"]
    at_bound = exported | {"weights": exported["weights"] | {"W1": [[MAX_WEIGHT] * 16, [-MAX_WEIGHT] * 16]}}
    assert client.post("/api/networks/import", json=at_bound).status_code == 201


def test_preview_weights_are_bounded_too(client, exported):
    body = {"spec": exported["spec"], "weights": exported["weights"] | {"W2": [[1e9] * 8] * 16}}
    response = client.post("/api/figures/topology", json=body)
    assert response.status_code == 422 and field_of(response) == ["weights.W2"]


def test_imported_history_is_bounded_in_length(client, exported):
    records = [{"step": step, "train_loss": 1.0} for step in range(MAX_NETWORK_HISTORY + 1)]
    response = client.post("/api/networks/import", json=exported | {"history": records})
    assert response.status_code == 422 and field_of(response) == ["history"]
    kept = client.post("/api/networks/import", json=exported | {"history": records[:MAX_NETWORK_HISTORY]})
    assert kept.status_code == 201, kept.text


@pytest.mark.parametrize("value", ["NaN", "Infinity", "[1.0, -Infinity]", "true", '"0.5"', "1" + "0" * 400])
def test_imported_history_values_are_finite_numbers(client, exported, value):
    text = json.dumps(exported | {"history": [{"step": 1, "train_loss": 0.5}]}).replace("0.5}", f"{value}}}", 1)
    response = client.post("/api/networks/import", content=text, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert field_of(response) == ["history[0].train_loss"]
    assert response.json()["detail"][0]["msg"] == "must be a finite number, null, or a list of them"
    json.loads(response.text, parse_constant=pytest.fail)



"""Input features through the API: specs, counts, jobs, export / import, figures, node maps, live
frames; and setting one weight of a stored network."""

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.viz.live import decode_edges, decode_hidden
from app.viz.thumbnails import decode_maps

from .conftest import field_of, wait_status
from .test_jobs import read_events

CIRCLE = {"name": "circle", "n_per_class": 60, "noise": 0.02, "seed": 1}
SQUARES = ["x1sq", "x2sq"]


def test_a_network_with_features_counts_its_first_layer_from_them(client):
    body = {"input_dim": 2, "hidden": [{"units": 4}], "output_dim": 2, "features": ["x1", "x2", "x1x2", "sin_x1"]}
    response = client.post("/api/networks", json=body)
    assert response.status_code == 201, response.text
    network = response.json()
    assert network["spec"]["features"] == ["x1", "x2", "x1x2", "sin_x1"]
    assert network["counts"] == {"layers": 2, "neurons": 6, "weights": 4 * 4 + 4 * 2, "biases": 6, "slopes": 0,
                                 "parameters": 30}
    assert client.post("/api/networks/counts", json=body).json()["parameters"] == 30
    plain = client.post("/api/networks", json=body | {"features": None}).json()
    assert plain["spec"]["features"] == ["x1", "x2"] and plain["counts"]["parameters"] == 2 * 4 + 4 * 2 + 6
    three = client.post("/api/networks", json={"input_dim": 3, "output_dim": 2}).json()
    assert three["spec"]["features"] is None


@pytest.mark.parametrize(("path", "body", "field", "message"), [
    ("/api/networks", {"input_dim": 2, "output_dim": 2, "features": ["x1", "cube"]}, "features[1]", "Input should be"),
    ("/api/networks", {"input_dim": 2, "output_dim": 2, "features": ["x1", "x1"]}, "features[1]",
     "'x1' is already chosen"),
    ("/api/networks", {"input_dim": 2, "output_dim": 2, "features": []}, "features", "List should have at least 1"),
    ("/api/networks", {"input_dim": 3, "output_dim": 2, "features": ["x1"]}, "features",
     "input features are functions of two inputs (x₁, x₂); this network has 3 inputs"),
    ("/api/jobs", {"network": {"features": ["x1", "cube"]}, "data": CIRCLE}, "network.features[1]", "Input should be"),
    ("/api/jobs", {"network": {"features": ["x1sq"]}, "data": {"name": "sine"}}, "network.features",
     "input features are functions of two inputs (x₁, x₂); this network has 1 input"),
])
def test_unknown_repeated_or_misplaced_features_are_422s_naming_the_field(client, path, body, field, message):
    response = client.post(path, json=body)
    assert response.status_code == 422 and field_of(response) == [field], response.text
    assert message in response.json()["detail"][0]["msg"]


def test_the_schema_states_the_features_and_their_rule(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    spec = schemas["NetworkSpec"]
    features = next(b for b in spec["properties"]["features"]["anyOf"] if b.get("type") == "array")
    assert features["items"]["enum"] == ["x1", "x2", "x1sq", "x2sq", "x1x2", "sin_x1", "sin_x2"]
    assert features["uniqueItems"] is True and features["minItems"] == 1
    assert {"if": {"properties": {"features": {"type": "array"}}, "required": ["features"]},
            "then": {"properties": {"input_dim": {"const": 2}}}} in spec["allOf"]


def test_squares_train_through_the_worker_and_everything_follows(client):
    job = client.post("/api/jobs?wait=true", json={
        "network": {"hidden": [], "features": SQUARES}, "data": CIRCLE,
        "training": {"steps": 400, "learning_rate": 1.0, "reg_strength": 0},
    })
    assert job.status_code == 200 and job.json()["status"] == "done", job.text
    job = job.json()
    assert job["metrics"]["train_accuracy"] > 0.95
    network_id = job["network_id"]
    network = client.get(f"/api/networks/{network_id}").json()
    assert network["spec"]["features"] == SQUARES and network["counts"]["weights"] == 4
    predicted = client.post(f"/api/networks/{network_id}/predict", json={"inputs": [[0.0, 0.1], [0.9, 0.0]]}).json()
    assert predicted["labels"] == [0, 1]  # inside the disc, on the ring
    topology = client.get(f"/api/networks/{network_id}/figures/topology").json()
    neurons = next(t for t in topology["data"] if t["name"] == "neurons")
    assert neurons["text"][:2] == ["X₁²", "X₂²"]
    forward = client.get(f"/api/networks/{network_id}/figures/forward?input=0.5,-1").json()
    assert forward["layout"]["annotations"][1]["text"].startswith("φ(x) = (X₁², X₂²)")
    for kind in ("decision-boundary", "neurons", "hidden-space"):
        assert client.get(f"/api/networks/{network_id}/figures/{kind}?grid=20").status_code in (200, 422)
    assert client.get(f"/api/networks/{network_id}/figures/decision-boundary?grid=20").status_code == 200

    exported = client.get(f"/api/networks/{network_id}/export").json()
    assert exported["spec"]["features"] == SQUARES and np.shape(exported["weights"]["W1"]) == (2, 2)
    copy = client.post("/api/networks/import", json=exported)
    assert copy.status_code == 201 and copy.json()["spec"]["features"] == SQUARES
    again = client.post(f"/api/networks/{copy.json()['id']}/predict", json={"inputs": [[0.0, 0.1], [0.9, 0.0]]})
    assert again.json() == predicted
    continued = client.post("/api/jobs?wait=true", json={"network": {"id": network_id}, "data": CIRCLE,
                                                           "training": {"steps": 10}})
    assert continued.json()["status"] == "done"
    wrong = exported | {"weights": exported["weights"] | {"W1": [[0.0, 0.0, 0.0]] * 2}}
    response = client.post("/api/networks/import", json=wrong)
    assert response.status_code == 422 and field_of(response) == ["weights.W1"]


def test_a_network_stored_before_features_existed_still_loads(client):
    store = client.app.state.services.store
    old = {"input_dim": 2, "hidden": [{"units": 3, "activation": "relu", "slope": None, "pieces": 2}],
           "output_dim": 2, "loss": "softmax", "init": "small"}
    weights = {"W1": np.ones((2, 3)), "W2": np.ones((3, 2)), "b1": np.zeros(3), "b2": np.array([0.0, 1.0])}
    network_id = store.create_network(old, weights, owner=client.get("/api/me").json()["owner"])
    network = client.get(f"/api/networks/{network_id}").json()
    assert network["spec"]["features"] == ["x1", "x2"] and network["counts"]["parameters"] == 17
    predicted = client.post(f"/api/networks/{network_id}/predict", json={"inputs": [[1.0, -1.0]]}).json()
    assert predicted["scores"] == [[0.0, 1.0]]
    assert client.get(f"/api/networks/{network_id}/figures/topology").status_code == 200


def test_feature_maps(client):
    response = client.get("/api/features?grid=8")
    assert response.status_code == 200 and "public" in response.headers["cache-control"]
    answer = response.json()
    assert [f["label"] for f in answer["features"]] == ["X₁", "X₂", "X₁²", "X₂²", "X₁X₂", "sin πX₁", "sin πX₂"]
    maps = decode_maps(answer["maps"], 8)
    assert len(maps) == 7 and maps[4][0, 0] > 0 > maps[4][0, -1]  # x1·x2: positive bottom left, negative bottom right
    response = client.get("/api/features?grid=1")
    assert response.status_code == 422 and field_of(response) == ["grid"]


def test_node_maps_of_a_stored_network(client):
    network = client.post("/api/networks", json={"input_dim": 2, "hidden": [{"units": 3}], "output_dim": 2,
                                                  "features": ["x1", "x1sq", "x2sq"], "data": CIRCLE}).json()
    response = client.get(f"/api/networks/{network['id']}/node-maps?grid=6")
    assert response.status_code == 200, response.text
    answer = response.json()
    assert [(layer["name"], layer["units"]) for layer in answer["layers"]] == [("x", 3), ("h1", 3), ("out", 2)]
    maps = decode_maps(answer["maps"], 6)
    assert len(maps) == 8 and maps[1].min() >= 0  # x1² is never negative
    assert client.get(f"/api/networks/{network['id']}/node-maps?grid=6",
                      headers={"If-None-Match": response.headers["etag"]}).status_code == 304
    three = client.post("/api/networks", json={"input_dim": 3, "output_dim": 2}).json()
    response = client.get(f"/api/networks/{three['id']}/node-maps")
    assert response.status_code == 422 and field_of(response) == ["network_id"]
    assert TestClient(client.app).get(f"/api/networks/{network['id']}/node-maps").status_code == 404


def test_live_frames_carry_node_maps_when_asked(client):
    job = client.post("/api/jobs", json={
        "network": {"hidden": [{"units": 4}], "features": ["x1", "x2", "x1x2"]}, "data": CIRCLE,
        "training": {"steps": 60}, "live": {"grid": 8, "nodes": 5, "steps_per_second": 100, "interval_ms": 50},
    })
    assert job.status_code == 202, job.text
    progress = [data for kind, data in read_events(client, job.json()["id"]) if kind == "progress"]
    with_nodes = [frame for frame in progress if "nodes" in frame]
    assert with_nodes and with_nodes[0]["nodes"]["grid"] == 5
    assert [layer["units"] for layer in with_nodes[-1]["nodes"]["layers"]] == [3, 4, 2]
    assert len(decode_maps(with_nodes[-1]["nodes"]["maps"], 5)) == 9
    response = client.post("/api/jobs", json={"data": CIRCLE, "live": {"nodes": 1}})
    assert response.status_code == 422 and field_of(response) == ["live.nodes"]


def test_live_frames_carry_edges_and_the_hidden_space_when_asked(client):
    job = client.post("/api/jobs", json={
        "network": {"hidden": [{"units": 5}, {"units": 3}]}, "data": CIRCLE, "training": {"steps": 60},
        "live": {"grid": 8, "edges": True, "hidden": {"layer": 2}, "steps_per_second": 100, "interval_ms": 50},
    })
    assert job.status_code == 202, job.text
    progress = [data for kind, data in read_events(client, job.json()["id"]) if kind == "progress"]
    # The edges with every frame (the diagram follows each); the hidden space about 7 a second, of
    # 20 frames; no node maps, which were not asked for.
    assert progress and all("edges" in frame and "nodes" not in frame for frame in progress)
    extras = [frame for frame in progress if "hidden" in frame]
    assert extras and len(extras) < len(progress)
    values, styles = decode_edges(progress[-1]["edges"])
    assert len(values) == len(styles) == 2 * 5 + 5 * 3 + 3 * 2
    hidden = extras[-1]["hidden"]
    assert hidden["layer"] == 2 and decode_hidden(hidden).shape == (2 * 11 * 60 + 120, 2)


@pytest.mark.parametrize(("live", "field"), [
    ({"edges": "yes"}, "live.edges"),
    ({"hidden": 1}, "live.hidden"),
    ({"hidden": {"layer": 0}}, "live.hidden.layer"),
    ({"hidden": {"layer": 2.5}}, "live.hidden.layer"),
    ({"hidden": {"unit": 1}}, "live.hidden.unit"),
    ({"hidden": {"layer": 99}}, "live.hidden.layer"),
    ({"hidden": {"layer": 2}}, "live.hidden.layer"),  # the network has one hidden layer
])
def test_live_options_for_edges_and_the_hidden_space_are_checked(client, live, field):
    response = client.post("/api/jobs", json={"network": {"hidden": [{"units": 4}]}, "data": CIRCLE, "live": live})
    assert response.status_code == 422, response.text
    assert field_of(response) == [field]


def test_set_one_weight(client):
    network = client.post("/api/networks", json={"input_dim": 2, "hidden": [{"units": 3}], "output_dim": 2,
                                                  "features": ["x1", "x2", "x1sq"]}).json()
    before = client.get(f"/api/networks/{network['id']}/export").json()["weights"]
    response = client.patch(f"/api/networks/{network['id']}/weights", json={"layer": 1, "i": 2, "j": 1, "value": 0.75})
    assert response.status_code == 200, response.text
    assert response.json() == {"parameter": "W1", "kind": "weight", "layer": 1, "i": 2, "j": 1, "value": 0.75,
                               "previous": before["W1"][2][1]}
    after = client.get(f"/api/networks/{network['id']}/export").json()["weights"]
    expected = np.array(before["W1"])
    expected[2, 1] = 0.75
    np.testing.assert_array_equal(after["W1"], expected)
    assert after["W2"] == before["W2"] and after["b1"] == before["b1"]
    scores = client.post(f"/api/networks/{network['id']}/forward", json={"input": [1.0, 0.0]}).json()
    assert scores["layers"][0]["pre_activation"][1] == pytest.approx(before["W1"][0][1] + 0.75)
    for body, field, message in [
        ({"layer": 3, "i": 0, "j": 0, "value": 1}, "layer", "must be between 1 and 2"),
        ({"layer": 1, "i": 3, "j": 0, "value": 1}, "i", "must be between 0 and 2: W1 has 3 rows"),
        ({"layer": 2, "i": 0, "j": 2, "value": 1}, "j", "must be between 0 and 1: W2 has 2 columns"),
        ({"layer": 1, "i": 0, "j": 0, "value": float("nan")}, "value", "finite"),
        ({"layer": 1, "i": 0, "j": 0}, "value", "Field required"),
    ]:
        response = client.patch(f"/api/networks/{network['id']}/weights", content=_json(body),
                                headers={"Content-Type": "application/json"})
        assert response.status_code == 422 and field_of(response) == [field], response.text
        assert message in response.json()["detail"][0]["msg"]
    stranger = TestClient(client.app)
    response = stranger.patch(f"/api/networks/{network['id']}/weights", json={"layer": 1, "i": 0, "j": 0, "value": 1})
    assert response.status_code == 404
    assert client.get(f"/api/networks/{network['id']}/export").json()["weights"]["W1"] == after["W1"]


def test_set_one_bias(client):
    network = client.post("/api/networks", json={"input_dim": 2, "hidden": [{"units": 3}], "output_dim": 2}).json()
    url = f"/api/networks/{network['id']}/weights"
    before = client.get(f"/api/networks/{network['id']}/export").json()["weights"]
    response = client.patch(url, json={"kind": "bias", "layer": 1, "j": 2, "value": -0.5})
    assert response.status_code == 200, response.text
    assert response.json() == {"parameter": "b1", "kind": "bias", "layer": 1, "i": None, "j": 2, "value": -0.5,
                               "previous": before["b1"][2]}
    after = client.get(f"/api/networks/{network['id']}/export").json()["weights"]
    assert after["b1"] == [*before["b1"][:2], -0.5]
    assert after["W1"] == before["W1"] and after["W2"] == before["W2"] and after["b2"] == before["b2"]
    # The forward pass takes it: unit 2's pre-activation at the origin is its bias alone.
    trace = client.post(f"/api/networks/{network['id']}/forward", json={"input": [0.0, 0.0]}).json()
    assert trace["layers"][0]["pre_activation"][2] == pytest.approx(-0.5)
    assert client.patch(url, json={"kind": "bias", "layer": 2, "j": 1, "value": 2}).json()["parameter"] == "b2"
    for body, field, message in [
        ({"kind": "bias", "layer": 3, "j": 0, "value": 1}, "layer", "must be between 1 and 2"),
        ({"kind": "bias", "layer": 1, "j": 3, "value": 1}, "j", "must be between 0 and 2: b1 has 3 biases"),
        ({"kind": "bias", "layer": 1, "i": 0, "j": 0, "value": 1}, "i", "a bias has no row"),
        ({"kind": "bias", "layer": 1, "j": 0, "value": float("inf")}, "value", "finite"),
        ({"kind": "bias", "layer": 1, "j": -1, "value": 1}, "j", "greater than or equal to 0"),
        ({"kind": "biases", "layer": 1, "j": 0, "value": 1}, "kind", "'weight' or 'bias'"),
        ({"layer": 1, "j": 0, "value": 1}, "i", "required for a weight"),
    ]:
        response = client.patch(url, content=_json(body), headers={"Content-Type": "application/json"})
        assert response.status_code == 422 and field_of(response) == [field], response.text
        assert message in response.json()["detail"][0]["msg"], response.text
    stranger = TestClient(client.app)
    assert stranger.patch(url, json={"kind": "bias", "layer": 1, "j": 0, "value": 1}).status_code == 404
    assert client.get(f"/api/networks/{network['id']}/export").json()["weights"]["b1"] == after["b1"]


def test_no_bias_edit_while_a_job_trains_the_network(client):
    job = client.post("/api/jobs", json={"network": {"hidden": [{"units": 3}]}, "data": CIRCLE,
                                         "training": {"steps": 5_000}, "live": {"steps_per_second": 10}}).json()
    url = f"/api/networks/{job['network_id']}/weights"
    try:
        wait_status(client, job["id"], statuses=("running",))
        busy = client.patch(url, json={"kind": "bias", "layer": 1, "j": 0, "value": 1})
        assert busy.status_code == 409 and job["id"] in busy.json()["detail"]
    finally:
        client.post(f"/api/jobs/{job['id']}/cancel")
    wait_status(client, job["id"])
    assert client.patch(url, json={"kind": "bias", "layer": 1, "j": 0, "value": 1}).json()["value"] == 1


def _json(body: dict) -> str:
    """JSON as a browser might send it, NaN included (which the API must refuse)."""
    import json
    return json.dumps(body)

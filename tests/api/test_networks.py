import base64
import json

import numpy as np
import pytest

from .conftest import field_of

NOTES_NET = {"input_dim": 3, "hidden": [{"units": 4, "activation": "relu"}], "output_dim": 2}


def test_create_counts_the_notes_example(client):
    response = client.post("/api/networks", json=NOTES_NET)
    assert response.status_code == 201
    body = response.json()
    assert body["counts"] == {"layers": 2, "neurons": 6, "weights": 20, "biases": 6, "slopes": 0, "parameters": 26}
    assert body["spec"]["loss"] == "softmax" and body["steps_trained"] == 0 and body["data"] is None
    assert body["created_at"].endswith("Z")


def test_three_layer_counts(client):
    spec = {"input_dim": 3, "hidden": [{"units": 4}, {"units": 4}], "output_dim": 1, "loss": "mse"}
    assert client.post("/api/networks", json=spec).json()["counts"]["parameters"] == 41


def test_create_with_data_draws_data_figures_before_training(client):
    body = {"input_dim": 2, "hidden": [{"units": 5}], "output_dim": 3, "data": {"name": "spiral", "n_per_class": 20}}
    response = client.post("/api/networks", json=body)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["data"]["name"] == "spiral" and created["data"]["n_per_class"] == 20
    assert created["data"]["noise"] == 0.2  # defaults filled in: the same points every time
    response = client.get(f"/api/networks/{created['id']}/figures/decision-boundary?grid=20")
    assert response.status_code == 200  # without data: 409
    names = [trace.get("name", "") for trace in response.json()["data"]]
    assert any("class 2" in name for name in names)


@pytest.mark.parametrize(("data", "field"), [
    ({"name": "xor"}, "output_dim"),  # two classes, three outputs
    ({"name": "sine"}, "input_dim"),  # one input, and the loss follows the data (mse)
    ({"name": "spiral", "bogus": 1}, "data.bogus"),
])
def test_create_with_data_that_does_not_fit(client, data, field):
    body = {"input_dim": 2, "hidden": [{"units": 5}], "output_dim": 3, "data": data}
    response = client.post("/api/networks", json=body)
    assert response.status_code == 422 and field_of(response) == [field], response.text


def test_create_with_data_infers_the_sizes_and_knows_no_unknown_upload(client):
    created = client.post("/api/networks", json={"hidden": [{"units": 5}], "data": {"name": "sine"}})
    assert created.status_code == 201 and created.json()["spec"]["input_dim"] == 1
    assert created.json()["spec"]["loss"] == "mse" and created.json()["spec"]["output_dim"] == 1
    missing = client.post("/api/networks", json={"input_dim": 2, "output_dim": 3, "data": {"id": "nope"}})
    assert missing.status_code == 404 and "nope" in missing.json()["detail"]


def test_get_list_delete(client, network):
    assert client.get(f"/api/networks/{network['id']}").json() == network
    assert network["id"] in [n["id"] for n in client.get("/api/networks").json()]
    assert client.delete(f"/api/networks/{network['id']}").status_code == 204
    missing = client.get(f"/api/networks/{network['id']}")
    assert missing.status_code == 404 and network["id"] in missing.json()["detail"]
    assert client.delete(f"/api/networks/{network['id']}").status_code == 404


@pytest.mark.parametrize(("body", "field"), [
    ({"hidden": [{"units": 4}], "output_dim": 2}, "input_dim"),
    (NOTES_NET | {"hidden": [{"units": 0}]}, "hidden[0].units"),
    (NOTES_NET | {"hidden": [{"units": -3}]}, "hidden[0].units"),
    (NOTES_NET | {"hidden": [{"units": 257}]}, "hidden[0].units"),
    (NOTES_NET | {"hidden": [{"units": 4, "activation": "swishy"}]}, "hidden[0].activation"),
    (NOTES_NET | {"hidden": [{"units": "4"}]}, "hidden[0].units"),
    (NOTES_NET | {"hidden": [{"units": 4}] * 9}, "hidden"),
    (NOTES_NET | {"loss": "cross_entropy"}, "loss"),
    (NOTES_NET | {"colour": "red"}, "colour"),
    (NOTES_NET | {"loss": "logistic"}, "output_dim"),
])
def test_create_rejects_bad_specs(client, body, field):
    response = client.post("/api/networks", json=body)
    assert response.status_code == 422
    fields = field_of(response)
    assert any(f == field or f.startswith(field) or field in f for f in fields), fields
    # The field is said once, in "field"; the message does not repeat it (pages show "field: msg").
    assert not any(error["msg"].startswith(f"{error['field']}:") for error in response.json()["detail"])


def test_export_import_round_trip(client, trained):
    network_id = trained["network_id"]
    exported = client.get(f"/api/networks/{network_id}/export").json()
    assert exported["format"] == "nnviz-network" and exported["version"] == 1
    assert np.asarray(exported["weights"]["W1"]).shape == (2, 16)
    assert exported["steps_trained"] == 300 and exported["data"]["name"] == "spiral"
    assert exported["history"][-1]["step"] == 300
    imported = client.post("/api/networks/import", json=exported)
    assert imported.status_code == 201
    copy = imported.json()
    assert copy["id"] != network_id and copy["steps_trained"] == 300 and copy["data"] == exported["data"]
    inputs = {"inputs": [[0.1, -0.2], [0.5, 0.5]]}
    original = client.post(f"/api/networks/{network_id}/predict", json=inputs).json()
    assert client.post(f"/api/networks/{copy['id']}/predict", json=inputs).json() == original
    assert client.get(f"/api/networks/{copy['id']}/export").json()["weights"] == exported["weights"]


def test_import_rejects_bad_documents(client, trained):
    exported = client.get(f"/api/networks/{trained['network_id']}/export").json()
    wrong_shape = exported | {"weights": exported["weights"] | {"W1": [[1.0, 2.0]]}}
    assert field_of(client.post("/api/networks/import", json=wrong_shape)) == ["weights.W1"]
    assert client.post("/api/networks/import", json=exported | {"format": "onnx"}).status_code == 422
    missing = {k: v for k, v in exported["weights"].items() if k != "b2"}
    assert "b2" in client.post("/api/networks/import", json=exported | {"weights": missing}).text
    text = json.dumps(exported).replace(str(exported["weights"]["W1"][0][0]), "NaN", 1)
    response = client.post("/api/networks/import", content=text, headers={"content-type": "application/json"})
    assert field_of(response) == ["weights.W1"]
    json.loads(response.text, parse_constant=pytest.fail)
    strings = exported | {"weights": exported["weights"] | {"b1": ["a"] * 16}}
    assert field_of(client.post("/api/networks/import", json=strings)) == ["weights.b1"]
    bad_history = exported | {"history": [{"step": "one"}]}
    assert field_of(client.post("/api/networks/import", json=bad_history)) == ["history[0].step"]


def test_predict(client, trained):
    response = client.post(f"/api/networks/{trained['network_id']}/predict",
                           json={"inputs": [[0.0, 0.0], [0.5, -0.5], [-0.7, 0.2]]})
    assert response.status_code == 200
    body = response.json()
    assert np.asarray(body["scores"]).shape == (3, 3)
    probabilities = np.asarray(body["probabilities"])
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    assert body["labels"] == list(np.argmax(body["scores"], axis=1))
    assert all(isinstance(label, int) for label in body["labels"])


@pytest.mark.parametrize(("body", "field"), [
    ({"inputs": [[0.0, 0.0], [1.0]]}, "inputs[1]"),
    ({"inputs": []}, "inputs"),
    ({"inputs": [["a", 1]]}, "inputs[0][0]"),
    ({"input": [[0.0, 0.0]]}, "inputs"),
])
def test_predict_errors(client, trained, body, field):
    response = client.post(f"/api/networks/{trained['network_id']}/predict", json=body)
    assert response.status_code == 422
    assert field in field_of(response)


def test_predict_unknown_network(client):
    assert client.post("/api/networks/nope/predict", json={"inputs": [[0, 0]]}).status_code == 404


def test_forward_trace(client, network):
    response = client.post(f"/api/networks/{network['id']}/forward", json={"input": [0.5, -1.0]})
    assert response.status_code == 200
    layers = response.json()["layers"]
    assert [layer["name"] for layer in layers] == ["h1", "out"]
    assert layers[0]["W_shape"] == [4, 2] and layers[0]["activation"] == "tanh"
    assert np.allclose(np.tanh(layers[0]["pre_activation"]), layers[0]["activation_value"])
    assert len(layers[1]["activation_value"]) == 3
    wrong = client.post(f"/api/networks/{network['id']}/forward", json={"input": [0.5]})
    assert field_of(wrong) == ["input"]


@pytest.mark.parametrize(("kind", "query"), [
    ("topology", ""), ("decision-boundary", "?grid=30"), ("neurons", "?grid=20"), ("training", "?log=true"),
    ("training", "?x_axis=epoch"), ("dead-units", ""), ("update-ratio", ""), ("hidden-space", "?layer=2"),
    ("forward", "?input=0.5,-1"),
])
def test_network_figures(client, trained, kind, query):
    response = client.get(f"/api/networks/{trained['network_id']}/figures/{kind}{query}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    figure = response.json()
    assert figure["data"] and "layout" in figure
    assert "NaN" not in response.text and "Infinity" not in response.text


def test_figure_errors(client, trained, network):
    base = f"/api/networks/{trained['network_id']}/figures"
    assert client.get(f"{base}/pie").status_code == 422
    assert field_of(client.get(f"{base}/decision-boundary?grid=1")) == ["grid"]
    neurons = client.get(f"{base}/neurons?grid=150")  # each map is drawn at most 100 x 100
    maps = [trace for trace in neurons.json()["data"] if trace["type"] == "heatmap"]
    assert neurons.status_code == 200 and maps
    assert all(np.frombuffer(base64.b64decode(m["x"]["bdata"]), m["x"]["dtype"]).size == 100 for m in maps)
    assert field_of(client.get(f"{base}/forward?input=a,b")) == ["input"]
    assert field_of(client.get(f"{base}/forward?input=1,2,3")) == ["input"]
    assert client.get(f"{base}/hidden-space?layer=5").status_code == 422
    untrained = client.get(f"/api/networks/{network['id']}/figures/decision-boundary")
    assert untrained.status_code == 409 and "trained" in untrained.json()["detail"]
    assert client.get("/api/networks/nope/figures/topology").status_code == 404
    three_inputs = client.post("/api/networks", json=NOTES_NET).json()
    wrong_kind = client.get(f"/api/networks/{three_inputs['id']}/figures/neurons")
    assert field_of(wrong_kind) == ["kind"] and wrong_kind.json()["detail"][0]["loc"][0] == "query"


def test_topology_of_a_spec(client):
    response = client.post("/api/figures/topology", json=NOTES_NET)
    assert response.status_code == 200 and response.json()["data"]
    # a bare spec is read as {"spec": ...}
    assert field_of(client.post("/api/figures/topology", json={"hidden": []})) == ["spec.input_dim", "spec.output_dim"]


def test_an_untrained_networks_boundary_shows_the_data_without_misclassified_markers(client):
    data = {"name": "spiral", "n_per_class": 30}
    created = client.post("/api/networks", json={"hidden": [{"units": 4}], "data": data}).json()

    def crosses() -> int:
        figure = client.get(f"/api/networks/{created['id']}/figures/decision-boundary?grid=20").json()
        wrong = next(trace for trace in figure["data"] if trace.get("legendgroup") == "misclassified")
        return len(wrong["x"]["bdata"] if isinstance(wrong["x"], dict) else wrong["x"])

    assert crosses() == 0  # before the first step: the data as it is
    trained = client.post("/api/jobs?wait=true", json={"network": {"id": created["id"]}, "data": data,
                                                      "training": {"steps": 1}}).json()
    assert trained["status"] == "done"
    assert crosses() > 0  # one step of a 4-unit network cannot fit the spiral

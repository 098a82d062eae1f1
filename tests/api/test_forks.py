"""Compare: a fork of a network (``POST /api/networks/{id}/fork``) starts from the same weights,
data and history with one setting changed, and trains beside the original."""

import pytest

from .conftest import SPIRAL, field_of, wait_status

DATA = SPIRAL | {"n_per_class": 40, "test_fraction": 0.2}
TRAINING = {"optimizer": "adam", "learning_rate": 0.01, "steps": 150, "history_every": 10}


@pytest.fixture
def original(client) -> dict:
    """A fresh 2-8-8-3 network with the spiral attached, as the Playground makes one."""
    body = {"hidden": [{"units": 8}, {"units": 8}], "init": "he", "seed": 3, "data": DATA}
    response = client.post("/api/networks", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def export(client, network_id: str) -> dict:
    return client.get(f"/api/networks/{network_id}/export").json()


def test_a_fork_with_another_learning_rate_has_the_same_weights_and_both_train(client, original):
    response = client.post(f"/api/networks/{original['id']}/fork", json={"training": {"learning_rate": 0.1}})
    assert response.status_code == 201, response.text
    fork = response.json()
    assert fork["original_id"] == original["id"] and fork["changed"] == ["training.learning_rate"]
    assert fork["training"] == {"learning_rate": 0.1}
    copy = fork["network"]
    assert copy["id"] != original["id"] and copy["spec"] == original["spec"] and copy["data"] == original["data"]
    assert export(client, copy["id"])["weights"] == export(client, original["id"])["weights"]  # bit for bit
    # Both play in step: one job each, the same steps and pace; the fork's with its changed setting.
    jobs = [client.post("/api/jobs", json={"network": {"id": network_id}, "data": DATA,
                                           "training": TRAINING | changes}).json()
            for network_id, changes in ((original["id"], {}), (copy["id"], fork["training"]))]
    done = [wait_status(client, job["id"]) for job in jobs]
    assert [job["status"] for job in done] == ["done", "done"]
    histories = [export(client, network_id)["history"] for network_id in (original["id"], copy["id"])]
    assert [[record["step"] for record in history] for history in histories] == [list(range(101)) + list(
        range(102, 151, 2))] * 2  # the same record steps: the curves pair up step by step
    first, second = histories
    start = ("train_loss", "test_loss", "train_accuracy", "dead_fraction")
    assert [first[0][key] for key in start] == [second[0][key] for key in start]  # the same start
    assert second[0]["update_ratio"][0] == pytest.approx(10 * first[0]["update_ratio"][0])  # Adam's first step: lr
    assert first[-1]["train_loss"] != second[-1]["train_loss"]  # then the learning rates part them
    assert second[20]["train_loss"] < first[20]["train_loss"]  # ten times the rate: faster at first


def test_a_fork_continues_a_trained_network_where_it_stands(client, original):
    trained = client.post("/api/jobs?wait=true", json={"network": {"id": original["id"]}, "data": DATA,
                                                       "training": TRAINING}).json()
    assert trained["status"] == "done"
    change = {"network": {"hidden": [{"units": 8, "activation": "tanh"}, {"units": 8, "activation": "tanh"}]}}
    fork = client.post(f"/api/networks/{original['id']}/fork", json=change).json()
    assert fork["changed"] == ["network.hidden"]
    copy, source = export(client, fork["network"]["id"]), export(client, original["id"])
    assert [layer["activation"] for layer in copy["spec"]["hidden"]] == ["tanh", "tanh"]
    for key in ("weights", "history", "steps_trained", "epochs_trained", "data"):
        assert copy[key] == source[key], key


@pytest.mark.parametrize(("body", "field", "words"), [
    ({"network": {"hidden": [{"units": 16}, {"units": 8}]}}, "network.hidden", "changes the shape of W1 (2×8 → 2×16)"),
    ({"network": {"hidden": [{"units": 8, "activation": "maxout"}, {"units": 8}]}}, "network.hidden", "shape"),
    ({"network": {"features": ["x1", "x2", "x1x2"]}}, "network.features", "changes the shape of W1 (2×8 → 3×8)"),
    ({"network": {"loss": "logistic"}}, "network.loss", "(network.output_dim: must be 1 for the logistic loss"),
    ({"network": {"loss": "mse"}}, "network.loss", "the mse loss is for regression, but the data is for class"),
    ({"network": {"init": "xavier"}}, "network.init", "initialisation cannot differ"),
    ({"data": SPIRAL | {"classes": 4}}, "data", "does not fit the network"),
    ({"training": {"learning_rate": -1}}, "training.learning_rate", "greater than 0"),
    ({"training": {"optimizer": "nope"}}, "training.optimizer", ""),
    ({"training": {"steps": 10**9}}, "training.steps", "at most"),
    ({}, "training", "give the settings the copy changes"),
    ({"training": {}}, "training", "give the settings the copy changes"),
    ({"colour": "red"}, "colour", ""),
])
def test_a_bad_fork_names_the_field(client, original, body, field, words):
    before = len(client.get("/api/networks").json())
    response = client.post(f"/api/networks/{original['id']}/fork", json=body)
    assert response.status_code == 422, response.text
    assert field_of(response) == [field]
    assert words in response.json()["detail"][0]["msg"]
    assert len(client.get("/api/networks").json()) == before  # nothing stored


def test_a_fork_of_a_network_in_training_is_refused(client, original):
    job = client.post("/api/jobs", json={"network": {"id": original["id"]}, "data": DATA,
                                         "training": {"steps": 5000}, "live": {"steps_per_second": 10}}).json()
    response = client.post(f"/api/networks/{original['id']}/fork", json={"training": {"learning_rate": 0.1}})
    assert response.status_code == 409 and "being trained" in response.json()["detail"]
    client.post(f"/api/jobs/{job['id']}/cancel")
    wait_status(client, job["id"])


def test_no_fork_of_a_network_that_is_not_there(client):
    response = client.post("/api/networks/nope/fork", json={"training": {"learning_rate": 0.1}})
    assert response.status_code == 404 and "nope" in response.json()["detail"]

"""Added points in data specs, named and scratch networks, and the expiry of scratch data."""

import sqlite3

import numpy as np

from app.nn import Network, NetworkSpec, add_points, make_dataset, train
from app.services.specs import Limits, train_config
from app.services.store import Store, database_url
from app.settings import Settings

from ..viz.conftest import values
from .conftest import field_of, open_client, wait_status

GAUSS = {"name": "gauss", "n_per_class": 10, "classes": 2, "noise": 0.2, "seed": 0, "test_fraction": 0.2}
POINTS = [[0.9, 0.9, 1], [-0.9, -0.9, 0], [0.0, 0.95, 1]]
TRAINING = {"steps": 40, "learning_rate": 0.5}


def test_added_points_join_the_training_set_of_the_preview(client):
    plain = client.post("/api/datasets/preview", json=GAUSS).json()
    added = client.post("/api/datasets/preview", json=GAUSS | {"points": POINTS}).json()
    assert added["train"]["X"] == plain["train"]["X"] + [p[:2] for p in POINTS]
    assert added["train"]["y"] == plain["train"]["y"] + [1, 0, 1]
    assert added["test"] == plain["test"]


def test_added_points_are_checked_and_bounded(client):
    def fields(points, data=GAUSS):
        return field_of(client.post("/api/datasets/preview", json=data | {"points": points}))

    assert fields([[0.0, 0.0, 2]]) == ["points[0]"]  # two classes: labels 0 and 1
    assert fields([[0.0, 0.0, 1], [0.0, 1]]) == ["points[1]"]
    assert fields([[0.0, 0.0, 0.5]]) == ["points[0]"]
    assert fields([[0.0, "x", 0]]) == ["points[0][1]"]
    assert fields([[0.0, 0.0, 0]] * (Settings().max_added_points + 1)) == ["points"]
    nan = client.post("/api/datasets/preview", content='{"name": "xor", "points": [[NaN, 0, 0]]}',
                      headers={"content-type": "application/json"})
    assert nan.status_code == 422 and field_of(nan) == ["points[0][0]"]
    sine = client.post("/api/datasets/preview", json={"name": "sine", "n_points": 5, "points": [[0.5, 3.0]]}).json()
    assert sine["train"]["X"][-1] == [0.5] and sine["train"]["y"][-1] == 3.0
    assert client.post("/api/datasets/preview", json=GAUSS | {"points": []}).json() == \
        client.post("/api/datasets/preview", json=GAUSS).json()


def test_training_uses_the_added_points(client):
    body = {"network": {"hidden": [{"units": 5}]}, "data": GAUSS | {"points": POINTS}, "training": TRAINING}
    job = client.post("/api/jobs?wait=true", json=body).json()
    assert job["status"] == "done" and job["request"]["data"]["points"] == POINTS
    network = client.get(f"/api/networks/{job['network_id']}").json()
    assert network["data"]["points"] == POINTS
    weights = client.get(f"/api/networks/{job['network_id']}/export").json()["weights"]

    # The same run in this process, on the generated points plus the added ones.
    data = make_dataset("gauss", n_per_class=10, classes=2, noise=0.2, seed=0, test_fraction=0.2)
    net = Network(NetworkSpec.from_dict(network["spec"]), seed=0)
    train(net, add_points(data, POINTS), train_config(TRAINING, Limits.from_settings(Settings())))
    for name, value in net.get_weights().items():
        assert np.array_equal(np.asarray(weights[name]), value), name
    without = Network(NetworkSpec.from_dict(network["spec"]), seed=0)
    train(without, data, train_config(TRAINING, Limits.from_settings(Settings())))
    assert not np.array_equal(without.get_weights()["W1"], net.get_weights()["W1"])
    assert field_of(client.post("/api/jobs", json=body | {"data": GAUSS | {"points": [[0, 0, 5]]}})) == \
        ["data.points[0]"]


def test_a_stored_network_continues_on_data_with_more_points(client):
    first = client.post("/api/jobs?wait=true", json={"network": {"hidden": [{"units": 5}]}, "data": GAUSS,
                                                      "training": TRAINING}).json()
    network_id = first["network_id"]
    for count in (1, 3):  # a click, then two more: each job continues the same network
        job = client.post("/api/jobs?wait=true", json={"network": {"id": network_id},
                                                        "data": GAUSS | {"points": POINTS[:count]},
                                                        "training": TRAINING}).json()
        assert job["status"] == "done" and job["network_id"] == network_id
    network = client.get(f"/api/networks/{network_id}").json()
    assert network["steps_trained"] == 3 * TRAINING["steps"] and network["data"]["points"] == POINTS


def test_patch_gives_a_network_other_data_that_fits(client):
    created = client.post("/api/networks", json={"input_dim": 2, "hidden": [{"units": 3}], "output_dim": 2,
                                                 "data": GAUSS}).json()
    url = f"/api/networks/{created['id']}"
    patched = client.patch(url, json={"data": GAUSS | {"points": POINTS}})
    assert patched.status_code == 200 and patched.json()["data"]["points"] == POINTS
    assert patched.json()["updated_at"] >= created["updated_at"] and patched.json()["name"] is None
    figure = client.get(f"{url}/figures/decision-boundary?grid=10").json()
    drawn = np.concatenate([values(trace["x"]) for trace in figure["data"] if trace["name"].startswith("class")])
    assert len(drawn) == 20 + 3 and np.float32(0.9) in drawn  # the figure draws the added points at once
    assert field_of(client.patch(url, json={"data": {"name": "spiral", "classes": 3}})) == ["data"]
    assert field_of(client.patch(url, json={"data": GAUSS | {"points": [[0, 0, 2]]}})) == ["data.points[0]"]
    assert client.patch("/api/networks/nope", json={"name": "x"}).status_code == 404
    taken = client.patch(url, json={"data": None})  # null takes the data away
    assert taken.status_code == 200 and taken.json()["data"] is None
    assert client.get(f"{url}/figures/decision-boundary").status_code == 409  # nothing to draw on any more


def test_patch_of_the_data_waits_for_training_to_stop(client):
    job = client.post("/api/jobs", json={"network": {"hidden": [{"units": 3}]}, "data": GAUSS,
                                         "training": {"steps": 5_000}, "live": {"steps_per_second": 10}}).json()
    url = f"/api/networks/{job['network_id']}"
    try:
        wait_status(client, job["id"], statuses=("running",))
        busy = client.patch(url, json={"data": GAUSS | {"points": POINTS}})
        assert busy.status_code == 409 and job["id"] in busy.json()["detail"]
        assert client.patch(url, json={"name": "while training"}).json()["name"] == "while training"
    finally:
        client.post(f"/api/jobs/{job['id']}/cancel")
    wait_status(client, job["id"])
    assert client.patch(url, json={"data": GAUSS | {"points": POINTS}}).status_code == 200


def test_names_keep_networks_and_travel_with_exports(client):
    created = client.post("/api/networks", json={"input_dim": 2, "output_dim": 2, "name": "my spiral net"}).json()
    assert created["name"] == "my spiral net"
    exported = client.get(f"/api/networks/{created['id']}/export").json()
    assert exported["name"] == "my spiral net"
    copy = client.post("/api/networks/import", json=exported).json()
    assert copy["name"] == "my spiral net"
    unnamed = client.patch(f"/api/networks/{copy['id']}", json={"name": None}).json()
    assert unnamed["name"] is None
    assert client.post("/api/networks/import", json=exported | {"name": None}).json()["name"] is None
    assert field_of(client.post("/api/networks", json={"input_dim": 2, "output_dim": 2, "name": ""})) == ["name"]
    assert field_of(client.patch(f"/api/networks/{copy['id']}", json={"name": "x" * 101})) == ["name"]


def test_the_server_expires_scratch_data_when_it_starts(tmp_path):
    store = Store(database_url("", tmp_path))
    weights = {"W1": np.ones((2, 2)), "b1": np.zeros(2)}
    upload = store.create_upload("classification", "0,0,a\n1,1,b\n", 2, 2, ["a", "b"], owner="ann")
    scratch = store.create_network({"input_dim": 2, "output_dim": 2}, weights, owner="ann")
    kept = store.create_network({"input_dim": 2, "output_dim": 2}, weights, owner="ann")
    store.update_network_meta(kept, name="kept")
    recent = store.create_network({"input_dim": 2, "output_dim": 2}, weights, owner="ann")
    store.close()
    with sqlite3.connect(tmp_path / "nnviz.sqlite3") as db:  # two hours ago
        db.execute("UPDATE networks SET created_at = created_at - 7200, updated_at = updated_at - 7200"
                   " WHERE id IN (?, ?)", (scratch, kept))
        db.execute("UPDATE uploads SET created_at = created_at - 7200")
    with open_client(tmp_path, workers=1, scratch_ttl=3600.0) as client:
        client.cookies = {"nnviz_owner": client.app.state.services.owners.cookie("ann")}
        assert {n["id"] for n in client.get("/api/networks").json()} == {kept, recent}
        assert client.post("/api/datasets/preview", json={"id": upload}).status_code == 404

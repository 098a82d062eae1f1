"""The crowd experiment over HTTP: the room's finished class runs, one per member and value of the
setting the lecturer chose, summarised as the sweeps summarise their runs and drawn by their figure."""

import json
import time

import pytest
from fastapi.testclient import TestClient

from .conftest import assigned_class, class_server, field_of, join

SETUP = {"data": {"name": "spiral", "n_per_class": 20, "classes": 2, "noise": 0.1, "seed": 0, "test_fraction": 0.25},
         "network": {"hidden": [{"units": 4, "activation": "relu"}], "loss": "softmax", "init": "he"},
         "training": {"optimizer": "adam", "learning_rate": 0.05}}
UNITS = "network.hidden[0].units"


@pytest.fixture(scope="module")
def lecturer(tmp_path_factory):
    yield from class_server(tmp_path_factory)


@pytest.fixture
def room(lecturer):
    assignment = {"setup": SETUP, "unlocked": ["network.hidden", "training.learning_rate"], "crowd": UNITS}
    with assigned_class(lecturer, "Crowd", assignment) as made:
        assert lecturer.get(f"/api/classes/{made['id']}/assignment").json()["crowd"] == UNITS
        yield made


def run(person: TestClient, class_id: str, units: int | None = None, network_id: str | None = None,
        learning_rate: float = 0.05) -> dict:
    """A finished class job: a new network of ``units`` hidden units, or one more chunk of ``network_id``."""
    network = {"id": network_id} if network_id else SETUP["network"] | {"hidden": [{"units": units,
                                                                                   "activation": "relu"}]}
    job = {"class_id": class_id, "data": SETUP["data"], "network": network,
           "training": SETUP["training"] | {"steps": 5, "learning_rate": learning_rate}}
    answer = person.post("/api/jobs?wait=true", json=job)
    assert answer.status_code == 200 and answer.json()["status"] == "done", answer.text
    return answer.json()


def stats(values: list[float]) -> dict:
    return {"mean": pytest.approx(sum(values) / len(values)), "min": pytest.approx(min(values)),
            "max": pytest.approx(max(values))}


def test_each_members_latest_run_per_value_makes_the_crowd(lecturer, room):
    base = f"/api/classes/{room['id']}"
    ada, grace = join(lecturer, room["code"], "Ada"), join(lecturer, room["code"], "Grace")
    ada_first = run(ada, room["id"], 3)
    ada_six = run(ada, room["id"], 6)
    # Play goes on in chunks: the chunk continuing Ada's first network (its request names only the
    # network's id) is her latest run at 3 units and replaces the first.
    ada_three = run(ada, room["id"], network_id=ada_first["network_id"], learning_rate=0.01)
    grace_three, grace_twenty = run(grace, room["id"], 3), run(grace, room["id"], 20)
    run(lecturer, room["id"], 6)  # the lecturer's own tries are not the room's
    store = lecturer.app.state.services.store
    runs = (ada_three, ada_six, grace_three, grace_twenty)
    metrics = {job["id"]: store.get_job(job["id"])["metrics"] for job in runs}

    crowd = ada.get(f"{base}/crowd")
    assert crowd.status_code == 200, crowd.text
    body = crowd.json()
    assert body["setting"] == UNITS and body["label"] == "units in hidden layer 1" and body["metric"] == "accuracy"
    assert body["members"] == 2 and body["runs"] == 4
    assert [value["value"] for value in body["values"]] == [3, 6, 20]
    assert [value["students"] for value in body["values"]] == [2, 1, 1]
    expected = {3: [ada_three, grace_three], 6: [ada_six], 20: [grace_twenty]}
    for value in body["values"]:
        for split in ("train", "test"):
            scores = [metrics[job["id"]][f"{split}_accuracy"] for job in expected[value["value"]]]
            assert value[split] == stats(scores), (value["value"], split)
    assert {choice["path"] for choice in body["choices"]} >= {UNITS, "training.learning_rate",
                                                             "network.hidden[*].activation"}
    assert "training.optimizer" not in {choice["path"] for choice in body["choices"]}
    assert lecturer.get(f"{base}/crowd").json()["values"] == body["values"]

    figure = grace.get(f"{base}/crowd/figure")
    assert figure.status_code == 200
    traces = json.loads(figure.text)["data"]
    means = [trace for trace in traces if trace.get("mode") == "lines+markers"]
    assert [trace["name"] for trace in means] == ["training accuracy", "test accuracy"]
    assert all(list(trace["x"]) == [3, 6, 20] for trace in means)
    assert list(means[1]["y"]) == pytest.approx([value["test"]["mean"] for value in body["values"]])
    bands = [trace for trace in traces if trace.get("fill") == "tonexty"]
    assert [list(band["y"]) for band in bands] == [
        pytest.approx([value[split]["min"] for value in body["values"]]) for split in ("train", "test")]

    by_rate = lecturer.put(f"{base}/crowd", json={"setting": "training.learning_rate"})
    assert by_rate.status_code == 200, by_rate.text
    rates = by_rate.json()
    assert [(value["value"], value["students"]) for value in rates["values"]] == [(0.01, 1), (0.05, 2)]
    assert lecturer.get(f"{base}/assignment").json()["crowd"] == "training.learning_rate"


def test_the_setting_is_one_the_assignment_leaves_to_the_students(lecturer, room):
    base = f"/api/classes/{room['id']}"
    ada = join(lecturer, room["code"], "Ada")
    for setting, why in [("training.optimizer", "locked"), ("training.learnin_rate", "names no setting"),
                         ("training.steps", "not a setting an assignment can lock"), ("network.hidden[0].unit",
                                                                                       "names no setting")]:
        refused = lecturer.put(f"{base}/crowd", json={"setting": setting})
        assert refused.status_code == 422 and field_of(refused) == ["setting"], refused.text
        assert why in refused.json()["detail"][0]["msg"]
    assignment = {"setup": SETUP, "unlocked": ["training.learning_rate"], "crowd": UNITS}
    refused = lecturer.put(f"{base}/assignment", json=assignment)
    assert refused.status_code == 422 and field_of(refused) == ["crowd"]
    assert ada.put(f"{base}/crowd", json={"setting": UNITS}).status_code == 403
    # A new assignment without `crowd` keeps the setting while it stays unlocked, and drops it once locked.
    kept = lecturer.put(f"{base}/assignment", json={"setup": SETUP, "unlocked": ["network.hidden"]})
    assert kept.json()["crowd"] == UNITS
    dropped = lecturer.put(f"{base}/assignment", json={"setup": SETUP, "unlocked": ["training.learning_rate"]})
    assert dropped.json()["crowd"] is None
    empty = ada.get(f"{base}/crowd").json()
    assert empty["setting"] is None and empty["values"] == [] and empty["runs"] == 0
    assert ada.get(f"{base}/crowd/figure").status_code == 409
    assert lecturer.put(f"{base}/crowd", json={"setting": None}).json()["setting"] is None


def test_only_the_class_sees_its_crowd(lecturer, room):
    base = f"/api/classes/{room['id']}"
    stranger = TestClient(lecturer.app)
    stranger.get("/api/classes")  # a cookie of their own
    for method, path, body in [("GET", f"{base}/crowd", None), ("GET", f"{base}/crowd/figure", None),
                               ("PUT", f"{base}/crowd", {"setting": UNITS})]:
        assert stranger.request(method, path, json=body).status_code == 404, (method, path)


def test_a_new_assignment_starts_the_crowd_again(lecturer, room):
    base = f"/api/classes/{room['id']}"
    ada = join(lecturer, room["code"], "Ada")
    run(ada, room["id"], 3)
    assert ada.get(f"{base}/crowd").json()["runs"] == 1
    again = {"setup": SETUP, "unlocked": ["network.hidden"], "prompt": "Once more."}
    assert lecturer.put(f"{base}/assignment", json=again).status_code == 200
    crowd = ada.get(f"{base}/crowd").json()
    assert crowd["setting"] == UNITS and crowd["runs"] == 0 and crowd["values"] == []


def test_a_paused_chunk_counts_as_the_network_its_student_left(lecturer, room):
    """Play trains in chunks of 30,000 steps and most students press Pause long before one ends: the
    paused job (cancelled) is their run, with the metrics it had; one cancelled before it trained is not."""
    from tests.waiting import wait_until

    base = f"/api/classes/{room['id']}"
    ada = join(lecturer, room["code"], "Ada")
    job = {"class_id": room["id"], "data": SETUP["data"],
           "network": SETUP["network"] | {"hidden": [{"units": 6, "activation": "relu"}]},
           "training": SETUP["training"] | {"steps": 30_000, "history_every": 100}}
    started = ada.post("/api/jobs", json=job)
    assert started.status_code == 202, started.text
    started = started.json()
    wait_until(lambda: (ada.get(f"/api/jobs/{started['id']}").json()["progress"]["step"] or 0) >= 200,
               what="the chunk to train a few steps")
    paused = ada.post(f"/api/jobs/{started['id']}/cancel").json()
    paused = wait_until(lambda: (j := ada.get(f"/api/jobs/{started['id']}").json())["status"] == "cancelled" and j,
                        what="the pause")
    metrics = lecturer.app.state.services.store.get_job(paused["id"])["metrics"]
    assert metrics and metrics["train_accuracy"] is not None
    crowd = ada.get(f"{base}/crowd").json()
    assert [(value["value"], value["students"]) for value in crowd["values"]] == [(6, 1)]
    assert crowd["values"][0]["train"]["mean"] == pytest.approx(metrics["train_accuracy"])


def test_one_reading_of_the_runs_answers_the_whole_room_for_two_seconds(lecturer, room):
    """Every class page asks every 5 s: within SUMMARY_SECONDS the crowd is answered from one reading
    (on the service's clock), after it the new runs are read."""
    from app.services.crowd import SUMMARY_SECONDS

    service = lecturer.app.state.services.crowd
    now = [1000.0]
    service.clock, base = (lambda: now[0]), f"/api/classes/{room['id']}"
    try:
        ada = join(lecturer, room["code"], "Ada")
        assert ada.get(f"{base}/crowd").json()["runs"] == 0
        run(ada, room["id"], 3)
        assert lecturer.get(f"{base}/crowd").json()["runs"] == 0  # the same reading, for another asker
        now[0] += SUMMARY_SECONDS
        assert ada.get(f"{base}/crowd").json()["runs"] == 1
    finally:
        service.clock = time.monotonic

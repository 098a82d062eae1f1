"""``/api/sweeps``: a sweep's lifecycle, its table and figures, each run's numbers against the same
job trained alone, ownership, cancel, events and limits."""

import copy
import csv
import io

import pytest
from fastapi.testclient import TestClient

from .conftest import SPIRAL, field_of, open_client, wait_status
from .test_jobs import read_events as read_job_events

DATA = SPIRAL | {"n_per_class": 40, "test_fraction": 0.25}
BASE = {"network": {"hidden": [{"units": 6, "activation": "relu"}]}, "data": DATA,
        "training": {"steps": 150, "learning_rate": 0.5}}
GRID = {"base": BASE, "axes": {"training.learning_rate": [0.1, 1.0], "network.hidden[*].activation": ["relu", "tanh"]},
        "seeds": 2}


@pytest.fixture(scope="module")
def sweep(client) -> dict:
    response = client.post("/api/sweeps?wait=true", json=GRID)
    assert response.status_code == 200, response.text
    return response.json()


def lone_request(setting: dict, seed: int) -> dict:
    """A run's training job as someone would post it alone: the base with the setting's values,
    both seeds moved on by the run's seed."""
    request = copy.deepcopy(BASE)
    request["training"]["learning_rate"] = setting["training.learning_rate"]
    for layer in request["network"]["hidden"]:
        layer["activation"] = setting["network.hidden[*].activation"]
    request["network"]["seed"] = seed
    request["training"]["seed"] = seed
    return request


def test_a_sweep_trains_every_setting_with_every_seed(sweep, client):
    assert sweep["status"] == "done" and sweep["progress"] == {"finished": 8, "total": 8}
    assert [axis["path"] for axis in sweep["axes"]] == list(GRID["axes"]) and sweep["seeds"] == 2
    assert sweep["figure"] == "heatmap" and sweep["metric"] == "test_accuracy"
    rows = sweep["rows"]
    assert [row["run"] for row in rows] == list(range(8)) and all(row["status"] == "done" for row in rows)
    assert [(row["setting"], row["seed"]) for row in rows[:4]] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert rows[2]["settings"] == {"training.learning_rate": 0.1, "network.hidden[*].activation": "tanh"}
    for row in rows:
        assert 0 <= row["train_accuracy"] <= 1 and 0 <= row["test_accuracy"] <= 1 and row["train_r2"] is None
        assert row["steps"] == 150 and row["seconds"] > 0 and row["diverged"] is False
        assert 0 <= row["dead_fraction"] <= 1
        network = client.get(f"/api/networks/{row['network_id']}").json()
        assert network["steps_trained"] == 150 and network["spec"]["hidden"][0]["activation"] == \
            row["settings"]["network.hidden[*].activation"]
    job = client.get(f"/api/jobs/{sweep['id']}").json()
    assert job["kind"] == "sweep" and job["status"] == "done" and job["progress"]["step"] == 8


def test_aggregates_are_mean_min_and_max_over_the_seeds(sweep):
    for aggregate in sweep["aggregates"]:
        mine = [row for row in sweep["rows"] if row["setting"] == aggregate["setting"]]
        assert aggregate["finished"] == aggregate["runs"] == 2 and aggregate["settings"] == mine[0]["settings"]
        values = [row["test_loss"] for row in mine]
        assert aggregate["metrics"]["test_loss"] == pytest.approx(
            {"mean": sum(values) / 2, "min": min(values), "max": max(values)})
        assert "train_r2" not in aggregate["metrics"]
    labels = {aggregate["setting"]: aggregate["label"] for aggregate in sweep["aggregates"]}
    assert labels[1] == "learning rate = 0.1, activation of every hidden layer = tanh"  # as people read it


def test_each_run_is_exactly_the_job_trained_alone(sweep, client):
    row = sweep["rows"][5]  # learning rate 1.0, relu, seed 1
    request = lone_request(row["settings"], row["seed"])
    assert client.app.state.services.sweeps.run_request(sweep["id"], 5) == request
    lone = client.post("/api/jobs?wait=true", json=request).json()
    assert lone["status"] == "done"
    assert lone["metrics"]["train_loss"] == row["train_loss"] and lone["metrics"]["test_accuracy"] == \
        row["test_accuracy"]
    swept = client.get(f"/api/networks/{row['network_id']}/export").json()
    alone = client.get(f"/api/networks/{lone['network_id']}/export").json()
    assert swept["weights"] == alone["weights"] and swept["history"] == alone["history"]
    seed0 = sweep["rows"][4]
    assert seed0["train_loss"] != row["train_loss"]  # another seed is another run


def test_the_table_as_csv(sweep, client):
    response = client.get(f"/api/sweeps/{sweep['id']}/table.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(response.text)))
    assert len(lines) == 8
    first, row = lines[3], sweep["rows"][3]
    assert first["training.learning_rate"] == "0.1" and first["network.hidden[*].activation"] == "tanh"
    assert first["seed"] == "1" and float(first["test_loss"]) == row["test_loss"]
    assert first["train_r2"] == "" and first["network_id"] == row["network_id"] and first["status"] == "done"


def figure(client, sweep, kind, **query) -> dict:
    response = client.get(f"/api/sweeps/{sweep['id']}/figures/{kind}", params=query)
    assert response.status_code == 200, response.text
    return response.json()


def test_figures_of_a_two_setting_sweep(sweep, client):
    heatmap = figure(client, sweep, "heatmap", metric="train_loss")["data"][0]
    assert heatmap["type"] == "heatmap" and heatmap["x"] == ["0.1", "1"] and heatmap["y"] == ["relu", "tanh"]
    means = {(a["settings"]["training.learning_rate"], a["settings"]["network.hidden[*].activation"]):
             a["metrics"]["train_loss"]["mean"] for a in sweep["aggregates"]}
    assert heatmap["z"][1][0] == pytest.approx(means[(0.1, "tanh")])
    assert "min" in heatmap["customdata"][0][0]  # the seeds' spread on hover
    lines = figure(client, sweep, "lines")["data"]
    assert len(lines) == 6 and [t["name"] for t in lines if t.get("mode") == "lines+markers"] == [
        "activation of every hidden layer = relu", "activation of every hidden layer = tanh"]
    parallel = figure(client, sweep, "parallel")["data"][0]
    assert parallel["type"] == "parcoords" and len(parallel["dimensions"]) == 3
    curves = figure(client, sweep, "curves", color="network.hidden[*].activation")["data"]
    assert len(curves) == 8 and sum(t["showlegend"] for t in curves) == 2
    boundaries = figure(client, sweep, "boundaries")["data"]
    assert sum(t["type"] == "heatmap" for t in boundaries) == 4


def test_figures_that_do_not_fit_say_why(sweep, client):
    response = client.get(f"/api/sweeps/{sweep['id']}/figures/curves", params={"color": "training.steps"})
    assert response.status_code == 422 and field_of(response) == ["color"]
    assert client.get(f"/api/sweeps/{sweep['id']}/figures/bars").status_code == 422
    assert client.get(f"/api/sweeps/{sweep['id']}/figures/lines", params={"metric": "loss"}).status_code == 422
    one = client.post("/api/sweeps?wait=true", json={"base": BASE, "axes": {"training.learning_rate": [0.1, 1.0]},
                                                      "seeds": 1}).json()
    assert one["figure"] == "lines"
    response = client.get(f"/api/sweeps/{one['id']}/figures/heatmap")
    assert response.status_code == 422 and field_of(response) == ["kind"] and "over 2 settings" in response.text
    line = figure(client, one, "lines")["data"][-1]
    assert line["x"] == [0.1, 1.0] and len(line["y"]) == 2


@pytest.mark.parametrize(("body", "field"), [
    ({"axes": {"training.learnin_rate": [0.1]}}, "axes.training.learnin_rate"),
    ({"axes": {"training.learning_rate": [0.1, -2]}}, "axes.training.learning_rate"),
    ({"axes": {"network.hidden[3].units": [4]}}, "axes.network.hidden[3].units"),
    ({"random": {"n": 4, "ranges": {"training.learning_rate": {"log": [-1, 1]}}}},
     "random.ranges.training.learning_rate.log"),
    ({"random": {"n": 4, "ranges": {"training.learning_rate": {"log": [0.1, 1], "linear": [0.1, 1]}}}},
     "random.ranges.training.learning_rate"),
    ({"axes": {"training.learning_rate": [1]}, "seeds": 0}, "seeds"),
    ({"axes": {"training.learning_rate": [1]}, "random": {"n": 2, "ranges": {}}}, "random.ranges"),
])
def test_bad_sweeps_are_422s_naming_the_field(client, body, field):
    response = client.post("/api/sweeps", json={"base": BASE} | body)
    assert response.status_code == 422 and field in field_of(response), response.text


def test_a_random_sweep(client):
    ranges = {"training.learning_rate": {"log": [0.01, 1]}, "network.hidden[0].units": {"linear": [2, 8]}}
    body = {"base": BASE, "seeds": 1, "random": {"n": 5, "ranges": ranges}}
    response = client.post("/api/sweeps?wait=true", json=body)
    sweep = response.json()
    assert response.status_code == 200 and sweep["random"] and sweep["figure"] == "parallel"
    assert len(sweep["rows"]) == 5 and len(sweep["axes"][0]["values"]) == 5 and sweep["axes"][0]["log"]
    assert all(row["settings"]["network.hidden[0].units"] in range(2, 9) for row in sweep["rows"])
    dimensions = figure(client, sweep, "parallel")["data"][0]["dimensions"]
    assert dimensions[0]["label"] == "log₁₀ learning rate" and len(dimensions[2]["values"]) == 5


def test_someone_elses_sweep_is_not_there(sweep, client):
    other = TestClient(client.app)
    for path in ("", "/table.csv", "/figures/heatmap", "/events"):
        assert other.get(f"/api/sweeps/{sweep['id']}{path}").status_code == 404, path
    assert other.post(f"/api/sweeps/{sweep['id']}/cancel").status_code == 404
    assert other.get(f"/api/networks/{sweep['rows'][0]['network_id']}").status_code == 404
    assert client.get("/api/sweeps/nope").status_code == 404
    job = client.post("/api/jobs?wait=true", json={**BASE, "training": {"steps": 5}}).json()
    assert client.get(f"/api/sweeps/{job['id']}").status_code == 404  # a training job is no sweep


def read_events(client, sweep_id: str) -> list[tuple[str, dict]]:
    return read_job_events(client, sweep_id, under="sweeps")


def test_events_carry_every_finished_row_then_the_sweep(client):
    sweep = client.post("/api/sweeps", json=GRID | {"seeds": 1}).json()
    events = read_events(client, sweep["id"])
    progress = [data for kind, data in events if kind == "progress"]
    assert events[-1][0] == "done" and events[-1][1]["status"] == "done"
    assert all(p["total"] == 4 for p in progress) and progress[-1]["finished"] == 4
    streamed = [row["run"] for p in progress for row in p["rows"]]
    assert sorted(streamed) == [0, 1, 2, 3]  # each row once, none skipped
    assert events[-1][1]["rows"] == sorted((row for p in progress for row in p["rows"]), key=lambda r: r["run"])


def test_cancel_stops_the_runs_and_keeps_the_finished_rows(client):
    long = {"base": BASE | {"training": {"steps": 100_000, "learning_rate": 0.5}},
            "axes": {"training.learning_rate": [0.1, 0.2, 0.3, 0.4]}, "seeds": 2}
    sweep = client.post("/api/sweeps", json=long).json()
    wait_status(client, sweep["id"], ("running",))
    response = client.post(f"/api/sweeps/{sweep['id']}/cancel")
    assert response.status_code == 200
    done = wait_status(client, sweep["id"])
    assert done["status"] == "cancelled"
    sweep = client.get(f"/api/sweeps/{sweep['id']}").json()
    assert sweep["progress"]["finished"] < 8 and all(row["status"] == "cancelled" for row in sweep["rows"])


def test_limits_runs_and_networks(tmp_path):
    with open_client(tmp_path, workers=1, max_sweep_runs=4, person_networks=2) as client:
        response = client.post("/api/sweeps", json=GRID | {"seeds": 2})
        assert response.status_code == 422 and field_of(response) == ["axes"]
        assert "8 runs, more than the limit of 4" in response.text
        sweep = client.post("/api/sweeps?wait=true", json=GRID | {"seeds": 1}).json()
        assert sweep["status"] == "done" and all(row["network_id"] for row in sweep["rows"])
        # A sweep's unnamed networks do not count against the networks one person may keep ...
        spec = {"input_dim": 2, "hidden": [{"units": 3}], "output_dim": 3}
        assert client.post("/api/networks", json=spec).status_code == 201
        named = sweep["rows"][0]["network_id"]
        assert client.patch(f"/api/networks/{named}", json={"name": "keep"}).status_code == 200
        # ... a named one does: two networks kept now, the limit
        assert client.post("/api/networks", json=spec).status_code == 429


def test_the_openapi_schema_documents_sweeps(tmp_path):
    with open_client(tmp_path, workers=1, max_sweep_runs=64) as client:
        schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    assert {"/api/sweeps", "/api/sweeps/{sweep_id}", "/api/sweeps/{sweep_id}/table.csv",
            "/api/sweeps/{sweep_id}/figures/{kind}", "/api/sweeps/{sweep_id}/events",
            "/api/sweeps/{sweep_id}/cancel"} <= set(paths)
    assert {"200", "202", "422", "429", "503"} <= set(paths["/api/sweeps"]["post"]["responses"])
    n = schema["components"]["schemas"]["RandomSweep"]["properties"]["n"]
    assert n["maximum"] == 64
    kinds = paths["/api/sweeps/{sweep_id}/figures/{kind}"]["get"]["parameters"][1]["schema"]
    assert kinds["enum"] == ["heatmap", "lines", "boundaries", "parallel", "curves"]


import pytest

from app.services import jobs as jobs_module
from app.services.experiments import EXPERIMENTS
from app.services.jobs import FINAL_STATUSES
from app.settings import Settings

from ..services.test_experiments import alone
from ..waiting import wait_until
from .conftest import field_of, open_client
from .test_jobs import read_events


def run(client, name: str, options: dict | None = None) -> dict:
    response = client.post(f"/api/experiments/{name}?wait=true", json=options)
    assert response.status_code == 200, response.text
    job = response.json()
    assert job["kind"] == "experiment" and job["status"] == "done", job["error"]
    result = job["result"]
    assert result["figure"]["data"] and isinstance(result["summary"], str) and len(result["summary"]) > 80
    return result


def test_case_study_linear_against_two_layer(client):
    table = {row["model"]: row for row in run(client, "case-study")["table"]}
    assert table["linear"]["train_accuracy"] == pytest.approx(0.49, abs=0.03)
    assert table["2-layer"]["train_accuracy"] >= 0.97
    assert table["linear"]["parameters"] == 9 and table["2-layer"]["parameters"] == 603


def test_capacity(client):
    result = run(client, "capacity", {"seeds": 2, "steps": 2000})  # the defaults' ordering, in half the work
    table = result["table"]
    assert [row["hidden_units"] for row in table] == [3, 6, 20]
    assert table[2]["train_accuracy"] > table[0]["train_accuracy"]
    assert table[2]["train_accuracy"] >= table[2]["test_accuracy"]
    assert "20" in result["summary"]


def test_regularization(client):
    table = run(client, "regularization", {"steps": 2000})["table"]
    assert [row["reg_strength"] for row in table] == [0.001, 0.01, 0.1]
    assert all(row["parameters"] == 102 for row in table)


def test_activations_steps_to_target(client):
    result = run(client, "activations", {"seeds": 2})
    table = {row["activation"]: row for row in result["table"]}
    assert list(table) == ["relu", "tanh", "sigmoid", "leaky_relu"]
    assert table["relu"]["ratio"] == 1.0
    assert table["sigmoid"]["steps_to_target"] > table["relu"]["steps_to_target"]
    assert table["sigmoid"]["ratio"] > 2
    # The ratios on the figure are the table's: relative to ReLU, the first row.
    note = result["figure"]["layout"]["annotations"][-1]["text"]
    expected = table["sigmoid"]["steps_to_target"] / table["relu"]["steps_to_target"]
    assert f"({expected:.2f}× relu)" in note and f"relu: {table['relu']['steps_to_target']:,} steps" in note
    low, high = table["sigmoid"]["spread"]["steps_to_target"]
    assert low <= high and result["seeds"] == 2


def test_dead_relu_grows_with_the_learning_rate(client):
    table = run(client, "dead-relu")["table"]
    assert [row["learning_rate"] for row in table] == [0.1, 0.3, 1.0, 3.0, 10.0]
    assert table[0]["dead_fraction"] == 0.0
    assert max(row["dead_fraction"] for row in table) >= 0.4


def test_approximation_improves_with_units(client):
    table = run(client, "approximation", {"units": [2, 16]})["table"]
    assert [row["hidden_units"] for row in table] == [2, 16]
    assert table[1]["train_r2"] > table[0]["train_r2"] and table[1]["train_r2"] > 0.95


@pytest.mark.parametrize(("name", "options", "field"), [
    ("capacity", {"colour": 1}, "colour"),
    ("capacity", {"units": [3, 0]}, "units[1]"),
    ("capacity", {"units": [1, 2, 3, 4, 5, 6, 7]}, "units"),
    ("capacity", {"units": 5}, "units"),
    ("capacity", {"steps": 10**9}, "steps"),
    ("capacity", {"steps": 2.5}, "steps"),
    ("activations", {"activations": ["relu", "magic"]}, "activations[1]"),
    ("dead-relu", {"learning_rates": [-1.0]}, "learning_rates[0]"),
    ("approximation", {"data": {"name": "sine", "n_points": 10**6}}, "data.n_points"),
    ("case-study", {"units": 256, "steps": 100_000, "data": {"name": "spiral", "n_per_class": 3000}}, "steps"),
])
def test_experiment_option_errors(client, name, options, field):
    response = client.post(f"/api/experiments/{name}", json=options)
    assert response.status_code == 422, response.text
    assert field_of(response) == [field]


def test_unknown_experiment(client):
    assert client.post("/api/experiments/alchemy").status_code == 404  # one operation per experiment
    assert client.post("/api/experiments/capacity", json=[1, 2]).status_code == 422


def test_each_experiment_documents_its_own_options(client):
    schema = client.get("/openapi.json").json()
    experiments = [path.rsplit("/", 1)[1] for path in schema["paths"] if path.startswith("/api/experiments/")]
    assert experiments == list(EXPERIMENTS)
    options = schema["components"]["schemas"]["CapacityOptions"]["properties"]
    assert options["units"]["default"] == [3, 6, 20] and options["units"]["maxItems"] == 6
    assert options["units"]["items"]["maximum"] == 256  # the server's max_units, from its settings
    assert "reg_strengths" not in options
    assert field_of(client.post("/api/experiments/capacity", json={"reg_strengths": [0.1]})) == ["reg_strengths"]


def test_runs_on_two_workers_give_the_numbers_of_each_run_trained_alone(client):
    job = client.post("/api/experiments/capacity", json={"units": [3, 20], "steps": 300, "seeds": 2}).json()
    events = read_events(client, job["id"])
    finished = client.get(f"/api/jobs/{job['id']}").json()
    assert finished["status"] == "done", finished["error"]
    # Figure, table, bands and summary: the same, number for number, as training each run alone.
    assert finished["result"] == alone("capacity", finished["request"]["options"])
    # Progress counts training steps over all runs (2 settings x 2 seeds x 300), never backwards.
    assert finished["progress"] == {"step": 1200, "total_steps": 1200, "epoch": None}
    steps = [data["step"] for kind, data in events if kind == "progress"]
    # A stream keeps only the newest progress for a slow reader: the last runs' may be folded into
    # the "done" that follows, whose job holds the whole count (above).
    assert steps == sorted(steps) and steps[-1] <= 1200 and {data["total_steps"] for _, data in events[:-1]} == {1200}
    assert events[-1][0] == "done" and events[-1][1]["status"] == "done"


def test_experiment_can_be_cancelled(client):
    job = client.post("/api/experiments/case-study", json={"steps": 100_000}).json()
    cancelled = client.post(f"/api/jobs/{job['id']}/cancel").json()
    assert cancelled["status"] == "cancelled" and cancelled["result"] is None


def test_latest_result_is_computed_once_per_server_and_kept(client):
    first = client.get("/api/experiments/regularization?wait=true")
    assert first.status_code == 200, first.text
    job = first.json()
    assert job["status"] == "done" and job["request"]["options"]["reg_strengths"] == [0.001, 0.01, 0.1]
    assert [row["reg_strength"] for row in job["result"]["table"]] == [0.001, 0.01, 0.1]
    assert {"key": "test_accuracy", "label": "test accuracy", "format": "percent"} in job["result"]["columns"]
    again = client.get("/api/experiments/regularization")  # no wait needed: it is kept
    assert again.status_code == 200 and again.json()["id"] == job["id"]
    assert again.json()["result"] == job["result"]
    # The server's own job: nobody else can read or cancel it through /api/jobs.
    assert client.get(f"/api/jobs/{job['id']}").status_code == 404
    assert client.get("/api/experiments/regularization?wait=maybe").status_code == 422


def test_latest_result_answers_202_while_computing(client):
    response = client.get("/api/experiments/case-study")
    assert response.status_code in (200, 202), response.text
    job = response.json()
    assert (response.status_code == 202) == (job["status"] in ("queued", "running"))
    assert job["kind"] == "experiment" and job["request"]["name"] == "case-study"
    finished = client.get("/api/experiments/case-study?wait=true").json()
    assert finished["id"] == job["id"] and finished["status"] == "done"


def test_kept_results_are_computed_at_start_up(tmp_path, monkeypatch):
    """With NNVIZ_PRECOMPUTE_EXPERIMENTS (on by default; the suite turns it off) the server starts
    every kept result at start-up, so that once they are done the first GET of each answers at once.
    The runs are cut to 60 steps and one seed here: their numbers are the other tests' concern."""
    assert Settings.model_fields["precompute_experiments"].default is True
    resolve = jobs_module.resolve_options
    monkeypatch.setattr(jobs_module, "resolve_options",
                        lambda name, options, limits: resolve(name, {"steps": 60, "seeds": 1} | dict(options), limits))
    with open_client(tmp_path, workers=2, precompute_experiments=True) as client:
        computing = client.app.state.services.latest.computing()
        assert sorted(computing) == sorted(EXPERIMENTS)  # all started before any request
        jobs = client.app.state.services.jobs
        wait_until(lambda: all(jobs.get(job_id)["status"] in FINAL_STATUSES for job_id in computing.values()),
                   what="the kept experiments")
        for name, job_id in computing.items():
            # The first request for it, without ?wait: done already, and the job started at start-up.
            response = client.get(f"/api/experiments/{name}")
            assert response.status_code == 200, (name, response.text)
            job = response.json()
            assert job["id"] == job_id and job["status"] == "done" and job["result"]["table"], name
            assert job["request"]["options"]["steps"] == 60

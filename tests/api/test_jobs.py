import itertools
import json
import math
import time

import pytest

from app.services.history import MAX_NETWORK_HISTORY
from app.viz.live import decode_grid

from ..waiting import DEADLINE, wait_until
from .conftest import SMALL_NET, SPIRAL, field_of, open_client, sse_events, wait_status

CASE_STUDY = {
    "network": {"hidden": [{"units": 100, "activation": "relu"}], "loss": "softmax", "init": "small"},
    "data": SPIRAL,
    "training": {"optimizer": "sgd", "learning_rate": 1.0, "regularization": "l2", "reg_strength": 0.001,
                 "batch_size": None, "steps": 10000, "seed": 0},
}
LONG = {"network": {"hidden": [{"units": 64}, {"units": 64}]}, "data": SPIRAL, "training": {"steps": 100_000}}


def test_case_study_job_reaches_the_notes_accuracy(client):
    response = client.post("/api/jobs?wait=true", json=CASE_STUDY)
    assert response.status_code == 200
    job = response.json()
    assert job["status"] == "done" and job["kind"] == "train" and job["error"] is None
    assert job["metrics"]["train_accuracy"] >= 0.97
    assert job["progress"] == {"step": 10000, "total_steps": 10000, "epoch": 10000.0}
    assert job["history"][0]["train_loss"] == pytest.approx(1.0986, abs=0.002)
    assert job["history"][-1]["step"] == 10000
    network = client.get(f"/api/networks/{job['network_id']}").json()
    assert network["steps_trained"] == 10000 and network["spec"]["output_dim"] == 3
    assert network["data"]["name"] == "spiral" and network["data"]["noise"] == 0.2


def test_job_without_wait_is_accepted_then_finishes(client):
    response = client.post("/api/jobs", json={"network": SMALL_NET, "data": {"name": "moons"},
                                              "training": {"epochs": 20, "batch_size": 50}})
    assert response.status_code == 202
    job = response.json()
    assert job["status"] in ("queued", "running", "done") and job["created_at"]
    finished = wait_status(client, job["id"])
    assert finished["status"] == "done" and finished["progress"]["step"] == 80
    assert finished["started_at"] <= finished["finished_at"]
    assert finished["id"] in [listed["id"] for listed in client.get("/api/jobs").json()]


def test_jobs_list_newest_first(client, trained):
    jobs = client.get("/api/jobs?limit=50").json()
    created = [job["created_at"] for job in jobs]
    assert created == sorted(created, reverse=True)
    assert client.get("/api/jobs/nope").status_code == 404


def test_a_jobs_history_is_dense_where_the_loss_moves_fast(client):
    job = client.post("/api/jobs?wait=true", json={"network": SMALL_NET, "data": SPIRAL,
                                                   "training": {"steps": 2000}}).json()
    steps = [record["step"] for record in job["history"]]
    assert steps[:100] == list(range(100))
    gaps = [later - earlier for earlier, later in itertools.pairwise(steps[99:])]
    assert gaps == sorted(gaps) and gaps[0] == 1 and gaps[-1] == 10  # growing, up to the run's steps / 200
    assert len(steps) == 371 <= MAX_NETWORK_HISTORY and steps[-1] == 2000
    exported = client.get(f"/api/networks/{job['network_id']}/export").json()["history"]
    assert [record["step"] for record in exported] == steps


def test_warm_start_continues_the_step_count(client):
    first = client.post("/api/jobs?wait=true", json={"network": SMALL_NET, "data": SPIRAL,
                                                     "training": {"steps": 100}}).json()
    second = client.post("/api/jobs?wait=true", json={"network": {"id": first["network_id"]}, "data": SPIRAL,
                                                      "training": {"steps": 50}}).json()
    assert second["status"] == "done" and second["network_id"] == first["network_id"]
    assert second["progress"] == {"step": 150, "total_steps": 150, "epoch": 150.0}
    assert second["history"][0]["step"] == 100 and second["history"][-1]["step"] == 150
    assert second["history"][0]["train_loss"] == pytest.approx(first["metrics"]["train_loss"])
    network = client.get(f"/api/networks/{first['network_id']}").json()
    assert network["steps_trained"] == 150
    history = client.get(f"/api/networks/{first['network_id']}/export").json()["history"]
    steps = [record["step"] for record in history]
    assert steps == sorted(set(steps)) and steps[0] == 0 and steps[-1] == 150


def test_warm_start_keeps_the_optimizer_memory(client):
    def job(network, steps):
        body = {"network": network, "data": SPIRAL | {"n_per_class": 30},
                "training": {"optimizer": "adam", "learning_rate": 0.01, "steps": steps, "seed": 3}}
        answer = client.post("/api/jobs?wait=true", json=body).json()
        assert answer["status"] == "done", answer
        return answer["network_id"]

    whole = job(SMALL_NET | {"seed": 5}, 80)
    halves = job(SMALL_NET | {"seed": 5}, 40)
    job({"id": halves}, 40)
    weights = [client.get(f"/api/networks/{nid}/export").json()["weights"] for nid in (whole, halves)]
    assert weights[0] == weights[1]  # Adam's moments and step count carried over: the same numbers


def test_warm_start_errors(client, trained):
    assert client.post("/api/jobs", json={"network": {"id": "nope"}, "data": SPIRAL}).status_code == 404
    both = client.post("/api/jobs", json={"network": {"id": trained["network_id"], "hidden": []}, "data": SPIRAL})
    assert field_of(both) == ["network"]
    other_data = client.post("/api/jobs", json={"network": {"id": trained["network_id"]}, "data": {"name": "moons"}})
    assert other_data.status_code == 422 and field_of(other_data) == ["data"]
    assert other_data.json()["detail"][0]["msg"] == ("does not fit the network: the network has 3 outputs but the "
                                                     "data's classes under the softmax loss need 2")


@pytest.mark.parametrize(("body", "field"), [
    ({"network": SMALL_NET, "data": SPIRAL, "training": {"steps": 100_001}}, "training.steps"),
    ({"network": SMALL_NET, "data": SPIRAL | {"n_per_class": 4000}}, "data.n_per_class"),
    ({"network": SMALL_NET, "data": {"name": "sine", "n_points": 20_000}}, "data.n_points"),
    ({"network": {"hidden": [{"units": 256}] * 8}, "data": SPIRAL, "training": {"steps": 100_000}}, "training"),
    ({"network": SMALL_NET, "data": SPIRAL, "training": {"steps": 10, "epochs": 1}}, "training.steps"),
    ({"network": SMALL_NET, "data": SPIRAL, "training": {"steps": 10, "batch_size": 1e300}}, "training.batch_size"),
    ({"network": SMALL_NET, "data": SPIRAL, "training": {"history_every": 10**30}}, "training.history_every"),
    ({"network": SMALL_NET | {"loss": "mse"}, "data": SPIRAL}, "network.loss"),
    ({"network": SMALL_NET | {"loss": "logistic"}, "data": SPIRAL}, "network.loss"),
    ({"network": SMALL_NET | {"input_dim": 3}, "data": SPIRAL}, "network.input_dim"),
    ({"network": SMALL_NET, "data": {"name": "galaxy"}}, "data.name"),
    ({"network": SMALL_NET, "data": {"name": "sine", "classes": 3}}, "data.classes"),
    ({"network": SMALL_NET, "data": SPIRAL, "training": {"optimizer": "lbfgs"}}, "training.optimizer"),
    ({"network": SMALL_NET, "data": SPIRAL, "training": {"learning_rate": -1}}, "training.learning_rate"),
    ({"network": SMALL_NET, "data": SPIRAL, "training": {"batch_size": 0}}, "training.batch_size"),
    ({"network": SMALL_NET, "data": SPIRAL, "live": {"grid": 1000}}, "live.grid"),
    ({"network": SMALL_NET, "data": SPIRAL, "live": {"interval_ms": 1}}, "live.interval_ms"),
    ({"network": SMALL_NET}, "data"),
    # one step, one history record and one frame must each fit in a slice (max_step_compute)
    ({"network": {"hidden": [{"units": 256}] * 8}, "data": SPIRAL | {"n_per_class": 400}, "training": {"steps": 10}},
     "training.batch_size"),
    ({"network": {"hidden": [{"units": 256}] * 8}, "data": SPIRAL | {"n_per_class": 400},
      "training": {"steps": 10, "batch_size": 100}}, "data"),
    ({"network": {"hidden": [{"units": 256}] * 2}, "data": SPIRAL, "live": {"grid": 200}}, "live.grid"),
    ({"network": SMALL_NET, "data": SPIRAL, "training": {"steps": 100_000}, "live": {"steps_per_second": 10}},
     "live.steps_per_second"),
])
def test_job_limits_and_errors(client, body, field):
    response = client.post("/api/jobs", json=body)
    assert response.status_code == 422, response.text
    assert field in field_of(response)


def test_nan_in_a_request_is_refused(client):
    text = json.dumps({"network": SMALL_NET, "data": SPIRAL, "training": {"learning_rate": 1.0}})
    response = client.post("/api/jobs", content=text.replace("1.0", "Infinity"),
                           headers={"content-type": "application/json"})
    assert field_of(response) == ["training.learning_rate"]


def test_divergence_is_reported_without_nan(client):
    response = client.post("/api/jobs?wait=true", json={
        "network": {"hidden": [{"units": 20, "activation": "linear"}], "init": "he"}, "data": {"name": "sine"},
        "training": {"learning_rate": 10.0, "steps": 200, "regularization": "none"}})
    job = response.json()
    assert job["status"] == "diverged" and "NaN or inf" in job["error"]
    assert "NaN" not in response.text.replace("NaN or inf", "") and "Infinity" not in response.text
    weights = client.get(f"/api/networks/{job['network_id']}/export").json()["weights"]
    assert all(math.isfinite(v) for row in weights["W1"] for v in row)


def test_regression_job(client):
    job = client.post("/api/jobs?wait=true", json={
        "network": {"hidden": [{"units": 16, "activation": "tanh"}]}, "data": {"name": "sine", "test_fraction": 0.2},
        "training": {"optimizer": "adam", "learning_rate": 0.02, "steps": 1500, "regularization": "none"}}).json()
    assert job["status"] == "done" and job["metrics"]["train_r2"] > 0.9 and "test_r2" in job["metrics"]
    network = client.get(f"/api/networks/{job['network_id']}").json()
    assert network["spec"]["loss"] == "mse" and network["spec"]["input_dim"] == 1
    figure = client.get(f"/api/networks/{job['network_id']}/figures/decision-boundary")
    assert figure.status_code == 200


def progress(client, job_id: str) -> dict:
    return client.get(f"/api/jobs/{job_id}").json()["progress"]


def test_cancel_keeps_the_last_finished_step(client):
    job = client.post("/api/jobs", json=LONG).json()
    wait_until(lambda: progress(client, job["id"])["step"] > 0, what="a first step")
    response = client.post(f"/api/jobs/{job['id']}/cancel")
    cancelled = response.json()  # the answer waits for the worker to stop (its speed: bench_api.py)
    assert response.status_code == 200 and cancelled["status"] == "cancelled"
    steps = cancelled["progress"]["step"]
    assert 0 < steps < 100_000 and cancelled["history"][-1]["step"] == steps
    network = client.get(f"/api/networks/{job['network_id']}").json()
    assert network["steps_trained"] == steps
    again = client.post(f"/api/jobs/{job['id']}/cancel").json()
    assert again["status"] == "cancelled" and again["finished_at"] == cancelled["finished_at"]
    assert client.post("/api/jobs/nope/cancel").status_code == 404


def test_a_paced_job_keeps_its_pace_and_cancels_at_once(client):
    pace = 100
    body = {"network": SMALL_NET, "data": SPIRAL, "training": {"steps": 50_000},
            "live": {"steps_per_second": pace}}
    submitted = time.monotonic()
    job = client.post("/api/jobs", json=body).json()
    wait_until(lambda: progress(client, job["id"])["step"] >= 50, what="50 paced steps")
    cancelled = client.post(f"/api/jobs/{job['id']}/cancel").json()
    elapsed = time.monotonic() - submitted
    assert cancelled["status"] == "cancelled" and cancelled["request"]["live"]["steps_per_second"] == pace
    # Step n is taken no earlier than (n - 1) / pace seconds after the first, however slow the machine;
    # at full speed this network runs thousands of steps a second.
    assert 50 <= cancelled["progress"]["step"] <= pace * elapsed + 1, (cancelled["progress"], elapsed)


def test_busy_network_cannot_be_trained_twice_or_deleted(client):
    job = client.post("/api/jobs", json=LONG).json()
    try:
        second = client.post("/api/jobs", json={"network": {"id": job["network_id"]}, "data": SPIRAL})
        assert second.status_code == 409 and job["id"] in second.json()["detail"]
        assert client.delete(f"/api/networks/{job['network_id']}").status_code == 409
    finally:
        client.post(f"/api/jobs/{job['id']}/cancel")
    assert client.delete(f"/api/networks/{job['network_id']}").status_code == 204


def read_events(client, job_id: str, limit: float = DEADLINE, under: str = "jobs") -> list[tuple[str, dict]]:
    """A job's (or, ``under="sweeps"``, a sweep's) events until ``done`` or ``limit`` seconds."""
    events = []
    deadline = time.monotonic() + limit
    with client.stream("GET", f"/api/{under}/{job_id}/events") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        for event, data in sse_events(response.iter_lines()):
            events.append((event, data))
            if event == "done" or time.monotonic() > deadline:
                break
    return events


def test_events_stream_progress_with_boundary_then_done(client):
    posted = time.time()
    job = client.post("/api/jobs", json={"network": {"hidden": [{"units": 8}, {"units": 8}]},
                                         "data": SPIRAL | {"n_per_class": 167}, "training": {"steps": 8000},
                                         "live": {"grid": 24, "interval_ms": 100}}).json()
    events = read_events(client, job["id"])
    kinds = [kind for kind, _ in events]
    assert kinds[-1] == "done" and events[-1][1]["status"] == "done"
    progress = [data for kind, data in events if kind == "progress"]
    assert len(progress) >= 3
    steps = [p["step"] for p in progress]
    assert steps == sorted(steps) and progress[0]["total_steps"] == 8000
    assert progress[0]["step"] == 1  # the first frame shows the first step
    made = [p["made"] for p in progress]  # the worker's clock when it made each frame
    assert made == sorted(made) and posted - 1 <= made[0] <= made[-1] <= time.time() + 1
    boundary = progress[-1]["boundary"]
    assert boundary["kind"] == "classification" and boundary["n"] == 24 and len(boundary["x"]) == 2
    assert decode_grid(boundary).shape == (24, 24)
    records = [p["record"] for p in progress if "record" in p]
    assert records and all("train_loss" in record for record in records)
    assert len({record["step"] for record in records}) == len(records)  # each record is sent once


def test_events_after_the_end_send_done_at_once(client, trained):
    events = read_events(client, trained["id"], limit=5)
    assert events == [("done", events[0][1])] and events[0][1]["id"] == trained["id"]
    assert client.get("/api/jobs/nope/events").status_code == 404


def test_upload_then_train_on_it(client):
    rows = "x1,x2,label\n" + "\n".join(f"{x / 10},{(x % 7) / 7},{'a' if x % 2 else 'b'}" for x in range(40))
    upload = client.post("/api/datasets", files={"file": ("d.csv", rows)}, data={"task": "classification"}).json()
    job = client.post("/api/jobs?wait=true", json={"network": SMALL_NET, "data": {"id": upload["id"],
                                                                                  "test_fraction": 0.25},
                                                   "training": {"steps": 50}}).json()
    assert job["status"] == "done" and "test_accuracy" in job["metrics"]
    network = client.get(f"/api/networks/{job['network_id']}").json()
    assert network["data"] == {"id": upload["id"], "test_fraction": 0.25, "seed": 0}
    assert network["spec"]["output_dim"] == 2
    assert client.post("/api/jobs", json={"network": SMALL_NET, "data": {"id": "nope"}}).status_code == 404


def test_full_queue_answers_503_and_queued_jobs_cancel_at_once(tmp_path):
    with open_client(tmp_path, workers=1, max_running_jobs=1, queue_size=1) as small:
        running = small.post("/api/jobs", json=LONG).json()
        queued = small.post("/api/jobs", json=LONG | {"training": {"steps": 10}}).json()
        refused = small.post("/api/jobs", json=LONG)
        assert refused.status_code == 503 and int(refused.headers["retry-after"]) > 0
        assert "busy" in refused.json()["detail"]
        assert small.get(f"/api/jobs/{queued['id']}").json()["queue_position"] == 1
        assert len(small.get("/api/networks").json()) == 2  # the refused job left nothing behind
        cancelled = small.post(f"/api/jobs/{queued['id']}/cancel").json()
        assert cancelled["status"] == "cancelled" and cancelled["started_at"] is None
        assert small.post(f"/api/jobs/{running['id']}/cancel").json()["status"] == "cancelled"


def test_one_person_over_their_limit_gets_429_saying_which(tmp_path):
    with open_client(tmp_path, workers=1, person_running_jobs=1, person_queued_jobs=1) as small:
        running = small.post("/api/jobs", json=LONG).json()
        queued = small.post("/api/jobs", json=LONG).json()
        refused = small.post("/api/jobs", json=LONG)
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
        assert refused.json()["detail"].startswith("you already have 1 training jobs running and 1 waiting")
        for job in (queued, running):
            assert small.post(f"/api/jobs/{job['id']}/cancel").json()["status"] == "cancelled"


def test_wait_is_bounded_by_the_setting(tmp_path):
    with open_client(tmp_path, workers=1, wait_seconds=0.3) as quick:
        started = time.monotonic()
        response = quick.post("/api/jobs?wait=true", json=LONG)
        assert response.status_code == 202 and response.json()["status"] in ("queued", "running")
        assert time.monotonic() - started < 30  # returned long before the job could finish
        quick.post(f"/api/jobs/{response.json()['id']}/cancel")


def test_a_running_job_shows_live_progress(client):
    job = client.post("/api/jobs", json=LONG).json()
    try:
        wait_status(client, job["id"], ("running",))
        first = progress(client, job["id"])["step"] or 0
        later = wait_until(lambda: (now := progress(client, job["id"]))["step"] > first and now, what="more steps")
        assert later["total_steps"] == 100_000
    finally:
        client.post(f"/api/jobs/{job['id']}/cancel")


def test_job_list_leaves_out_large_fields_unless_asked(client, trained):
    summary = next(job for job in client.get("/api/jobs").json() if job["id"] == trained["id"])
    assert summary["history"] is None and summary["result"] is None and summary["metrics"] == trained["metrics"]
    full = next(job for job in client.get("/api/jobs?full=true").json() if job["id"] == trained["id"])
    assert full["history"] == trained["history"]


def test_a_job_a_stopped_server_let_go_resumes_when_a_server_starts(tmp_path):
    body = {"network": {"hidden": [{"units": 16}]}, "data": SPIRAL, "training": {"steps": 30_000}}
    with open_client(tmp_path, workers=1, checkpoint_seconds=0.2) as first:
        job = first.post("/api/jobs", json=body).json()
        wait_until(lambda: first.get(f"/api/networks/{job['network_id']}").json()["steps_trained"] > 0)
    with open_client(tmp_path, workers=1) as second:
        second.cookies = first.cookies  # the same visitor, back after the restart
        resumed = wait_status(second, job["id"], timeout=120)
        assert resumed["status"] == "done" and resumed["progress"]["step"] == 30_000
        assert second.get(f"/api/networks/{job['network_id']}").json()["steps_trained"] == 30_000


@pytest.mark.parametrize(("body", "asked", "given"), [
    (LONG, "interactive", "batch"),  # 1.3e11 multiply-adds of steps
    ({"network": SMALL_NET, "data": SPIRAL, "live": {"grid": 200, "nodes": 20}}, "interactive", "batch"),  # frames
    ({"network": SMALL_NET, "data": SPIRAL}, None, "interactive"),
    ({"network": SMALL_NET, "data": SPIRAL}, "batch", "batch"),
])
def test_the_server_decides_which_jobs_are_interactive(client, body, asked, given):
    job = client.post("/api/jobs", json=body | ({"priority": asked} if asked else {})).json()
    client.post(f"/api/jobs/{job['id']}/cancel")
    assert job["request"]["priority"] == given


def test_a_job_nobody_follows_is_parked_and_resumes_when_asked_for(tmp_path):
    body = {"network": SMALL_NET, "data": SPIRAL, "training": {"steps": 5000}, "live": {"steps_per_second": 10}}

    def status_in_list(job_id: str) -> str:  # the list does not count as asking for the job
        return next(job["status"] for job in quick.get("/api/jobs").json() if job["id"] == job_id)

    with open_client(tmp_path, workers=1, park_after=0.5, checkpoint_seconds=0.2) as quick:
        job = quick.post("/api/jobs", json=body).json()
        wait_until(lambda: status_in_list(job["id"]) == "parked", what="the job to be parked")
        parked = quick.get("/api/jobs").json()[0]
        network = quick.get(f"/api/networks/{job['network_id']}").json()
        assert parked["finished_at"] is None and parked["progress"]["step"] == network["steps_trained"] > 0
        resumed = quick.get(f"/api/jobs/{job['id']}").json()  # asking for it resumes it
        assert resumed["status"] in ("queued", "running") and resumed["progress"]["total_steps"] == 5000
        events = read_events(quick, job["id"], limit=3)  # following it keeps it going, well past park_after
        steps = [data["step"] for kind, data in events if kind == "progress"]
        assert steps and steps[-1] > network["steps_trained"] and status_in_list(job["id"]) == "running"
        wait_until(lambda: status_in_list(job["id"]) == "parked", what="the job to be parked again")
        cancelled = quick.post(f"/api/jobs/{job['id']}/cancel").json()  # a cancel ends a parked job
        assert cancelled["status"] == "cancelled" and cancelled["finished_at"] is not None

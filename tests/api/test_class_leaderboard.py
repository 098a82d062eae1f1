"""Submissions and the leaderboard over HTTP: a member submits their own network, the server scores
it on the hidden test points (which no answer to a student ever holds), ranks the submissions,
marks the Pareto front, and gives the lecturer CSV tables."""

import csv
import io

import pytest
from fastapi.testclient import TestClient

from app.services.leaderboard import LEADERBOARD_COLUMNS, MEMBER_COLUMNS

from .conftest import assigned_class, class_server, field_of

SETUP = {"data": {"name": "spiral", "n_per_class": 20, "classes": 2, "noise": 0.1, "seed": 0, "test_fraction": 0.25},
         "network": {"hidden": [{"units": 4, "activation": "relu"}], "loss": "softmax", "init": "he"},
         "training": {"optimizer": "adam", "learning_rate": 0.05}}
# Coordinates no generated point or default has, so that finding them in an answer means a leak.
HIDDEN = [[0.7312345, -0.2198765, 1], [-0.6154321, 0.3376543, 0], [0.1428571, 0.8571429, 1]]


class Recording:
    """A person's client that keeps the text of every answer they get."""

    def __init__(self, client: TestClient):
        self.client, self.answers = client, []

    def request(self, method: str, path: str, **options):
        answer = self.client.request(method, path, **options)
        self.answers.append(answer.text)
        return answer

    def get(self, path: str, **options):
        return self.request("GET", path, **options)

    def post(self, path: str, **options):
        return self.request("POST", path, **options)

    def put(self, path: str, **options):
        return self.request("PUT", path, **options)

    def delete(self, path: str, **options):
        return self.request("DELETE", path, **options)


@pytest.fixture(scope="module")
def lecturer(tmp_path_factory):
    yield from class_server(tmp_path_factory)


def join(lecturer: TestClient, code: str, name: str) -> Recording:
    student = Recording(TestClient(lecturer.app))
    assert student.post("/api/classes/join", json={"code": code, "name": name}).status_code == 201
    return student


def trained(student: Recording, class_id: str, hidden: list[dict], steps: int = 30) -> str:
    """A network the student trained for the class (a finished job's)."""
    job = {"class_id": class_id, "data": SETUP["data"], "network": SETUP["network"] | {"hidden": hidden},
           "training": SETUP["training"] | {"steps": steps}}
    answer = student.post("/api/jobs?wait=true", json=job)
    assert answer.status_code == 200, answer.text
    return answer.json()["network_id"]


@pytest.fixture
def room(lecturer):
    assignment = {"setup": SETUP, "unlocked": ["network.hidden", "training.learning_rate"],
                  "hidden_test": {"points": HIDDEN}}
    with assigned_class(lecturer, "Leaderboard", assignment) as made:
        yield made


def test_a_submission_is_scored_on_the_hidden_points_which_no_student_ever_sees(lecturer, room):
    base = f"/api/classes/{room['id']}"
    ada = join(lecturer, room["code"], "Ada")
    network_id = trained(ada, room["id"], [{"units": 4, "activation": "relu"}])
    answer = ada.post(f"{base}/submissions", json={"network_id": network_id})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["scored_on"] == "hidden_test" and body["metric"] == "accuracy" and body["name"] == "Ada"
    assert body["score"] in (0.0, 1 / 3, 2 / 3, 1.0) and body["parameters"] == 2 * 4 + 4 + 4 * 2 + 2
    for path in (base, f"{base}/assignment", f"{base}/leaderboard", f"{base}/leaderboard/figure", "/api/classes",
                 f"/api/networks/{network_id}", "/api/jobs?full=true", f"{base}/leaderboard.csv",
                 f"{base}/members.csv"):
        ada.get(path)
    everything = "\n".join(ada.answers)
    for x1, x2, _label in HIDDEN:
        for value in (x1, x2):
            assert str(value) not in everything and f"{value:.4f}" not in everything
    lecturer_view = lecturer.get(f"{base}/assignment").json()
    assert lecturer_view["hidden_test"]["points"][0][0] == HIDDEN[0][0]


def test_without_hidden_points_the_data_s_test_split_scores_and_the_answer_says_so(lecturer):
    made = lecturer.post("/api/classes", json={"title": "No hidden points"}).json()
    base = f"/api/classes/{made['id']}"
    assert lecturer.put(f"{base}/assignment", json={"setup": SETUP}).status_code == 200
    ada = join(lecturer, made["code"], "Ada")
    answer = ada.post(f"{base}/submissions", json={"network_id": trained(ada, made["id"], SETUP["network"]["hidden"])})
    assert answer.status_code == 201 and answer.json()["scored_on"] == "test_split"
    lecturer.post(f"{base}/end")


def test_only_a_member_s_own_fitting_network_is_taken(lecturer, room):
    base = f"/api/classes/{room['id']}"
    ada, grace = join(lecturer, room["code"], "Ada"), join(lecturer, room["code"], "Grace")
    adas = trained(ada, room["id"], [{"units": 3}])
    assert grace.post(f"{base}/submissions", json={"network_id": adas}).status_code == 404
    assert lecturer.post(f"{base}/submissions", json={"network_id": adas}).status_code == 403
    stranger = TestClient(lecturer.app)
    assert stranger.post(f"{base}/submissions", json={"network_id": adas}).status_code == 404
    other = ada.post("/api/networks", json={"input_dim": 2, "hidden": [{"units": 3}], "output_dim": 3,
                                           "loss": "softmax"})
    assert other.status_code == 201, other.text
    misfit = ada.post(f"{base}/submissions", json={"network_id": other.json()["id"]})
    assert misfit.status_code == 422 and field_of(misfit) == ["network_id"], misfit.text
    # the loss is locked by the assignment: a network with another one does not fit
    svm = ada.post("/api/networks", json={"input_dim": 2, "hidden": [{"units": 3}], "output_dim": 2,
                                         "loss": "svm"})
    refused = ada.post(f"{base}/submissions", json={"network_id": svm.json()["id"]})
    assert refused.status_code == 422 and "locked" in refused.json()["detail"][0]["msg"]


def test_the_leaderboard_ranks_by_score_marks_the_front_and_keeps_one_submission_each(lecturer, room):
    base = f"/api/classes/{room['id']}"
    people = {name: join(lecturer, room["code"], name) for name in ("Ada", "Grace", "Alan")}
    sizes = {"Ada": [{"units": 2}], "Grace": [{"units": 16}, {"units": 16}], "Alan": [{"units": 6}]}
    for name, student in people.items():
        network = trained(student, room["id"], sizes[name])
        assert student.post(f"{base}/submissions", json={"network_id": network}).status_code == 201
    again = trained(people["Ada"], room["id"], [{"units": 3}])
    assert people["Ada"].post(f"{base}/submissions", json={"network_id": again}).status_code == 201
    board = people["Grace"].get(f"{base}/leaderboard").json()
    entries = board["entries"]
    assert [e["name"] for e in entries].count("Ada") == 1 and len(entries) == 3
    assert next(e for e in entries if e["name"] == "Ada")["parameters"] == 2 * 3 + 3 + 3 * 2 + 2
    keys = [(-e["score"], e["parameters"]) for e in entries]
    assert keys == sorted(keys) and entries[0]["rank"] == 1
    assert all(e["member_id"] is None for e in entries)
    for entry in entries:
        dominated = any(o["score"] >= entry["score"] and o["parameters"] <= entry["parameters"]
                        and (o["score"] > entry["score"] or o["parameters"] < entry["parameters"]) for o in entries)
        assert entry["pareto"] is (not dominated)
    assert all(e["member_id"] for e in lecturer.get(f"{base}/leaderboard").json()["entries"])
    figure = lecturer.get(f"{base}/leaderboard/figure").json()
    assert figure["layout"]["xaxis"]["type"] == "log" and len(figure["data"]) == 2


def test_the_lecturer_s_csv_tables(lecturer, room):
    base = f"/api/classes/{room['id']}"
    ada = join(lecturer, room["code"], "=Ada")
    join(lecturer, room["code"], "Grace")
    network = trained(ada, room["id"], [{"units": 4}])
    ada.post(f"{base}/submissions", json={"network_id": network})
    for table, columns in (("leaderboard.csv", LEADERBOARD_COLUMNS), ("members.csv", MEMBER_COLUMNS)):
        assert ada.get(f"{base}/{table}").status_code == 403
        assert TestClient(lecturer.app).get(f"{base}/{table}").status_code == 404
        answer = lecturer.get(f"{base}/{table}")
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(answer.text)))
        assert tuple(rows[0].keys()) == columns
        assert rows[0]["name"] == "'=Ada"  # not a formula in a spreadsheet
    members = list(csv.DictReader(io.StringIO(lecturer.get(f"{base}/members.csv").text)))
    assert members[0]["status"] == "done" and float(members[0]["train_accuracy"]) >= 0
    assert members[1]["name"] == "Grace" and members[1]["job_id"] == ""


def test_the_lecturer_exports_the_whole_class(lecturer, room):
    base = f"/api/classes/{room['id']}"
    ada = join(lecturer, room["code"], "Ada")
    ada.post(f"{base}/submissions", json={"network_id": trained(ada, room["id"], [{"units": 4}])})
    assert ada.get(f"{base}/export").status_code == 403
    assert TestClient(lecturer.app).get(f"{base}/export").status_code == 404
    answer = lecturer.get(f"{base}/export")
    assert answer.status_code == 200 and "attachment" in answer.headers["content-disposition"]
    document = answer.json()
    assert document["format"] == "nnviz-class" and document["class"]["id"] == room["id"]
    assert [m["name"] for m in document["members"]] == ["Ada"]
    assert document["assignment"]["hidden_test"]["points"] == HIDDEN
    assert [e["name"] for e in document["leaderboard"]] == ["Ada"] and document["jobs"][0]["status"] == "done"


def test_the_lecturer_pins_submissions_to_the_gallery_and_members_open_copies(lecturer, room):
    base = f"/api/classes/{room['id']}"
    ada, grace = join(lecturer, room["code"], "Ada"), join(lecturer, room["code"], "Grace")
    network = trained(ada, room["id"], [{"units": 5}])
    submitted = ada.post(f"{base}/submissions", json={"network_id": network}).json()
    entry = lecturer.get(f"{base}/leaderboard").json()["entries"][0]
    assert grace.get(f"{base}/gallery").json() == []
    assert grace.post(f"{base}/gallery/{entry['id']}/copy").status_code == 404  # not pinned
    assert ada.put(f"{base}/gallery/{entry['id']}", json={"caption": "Small"}).status_code == 403
    assert lecturer.put(f"{base}/gallery/nothing", json={"caption": "Small"}).status_code == 404
    pinned = lecturer.put(f"{base}/gallery/{entry['id']}", json={"caption": "Five units <b>suffice</b>"})
    assert pinned.status_code == 200, pinned.text
    shown = grace.get(f"{base}/gallery").json()
    assert [(g["name"], g["caption"], g["score"]) for g in shown] == [
        ("Ada", "Five units <b>suffice</b>", submitted["score"])]
    as_submitted = ada.client.get(f"/api/networks/{network}/export").json()["weights"]
    going_on = {"class_id": room["id"], "data": SETUP["data"], "network": {"id": network},
                "training": SETUP["training"] | {"steps": 5}}
    assert ada.post("/api/jobs?wait=true", json=going_on).status_code == 200  # Ada trains on
    copy = grace.post(f"{base}/gallery/{entry['id']}/copy")
    assert copy.status_code == 201, copy.text
    mine = grace.get(f"/api/networks/{copy.json()['network_id']}").json()
    assert mine["counts"]["parameters"] == submitted["parameters"] and mine["data"]["name"] == "spiral"
    original = ada.client.get(f"/api/networks/{network}/export").json()
    copied = grace.get(f"/api/networks/{copy.json()['network_id']}/export").json()
    assert copied["weights"] == as_submitted != original["weights"]  # the copy is as submitted
    assert TestClient(lecturer.app).get(f"{base}/gallery").status_code == 404
    assert lecturer.delete(f"{base}/gallery/{entry['id']}").status_code == 204
    assert grace.get(f"{base}/gallery").json() == []

"""Importing a class's export over HTTP: the importer leads a new class (a new id and code) with the
assignment, the members as names nobody can act as, the leaderboard and the gallery; a document
whose parts do not fit is a 422 naming the field; the lecturer's and the address's limits hold."""

import copy

import pytest
from fastapi.testclient import TestClient

from .conftest import class_server, field_of, open_client, person

SETUP = {"data": {"name": "spiral", "n_per_class": 20, "classes": 2, "noise": 0.1, "seed": 0, "test_fraction": 0.25},
         "network": {"hidden": [{"units": 4, "activation": "relu"}], "loss": "softmax", "init": "he"},
         "training": {"optimizer": "adam", "learning_rate": 0.05}}
HIDDEN = [[0.7312345, -0.2198765, 1], [-0.6154321, 0.3376543, 0], [0.1428571, 0.8571429, 1]]
ENTRY_KEYS = ("rank", "name", "score", "metric", "scored_on", "parameters", "pareto", "submitted_at")


@pytest.fixture(scope="module")
def lecturer(tmp_path_factory):
    yield from class_server(tmp_path_factory, classes_per_lecturer=2, class_members=3)


def join_and_submit(lecturer: TestClient, made: dict, name: str, units: int) -> TestClient:
    student = person(lecturer)
    assert student.post("/api/classes/join", json={"code": made["code"], "name": name}).status_code == 201
    job = {"class_id": made["id"], "data": SETUP["data"], "network": SETUP["network"] | {"hidden": [{"units": units}]},
           "training": SETUP["training"] | {"steps": 20}}
    trained = student.post("/api/jobs?wait=true", json=job)
    assert trained.status_code == 200, trained.text
    network_id = trained.json()["network_id"]
    submitted = student.post(f"/api/classes/{made['id']}/submissions", json={"network_id": network_id})
    assert submitted.status_code == 201, submitted.text
    return student


@pytest.fixture(scope="module")
def source(lecturer):
    """A class with an assignment and its hidden points, two members who submitted, one entry pinned;
    (the class, its export, Ada's client)."""
    made = lecturer.post("/api/classes", json={"title": "Spirals, week 3"}).json()
    assignment = {"setup": SETUP, "prompt": "Learn the spiral with the fewest units.",
                  "unlocked": ["network.hidden", "training.learning_rate"], "hidden_test": {"points": HIDDEN}}
    assert lecturer.put(f"/api/classes/{made['id']}/assignment", json=assignment).status_code == 200
    ada = join_and_submit(lecturer, made, "Ada", 4)
    join_and_submit(lecturer, made, "Grace", 6)
    entries = lecturer.get(f"/api/classes/{made['id']}/leaderboard").json()["entries"]
    ada_entry = next(entry for entry in entries if entry["name"] == "Ada")
    pinned = lecturer.put(f"/api/classes/{made['id']}/gallery/{ada_entry['id']}", json={"caption": "Four suffice"})
    assert pinned.status_code == 200
    document = lecturer.get(f"/api/classes/{made['id']}/export").json()
    lecturer.post(f"/api/classes/{made['id']}/end")  # room for the lecturer's own imports
    yield made, document, ada


def imported(client: TestClient, document: dict) -> dict:
    answer = client.post("/api/classes/import", json=document)
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_the_importer_leads_a_new_class_with_the_assignment_members_leaderboard_and_gallery(lecturer, source):
    made, document, ada = source
    assert document["format"] == "nnviz-class" and document["version"] == 2
    importer = person(lecturer)
    new = imported(importer, document)
    base = f"/api/classes/{new['id']}"
    assert new["id"] != made["id"] and new["code"] != made["code"]
    assert (new["title"], new["role"], new["state"], new["assignment_version"]) == (
        "Spirals, week 3", "lecturer", "open", 1)
    assert [(m["name"], m["imported"]) for m in new["members"]] == [("Ada", True), ("Grace", True)]
    assert [m["joined_at"] for m in new["members"]] == [m["joined_at"] for m in document["members"]]

    assignment = importer.get(f"{base}/assignment").json()
    source_assignment = document["assignment"]
    for key in ("setup", "prompt", "unlocked", "settings", "hidden_test"):
        assert assignment[key] == source_assignment[key], key
    assert assignment["hidden_test"]["points"] == HIDDEN

    board = importer.get(f"{base}/leaderboard").json()
    assert [[entry[key] for key in ENTRY_KEYS] for entry in board["entries"]] == [
        [entry[key] for key in ENTRY_KEYS] for entry in document["leaderboard"]]
    assert {entry["member_id"] for entry in board["entries"]} == {m["id"] for m in new["members"]}

    gallery = importer.get(f"{base}/gallery").json()
    assert [(g["name"], g["caption"], g["score"], g["pinned_at"]) for g in gallery] == [
        (g["name"], g["caption"], g["score"], g["pinned_at"]) for g in document["gallery"]]
    copy_answer = importer.post(f"{base}/gallery/{gallery[0]['id']}/copy")
    assert copy_answer.status_code == 201, copy_answer.text
    opened = importer.get(f"/api/networks/{copy_answer.json()['network_id']}/export").json()
    assert opened["weights"] == document["gallery"][0]["network"]["weights"]

    assert [(c["id"], c["role"]) for c in importer.get("/api/classes").json()] == [(new["id"], "lecturer")]
    for stranger in (lecturer, ada, person(lecturer)):  # the old class's lecturer and member are strangers here
        assert stranger.get(base).status_code == 404
        assert stranger.get(f"{base}/leaderboard").status_code == 404
    assert new["id"] not in [c["id"] for c in ada.get("/api/classes").json()]
    importer.post(f"{base}/end")


def test_imported_members_are_names_nobody_acts_as(lecturer, source):
    _made, document, _ada = source
    importer = person(lecturer)
    new = imported(importer, document)
    base = f"/api/classes/{new['id']}"
    taken = person(lecturer).post("/api/classes/join", json={"code": new["code"], "name": "ADA"})
    assert taken.status_code == 409 and field_of(taken) == ["name"]
    grace = next(m for m in new["members"] if m["name"] == "Grace")
    renamed = importer.patch(f"{base}/members/{grace['id']}", json={"name": "Grace H."})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Grace H."
    unpinned = next(e for e in importer.get(f"{base}/leaderboard").json()["entries"] if e["name"] == "Grace H.")
    refused = importer.put(f"{base}/gallery/{unpinned['id']}", json={"caption": "Six"})
    assert refused.status_code == 409 and "imported without its network" in refused.json()["detail"]
    assert importer.delete(f"{base}/members/{grace['id']}").status_code == 204
    assert [e["name"] for e in importer.get(f"{base}/leaderboard").json()["entries"]] == ["Ada"]
    again = importer.get(f"/api/classes/{new['id']}/export").json()  # an imported class exports and imports again
    assert [m["imported"] for m in again["members"]] == [True]
    importer.post(f"{base}/end")
    twice = imported(importer, again)
    assert [m["name"] for m in twice["members"]] == ["Ada"] and len(importer.get(
        f"/api/classes/{twice['id']}/gallery").json()) == 1
    importer.post(f"/api/classes/{twice['id']}/end")


def test_a_version_1_document_without_a_gallery_imports(lecturer, source):
    _made, document, _ada = source
    older = {key: value for key, value in document.items() if key != "gallery"} | {"version": 1}
    importer = person(lecturer)
    new = imported(importer, older)
    assert importer.get(f"/api/classes/{new['id']}/gallery").json() == []
    assert len(importer.get(f"/api/classes/{new['id']}/leaderboard").json()["entries"]) == 2


def changed(document: dict, change) -> dict:
    document = copy.deepcopy(document)
    change(document)
    return document


def pinned_entry(document: dict) -> dict:
    return next(entry for entry in document["leaderboard"] if entry["id"] == document["gallery"][0]["id"])


def wrong_shape(document: dict) -> None:
    document["gallery"][0]["network"]["weights"]["W1"] = [[0.5]]


BAD = [
    (lambda d: d.update(format="nnviz-network"), "format", "nnviz-class"),
    (lambda d: d.update(version=3), "version", "1 or 2"),
    (lambda d: d.update(surprise=1), "surprise", "Extra inputs"),
    (lambda d: d["class"].update(title=" "), "class.title", "at least 1"),
    (lambda d: d["members"][0].update(joined_at="yesterday"), "members[0].joined_at", "ISO 8601"),
    (lambda d: d["members"][1].update(name="ada"), "members[1].name", "has this name"),
    (lambda d: d["members"][1].update(id=d["members"][0]["id"]), "members[1].id", "listed before"),
    (lambda d: d["members"].extend({"id": f"m{i}", "name": f"M{i}", "joined_at": "2025-01-31T09:00:00Z"}
                                   for i in range(2)), "members", "at most 3"),
    (lambda d: d["leaderboard"][0].update(member_id="nobody"), "leaderboard[0].member_id", "names no member"),
    (lambda d: d["leaderboard"][1].update(member_id=d["leaderboard"][0]["member_id"]), "leaderboard[1].member_id",
     "one entry"),
    (lambda d: d["leaderboard"][0].update(metric="r2"), "leaderboard[0].metric", "'accuracy'"),
    (lambda d: d["leaderboard"][0].update(score=1.5), "leaderboard[0].score", "less than or equal to 1"),
    (lambda d: d["leaderboard"][0].update(parameters=0), "leaderboard[0].parameters", "greater than or equal to 1"),
    (lambda d: d.update(assignment=None), "leaderboard", "assignment"),
    (lambda d: d["assignment"]["setup"]["network"]["hidden"][0].update(units=0),
     "assignment.setup.network.hidden[0].units", "greater than or equal to 1"),
    (lambda d: d["assignment"]["hidden_test"].update(points=[[0.1, 0.2, 7]]), "assignment.hidden_test.points[0]",
     "class index"),
    (lambda d: d["assignment"]["hidden_test"].update(points=[[0.1, 0.2, 1]] * 501), "assignment.hidden_test.points",
     "at most 500"),
    (lambda d: d["gallery"][0].update(id="nothing"), "gallery[0].id", "names no entry"),
    (wrong_shape, "gallery[0].network.weights.W1", "shape"),
    (lambda d: pinned_entry(d).update(parameters=99), "gallery[0].network", "its leaderboard entry says 99"),
]


@pytest.mark.parametrize(("change", "field", "words"), BAD)
def test_a_document_whose_parts_do_not_fit_is_a_422_naming_the_field(lecturer, source, change, field, words):
    _made, document, _ada = source
    importer = person(lecturer)
    answer = importer.post("/api/classes/import", json=changed(document, change))
    assert answer.status_code == 422, answer.text
    assert field_of(answer) == [field] and words in answer.json()["detail"][0]["msg"], answer.json()
    assert importer.get("/api/classes").json() == []  # nothing was stored


def test_imports_count_against_the_lecturer_s_live_classes(lecturer, source):
    _made, document, _ada = source
    importer = person(lecturer)
    first, _second = imported(importer, document), imported(importer, document)
    refused = importer.post("/api/classes/import", json=document)
    assert refused.status_code == 429 and "NNVIZ_CLASSES_PER_LECTURER" in refused.json()["detail"]
    assert len(importer.get("/api/classes").json()) == 2
    importer.post(f"/api/classes/{first['id']}/end")
    imported(importer, document)


def test_imports_per_address_and_their_body_size_are_limited(tmp_path, source):
    _made, document, _ada = source
    with open_client(tmp_path, workers=1, precompute_experiments=False, address_imports_per_minute=2,
                     max_body_bytes=100_000) as importer:
        limit = importer.get("/openapi.json").json()["paths"]["/api/classes/import"]["post"]["x-max-body-bytes"]
        assert limit == 100_000
        padded = changed(document, lambda d: d["assignment"].update(prompt="x" * 4000))
        padded["jobs"] = [{"name": "x" * 40_000}] * 3
        assert importer.post("/api/classes/import", json=padded).status_code == 413
        answers = [importer.post("/api/classes/import", json=document) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [201, 201, 429]
    assert "NNVIZ_ADDRESS_IMPORTS_PER_MINUTE" in answers[-1].json()["detail"]

"""Classes over HTTP: a lecturer makes one, students join it by code and name, only the lecturer
runs it, strangers find nothing, and the members' pages hear of a new assignment at once."""

import threading
import time

import pytest

from app.services.class_settings import SETTING_NAMES
from app.services.classes import CODE_ALPHABET, CODE_LENGTH

from ..waiting import DEADLINE
from .conftest import class_server, field_of, open_client, person, sse_events

SETUP = {"data": {"name": "spiral", "n_per_class": 50, "classes": 3, "noise": 0.2, "seed": 0, "test_fraction": 0.2},
         "network": {"hidden": [{"units": 8, "activation": "relu"}], "loss": "softmax", "init": "he"},
         "training": {"optimizer": "adam", "learning_rate": 0.01}}
ASSIGNMENT = {"setup": SETUP, "prompt": "Find the smallest learning rate that still learns.",
              "unlocked": ["training.learning_rate"], "hidden_test": {"points": [[0.5, -0.5, 1], [0.1, 0.2, 0]]}}


@pytest.fixture(scope="module")
def lecturer(tmp_path_factory):
    yield from class_server(tmp_path_factory, classes_per_lecturer=3, class_members=4)


@pytest.fixture
def room(lecturer):
    """A new class (the lecturer's) with one student in it; ended afterwards, so the lecturer has room for the next."""
    made = lecturer.post("/api/classes", json={"title": "CS231n, week 3"}).json()
    student = person(lecturer)
    assert student.post("/api/classes/join", json={"code": made["code"], "name": "Ada"}).status_code == 201
    yield made, student
    lecturer.post(f"/api/classes/{made['id']}/end")


def test_a_class_has_a_six_character_code_without_lookalikes(lecturer):
    made = lecturer.post("/api/classes", json={"title": "  Intro  "})
    assert made.status_code == 201
    body = made.json()
    assert body["title"] == "Intro" and body["role"] == "lecturer" and body["state"] == "open"
    assert len(body["code"]) == CODE_LENGTH and set(body["code"]) <= set(CODE_ALPHABET)
    assert not set("0O1IL") & set(CODE_ALPHABET)
    assert body["join_url"] == f"http://testserver/join/{body['code']}"
    assert body["qr_svg"].startswith("<svg") and "<script" not in body["qr_svg"]
    listed = lecturer.get("/api/classes").json()
    assert body["id"] in [c["id"] for c in listed]
    lecturer.post(f"/api/classes/{body['id']}/end")


def test_students_join_by_code_and_see_names_not_ids(lecturer, room):
    made, _ada = room
    grace = person(lecturer)
    joined = grace.post("/api/classes/join", json={"code": f" {made['code'][:3].lower()}-{made['code'][3:]} ",
                                                   "name": "Grace"})
    assert joined.status_code == 201, joined.text
    seen = joined.json()
    assert seen["role"] == "member" and seen["you"]["name"] == "Grace" and seen["qr_svg"] is None
    assert [m["name"] for m in seen["members"]] == ["Ada", "Grace"]
    assert all(m["id"] is None for m in seen["members"])
    again = grace.post("/api/classes/join", json={"code": made["code"], "name": "Someone else"})
    assert again.status_code == 200 and again.json()["you"]["name"] == "Grace"
    assert [c["role"] for c in grace.get("/api/classes").json()] == ["member"]
    full_view = lecturer.get(f"/api/classes/{made['id']}").json()
    assert all(m["id"] for m in full_view["members"]) and full_view["member_count"] == 2


@pytest.mark.parametrize(("name", "status", "why"), [
    ("", 422, "at least 1"), ("   ", 422, "at least 1"), ("x" * 33, 422, "at most 32"), ("a\tb", 422, "one line"),
    ("ADA", 409, "already has this name"), (" ada ", 409, "already has this name")])
def test_names_are_trimmed_one_line_short_and_unique_whatever_their_case(lecturer, room, name, status, why):
    made, _ada = room
    answer = person(lecturer).post("/api/classes/join", json={"code": made["code"], "name": name})
    assert answer.status_code == status
    assert field_of(answer) == ["name"] and why in answer.json()["detail"][0]["msg"]


def test_a_name_is_text_only_and_may_be_32_characters(lecturer, room):
    made, _ada = room
    name = "<b>Bob</b> & 'x'" + "é" * 16
    joined = person(lecturer).post("/api/classes/join", json={"code": made["code"], "name": name})
    assert joined.status_code == 201 and joined.json()["you"]["name"] == name


def test_wrong_closed_full_and_ended_classes_say_so_on_the_code(lecturer, room):
    made, _ada = room
    wrong = person(lecturer).post("/api/classes/join", json={"code": "ZZZZZZ", "name": "Eve"})
    assert wrong.status_code == 422 and field_of(wrong) == ["code"]
    assert lecturer.patch(f"/api/classes/{made['id']}", json={"joining": False}).json()["state"] == "closed"
    closed = person(lecturer).post("/api/classes/join", json={"code": made["code"], "name": "Eve"})
    assert closed.status_code == 409 and field_of(closed) == ["code"] and "closed" in closed.json()["detail"][0]["msg"]
    assert lecturer.patch(f"/api/classes/{made['id']}", json={"joining": True}).json()["state"] == "open"
    for name in ("B", "C", "D"):  # the class holds 4 (class_members=4): Ada and these
        assert person(lecturer).post("/api/classes/join", json={"code": made["code"], "name": name}).status_code == 201
    full = person(lecturer).post("/api/classes/join", json={"code": made["code"], "name": "E"})
    assert full.status_code == 409 and field_of(full) == ["code"] and "full" in full.json()["detail"][0]["msg"]
    lecturer.post(f"/api/classes/{made['id']}/end")
    ended = person(lecturer).post("/api/classes/join", json={"code": made["code"], "name": "F"})
    assert ended.status_code == 409 and "ended" in ended.json()["detail"][0]["msg"]


def test_only_the_lecturer_runs_the_class_and_strangers_find_nothing(lecturer, room):
    made, ada = room
    member_id = lecturer.get(f"/api/classes/{made['id']}").json()["members"][0]["id"]
    base = f"/api/classes/{made['id']}"
    actions = [("PATCH", base, {"joining": False}), ("POST", f"{base}/end", None),
               ("PATCH", f"{base}/members/{member_id}", {"name": "Ada L."}),
               ("DELETE", f"{base}/members/{member_id}", None), ("PUT", f"{base}/assignment", ASSIGNMENT)]
    for method, path, body in actions:
        assert ada.request(method, path, json=body).status_code == 403, (method, path)
    stranger = person(lecturer)
    stranger.get("/api/classes")  # a cookie of their own
    for method, path, body in [*actions, ("GET", base, None), ("GET", f"{base}/assignment", None),
                               ("GET", f"{base}/events", None)]:
        assert stranger.request(method, path, json=body).status_code == 404, (method, path)
    assert stranger.get("/api/classes").json() == []


def test_the_lecturer_renames_and_removes_members(lecturer, room):
    made, ada = room
    base = f"/api/classes/{made['id']}"
    person(lecturer).post("/api/classes/join", json={"code": made["code"], "name": "Grace"})
    ada_id, grace_id = (m["id"] for m in lecturer.get(base).json()["members"])
    taken = lecturer.patch(f"{base}/members/{ada_id}", json={"name": "grace"})
    assert taken.status_code == 409 and field_of(taken) == ["name"]
    assert lecturer.patch(f"{base}/members/{ada_id}", json={"name": "Ada L."}).json()["name"] == "Ada L."
    assert ada.get(base).json()["you"]["name"] == "Ada L."
    assert lecturer.delete(f"{base}/members/{ada_id}").status_code == 204
    assert ada.get(base).status_code == 404  # no longer a member: a stranger
    assert lecturer.delete(f"{base}/members/{ada_id}").status_code == 404
    assert [m["id"] for m in lecturer.get(base).json()["members"]] == [grace_id]


def test_an_ended_class_is_read_only(lecturer, room):
    made, ada = room
    base = f"/api/classes/{made['id']}"
    ended = lecturer.post(f"{base}/end").json()
    assert ended["state"] == "ended" and ended["ended_at"] and ended["expires_at"] > ended["ended_at"]
    for method, path, body in [("PATCH", base, {"joining": True}), ("POST", f"{base}/end", None),
                               ("PUT", f"{base}/assignment", ASSIGNMENT)]:
        assert lecturer.request(method, path, json=body).status_code == 409, (method, path)
    assert ada.get(base).json()["state"] == "ended"


def test_a_lecturer_leads_a_limited_number_of_live_classes(lecturer):
    other = person(lecturer)
    made = [other.post("/api/classes", json={"title": f"class {i}"}) for i in range(4)]
    assert [answer.status_code for answer in made] == [201, 201, 201, 429]
    assert "NNVIZ_CLASSES_PER_LECTURER" in made[-1].json()["detail"]
    other.post(f"/api/classes/{made[0].json()['id']}/end")
    assert other.post("/api/classes", json={"title": "class 4"}).status_code == 201  # an ended class frees room


def test_the_assignment_is_checked_as_a_job_and_its_hidden_test_stays_with_the_lecturer(lecturer, room):
    made, ada = room
    base = f"/api/classes/{made['id']}"
    assert ada.get(f"{base}/assignment").status_code == 404  # none yet
    unknown = lecturer.put(f"{base}/assignment", json=ASSIGNMENT | {"unlocked": ["training.learning_rate", "magic"]})
    assert unknown.status_code == 422 and field_of(unknown) == ["unlocked[1]"]
    too_wide = lecturer.put(f"{base}/assignment", json=ASSIGNMENT | {"setup": SETUP | {
        "network": {"hidden": [{"units": 100_000}]}}})
    assert too_wide.status_code == 422 and field_of(too_wide) == ["setup.network.hidden[0].units"]
    unfit = lecturer.put(f"{base}/assignment", json=ASSIGNMENT | {"setup": SETUP | {
        "network": {"output_dim": 5}}})
    assert unfit.status_code == 422 and field_of(unfit) == ["setup.network.output_dim"]
    bad_points = lecturer.put(f"{base}/assignment", json=ASSIGNMENT | {"hidden_test": {"points": [[0, 0, 7]]}})
    assert bad_points.status_code == 422 and field_of(bad_points)[0].startswith("hidden_test.points")
    long_prompt = lecturer.put(f"{base}/assignment", json=ASSIGNMENT | {"prompt": "x" * 4001})
    assert long_prompt.status_code == 422 and field_of(long_prompt) == ["prompt"]

    put = lecturer.put(f"{base}/assignment", json=ASSIGNMENT)
    assert put.status_code == 200, put.text
    assert put.json()["version"] == 1 and put.json()["hidden_test"]["points"][0] == [0.5, -0.5, 1]
    seen = ada.get(f"{base}/assignment")
    assert seen.status_code == 200 and seen.json()["hidden_test"] is None
    assert seen.json()["setup"]["data"]["n_per_class"] == 50 and seen.json()["prompt"] == ASSIGNMENT["prompt"]
    locks = {s["name"]: s["locked"] for s in seen.json()["settings"]}
    assert set(locks) == set(SETTING_NAMES) and not locks["training.learning_rate"] and locks["network.hidden"]
    for answer in (ada.get(base), ada.get("/api/classes"), seen):
        assert "-0.5" not in answer.text.replace(" ", "")  # the hidden points, nowhere
    assert ada.get(base).json()["prompt"] == ASSIGNMENT["prompt"]


def test_the_catalog_names_the_lockable_settings(lecturer):
    names = [s["name"] for s in lecturer.get("/api/catalog").json()["class_settings"]]
    assert names == list(SETTING_NAMES)


def read_event(lines) -> tuple[str, dict]:
    for event in sse_events(lines):
        return event
    raise AssertionError("the stream ended")


def test_members_hear_of_a_new_assignment_at_once(lecturer, room):
    made, ada = room
    base = f"/api/classes/{made['id']}"
    with ada.stream("GET", f"{base}/events") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = response.iter_lines()
        assert read_event(lines) == ("assignment", {"version": 0, "state": "open"})
        started = time.monotonic()
        threading.Thread(target=lambda: lecturer.put(f"{base}/assignment", json=ASSIGNMENT)).start()
        assert read_event(lines) == ("assignment", {"version": 1, "state": "open"})
        assert time.monotonic() - started < DEADLINE
        threading.Thread(target=lambda: lecturer.post(f"{base}/end")).start()
        assert read_event(lines) == ("assignment", {"version": 1, "state": "ended"})


def test_a_removed_members_stream_ends(lecturer, room):
    made, ada = room
    base = f"/api/classes/{made['id']}"
    ada_id = lecturer.get(base).json()["members"][0]["id"]
    with ada.stream("GET", f"{base}/events") as response:
        lines = response.iter_lines()
        assert read_event(lines) == ("assignment", {"version": 0, "state": "open"})
        threading.Thread(target=lambda: lecturer.delete(f"{base}/members/{ada_id}")).start()
        with pytest.raises(AssertionError, match="the stream ended"):
            read_event(lines)


def test_joins_per_address_are_limited(tmp_path):
    with open_client(tmp_path, workers=1, precompute_experiments=False, address_joins_per_minute=2) as lecturer:
        code = lecturer.post("/api/classes", json={"title": "small"}).json()["code"]
        answers = [person(lecturer).post("/api/classes/join", json={"code": code, "name": f"s{i}"}) for i in range(3)]
        assert [a.status_code for a in answers] == [201, 201, 429]
        assert "NNVIZ_ADDRESS_JOINS_PER_MINUTE" in answers[-1].json()["detail"]


def test_a_class_of_300_joins_from_one_address_with_the_default_limits(tmp_path):
    with open_client(tmp_path, workers=1, precompute_experiments=False) as lecturer:
        made = lecturer.post("/api/classes", json={"title": "the whole year"}).json()
        statuses = [person(lecturer).post("/api/classes/join", json={"code": made["code"], "name": f"student {i}"})
                    .status_code for i in range(301)]
        assert statuses[:300] == [201] * 300 and statuses[300] == 409  # full: NNVIZ_CLASS_MEMBERS is 300
        assert lecturer.get(f"/api/classes/{made['id']}").json()["member_count"] == 300


def test_a_members_job_keeps_the_locked_settings_and_is_stored_with_its_class(lecturer, room):
    made, ada = room
    base = f"/api/classes/{made['id']}"
    assert lecturer.put(f"{base}/assignment", json=ASSIGNMENT).status_code == 200
    job = {"class_id": made["id"], "data": SETUP["data"], "network": SETUP["network"],
           "training": SETUP["training"] | {"steps": 5}}
    mine = ada.post("/api/jobs", json=job | {"training": job["training"] | {"learning_rate": 0.3}})  # unlocked
    assert mine.status_code == 202, mine.text
    assert mine.json()["request"]["class_id"] == made["id"]
    stored = lecturer.app.state.services.store
    assert [row["id"] for row in stored.class_jobs(made["id"])] == [mine.json()["id"]]
    cases = [({"training": job["training"] | {"optimizer": "sgd"}}, "training.optimizer"),
             ({"network": {"hidden": [{"units": 9}], "init": "he"}}, "network.hidden"),
             ({"data": SETUP["data"] | {"noise": 0.3}}, "data.noise"),
             ({"network": SETUP["network"] | {"seed": 4}}, "network.seed")]
    for change, field in cases:
        refused = ada.post("/api/jobs", json=job | change)
        assert refused.status_code == 422 and field_of(refused) == [field], refused.text
        assert "locked by the class's assignment" in refused.json()["detail"][0]["msg"]
    network_id = mine.json()["network_id"]
    going_on = ada.post("/api/jobs", json=job | {"network": {"id": network_id}})
    assert going_on.status_code in (202, 409), going_on.text  # 409 while the first job still trains it
    stranger = person(lecturer).post("/api/jobs", json=job)
    assert stranger.status_code == 422 and field_of(stranger) == ["class_id"]
    anything = lecturer.post("/api/jobs", json=job | {"training": {"optimizer": "sgd", "steps": 5}})
    assert anything.status_code == 202  # the lecturer may try anything
    sweep = ada.post("/api/sweeps", json={"base": job, "axes": {"training.learning_rate": [0.1, 0.2]}})
    assert sweep.status_code == 422 and field_of(sweep) == ["base"]


def test_follow_me_moves_the_members_lesson_and_only_the_lecturer_leads(lecturer, room):
    made, ada = room
    base = f"/api/classes/{made['id']}"
    assert ada.put(f"{base}/follow", json={"section": "layers"}).status_code == 403
    assert person(lecturer).put(f"{base}/follow", json={"section": "layers"}).status_code == 404
    wrong = lecturer.put(f"{base}/follow", json={"section": "no-such-section"})
    assert wrong.status_code == 422 and field_of(wrong) == ["section"]
    with ada.stream("GET", f"{base}/events") as response:
        lines = response.iter_lines()
        assert read_event(lines) == ("assignment", {"version": 0, "state": "open"})
        started = time.monotonic()
        threading.Thread(target=lambda: lecturer.put(f"{base}/follow", json={"section": "layers"})).start()
        assert read_event(lines) == ("follow", {"section": "layers"})  # no new assignment: only the section
        assert time.monotonic() - started < DEADLINE
        threading.Thread(target=lambda: lecturer.put(f"{base}/follow", json={"section": None})).start()
        assert read_event(lines) == ("follow", {"section": None})
    lecturer.put(f"{base}/follow", json={"section": "spiral"})
    with ada.stream("GET", f"{base}/events") as response:  # a page that opens later goes there at once
        lines = response.iter_lines()
        assert [read_event(lines), read_event(lines)] == [("assignment", {"version": 0, "state": "open"}),
                                                          ("follow", {"section": "spiral"})]


def test_the_room_s_answers_are_counts_of_its_members_latest_answers_never_names(lecturer, room):
    made, ada = room
    base = f"/api/classes/{made['id']}"
    question = ada.get("/api/learn/questions").json()[0]
    answer = question["choices"][0]["value"] if question.get("choices") else 26
    for correct in (False, True):  # Ada's latest answer counts: right
        assert ada.post("/api/learn/answers", json={"question": question["id"], "answer": answer,
                                                    "correct": correct}).status_code == 201
    bob = person(lecturer)
    assert bob.post("/api/classes/join", json={"code": made["code"], "name": "Bob"}).status_code == 201
    assert bob.post("/api/learn/answers", json={"question": question["id"], "answer": answer,
                                                "correct": False}).status_code == 201
    stranger = person(lecturer)  # not in the class: not counted
    stranger.post("/api/learn/answers", json={"question": question["id"], "answer": answer, "correct": True})
    room_answers = lecturer.get(f"{base}/answers")
    assert room_answers.status_code == 200
    counts = {q["id"]: (q["right"], q["wrong"]) for q in room_answers.json()["questions"]}
    assert counts[question["id"]] == (1, 1) and room_answers.json()["members"] == 2
    assert all(sum(pair) == 0 for qid, pair in counts.items() if qid != question["id"])
    assert "Ada" not in room_answers.text and "Bob" not in room_answers.text
    assert ada.get(f"{base}/answers").status_code == 403
    assert stranger.get(f"{base}/answers").status_code == 404

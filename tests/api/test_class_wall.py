"""The wall over HTTP: the lecturer's snapshot and stream of tiles (members get 403, strangers 404),
a tile after a student plays, and the lecturer following a student's class job read-only."""

import time

import pytest
from fastapi.testclient import TestClient

from ..waiting import DEADLINE
from .conftest import assigned_class, class_server, join
from .test_class_leaderboard import SETUP
from .test_classes import read_event


@pytest.fixture(scope="module")
def lecturer(tmp_path_factory):
    yield from class_server(tmp_path_factory)


@pytest.fixture
def room(lecturer):
    with assigned_class(lecturer, "Wall", {"setup": SETUP, "unlocked": ["training.learning_rate"]}) as made:
        yield made, join(lecturer, made["code"], "Ada")


def play(student: TestClient, class_id: str, steps: int = 40) -> dict:
    job = {"class_id": class_id, "data": SETUP["data"], "network": SETUP["network"],
           "training": SETUP["training"] | {"steps": steps}}
    answer = student.post("/api/jobs?wait=true", json=job)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_the_wall_is_the_lecturer_s(lecturer, room):
    made, ada = room
    base = f"/api/classes/{made['id']}"
    assert ada.get(f"{base}/wall").status_code == 403
    stranger = TestClient(lecturer.app)
    assert stranger.get(f"{base}/wall").status_code == 404
    with ada.stream("GET", f"{base}/events") as response:  # a member's stream has no tiles
        lines = response.iter_lines()
        assert read_event(lines)[0] == "assignment"
    tiles = lecturer.get(f"{base}/wall").json()["tiles"]
    assert [(t["name"], t["flags"], t["job"]) for t in tiles] == [("Ada", ["not_started"], None)]


def test_a_student_s_tile_after_they_play_and_the_lecturer_follows_their_job(lecturer, room):
    made, ada = room
    base = f"/api/classes/{made['id']}"
    job = play(ada, made["id"])
    tile = lecturer.get(f"{base}/wall").json()["tiles"][0]
    assert tile["job"] == {"id": job["id"], "status": "done"} and tile["step"] == 40 and tile["flags"] == []
    assert tile["parameters"] == 2 * 4 + 4 + 4 * 2 + 2 and 0 <= tile["train"] <= 1 and tile["metric"] == "accuracy"
    assert tile["boundary"]["n"] == 16 and tile["boundary"]["kind"] == "classification"
    assert lecturer.get(f"/api/jobs/{job['id']}").json()["id"] == job["id"]  # the lecturer reads it
    with lecturer.stream("GET", f"/api/jobs/{job['id']}/events") as response:
        assert response.status_code == 200 and read_event(response.iter_lines())[0] == "done"
    assert lecturer.post(f"/api/jobs/{job['id']}/cancel").status_code == 404  # but only reads it
    grace = TestClient(lecturer.app)
    grace.post("/api/classes/join", json={"code": made["code"], "name": "Grace"})
    assert grace.get(f"/api/jobs/{job['id']}").status_code == 404  # another member does not


def test_the_lecturer_s_stream_sends_tiles_when_they_change(lecturer, room):
    made, ada = room
    base = f"/api/classes/{made['id']}"
    with lecturer.stream("GET", f"{base}/events") as response:
        lines = response.iter_lines()
        assert read_event(lines)[0] == "assignment"
        event, tiles = read_event(lines)
        assert event == "tiles" and [t["flags"] for t in tiles] == [["not_started"]]
        started = time.monotonic()
        job = play(ada, made["id"], steps=20)
        event, tiles = read_event(lines)
        assert event == "tiles" and tiles[0]["job"]["id"] == job["id"]
        assert time.monotonic() - started < DEADLINE

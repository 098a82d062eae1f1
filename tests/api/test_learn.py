"""The lesson's API: its questions, and each person's progress (sections read, answers) with a reset."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.services.lessons import QUESTIONS, SECTIONS

from .conftest import field_of


def _fresh(client: TestClient) -> TestClient:
    """Another visitor of the same server: a client of its own, so a cookie of its own."""
    return TestClient(client.app)


def test_the_questions_come_from_one_place_in_the_lesson_s_order(client):
    response = client.get("/api/learn/questions")
    assert response.status_code == 200
    questions = response.json()
    assert [q["id"] for q in questions] == [q.id for q in QUESTIONS]
    sections = [s.id for s in SECTIONS]
    assert {q["section"] for q in questions} == set(sections), "every section asks a question"
    assert [sections.index(q["section"]) for q in questions] == sorted(sections.index(q["section"]) for q in questions)
    params = next(q for q in questions if q["id"] == "layers-params")
    assert params["kind"] == "number" and params["choices"] == [] and params["threshold"] is None
    # A bar the page judges by is served with the question, and its text states that same bar.
    by_id = {q["id"]: q for q in questions}
    assert by_id["classifier-xor"]["threshold"] == 0.9 and "more than 90 %" in by_id["classifier-xor"]["text"]
    assert by_id["power-width"]["threshold"] == 0.9 and "R² of at least 0.9" in by_id["power-width"]["text"]
    assert by_id["nonlinearity-circle"]["threshold"] == 0.9


def test_a_new_person_has_read_nothing_and_answers_are_kept_per_person(client):
    alice, bob = _fresh(client), _fresh(client)
    progress = alice.get("/api/learn/progress").json()
    assert [s["id"] for s in progress["sections"]] == [s.id for s in SECTIONS]
    assert not any(s["read"] for s in progress["sections"]) and progress["answers"] == []

    assert alice.put("/api/learn/progress/neuron").status_code == 200
    assert alice.put("/api/learn/progress/neuron").status_code == 200  # twice: still read once
    wrong = alice.post("/api/learn/answers", json={"question": "layers-params", "answer": 36, "correct": False})
    assert wrong.status_code == 201
    right = alice.post("/api/learn/answers", json={"question": "layers-params", "answer": 41, "correct": True})
    progress = right.json()
    assert [s["id"] for s in progress["sections"] if s["read"]] == ["neuron"]
    assert [(a["question"], a["section"], a["answer"], a["correct"]) for a in progress["answers"]] == [
        ("layers-params", "layers", 41, True)]  # the latest answer
    assert alice.get("/api/learn/progress").json() == progress

    bobs = bob.get("/api/learn/progress").json()
    assert not any(s["read"] for s in bobs["sections"]) and bobs["answers"] == []


def test_a_reset_forgets_only_the_person_s_own_progress(client):
    alice, bob = _fresh(client), _fresh(client)
    for person in (alice, bob):
        person.put("/api/learn/progress/spiral")
        person.post("/api/learn/answers", json={"question": "spiral-linear", "answer": "50", "correct": True})
    assert alice.delete("/api/learn/progress").status_code == 204
    progress = alice.get("/api/learn/progress").json()
    assert not any(s["read"] for s in progress["sections"]) and progress["answers"] == []
    bobs = bob.get("/api/learn/progress").json()
    assert [s["id"] for s in bobs["sections"] if s["read"]] == ["spiral"] and len(bobs["answers"]) == 1


def test_an_unknown_section_is_a_404_that_names_the_sections(client):
    response = client.put("/api/learn/progress/neurons")
    assert response.status_code == 404
    assert "neurons" in response.json()["detail"] and "neuron," in response.json()["detail"]


def test_answers_are_checked_and_each_problem_names_its_field(client):
    def problems(body: dict) -> list[str]:
        response = client.post("/api/learn/answers", json=body)
        assert response.status_code == 422, response.text
        return field_of(response)

    assert problems({"question": "no-such-question", "answer": "yes", "correct": True}) == ["question"]
    assert problems({"question": "classifier-xor", "answer": "maybe", "correct": True}) == ["answer"]
    assert problems({"question": "classifier-xor", "answer": 1, "correct": True}) == ["answer"]
    assert problems({"question": "layers-params", "answer": "41", "correct": True}) == ["answer"]
    assert problems({"question": "layers-params", "answer": True, "correct": True}) == ["answer"]
    assert problems({"question": "layers-params", "answer": 41, "correct": "yes"}) == ["correct"]
    assert problems({"question": "layers-params", "answer": 41}) == ["correct"]
    assert problems({"question": 7, "answer": 41, "correct": True}) == ["question"]
    assert client.post("/api/learn/answers", json={"question": "layers-params", "answer": 41.0,
                                                   "correct": True}).status_code == 201

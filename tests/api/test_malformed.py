"""Every POST endpoint, fed malformed bodies: always a 4xx with a JSON message, never a 500."""

import copy
import json

import pytest
from fastapi.testclient import TestClient

from app.main import app as application
from app.services.experiments import EXPERIMENTS

from ..waiting import DEADLINE, wait_until
from .conftest import SPIRAL, open_client

BAD_BODIES = ["{", "null", "[]", '"text"', "42", "true", '{"a": NaN}', '{"a": 1e400}', "{}" * 2,
              json.dumps({"network": {"hidden": [{"units": 1e400}]}}), '{"inputs": [[NaN, 1]]}',
              json.dumps({"x": [[[[[[[[[[[]]]]]]]]]]]}), '{"input": [Infinity]}', "\x00\xff"]
BAD_VALUES = [None, "x", -1, 0, 1.5, True, [], {}, 1e300, "NaN"]

VALID = {
    "/api/networks": {"input_dim": 2, "hidden": [{"units": 3, "activation": "relu"}], "output_dim": 2},
    "/api/jobs": {"network": {"hidden": [{"units": 3, "activation": "relu", "slope": None}]}, "data": SPIRAL,
                  "training": {"steps": 5, "learning_rate": 0.1, "optimizer": "adam", "batch_size": 10},
                  "live": {"grid": 10, "interval_ms": 100}},
    "/api/gradcheck": {"network": {"hidden": [{"units": 3}]}, "data": {"name": "moons", "noise": 0.1}},
    "/api/datasets/preview": {"name": "gauss", "classes": 2, "noise": 0.1},
    "/api/figures/{kind}": {"spec": {"input_dim": 2, "hidden": [{"units": 3}], "output_dim": 2}, "seed": 1,
                            "data": {"name": "moons", "n_per_class": 20, "points": [[0.5, 0.5, 1]]}, "grid": 10},
    "/api/figures/neuron": {"w1": 1.0, "w2": -0.5, "b": 0.1, "activation": "tanh", "data": {"name": "xor"}, "grid": 10},
    "/api/networks/counts": {"input_dim": 3, "hidden": [{"units": 4, "activation": "maxout", "pieces": 3}],
                             "output_dim": 2},
    "/api/networks/forward": {"spec": {"input_dim": 2, "hidden": [{"units": 3}], "output_dim": 1}, "seed": 2,
                              "input": [0.5, -1.0]},
    "/api/networks/{network_id}/predict": {"inputs": [[0.1, 0.2]]},
    "/api/networks/{network_id}/forward": {"input": [0.1, 0.2]},
    "/api/networks/{network_id}/fork": {"training": {"learning_rate": 0.1}},
    "/api/experiments/capacity": {"units": [2, 3], "steps": 10, "data": {"name": "moons"}},
    "/api/sweeps": {"base": {"network": {"hidden": [{"units": 3}]}, "data": SPIRAL, "training": {"steps": 5}},
                    "axes": {"training.learning_rate": [0.1, 0.5], "network.hidden[*].activation": ["relu"]},
                    "seeds": 1},
    "/api/classes": {"title": "a class"},
    "/api/classes/join": {"code": "ZZZZZZ", "name": "Ada"},
    "/api/learn/answers": {"question": "layers-params", "answer": 41, "correct": True},
}


WITHOUT_BODY = ("/api/jobs/{job_id}/cancel", "/api/tokens", "/api/networks/{network_id}/share",
                "/api/shared/{token}/copy", "/api/sweeps/{sweep_id}/cancel", "/api/classes/{class_id}/end",
                "/api/classes/{class_id}/gallery/{submission_id}/copy")
# Bodies checked only for being malformed: a valid one needs a class and a member (test_class_leaderboard.py).
MALFORMED_ONLY = ("/api/classes/{class_id}/submissions",)


def post_paths() -> list[str]:
    return sorted(path for path, operations in application.openapi()["paths"].items() if "post" in operations)


def concrete(path: str, network_id: str) -> str:
    return (path.replace("{network_id}", network_id).replace("{job_id}", "nope").replace("{sweep_id}", "nope")
            .replace("{name}", "capacity").replace("{token}", "nope").replace("{kind}", "decision-boundary")
            .replace("{class_id}", "nope").replace("{submission_id}", "nope"))


def leaves(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list) and value:
        for i, item in enumerate(value):
            yield from leaves(item, (*path, i))
    else:
        yield path


def replaced(body, path, new):
    body = copy.deepcopy(body)
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = new
    return body


def check(response):
    # A full queue answers 503 with Retry-After by design (values that are still valid start jobs).
    busy = response.status_code == 503 and "retry-after" in response.headers
    assert response.status_code < 500 or busy, response.text
    assert response.headers["content-type"].startswith("application/json")
    json.loads(response.text, parse_constant=pytest.fail)
    return response


def test_every_post_endpoint_is_covered():
    experiments = {f"/api/experiments/{name}" for name in EXPERIMENTS}
    covered = (set(VALID) | set(WITHOUT_BODY) | set(MALFORMED_ONLY) | experiments
               | {"/api/datasets", "/api/networks/import", "/api/classes/import"})
    assert set(post_paths()) == covered


@pytest.mark.parametrize("path", post_paths())
def test_malformed_bodies_are_4xx(client, network, path):
    url = concrete(path, network["id"])
    for body in BAD_BODIES:
        if body == "null" and path.startswith("/api/experiments/") and path != "/api/experiments/capacity":
            continue  # null asks for the defaults: one such run (capacity's, the quickest) is enough
        response = check(client.post(url, content=body, headers={"content-type": "application/json"}))
        if path not in WITHOUT_BODY and (path, body) != ("/api/experiments/capacity", "null"):
            assert 400 <= response.status_code < 500, (body, response.text)


def drain(client, timeout: float = DEADLINE) -> None:
    """Cancel every queued or running job and wait until they have ended: a sweep whose replaced
    values are still valid starts jobs (and a null body starts an experiment with its defaults),
    and a full queue would answer the next test's valid body with 503. Cancelled rather than waited
    for: what they would compute is not what these tests check."""
    def busy() -> list[dict]:
        return [job for job in client.get("/api/jobs?limit=1000").json() if job["status"] in ("queued", "running")]

    for job in busy():
        client.post(f"/api/jobs/{job['id']}/cancel")
    wait_until(lambda: not busy(), timeout, "no job to be queued or running")


@pytest.mark.parametrize("path", sorted(VALID))
def test_each_field_with_wrong_values(client, network, path):
    url = concrete(path, network["id"])
    valid = VALID[path]
    if path == "/api/classes/join":  # a class someone else leads, so that the body is valid
        valid = valid | {"code": TestClient(client.app).post("/api/classes", json={"title": "x"}).json()["code"]}
    drain(client)
    assert check(client.post(url, json=valid)).status_code in (200, 201, 202)
    for leaf in leaves(valid):
        for value in BAD_VALUES:
            check(client.post(url, json=replaced(valid, leaf, value)))
        if isinstance(leaf[-1], str):  # the leaf sits in an object: add a sibling nobody knows
            check(client.post(url, json=replaced(valid, (*leaf[:-1], "unknown_field"), 1)))


def test_form_endpoint_without_a_file(client):
    assert check(client.post("/api/datasets", json={"file": "x"})).status_code == 422
    assert check(client.post("/api/datasets", content=b"--x\r\n", headers={"content-type": "multipart/form-data"}))


def test_import_with_wrong_values(client, network):
    document = client.get(f"/api/networks/{network['id']}/export").json()
    assert check(client.post("/api/networks/import", json=document)).status_code == 201
    for leaf in [("format",), ("version",), ("spec",), ("weights",), ("history",), ("data",), ("steps_trained",),
                 ("weights", "W1"), ("spec", "hidden")]:
        for value in BAD_VALUES:
            response = check(client.post("/api/networks/import", json=replaced(document, leaf, value)))
            assert response.status_code in (201, 422)


def test_class_import_with_wrong_values(tmp_path):
    """Each leaf of a class's export (with an assignment and a member) replaced by a wrong value: a
    4xx naming the problem, never a 500. The classes made are ended, so the importer keeps room; its
    server does not limit imports per address (each of these requests would count)."""
    with open_client(tmp_path, workers=1, precompute_experiments=False, address_imports_per_minute=0) as importer:
        check_class_import(importer)


def check_class_import(importer: TestClient) -> None:
    made = importer.post("/api/classes", json={"title": "x"}).json()
    setup = {"data": {"name": "xor", "n_per_class": 10}, "network": {"hidden": [{"units": 2}]}}
    assert importer.put(f"/api/classes/{made['id']}/assignment", json={
        "setup": setup, "hidden_test": {"points": [[0.5, 0.5, 1]]}}).status_code == 200
    joined = TestClient(importer.app).post("/api/classes/join", json={"code": made["code"], "name": "Ada"})
    assert joined.status_code == 201
    document = importer.get(f"/api/classes/{made['id']}/export").json()
    importer.post(f"/api/classes/{made['id']}/end")
    for leaf in leaves(document):
        for value in BAD_VALUES:
            response = check(importer.post("/api/classes/import", json=replaced(document, leaf, value)))
            assert response.status_code in (201, 422), (leaf, value, response.text)
            if response.status_code == 201:
                importer.post(f"/api/classes/{response.json()['id']}/end")

"""Everyone's own networks: anonymous owners by cookie or token, 404 across owners, share links."""

import re
import subprocess
import sys

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from .conftest import SMALL_JOB, open_client, two_people, wait_status


@pytest.fixture(scope="module")
def people(tmp_path_factory):
    """Alice and Bob on a server where a person keeps at most 5 networks (conftest's, with a limit)."""
    with two_people(tmp_path_factory.mktemp("owners"), person_networks=5) as pair:
        yield pair


@pytest.fixture(scope="module")
def alices(people):
    """A trained network of Alice's, its job, a sweep, an upload and a share link of hers."""
    alice, _ = people
    job = alice.post("/api/jobs?wait=true", json=SMALL_JOB).json()
    assert job["status"] == "done"
    upload = alice.post("/api/datasets", files={"file": ("d.csv", "0,0,a\n1,1,b\n0,1,a\n1,0,b\n")},
                        data={"task": "classification"}).json()
    sweep = alice.post("/api/sweeps?wait=true", json={"base": SMALL_JOB, "axes": {"training.learning_rate": [0.1]},
                                                      "seeds": 1}).json()
    assert sweep["status"] == "done"
    share = alice.post(f"/api/networks/{job['network_id']}/share").json()
    token = alice.post("/api/tokens").json()
    lectured = alice.post("/api/classes", json={"title": "Alice's class"}).json()
    carol = TestClient(alice.app)
    member = carol.post("/api/classes/join", json={"code": lectured["code"], "name": "Carol"}).json()
    class_base = f"/api/classes/{lectured['id']}"
    assert alice.put(f"{class_base}/assignment", json={"setup": SMALL_JOB | {"training": {}}}).status_code == 200
    carols = carol.post("/api/jobs?wait=true", json=SMALL_JOB | {"class_id": lectured["id"]}).json()
    assert carol.post(f"{class_base}/submissions", json={"network_id": carols["network_id"]}).status_code == 201
    submission = alice.get(f"{class_base}/leaderboard").json()["entries"][0]["id"]
    assert alice.put(f"{class_base}/gallery/{submission}", json={"caption": "Carol's"}).status_code == 200
    return {"job": job["id"], "network": job["network_id"], "upload": upload["id"], "sweep": sweep["id"],
            "share": share["token"], "token": token["id"], "class": lectured["id"], "member": member["you"]["id"],
            "submission": submission}


def test_a_visitor_gets_a_signed_http_only_cookie_on_the_first_request(tmp_path):
    with open_client(tmp_path, workers=1) as client:
        response = client.get("/")
        cookie = response.headers["set-cookie"]
        assert cookie.startswith("nnviz_owner=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert "Secure" not in cookie  # plain HTTP: a Secure cookie would never come back
        owner = client.get("/api/me").json()["owner"]
        assert "set-cookie" not in client.get("/api/me").headers  # the cookie is kept, not renewed
        value = client.cookies["nnviz_owner"]
        assert value.startswith(owner + ".")
        forged = TestClient(client.app, cookies={"nnviz_owner": owner + ".0000"})
        assert forged.get("/api/me").json()["owner"] != owner  # a bad signature names nobody
        assert "set-cookie" not in client.get("/api/health").headers
        over_https = TestClient(client.app, base_url="https://testserver")
        assert "Secure" in over_https.get("/api/me").headers["set-cookie"]


# A path parameter naming one of someone's own resources, and which of Alice's fills it in.
OWNED = {"network_id": "network", "job_id": "job", "sweep_id": "sweep", "upload_id": "upload", "token_id": "token",
         "share_token": "share", "class_id": "class", "member_id": "member", "submission_id": "submission"}
# Share links are public by design: whoever holds the token sees the network and may copy it
# (test_a_share_link_shows_the_network_read_only_and_opens_a_copy); a wrong token is a 404 there.
# Revoking one is its owner's (share_token, above).
# A class's code is what its students type to join: the join page is the same form for anyone, and a
# wrong code is a 422 naming the field (tests/api/test_classes.py).
PUBLIC = {"token", "code"}
# Pages that are the same shell for anyone, the id as given; everything on them comes from the API
# routes above (a stranger's class is a 404 there).
SHELLS = {("GET", "/classes/{class_id}"), ("GET", "/classes/{class_id}/wall")}
# Path parameters that name no stored resource (a figure kind, an activation, plotly's version, a
# section of the lesson: each person's progress through it is their own by their identity alone).
NOT_RESOURCES = {"kind", "name", "version", "section"}
# A valid body for each route on someone's resource that needs one, so that what answers is the
# owner check, not the body's validation.
BODIES = {
    ("PATCH", "/api/networks/{network_id}"): {"name": "Bob's now"},
    ("PATCH", "/api/networks/{network_id}/weights"): {"layer": 1, "i": 0, "j": 0, "value": 42.0},
    ("POST", "/api/networks/{network_id}/predict"): {"inputs": [[0.1, 0.2]]},
    ("POST", "/api/networks/{network_id}/forward"): {"input": [0.1, 0.2]},
    ("POST", "/api/networks/{network_id}/fork"): {"training": {"learning_rate": 0.1}},
    ("PATCH", "/api/classes/{class_id}"): {"joining": False},
    ("POST", "/api/classes/{class_id}/submissions"): {"network_id": "0123456789abcdef"},
    ("PUT", "/api/classes/{class_id}/gallery/{submission_id}"): {"caption": "Bob's now"},
    ("PATCH", "/api/classes/{class_id}/members/{member_id}"): {"name": "Bob's now"},
    ("PUT", "/api/classes/{class_id}/assignment"): {"setup": {"data": {"name": "xor"}}, "prompt": "Bob's now"},
    ("PUT", "/api/classes/{class_id}/follow"): {"section": "layers"},
    ("PUT", "/api/classes/{class_id}/crowd"): {"setting": "training.learning_rate"},
}
HAND_WRITTEN = 12  # the routes the list written by hand had before it was derived from the app


def path_parameters(path: str) -> list[str]:
    return re.findall(r"{(\w+)(?::\w+)?}", path)


def app_routes(app) -> list[tuple[str, str]]:
    """Every (method, path) the app serves, pages and routes left out of the schema included."""
    return sorted((method, context.path) for context in iter_route_contexts(app.routes)
                  if isinstance(context.original_route, APIRoute) for method in context.methods)


def routes_on_owned_resources(app) -> list[tuple[str, str]]:
    """The routes whose path names one of someone's resources."""
    return [(method, path) for method, path in app_routes(app)
            if set(path_parameters(path)) & set(OWNED) and (method, path) not in SHELLS]


def filled_in(app, method: str, path: str, ids: dict[str, str]) -> list[str]:
    """``path`` with Alice's ids, once for each value the schema allows for any other parameter
    (every figure kind)."""
    operation = app.openapi()["paths"][path][method.lower()]
    enums = {p["name"]: p["schema"].get("enum") for p in operation.get("parameters", []) if p["in"] == "path"}
    paths = [path]
    for name in path_parameters(path):
        values = [ids[OWNED[name]]] if name in OWNED else enums.get(name)
        assert values, f"{method} {path}: give {{{name}}} a value in this test"
        paths = [filled.replace(f"{{{name}}}", value) for filled in paths for value in values]
    return paths


def test_every_route_on_someone_s_resource_is_covered(people):
    """A route added tomorrow with a new kind of id, or with a body, fails here until this file says
    whose resource it names (OWNED) and what to send (BODIES)."""
    app = people[0].app
    parameters = {name for _, path in app_routes(app) for name in path_parameters(path)}
    assert parameters <= set(OWNED) | PUBLIC | NOT_RESOURCES, parameters - set(OWNED) - PUBLIC - NOT_RESOURCES
    routes = routes_on_owned_resources(app)
    assert len(routes) >= HAND_WRITTEN and {("PATCH", "/api/networks/{network_id}")} <= set(routes)
    paths = app.openapi()["paths"]
    with_bodies = {(method, path) for method, path in routes
                   if paths[path][method.lower()].get("requestBody", {}).get("required")}
    assert with_bodies == set(BODIES)


def snapshot(alice, ids: dict[str, str]) -> list:
    """Everything of Alice's that a stranger's request could change."""
    return [alice.get(f"/api/networks/{ids['network']}/export").json(),
            alice.get(f"/api/networks/{ids['network']}").json(),
            alice.get(f"/api/jobs/{ids['job']}").json(),
            alice.get(f"/api/sweeps/{ids['sweep']}").json(),
            alice.post("/api/datasets/preview", json={"id": ids["upload"]}).json(),
            [token["id"] for token in alice.get("/api/tokens").json()],
            [upload["id"] for upload in alice.get("/api/uploads").json()],
            [share["token"] for share in alice.get("/api/shares").json()],
            alice.get(f"/api/classes/{ids['class']}").json(),
            alice.get(f"/api/classes/{ids['class']}/assignment").status_code,
            alice.get(f"/api/classes/{ids['class']}/leaderboard").json(),
            alice.get(f"/api/classes/{ids['class']}/gallery").json(),
            alice.get(f"/api/shared/{ids['share']}").status_code]


def test_someone_elses_resources_are_not_there_on_any_route(people, alices):
    alice, bob = people
    before = snapshot(alice, alices)
    assert before[-1] == 200
    nobodys = {kind: str(digit) * len(value) for digit, (kind, value) in enumerate(alices.items())}
    for method, template in routes_on_owned_resources(alice.app):
        body = BODIES.get((method, template))
        named = alices[OWNED[path_parameters(template)[0]]]
        for path, never_path in zip(filled_in(alice.app, method, template, alices),
                                    filled_in(alice.app, method, template, nobodys)):
            response = bob.request(method, path, json=body)
            assert response.status_code == 404, (method, path, response.text)
            assert named in response.json()["detail"], (method, path, response.text)
            # The same answer as for an id that never existed: nothing leaks whether it does.
            never = bob.request(method, never_path, json=body)
            never_detail = never.json()["detail"]
            for kind, value in alices.items():
                never_detail = never_detail.replace(nobodys[kind], value)
            assert (response.status_code, response.json()["detail"]) == (never.status_code, never_detail), path
    assert snapshot(alice, alices) == before  # none of Bob's requests changed anything of Alice's


def test_someone_elses_resources_named_in_a_body_are_not_there(people, alices):
    alice, bob = people
    network, data = alices["network"], {"id": alices["upload"]}
    for method, path, body in [
        ("POST", "/api/jobs", {"network": {"id": network}, "data": SMALL_JOB["data"]}),
        ("POST", "/api/datasets/preview", data),
        ("POST", "/api/jobs", {"network": {"hidden": [{"units": 3}]}, "data": data}),
    ]:
        response = bob.request(method, path, json=body)
        assert response.status_code == 404, (method, path, response.text)
    assert alice.post("/api/datasets/preview", json=data).status_code == 200


def test_lists_show_only_your_own(people, alices):
    alice, bob = people
    bobs = bob.post("/api/jobs?wait=true", json=SMALL_JOB).json()
    assert [n["id"] for n in bob.get("/api/networks").json()] == [bobs["network_id"]]
    assert [j["id"] for j in bob.get("/api/jobs").json()] == [bobs["id"]]
    assert alices["network"] in [n["id"] for n in alice.get("/api/networks").json()]
    assert bobs["network_id"] not in [n["id"] for n in alice.get("/api/networks").json()]
    assert bobs["id"] not in [j["id"] for j in alice.get("/api/jobs").json()]


def test_a_token_names_the_same_owner_as_the_cookie(people, alices):
    alice, _ = people
    token = alice.post("/api/tokens").json()["token"]
    script = TestClient(alice.app)  # no cookie: the token alone
    headers = {"Authorization": f"Bearer {token}"}
    assert script.get("/api/me", headers=headers).json() == alice.get("/api/me").json()
    assert alices["network"] in [n["id"] for n in script.get("/api/networks", headers=headers).json()]
    assert "set-cookie" not in script.get("/api/me", headers=headers).headers
    assert script.delete("/api/tokens", headers=headers).status_code == 204
    refused = script.get("/api/networks", headers=headers)
    assert refused.status_code == 401 and "token" in refused.json()["detail"]


def test_a_share_link_shows_the_network_read_only_and_opens_a_copy(people, alices):
    alice, bob = people
    link = alice.post(f"/api/networks/{alices['network']}/share")
    assert link.status_code == 201
    token = link.json()["token"]
    assert len(token) >= 40 and link.json()["url"] == f"/shared/{token}"
    shared = bob.get(f"/api/shared/{token}").json()
    assert shared["id"] == alices["network"] and shared["steps_trained"] == 20
    figure = bob.get(f"/api/shared/{token}/figures/decision-boundary?grid=20")
    assert figure.status_code == 200 and figure.json()["data"]
    copy = bob.post(f"/api/shared/{token}/copy").json()
    assert copy["id"] != alices["network"] and copy["steps_trained"] == 20
    assert bob.get(f"/api/networks/{copy['id']}/export").json()["weights"] == \
        alice.get(f"/api/networks/{alices['network']}/export").json()["weights"]
    assert bob.get(f"/shared/{token}").status_code == 200  # the page
    assert alice.delete(f"/api/networks/{alices['network']}/share?token={token}").status_code == 204
    assert bob.get(f"/api/shared/{token}").status_code == 404
    assert bob.post(f"/api/shared/{token}/copy").status_code == 404


def test_one_person_keeps_at_most_the_networks_the_limit_allows(tmp_path):
    with open_client(tmp_path, workers=1, person_networks=2) as client:
        spec = {"input_dim": 2, "hidden": [], "output_dim": 2}
        for _ in range(2):
            assert client.post("/api/networks", json=spec).status_code == 201
        refused = client.post("/api/networks", json=spec)
        assert refused.status_code == 429 and "2 networks" in refused.json()["detail"]
        assert refused.headers["retry-after"]
        assert client.post("/api/jobs", json=SMALL_JOB).status_code == 429
        other = TestClient(client.app)
        assert other.post("/api/networks", json=spec).status_code == 201  # a limit per person


def test_networks_from_before_owners_are_nobodys_until_an_operator_adopts_them(tmp_path):
    import shutil

    from tests.services.test_store import FIXTURE

    shutil.copy(FIXTURE, tmp_path / "nnviz.sqlite3")
    with open_client(tmp_path, workers=1) as client:
        assert client.get("/api/networks").json() == []
        owner = client.get("/api/me").json()["owner"]
    result = subprocess.run([sys.executable, "-m", "app", "adopt", owner], capture_output=True, text=True,
                            env={"NNVIZ_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}, check=True)
    assert "2 networks, 2 jobs, 1 uploads now belong to" in result.stdout
    with open_client(tmp_path, workers=1) as client:
        client.cookies = {"nnviz_owner": client.app.state.services.owners.cookie(owner)}
        assert len(client.get("/api/networks").json()) == 2
        job = next(j for j in client.get("/api/jobs").json() if j["kind"] == "train")
        assert wait_status(client, job["id"])["status"] == "done"


@pytest.mark.parametrize("cookie", [b"nnviz_owner=abc.\xc3\xa9", b"nnviz_owner=\xff.\xff", b"nnviz_owner=\xe9t\xe9"])
def test_a_cookie_with_bytes_beyond_ascii_names_nobody(people, cookie):
    alice, _ = people
    stranger = TestClient(alice.app)
    response = stranger.get("/api/me", headers=[(b"cookie", cookie)])
    assert response.status_code == 200
    assert response.json()["owner"] != alice.get("/api/me").json()["owner"]
    assert response.headers["set-cookie"].startswith("nnviz_owner=")  # a new identity, as without a cookie


@pytest.mark.parametrize("token", [b"\xc3\xa9t\xc3\xa9", b"\xff", b"a\x00b"])
def test_a_bearer_token_with_bytes_beyond_ascii_is_unknown(people, token):
    alice, _ = people
    response = TestClient(alice.app).get("/api/networks", headers=[(b"authorization", b"Bearer " + token)])
    assert response.status_code == 401
    assert "unknown or revoked token" in response.json()["detail"]

"""Everyone's own networks: anonymous owners by cookie or token, 404 across owners, share links."""

import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from .conftest import SPIRAL, open_client, wait_status

SMALL = {"network": {"hidden": [{"units": 4}]}, "data": SPIRAL | {"n_per_class": 20}, "training": {"steps": 20}}


@pytest.fixture(scope="module")
def people(tmp_path_factory):
    """Alice and Bob: two visitors (separate cookie jars) of one server."""
    with open_client(tmp_path_factory.mktemp("owners"), workers=1, person_networks=5) as alice:
        yield alice, TestClient(alice.app)


@pytest.fixture(scope="module")
def alices(people):
    """A trained network of Alice's, its job and an upload of hers."""
    alice, _ = people
    job = alice.post("/api/jobs?wait=true", json=SMALL).json()
    assert job["status"] == "done"
    upload = alice.post("/api/datasets", files={"file": ("d.csv", "0,0,a\n1,1,b\n0,1,a\n1,0,b\n")},
                        data={"task": "classification"}).json()
    return {"job": job["id"], "network": job["network_id"], "upload": upload["id"]}


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


def test_someone_elses_network_is_not_there(people, alices):
    alice, bob = people
    network = alices["network"]
    assert alice.get(f"/api/networks/{network}").status_code == 200
    for method, path, body in [
        ("GET", f"/api/networks/{network}", None),
        ("GET", f"/api/networks/{network}/export", None),
        ("GET", f"/api/networks/{network}/figures/topology", None),
        ("GET", f"/api/networks/{network}/figures/training", None),
        ("POST", f"/api/networks/{network}/predict", {"inputs": [[0.1, 0.2]]}),
        ("POST", f"/api/networks/{network}/forward", {"input": [0.1, 0.2]}),
        ("POST", f"/api/networks/{network}/share", None),
        ("DELETE", f"/api/networks/{network}/share", None),
        ("POST", "/api/jobs", {"network": {"id": network}, "data": SMALL["data"]}),
        ("DELETE", f"/api/networks/{network}", None),
    ]:
        response = bob.request(method, path, json=body)
        assert response.status_code == 404, (method, path, response.text)
        assert network in response.json()["detail"]  # the same answer as for an id that never existed
    assert alice.get(f"/api/networks/{network}").status_code == 200  # Bob's delete did nothing


def test_someone_elses_job_and_upload_are_not_there(people, alices):
    alice, bob = people
    job = alices["job"]
    for method, path in [("GET", f"/api/jobs/{job}"), ("GET", f"/api/jobs/{job}/events"),
                         ("POST", f"/api/jobs/{job}/cancel")]:
        assert bob.request(method, path).status_code == 404, path
    data = {"id": alices["upload"]}
    assert bob.post("/api/datasets/preview", json=data).status_code == 404
    assert bob.post("/api/jobs", json={"network": {"hidden": [{"units": 3}]}, "data": data}).status_code == 404
    assert alice.post("/api/datasets/preview", json=data).status_code == 200


def test_lists_show_only_your_own(people, alices):
    alice, bob = people
    bobs = bob.post("/api/jobs?wait=true", json=SMALL).json()
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
        assert client.post("/api/jobs", json=SMALL).status_code == 429
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

"""Answers that depend on who asks are private: no shared cache (a school's proxy) may keep one
person's networks, jobs or token for the next. Public answers keep their public caching; the pages
may not be framed by another site; a share link shows nothing of the sharer's own."""

import pytest
from fastapi.testclient import TestClient

from app.pages.routes import static_files

from .conftest import SMALL_JOB
from .test_jobs import read_events

NO_STORE = "private, no-store"


@pytest.fixture(scope="module")
def alices(people) -> dict:
    """Alice's trained job and network, a sweep of hers and an upload."""
    alice, _ = people
    job = alice.post("/api/jobs?wait=true", json=SMALL_JOB).json()
    sweep = alice.post("/api/sweeps?wait=true", json={"base": SMALL_JOB, "axes": {"training.learning_rate": [0.1, 1.0]},
                                                       "seeds": 1}).json()
    upload = alice.post("/api/datasets", files={"file": ("d.csv", "0,0,a\n1,1,b\n0,1,a\n1,0,b\n")},
                        data={"task": "classification"}).json()
    assert job["status"] == "done" and sweep["status"] == "done"
    return {"job": job["id"], "network": job["network_id"], "sweep": sweep["id"], "upload": upload["id"]}


@pytest.mark.parametrize("path", [
    "/api/networks", "/api/networks/{network}", "/api/networks/{network}/export", "/api/jobs", "/api/jobs/{job}",
    "/api/sweeps/{sweep}", "/api/sweeps/{sweep}/table.csv", "/api/sweeps/{sweep}/figures/lines", "/api/me",
    "/api/networks/nonexistent",
])
def test_answers_about_someone_are_kept_nowhere(people, alices, path):
    response = people[0].get(path.format(**alices))
    assert response.status_code in (200, 404), response.text
    assert response.headers["cache-control"] == NO_STORE


def test_a_new_token_and_a_new_network_are_kept_nowhere(people):
    alice, _ = people
    token = alice.post("/api/tokens")
    assert token.status_code == 201 and token.headers["cache-control"] == NO_STORE
    created = alice.post("/api/networks", json={"input_dim": 2, "output_dim": 2})
    assert created.status_code == 201 and created.headers["cache-control"] == NO_STORE
    bearer = {"authorization": f"Bearer {token.json()['token']}"}
    with_token = TestClient(alice.app).get("/api/networks", headers=bearer)
    assert with_token.status_code == 200 and with_token.headers["cache-control"] == NO_STORE


def test_a_networks_figures_are_private_and_still_revalidate(people, alices):
    alice, _ = people
    path = f"/api/networks/{alices['network']}/figures/topology"
    first = alice.get(path)
    assert first.headers["cache-control"] == "private, no-cache"
    again = alice.get(path, headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304 and again.headers["cache-control"] == "private, no-cache"


def test_a_jobs_events_are_private(people, alices):
    alice, _ = people
    with alice.stream("GET", f"/api/jobs/{alices['job']}/events") as response:
        assert response.headers["cache-control"] == "private, no-cache"
    assert read_events(alice, alices["job"])[-1][0] == "done"


def test_public_answers_stay_public_and_carry_no_cookie(people):
    for path in ("/api/activations", "/api/datasets", f"/static/{static_files.version}/js/api.js"):
        response = TestClient(people[0].app).get(path)
        assert response.status_code == 200
        assert response.headers["cache-control"].startswith("public, max-age=")
        assert "set-cookie" not in response.headers


def test_pages_are_private_and_may_not_be_framed(people):
    for path in ("/", "/sweeps", "/docs"):
        page = TestClient(people[0].app).get(path)
        assert page.status_code == 200 and "set-cookie" in page.headers
        assert page.headers["cache-control"] == "private, no-cache"
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


def test_a_shared_network_shows_nothing_of_the_sharers_own(people, alices):
    alice, bob = people
    network = alice.post("/api/networks", json={"hidden": [{"units": 3}], "name": "mine",
                                               "data": {"id": alices["upload"], "seed": 3}}).json()
    assert network["data"]["id"] == alices["upload"]
    token = alice.post(f"/api/networks/{network['id']}/share").json()["token"]
    shared = bob.get(f"/api/shared/{token}")
    assert shared.status_code == 200
    assert shared.json()["data"] == {"test_fraction": 0.0, "seed": 3}
    assert alices["upload"] not in shared.text and "owner" not in shared.text
    for kind in ("decision-boundary", "training", "topology"):
        figure = bob.get(f"/api/shared/{token}/figures/{kind}?grid=10")
        assert figure.status_code == 200 and alices["upload"] not in figure.text
    copy = bob.post(f"/api/shared/{token}/copy").json()
    assert copy["data"]["id"] != alices["upload"]  # the copy has an upload of its own

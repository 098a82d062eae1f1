"""What one person may hold: tokens, share links, uploads and event streams are capped per person,
answering 429 with the limit's name; each can be listed and revoked or deleted; a stranger's ids
are not there (404)."""

import os
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import httpx
import pytest
from fastapi.testclient import TestClient

from ..servers import app_server
from ..waiting import wait_until
from .conftest import SPIRAL, open_client

CSV = "0.1,0.2,a\n0.3,0.4,b\n" * 50  # 1,000 characters
DAY = 24 * 3600.0


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with open_client(tmp_path_factory.mktemp("caps"), workers=1, person_tokens=3, person_shares=2,
                     person_networks=2, person_upload_bytes=5 * len(CSV)) as client:
        yield client


def person(server) -> TestClient:
    """A new visitor of the server (a cookie jar of their own)."""
    return TestClient(server.app)


def upload(client, text: str = CSV):
    return client.post("/api/datasets", files={"file": ("d.csv", text)}, data={"task": "classification"})


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_tokens_are_capped_listed_and_revoked(server):
    ann, stranger = person(server), person(server)
    minted = [ann.post("/api/tokens") for _ in range(3)]
    assert [response.status_code for response in minted] == [201] * 3
    assert all("no-store" in response.headers["cache-control"].split(", ") for response in minted)
    refused = ann.post("/api/tokens")
    assert refused.status_code == 429 and refused.headers["retry-after"]
    assert "3 tokens" in refused.json()["detail"] and "NNVIZ_PERSON_TOKENS" in refused.json()["detail"]
    tokens = [response.json() for response in minted]
    listed = ann.get("/api/tokens").json()
    assert sorted(token["id"] for token in listed) == sorted(token["id"] for token in tokens)
    assert all(token["token"] not in str(listed) for token in tokens)  # never the token itself
    assert {token["prefix"] for token in listed} == {token["token"][:8] for token in tokens}
    assert all(token["expires_at"] > token["created_at"] for token in listed)
    assert stranger.get("/api/tokens").json() == []
    assert stranger.delete(f"/api/tokens/{tokens[0]['id']}").status_code == 404
    assert ann.delete(f"/api/tokens/{tokens[0]['id']}").status_code == 204
    gone = TestClient(server.app).get("/api/me", headers=bearer(tokens[0]["token"]))
    assert gone.status_code == 401 and "revoked" in gone.json()["detail"]
    script = TestClient(server.app)
    assert script.get("/api/me", headers=bearer(tokens[1]["token"])).json() == ann.get("/api/me").json()
    assert script.delete("/api/tokens?all=true", headers=bearer(tokens[1]["token"])).status_code == 204
    assert script.get("/api/me", headers=bearer(tokens[2]["token"])).status_code == 401
    assert ann.get("/api/tokens").json() == [] and ann.post("/api/tokens").status_code == 201


def test_an_expired_token_answers_401_saying_so(server):
    ann = person(server)
    token = ann.post("/api/tokens").json()["token"]
    owners = server.app.state.services.owners
    assert owners.token_ttl == 90 * DAY  # the default
    real_clock = owners.clock
    owners.clock = lambda: real_clock() + 90 * DAY + 1
    try:
        refused = TestClient(server.app).get("/api/networks", headers=bearer(token))
    finally:
        owners.clock = real_clock
    assert refused.status_code == 401 and "expired" in refused.json()["detail"]
    assert refused.headers["www-authenticate"] == "Bearer"


def test_a_new_secret_key_ends_every_cookie_and_every_token(tmp_path):
    with open_client(tmp_path, workers=1, secret_key="first") as before:
        owner = before.get("/api/me").json()["owner"]
        token = before.post("/api/tokens").json()["token"]
        cookie = before.cookies["nnviz_owner"]
    with open_client(tmp_path, workers=1, secret_key="second") as after:
        refused = after.get("/api/me", headers=bearer(token))
        assert refused.status_code == 401 and "secret key changed" in refused.json()["detail"]
        after.cookies = {"nnviz_owner": cookie}
        assert after.get("/api/me").json()["owner"] != owner


def test_share_links_are_capped_listed_and_revoked(server):
    ann, stranger = person(server), person(server)
    network = ann.post("/api/networks", json={"input_dim": 2, "output_dim": 2, "hidden": [], "name": "mine"}).json()
    links = [ann.post(f"/api/networks/{network['id']}/share") for _ in range(2)]
    assert [link.status_code for link in links] == [201, 201]
    refused = ann.post(f"/api/networks/{network['id']}/share")
    assert refused.status_code == 429 and "2 share links" in refused.json()["detail"]
    assert "NNVIZ_PERSON_SHARES" in refused.json()["detail"]
    listed = ann.get("/api/shares").json()
    assert sorted(share["token"] for share in listed) == sorted(link.json()["token"] for link in links)
    assert {(share["network_id"], share["network_name"]) for share in listed} == {(network["id"], "mine")}
    token = listed[0]["token"]
    assert stranger.get("/api/shares").json() == []
    assert stranger.delete(f"/api/shares/{token}").status_code == 404
    assert stranger.get(f"/api/shared/{token}").status_code == 200  # the link still opens
    assert ann.delete(f"/api/shares/{token}").status_code == 204
    assert stranger.get(f"/api/shared/{token}").status_code == 404
    assert ann.post(f"/api/networks/{network['id']}/share").status_code == 201  # room again


def test_parallel_uploads_never_pass_the_limit(server):
    ann = person(server)
    ann.get("/api/me")  # the cookie first: twelve first requests would be twelve people
    barrier = Barrier(12)

    def attempt(_):
        barrier.wait()
        return upload(ann).status_code

    with ThreadPoolExecutor(12) as pool:
        statuses = sorted(pool.map(attempt, range(12)))
    assert statuses == [201] * 5 + [429] * 7
    assert sum(item["bytes"] for item in ann.get("/api/uploads").json()) == 5 * len(CSV)


def test_refused_copies_of_a_shared_network_store_nothing(server):
    ann, bob = person(server), person(server)
    data = {"id": upload(ann).json()["id"]}
    network = ann.post("/api/networks", json={"hidden": [{"units": 3}], "data": data}).json()
    token = ann.post(f"/api/networks/{network['id']}/share").json()["token"]
    for _ in range(2):
        assert bob.post("/api/networks", json={"input_dim": 2, "output_dim": 2, "hidden": []}).status_code == 201
    for _ in range(20):
        refused = bob.post(f"/api/shared/{token}/copy")
        assert refused.status_code == 429 and "2 networks" in refused.json()["detail"]
    assert bob.get("/api/uploads").json() == [] and len(bob.get("/api/networks").json()) == 2
    carol = person(server)  # room for networks, none for the upload that comes with the copy
    assert upload(carol, CSV * 5).status_code == 201
    refused = carol.post(f"/api/shared/{token}/copy")
    assert refused.status_code == 429 and "NNVIZ_PERSON_UPLOAD_BYTES" in refused.json()["detail"]
    assert len(carol.get("/api/uploads").json()) == 1 and carol.get("/api/networks").json() == []


def test_deleting_an_upload_frees_room_unless_a_network_uses_it(server):
    ann, stranger = person(server), person(server)
    first = upload(ann, CSV * 4).json()["id"]
    refused = upload(ann, CSV * 2)
    assert refused.status_code == 429 and "DELETE /api/uploads/{id}" in refused.json()["detail"]
    network = ann.post("/api/networks", json={"hidden": [], "data": {"id": first}, "name": "uses it"}).json()
    assert stranger.delete(f"/api/uploads/{first}").status_code == 404
    in_use = ann.delete(f"/api/uploads/{first}")
    assert in_use.status_code == 409 and network["id"] in in_use.json()["detail"]
    assert "'uses it'" in in_use.json()["detail"]
    assert ann.patch(f"/api/networks/{network['id']}", json={"data": {"name": "xor"}}).status_code == 200
    assert ann.delete(f"/api/uploads/{first}").status_code == 204
    assert ann.get("/api/uploads").json() == []
    assert upload(ann, CSV * 2).status_code == 201
    assert ann.delete(f"/api/uploads/{first}").status_code == 404


def test_a_strangers_tokens_shares_and_uploads_are_not_there(server):
    ann, stranger = person(server), person(server)
    token_id = ann.post("/api/tokens").json()["id"]
    network = ann.post("/api/networks", json={"input_dim": 2, "output_dim": 2, "hidden": []}).json()
    share = ann.post(f"/api/networks/{network['id']}/share").json()["token"]
    upload_id = upload(ann).json()["id"]
    for path in (f"/api/tokens/{token_id}", f"/api/shares/{share}", f"/api/uploads/{upload_id}"):
        assert stranger.delete(path).status_code == 404, path
    assert len(ann.get("/api/tokens").json()) == 1 and len(ann.get("/api/shares").json()) == 1
    assert len(ann.get("/api/uploads").json()) == 1


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """A real server process: an event stream ends when its client goes away, which only a real
    connection shows."""
    folder = tmp_path_factory.mktemp("streams")
    env = os.environ | {"NNVIZ_DATA_DIR": str(folder), "NNVIZ_WORKERS": "1", "NNVIZ_PERSON_STREAMS": "2"}
    with app_server(folder / "server.log", env) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def test_a_person_holds_at_most_the_event_streams_the_limit_allows(live_server):
    job = live_server.post("/api/jobs", json={"network": {"hidden": [{"units": 4}]}, "data": SPIRAL,
                                              "training": {"steps": 5000}, "live": {"steps_per_second": 50}}).json()
    url = f"/api/jobs/{job['id']}/events"
    try:
        with live_server.stream("GET", url) as first, live_server.stream("GET", url) as second:
            assert first.status_code == second.status_code == 200
            refused = live_server.get(url)
            assert refused.status_code == 429 and "2 event streams" in refused.json()["detail"]
            other = httpx.get(f"{live_server.base_url}{url}", timeout=30)  # another person: no cookie
            assert other.status_code == 404  # not theirs: the 404 comes before any place is taken
        # The streams closed (their client went away): the places are free again.
        def opens() -> bool:
            with live_server.stream("GET", url) as again:
                return again.status_code == 200

        wait_until(opens, what="a stream's place to be freed")
    finally:
        live_server.post(f"/api/jobs/{job['id']}/cancel")

"""Answers built once and kept: ETags and 304 on the pure GETs and on stored networks' figures,
new figures when a network trains, owners checked before the cache, previews kept on the server."""

import base64
import re
from collections import Counter

import pytest
from fastapi.testclient import TestClient

from app.services import figures

from .conftest import SMALL_JOB, field_of

TWO_D = {"input_dim": 2, "hidden": [{"units": 4, "activation": "tanh"}], "output_dim": 3}
STRONG_ETAG = re.compile(r'"[0-9a-f]{32}"')
PUBLIC = ["/api/activations", "/api/activations/tanh?start=-3&num=50",
          "/api/activations/tanh/figure?compare=sigmoid&tanh_identity=true", "/api/datasets"]


@pytest.fixture(scope="module")
def alices(people) -> str:
    """A trained network of Alice's."""
    job = people[0].post("/api/jobs?wait=true", json=SMALL_JOB).json()
    assert job["status"] == "done"
    return job["network_id"]


@pytest.fixture
def builds(monkeypatch) -> Counter:
    """How many times each figure builder of the services ran during the test."""
    counts: Counter = Counter()

    def counting(name: str):
        build = getattr(figures, name)

        def counted(*args, **kwargs):
            counts[name] += 1
            return build(*args, **kwargs)

        return counted

    for name in ("network_figure", "spec_figure", "neuron_plot", "activation_plot"):
        monkeypatch.setattr(figures, name, counting(name))
    return counts


def assert_revalidates(client, path: str, first, cache_control: str) -> None:
    """``first`` (an answer to ``path``) has a strong ETag that answers 304, alone or in a list."""
    etag = first.headers["etag"]
    assert STRONG_ETAG.fullmatch(etag) and first.headers["cache-control"] == cache_control
    for header in (etag, f"W/{etag}", f'"something else", {etag}'):
        not_modified = client.get(path, headers={"If-None-Match": header})
        assert not_modified.status_code == 304 and not_modified.content == b""
        assert not_modified.headers["etag"] == etag and not_modified.headers["cache-control"] == cache_control
    assert client.get(path, headers={"If-None-Match": '"something else"'}).status_code == 200


@pytest.mark.parametrize("path", PUBLIC)
def test_pure_gets_are_public_with_a_strong_etag_and_answer_304(people, path):
    alice, bob = people
    first = alice.get(path)
    assert first.status_code == 200 and first.json()
    assert_revalidates(alice, path, first, "public, max-age=3600")
    theirs = bob.get(path)  # everyone's answer is the same
    assert theirs.headers["etag"] == first.headers["etag"] and theirs.content == first.content


def test_the_etag_follows_the_validated_query(people):
    alice, _ = people
    etag = alice.get("/api/activations/relu/figure?start=-3").headers["etag"]
    assert alice.get("/api/activations/relu/figure?start=-3.0").headers["etag"] == etag  # the same -3.0
    assert alice.get("/api/activations/relu/figure?start=-2").headers["etag"] != etag
    assert alice.get("/api/activations/relu?start=-3").headers["etag"] != etag


def test_a_public_figure_is_built_once_for_everyone(people, builds):
    alice, bob = people
    path = "/api/activations/swish/figure?start=-4.5&stop=4.5"
    bodies = [alice.get(path).json() for _ in range(3)] + [bob.get(path).json()]
    assert builds["activation_plot"] == 1
    assert all(body == bodies[0] for body in bodies) and bodies[0]["data"][0]["type"] == "scatter"


def test_bad_queries_are_not_kept(people, builds):
    alice, _ = people
    for _ in range(2):
        response = alice.get("/api/activations/relu/figure?compare=nope")
        assert response.status_code == 422 and field_of(response) == ["compare"]
        assert "etag" not in response.headers
    assert builds["activation_plot"] == 2


def test_public_answers_set_no_cookie(people):
    stranger = TestClient(people[0].app)  # no cookie yet
    assert "set-cookie" not in stranger.get("/api/activations").headers  # any cache may keep it
    assert "set-cookie" not in stranger.get("/api/datasets").headers
    assert stranger.get("/api/networks").headers["set-cookie"].startswith("nnviz_owner=")


def test_a_stored_networks_figure_is_private_built_once_and_revalidated(people, alices, builds):
    alice, _ = people
    path = f"/api/networks/{alices}/figures/decision-boundary?grid=20"
    first = alice.get(path)
    assert first.status_code == 200 and len(first.json()["data"][0]["z"]) > 0
    again = alice.get(path)
    assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
    assert_revalidates(alice, path, first, "private, no-cache")
    assert builds["network_figure"] == 1
    other = alice.get(path.replace("grid=20", "grid=21"))
    assert other.headers["etag"] != first.headers["etag"] and builds["network_figure"] == 2


def test_training_the_network_gives_new_etags_and_new_figures(people, builds):
    alice, _ = people
    network = alice.post("/api/jobs?wait=true", json=SMALL_JOB).json()["network_id"]
    paths = [f"/api/networks/{network}/figures/{kind}" for kind in ("topology", "training")]
    before = [alice.get(path) for path in paths]
    assert all(response.status_code == 200 for response in before)
    assert alice.post("/api/jobs?wait=true", json=SMALL_JOB | {"network": {"id": network}}).json()["status"] == "done"
    after = [alice.get(path, headers={"If-None-Match": old.headers["etag"]}) for path, old in zip(paths, before)]
    for old, new in zip(before, after):
        assert new.status_code == 200 and new.headers["etag"] != old.headers["etag"]
        assert new.json()["data"] != old.json()["data"]
    old_steps, new_steps = (base64.b64decode(response.json()["data"][0]["x"]["bdata"])  # float64 typed arrays
                            for response in (before[1], after[1]))
    assert len(new_steps) > len(old_steps)  # the training curve goes on
    assert builds["network_figure"] == 4


def test_a_kept_figure_of_alices_network_is_still_404_for_bob(people, alices, builds):
    alice, bob = people
    path = f"/api/networks/{alices}/figures/decision-boundary?grid=23"
    mine = alice.get(path)
    assert mine.status_code == 200
    for headers in ({}, {"If-None-Match": mine.headers["etag"]}, {"If-None-Match": "*"}):
        theirs = bob.get(path, headers=headers)
        assert theirs.status_code == 404 and "etag" not in theirs.headers, headers
    assert builds["network_figure"] == 1


def test_a_shared_figure_is_revalidated_until_the_link_is_revoked(people, alices):
    alice, bob = people
    token = alice.post(f"/api/networks/{alices}/share").json()["token"]
    path = f"/api/shared/{token}/figures/decision-boundary?grid=24"
    seen = bob.get(path)
    assert seen.status_code == 200
    assert_revalidates(bob, path, seen, "private, no-cache")
    assert alice.delete(f"/api/networks/{alices}/share").status_code == 204
    assert bob.get(path).status_code == 404
    assert bob.get(path, headers={"If-None-Match": seen.headers["etag"]}).status_code == 404


def test_previews_are_kept_on_the_server_only(people, builds):
    alice, _ = people
    body = {"spec": TWO_D, "seed": 3}
    first, again = (alice.post("/api/figures/topology", json=body) for _ in range(2))
    assert first.status_code == 200 and again.content == first.content
    # Kept on the server only: no ETag, and the browser keeps nothing (the answer names its sender's upload).
    assert "etag" not in first.headers and first.headers["cache-control"] == "private, no-store"
    assert builds["spec_figure"] == 1
    assert alice.post("/api/figures/topology", json=body | {"seed": 4}).content != first.content
    assert builds["spec_figure"] == 2
    neuron = {"w1": 1.0, "w2": -2.0, "b": 0.5, "activation": "tanh", "grid": 30}
    answers = [alice.post("/api/figures/neuron", json=neuron) for _ in range(2)]
    assert answers[0].status_code == 200 and answers[0].content == answers[1].content
    assert builds["neuron_plot"] == 1
    counts = [alice.post("/api/networks/counts", json={"input_dim": 3, "hidden": [{"units": 4}], "output_dim": 2})
              for _ in range(2)]
    assert [c.json()["parameters"] for c in counts] == [26, 26] and "etag" not in counts[0].headers
    bad = {"input_dim": 3, "hidden": [{"units": 257}], "output_dim": 2}
    assert [field_of(alice.post("/api/networks/counts", json=bad)) for _ in range(2)] == [["hidden[0].units"]] * 2


def test_a_kept_preview_of_alices_upload_is_not_bobs(people, builds):
    alice, bob = people
    upload = alice.post("/api/datasets", files={"file": ("d.csv", "0,0,a\n1,1,b\n0,1,a\n1,0,b\n")},
                        data={"task": "classification"}).json()["id"]
    body = {"spec": {"input_dim": 2, "hidden": [{"units": 3}], "output_dim": 2}, "data": {"id": upload},
            "grid": 10}
    assert alice.post("/api/figures/decision-boundary", json=body).status_code == 200
    theirs = bob.post("/api/figures/decision-boundary", json=body)
    assert theirs.status_code == 404 and upload in theirs.json()["detail"]
    assert builds["spec_figure"] == 2  # Bob's request was not answered from Alice's

"""Per client address: new identities, API tokens and jobs are limited (429 with Retry-After and the
limit named), another address is not affected, X-Forwarded-For counts only from a trusted proxy, and
a class of 300 joining from one school address all get in with the default limits."""

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings

from .conftest import SPIRAL

SCHOOL, HOME, PROXY = "203.0.113.7", "198.51.100.4", "127.0.0.1"


@pytest.fixture(scope="module")
def limited_app(tmp_path_factory):
    """One server with small limits, reached from several client addresses (one TestClient each)."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), workers=1, address_identities_per_minute=5,
                        address_tokens_per_minute=2, address_jobs_per_minute=1)
    application = create_app(settings)
    with TestClient(application, client=(PROXY, 50000)):  # runs the lifespan for the others
        yield application


def visitor(application, address: str) -> TestClient:
    return TestClient(application, client=(address, 50000))


def test_new_identities_from_one_address_are_limited_and_another_address_is_not(limited_app):
    answers = [visitor(limited_app, SCHOOL).get("/api/me") for _ in range(6)]  # six new visitors, no cookies
    assert [answer.status_code for answer in answers] == [200] * 5 + [429]
    refused = answers[-1]
    seconds = int(refused.headers["retry-after"])
    assert 1 <= seconds <= 12  # a token every 12 s; some may have passed since the first visit
    assert refused.json()["detail"] == ("too many new visitors (requests without a cookie) from your address: this "
                                        "server allows 5 a minute (NNVIZ_ADDRESS_IDENTITIES_PER_MINUTE); retry "
                                        f"after {seconds} s")
    assert "set-cookie" not in refused.headers
    returning = visitor(limited_app, SCHOOL)
    returning.cookies = answers[0].cookies
    assert returning.get("/api/me").json()["owner"] == answers[0].json()["owner"]  # known visitors still get in
    assert visitor(limited_app, HOME).get("/api/me").status_code == 200


def test_x_forwarded_for_counts_only_from_a_trusted_proxy(limited_app):
    def through_proxy(address: str):  # loopback: trusted by default; each time a new visitor
        return visitor(limited_app, PROXY).get("/api/me", headers={"X-Forwarded-For": address})

    behind = [through_proxy("192.0.2.10") for _ in range(6)]
    assert [answer.status_code for answer in behind] == [200] * 5 + [429]
    assert through_proxy("192.0.2.11").status_code == 200  # someone else behind the same proxy
    # From an address that is no proxy the header is ignored: a new one each time does not help.
    stranger = [visitor(limited_app, "192.0.2.99").get("/api/me", headers={"X-Forwarded-For": f"192.0.2.{n}"})
                for n in range(100, 106)]
    assert [answer.status_code for answer in stranger] == [200] * 5 + [429]


def test_tokens_and_jobs_per_address(limited_app):
    person = visitor(limited_app, "192.0.2.50")
    tokens = [person.post("/api/tokens") for _ in range(3)]
    assert [answer.status_code for answer in tokens] == [201, 201, 429]
    assert "NNVIZ_ADDRESS_TOKENS_PER_MINUTE" in tokens[-1].json()["detail"]
    job = {"network": {"hidden": [{"units": 4}]}, "data": SPIRAL, "training": {"steps": 5}}
    assert person.post("/api/jobs", json=job).status_code == 202
    again = person.post("/api/jobs", json=job)
    assert again.status_code == 429 and 1 <= int(again.headers["retry-after"]) <= 60
    assert "jobs started from your address: this server allows 1 a minute" in again.json()["detail"]
    assert visitor(limited_app, "192.0.2.51").post("/api/jobs", json=job).status_code == 202


def test_a_class_of_300_behind_one_address_all_join_with_the_defaults(tmp_path):
    application = create_app(Settings(data_dir=tmp_path, workers=1))
    with TestClient(application, client=(SCHOOL, 50000)):
        answers = [visitor(application, SCHOOL).get("/api/me") for _ in range(300)]
        tokens = [visitor(application, SCHOOL).post("/api/tokens") for _ in range(300)]
    assert [answer.status_code for answer in answers] == [200] * 300
    assert len({answer.json()["owner"] for answer in answers}) == 300
    assert [answer.status_code for answer in tokens] == [201] * 300

"""Compression against a real server process: large answers gzipped for clients that accept gzip,
plotly.js gzipped once, and Server-Sent Events neither compressed nor held back."""

import gzip
import os
import re
from collections.abc import Iterator

import httpx
import pytest

from ..servers import app_server
from .conftest import SPIRAL

GZIP = {"Accept-Encoding": "gzip"}
IDENTITY = {"Accept-Encoding": "identity"}


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[httpx.Client]:
    folder = tmp_path_factory.mktemp("compression")
    env = os.environ | {"NNVIZ_DATA_DIR": str(folder), "NNVIZ_WORKERS": "1"}
    with app_server(folder / "server.log", env) as running, httpx.Client(base_url=running.url, timeout=30) as client:
        yield client


def raw_body(client: httpx.Client, method: str, path: str, headers: dict, **kwargs) -> tuple[httpx.Response, bytes]:
    """The answer and its body as sent (not decoded)."""
    with client.stream(method, path, headers=headers, **kwargs) as response:
        return response, b"".join(response.iter_raw())


def test_a_large_json_answer_is_gzipped_when_the_client_accepts_it(server):
    spec = SPIRAL | {"n_per_class": 1000}
    zipped, sent = raw_body(server, "POST", "/api/datasets/preview", GZIP, json=spec)
    plain, plain_sent = raw_body(server, "POST", "/api/datasets/preview", IDENTITY, json=spec)
    assert zipped.headers["content-encoding"] == "gzip" and "content-encoding" not in plain.headers
    assert "Accept-Encoding" in zipped.headers["vary"]
    assert gzip.decompress(sent) == plain_sent and len(plain_sent) > 100_000
    assert len(sent) < len(plain_sent) / 2


def test_small_answers_are_sent_as_they_are(server):
    response, sent = raw_body(server, "GET", "/api/health", GZIP)
    assert "content-encoding" not in response.headers and sent.startswith(b'{"status"')


def test_kept_figures_are_sent_gzipped_to_clients_that_accept_it(server):
    path = "/api/activations/gelu/figure?compare=relu"
    zipped, sent = raw_body(server, "GET", path, GZIP)
    plain, plain_sent = raw_body(server, "GET", path, IDENTITY)
    assert zipped.headers["content-encoding"] == "gzip" and "content-encoding" not in plain.headers
    assert gzip.decompress(sent) == plain_sent and plain_sent.startswith(b'{"data"')
    assert zipped.headers["etag"] == plain.headers["etag"]


def test_plotly_js_is_gzipped_once_and_kept_by_browsers(server):
    url = re.search(r'<script src="(/vendor/[0-9a-f]{12}/plotly\.min\.js)"', server.get("/").text).group(1)
    zipped, sent = raw_body(server, "GET", url, GZIP)
    plain, plain_sent = raw_body(server, "GET", url, IDENTITY)
    assert zipped.headers["content-encoding"] == "gzip" and int(zipped.headers["content-length"]) == len(sent)
    assert "content-encoding" not in plain.headers and len(plain_sent) > 4_000_000
    assert gzip.decompress(sent) == plain_sent and len(sent) < len(plain_sent) / 2
    assert zipped.headers["etag"] == plain.headers["etag"]
    assert zipped.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert zipped.headers["content-type"].startswith("text/javascript")
    not_modified = server.get(url, headers={"If-None-Match": zipped.headers["etag"]})
    assert not_modified.status_code == 304 and not_modified.content == b""
    unversioned = server.get("/vendor/plotly.min.js")
    assert unversioned.status_code == 200 and unversioned.headers["cache-control"] == "public, max-age=300"


def test_event_streams_are_neither_compressed_nor_held_back(server):
    job = server.post("/api/jobs", json={"network": {"hidden": [{"units": 8}]}, "data": SPIRAL,
                                         "training": {"steps": 5000}, "live": {"steps_per_second": 50}}).json()
    try:
        with server.stream("GET", f"/api/jobs/{job['id']}/events", headers=GZIP) as events:
            assert events.headers["content-type"].startswith("text/event-stream")
            assert "content-encoding" not in events.headers
            received = b""
            for chunk in events.iter_raw():  # as sent: plain text
                received += chunk
                if b"event: progress" in received:
                    break
        assert received.startswith(b"event: progress") or b"\nevent: progress" in received
        # The event came while the job still ran (5,000 steps at 50 a second): nothing waited for its end.
        # (Its row may still say "queued": the writer thread records the start after the first frame
        # has gone out on a busy machine.)
        assert server.get(f"/api/jobs/{job['id']}").json()["status"] in ("queued", "running")
    finally:
        server.post(f"/api/jobs/{job['id']}/cancel")

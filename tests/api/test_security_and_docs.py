import re

from .conftest import open_client


def test_api_responses_carry_nosniff_and_no_page_policy(client):
    response = client.get("/api/health")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in response.headers
    assert client.get("/api/nope").headers["x-content-type-options"] == "nosniff"


def test_pages_get_a_strict_content_security_policy(client):
    response = client.get("/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_docs_work_offline(client):
    for path in ("/docs", "/redoc"):
        page = client.get(path)
        assert page.status_code == 200
        assert "cdn.jsdelivr" not in page.text and "unpkg" not in page.text and "googleapis" not in page.text
        assert "script-src 'self' 'unsafe-inline'" in page.headers["content-security-policy"]
    assert client.get("/static-offline-docs/swagger-ui-bundle.js").status_code == 200
    assert client.get("/static-offline-docs/redoc.standalone.js").status_code == 200


def test_docs_lead_back_to_the_app_and_load_only_from_this_server(client):
    for path, other in (("/docs", "/redoc"), ("/redoc", "/docs")):
        page = client.get(path).text
        assert '<html lang="en">' in page
        assert '<a href="/"' in page and f'<a href="{other}"' in page  # back to the app, and the other view
        assert re.findall(r'(?:src|href)="(https?:[^"]*)"', page) == []
    script = re.search(r'<script src="([^"]+redoc[^"]*)"', client.get("/redoc").text).group(1)
    redoc = client.get(script)
    assert redoc.status_code == 200 and len(redoc.content) > 100_000
    # ReDoc's bundle asks a CDN for its logo: this copy has no such address left.
    assert b"cdn.redoc.ly" not in redoc.content
    assert b"cdn.redoc.ly" in client.get("/static-offline-docs/redoc.standalone.js").content


def test_openapi_documents_every_resource_with_examples(client):
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    for path in ("/api/health", "/api/activations", "/api/datasets", "/api/datasets/preview", "/api/networks",
                 "/api/networks/{network_id}/figures/{kind}", "/api/jobs", "/api/jobs/{job_id}/events",
                 "/api/jobs/{job_id}/cancel", "/api/gradcheck", "/api/experiments/capacity", "/api/figures/{kind}",
                 "/api/figures/neuron", "/api/networks/counts", "/api/networks/forward"):
        assert path in paths, path
    assert "/" not in paths  # pages are not part of the API
    assert schema["components"]["schemas"]["JobCreate"]["examples"][0]["training"]["steps"] == 10000
    tags = {tag for operations in paths.values() for op in operations.values() for tag in op.get("tags", [])}
    assert {"networks", "jobs", "datasets", "activations", "experiments", "gradcheck", "health"} <= tags


def test_cors_is_closed_by_default(client):
    response = client.get("/api/health", headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in response.headers


def test_cors_opens_for_configured_origins(tmp_path):
    with open_client(tmp_path, workers=1, cors_origins=["https://app.example"]) as configured:
        allowed = configured.get("/api/health", headers={"Origin": "https://app.example"})
        assert allowed.headers["access-control-allow-origin"] == "https://app.example"
        other = configured.get("/api/health", headers={"Origin": "https://elsewhere.example"})
        assert "access-control-allow-origin" not in other.headers

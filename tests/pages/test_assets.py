"""Static files and plotly.js under a version in their URL: the pages use those URLs, browsers
may keep them for a year, the modules' relative imports stay in the version, and the
un-versioned URLs still work with a short cache."""

import re
from pathlib import Path
from urllib.parse import urljoin

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.pages.assets import files_version
from app.pages.routes import PAGES, static_files
from app.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"
ASSET = re.compile(r'(?:src|href|content)="(/(?:static|vendor)/[^"]*)"')
PRELOAD = re.compile(r'<link rel="modulepreload" href="/static/[0-9a-f]{12}/([^"]+)">')
VERSIONED = re.compile(r"/static/[0-9a-f]{12}/.+|/vendor/[0-9a-f]{12}/plotly\.min\.js")
IMPORT = re.compile(r'from "(\.{1,2}/[^"]+)"')


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """The app without its lifespan: pages and static files need no services."""
    return TestClient(create_app(Settings(data_dir=tmp_path_factory.mktemp("assets"), workers=1)))


@pytest.mark.parametrize("path", [*PAGES, "/shared/some-token"])
def test_pages_use_versioned_urls_kept_for_a_year(client, path):
    page = client.get(path)
    assert page.status_code == 200
    urls = ASSET.findall(page.text)
    # icon, style sheet, plotly.js (the lesson names it for its module to load), the page's module and
    # page.js (what every page does once), and the modules these import
    assert len(urls) == 5 + len(PRELOAD.findall(page.text)), urls
    for url in urls:
        assert VERSIONED.fullmatch(url), url
        response = client.get(url)
        assert response.status_code == 200 and response.headers["cache-control"] == IMMUTABLE, url


def test_relative_imports_stay_in_the_version(client):
    pages = [*(name for name, _ in PAGES.values()), "shared"]
    seen = imported(client, [static_files.url(f"js/{name}.js") for name in pages])
    assert static_files.url("js/api.js") in seen and static_files.url("js/ui.js") in seen
    assert all(url.startswith(f"/static/{static_files.version}/js/") for url in seen)


def imported(client, entries: list[str]) -> set[str]:
    """The URLs of the modules ``entries`` (URLs) import, directly or not, the entries included,
    resolved as a browser resolves them."""
    seen, todo = set(), list(entries)
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        module = client.get(url)
        assert module.status_code == 200 and module.headers["cache-control"] == IMMUTABLE, url
        todo += [urljoin(url, name) for name in IMPORT.findall(module.text)]
    return seen


def test_pages_preload_every_module_their_scripts_import(client):
    pages = {path: name for path, (name, _) in PAGES.items()} | {"/shared/some-token": "shared"}
    for path, name in pages.items():
        entries = [static_files.url(f"js/{name}.js"), static_files.url("js/page.js")]
        preloaded = {static_files.url(module) for module in PRELOAD.findall(client.get(path).text)}
        assert preloaded == imported(client, entries) - set(entries), path


def test_unversioned_and_other_versions_urls_serve_the_current_files_briefly(client):
    current = (ROOT / "static" / "js" / "api.js").read_bytes()
    for url in ("/static/js/api.js", "/static/0123456789ab/js/api.js"):
        response = client.get(url)
        assert response.status_code == 200 and response.content == current
        assert response.headers["cache-control"] == SHORT, url
    assert client.get(static_files.url("js/nope.js")).status_code == 404


def test_static_files_revalidate_with_their_etag(client):
    url = static_files.url("css/style.css")
    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.headers["cache-control"] == IMMUTABLE


def test_the_version_changes_with_any_file(tmp_path):
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "a.js").write_text("export const a = 1;\n")
    before = files_version(tmp_path)
    assert re.fullmatch(r"[0-9a-f]{12}", before) and files_version(tmp_path) == before
    (tmp_path / "js" / "a.js").write_text("export const a = 2;\n")
    changed = files_version(tmp_path)
    (tmp_path / "js" / "b.js").write_text("")
    assert len({before, changed, files_version(tmp_path)}) == 3

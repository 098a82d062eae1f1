"""Browser tests: the real server in a subprocess, driven by Debian's Chromium through Playwright.

Every page is recorded: console errors, uncaught exceptions and any request to a host other than
the test server (those are aborted), so each test can assert the page stayed clean and offline.
"""

from __future__ import annotations

import hashlib
import os
import tarfile
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from app.services.experiments import EXPERIMENTS

from ..servers import app_server
from ..waiting import DEADLINE

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-quic", "--no-first-run",
]
PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = PROJECT_ROOT / "test-artifacts" / "screenshots"

# Playwright waits 30 s for an action and retries an assertion for 5 s; a page whose renderer shares
# two busy cores can stall longer than that, so every wait gets the tests' common deadline.
WAIT_MS = DEADLINE * 1000

playwright_api = pytest.importorskip("playwright.sync_api")
playwright_api.expect.set_options(timeout=WAIT_MS)


@pytest.hookimpl(trylast=True)  # after tests/conftest.py has put the browser tests first
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The browser tests of the Experiments page (their names say so) last among the browser tests: by
    then the server has computed the kept results it started on at its start (``server``), so they
    show them at once instead of the browser waiting on that batch work (a stable sort: the order
    stays otherwise)."""
    def experiments_last(item: pytest.Item) -> tuple[bool, bool]:
        browser = item.get_closest_marker("browser") is not None
        return not browser, browser and "experiments" in item.name

    items.sort(key=experiments_last)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app served by ``python -m app`` on a free port, with its data in a temporary folder."""
    env = {**os.environ, "NNVIZ_DATA_DIR": str(tmp_path_factory.mktemp("nnviz-data"))}
    with app_server(tmp_path_factory.mktemp("server-log") / "server.log", env) as running:
        # The Experiments page's kept results, asked for now: the server computes them as batch work
        # while the other tests run (as a server in use has them from its first visitor), so the
        # tests of that page need not wait for them.
        for name in EXPERIMENTS:
            assert httpx.get(f"{running.url}/api/experiments/{name}", timeout=DEADLINE).status_code in (200, 202)
        yield running.url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        # .ci/run installs it: in CI a missing browser is a failure, not a reason to skip.
        (pytest.fail if os.environ.get("CI") else pytest.skip)("Chromium is not installed at /usr/bin/chromium")
    with playwright_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@dataclass
class Recorder:
    """What a page did that it should not: console errors, exceptions, requests to other hosts."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    failed_responses: list[str] = field(default_factory=list)  # "422 GET /api/...": names the console's notice

    def assert_clean(self, expected_status: int | None = None) -> None:
        """No console errors (except the browser's notice of an HTTP ``expected_status`` the test provoked)."""
        notice = f"the server responded with a status of {expected_status}"
        # The machine's own network changing under the browser (a test container's interface coming
        # or going) is the environment, not the page.
        errors = [e for e in self.console_errors
                  if not (expected_status and notice in e) and "net::ERR_NETWORK_CHANGED" not in e]
        assert errors == [], f"console errors: {errors}; failed responses: {self.failed_responses}"
        assert self.page_errors == [], f"uncaught exceptions: {self.page_errors}"
        assert self.foreign_requests == [], f"requests that left the server: {self.foreign_requests}"


def open_page(browser, server: str, width: int = 1280, height: int = 900):
    """A fresh page in its own context, every request recorded (``page.recorder``) and those to other
    hosts aborted; close it with ``page.context.close()``."""
    context = browser.new_context(viewport={"width": width, "height": height}, base_url=server)
    context.set_default_timeout(WAIT_MS)
    recorder = Recorder()
    host = urlsplit(server).netloc

    def route(route_, request) -> None:
        recorder.requests.append(request.url)
        if urlsplit(request.url).netloc != host:
            recorder.foreign_requests.append(request.url)
            route_.abort()
        else:
            route_.continue_()

    context.route("**/*", route)
    page_ = context.new_page()
    page_.on("console", lambda msg: recorder.console_errors.append(msg.text) if msg.type == "error" else None)
    page_.on("pageerror", lambda error: recorder.page_errors.append(str(error)))
    page_.on("response", lambda response: recorder.failed_responses.append(
        f"{response.status} {response.request.method} {response.url}") if response.status >= 400 else None)
    page_.recorder = recorder
    return page_


@pytest.fixture
def page(browser, server: str):
    """A fresh 1280×900 page; the test reads ``page.recorder`` to check it stayed clean."""
    page_ = open_page(browser, server)
    yield page_
    page_.context.close()


@pytest.fixture
def phone(browser, server: str):
    """A fresh page the size of a phone (390 × 844 CSS pixels)."""
    page_ = open_page(browser, server, 390, 844)
    yield page_
    page_.context.close()


# axe-core, the accessibility checker, from the npm registry: fetched once into pytest's cache,
# checked against the registry's published digest, and put into the page by the test (the app never
# serves it). Its version is pinned here; a new one needs a new digest.
AXE_VERSION = "4.14.1"
AXE_SHA256 = "e6b0ce02b84d892e2e33e403485e7f3d6c29e2be6df65daf44d89ba564139745"
AXE_URL = f"https://registry.npmjs.org/axe-core/-/axe-core-{AXE_VERSION}.tgz"


@pytest.fixture(scope="session")
def axe_source(request: pytest.FixtureRequest) -> str:
    tarball = request.config.cache.mkdir("axe-core") / f"axe-core-{AXE_VERSION}.tgz"
    if not tarball.exists() or hashlib.sha256(tarball.read_bytes()).hexdigest() != AXE_SHA256:
        try:
            with urllib.request.urlopen(AXE_URL, timeout=60) as response:
                body = response.read()
        except OSError as error:
            (pytest.fail if os.environ.get("CI") else pytest.skip)(f"axe-core could not be fetched: {error}")
        assert hashlib.sha256(body).hexdigest() == AXE_SHA256, f"{AXE_URL} is not the axe-core {AXE_VERSION} we pinned"
        # Written whole, then renamed: a test process running beside this one never reads half of it.
        partial = tarball.with_name(f"{tarball.name}.{os.getpid()}")
        partial.write_bytes(body)
        partial.replace(tarball)
    with tarfile.open(tarball) as archive:
        return archive.extractfile("package/axe.min.js").read().decode()


def axe_violations(page_, axe: str, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict]:
    """axe-core's violations of the given impacts on the page as it is now: [{id, impact, help, targets}]."""
    page_.evaluate(axe)  # evaluated by the browser's debugger protocol: the page's CSP does not apply
    found = page_.evaluate("""async () => (await axe.run(document)).violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")) }))""")
    return [violation for violation in found if violation["impact"] in impacts]


def api(page, method: str, path: str, **options) -> playwright_api.APIResponse:
    """A call the test makes itself, with the page's cookie; retried if its connection is reset: the
    server closes a keep-alive connection idle for 5 s, and a request written on it just then is lost
    (Chromium resends such a request by itself, Playwright's request API only when asked)."""
    return page.request.fetch(path, method=method, max_retries=3, **options)


@pytest.fixture
def screenshot():
    """``screenshot(page, name)`` saves the whole page to test-artifacts/screenshots/name.png."""

    def save(page_, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page_.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return save

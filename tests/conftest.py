import os
from collections.abc import Iterator

import pytest

from .postgres import postgres_server


def pytest_configure(config: pytest.Config) -> None:
    """Forget every ``NNVIZ_*`` variable of the environment the suite runs in: a stray
    ``NNVIZ_DATABASE_URL`` or ``NNVIZ_SCRATCH_TTL=0`` would reroute the tests or hide a failure. The
    servers the tests start inherit ``os.environ``, so they start clean too; a test that wants a
    setting says so (``monkeypatch.setenv``, ``env=`` or ``Settings(...)``)."""
    for name in [name for name in os.environ if name.startswith("NNVIZ_")]:
        del os.environ[name]
    # Each of the suite's many short-lived servers would spend about 30 s of its workers on the kept
    # experiments at start-up; they are computed on the first request for each instead.
    os.environ["NNVIZ_PRECOMPUTE_EXPERIMENTS"] = "false"


@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    """The URL of a throwaway PostgreSQL server's ``postgres`` database."""
    with postgres_server() as url:
        yield url


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The browser tests first (a stable sort: each file's tests stay together and in order): under
    ``make test``'s two processes (pytest-xdist, ``--dist load``, each taking the next test as it
    finishes one) the longest tests start while both processes are fresh."""
    items.sort(key=lambda item: not item.get_closest_marker("browser"))


_yielded = False


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Under ``make test``, a process runs the tests after the browser tests (and the servers they
    start) at a lower priority, so that the browser tests still running in the other process, the
    longest, get the CPU first (without it the suite took 50 s longer)."""
    global _yielded
    if not _yielded and os.environ.get("PYTEST_XDIST_WORKER") and not item.get_closest_marker("browser"):
        _yielded = True
        os.nice(5)

import os
from collections.abc import Iterator

import pytest

from .postgres import postgres_server


@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    """The URL of a throwaway PostgreSQL server's ``postgres`` database."""
    with postgres_server() as url:
        yield url


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Which tests ``make test``'s two processes (pytest-xdist, ``--dist loadgroup``) keep together.

    The browser tests run in one process, against one server and one Chromium, started first, while
    the other process takes the rest file by file (a module's fixture, a server, a cluster, a wheel or an
    image, is made once)."""
    for item in items:
        if not item.get_closest_marker("xdist_group"):
            group = "browser" if item.get_closest_marker("browser") else item.nodeid.split("::")[0]
            item.add_marker(pytest.mark.xdist_group(group))
    # The browser tests first (a stable sort: each file's tests stay together and in order), so that
    # with --no-loadscope-reorder their group, the longest, is the first handed out.
    items.sort(key=lambda item: not item.get_closest_marker("browser"))


_yielded = False


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Under ``make test``, the process that takes the files other than the browser tests' runs them
    (and the servers they start) at a lower priority: the browser tests, in the other process, take
    longest, so they get the CPU first."""
    global _yielded
    if not _yielded and os.environ.get("PYTEST_XDIST_WORKER") and not item.get_closest_marker("browser"):
        _yielded = True
        os.nice(5)

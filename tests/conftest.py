from collections.abc import Iterator

import pytest

from .postgres import postgres_server


@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    """The URL of a throwaway PostgreSQL server's ``postgres`` database."""
    with postgres_server() as url:
        yield url

"""tests/servers.py: servers started on ports nobody can take from them."""

import os
import re
import socket
from pathlib import Path

import httpx
import pytest

from . import postgres
from .servers import PortTaken, free_port, retry_if_port_taken, start_app

TESTS = Path(__file__).resolve().parent


def test_only_the_helper_chooses_a_port_before_its_server_binds_it():
    """Binding port 0 and letting it go is the race tests/servers.py exists to avoid: nothing else does it."""
    choosing = re.compile(r"bind\(\(\s*['\"][\w.]*['\"],\s*0\s*\)\)")
    found = [path.relative_to(TESTS).as_posix() for path in TESTS.rglob("*.py") if choosing.search(path.read_text())]
    assert sorted(found) == ["servers.py", "test_ports.py"]  # this file's socket stays bound: a port taken


def test_a_start_is_tried_again_while_its_port_was_taken():
    attempts = []

    def start() -> str:
        attempts.append(len(attempts))
        if len(attempts) < 3:
            raise PortTaken("taken")
        return "started"

    assert retry_if_port_taken(start) == "started" and attempts == [0, 1, 2]
    with pytest.raises(PortTaken):
        retry_if_port_taken(lambda: (_ for _ in ()).throw(PortTaken("always")), attempts=2)


def test_the_app_binds_a_port_of_its_own_and_names_it(tmp_path):
    first = start_app(tmp_path / "first.log", os.environ | {"NNVIZ_DATA_DIR": str(tmp_path), "NNVIZ_WORKERS": "1"})
    try:
        port = int(first.url.rsplit(":", 1)[1])
        assert port > 0 and httpx.get(f"{first.url}/api/health").json()["status"] == "ok"
    finally:
        first.stop()


@pytest.mark.postgres
def test_postgresql_moves_to_another_port_when_its_port_was_taken(monkeypatch):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        ports = iter([taken.getsockname()[1], free_port()])
        monkeypatch.setattr(postgres, "free_port", lambda: next(ports))
        with postgres.postgres_server() as url:
            assert f":{taken.getsockname()[1]}/" not in url
            import psycopg

            with psycopg.connect(url) as connection:
                assert connection.execute("SELECT 1").fetchone() == (1,)

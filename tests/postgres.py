"""A throwaway PostgreSQL server for tests: Debian's ``postgresql`` package, started with
``initdb`` and ``pg_ctl`` in a temporary directory on a free port (another one if that was taken
before the server bound it; as the ``postgres`` user when
the tests run as root). Without PostgreSQL the tests that need it are skipped, unless CI is set,
where that is a failure (``.ci/run`` installs it)."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .servers import PortTaken, free_port, port_taken, retry_if_port_taken


def _missing(reason: str) -> None:
    (pytest.fail if os.environ.get("CI") else pytest.skip)(reason)


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a server; yields the URL of its ``postgres`` database (user ``nnviz``, no password)."""
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    if not bins:
        _missing("PostgreSQL is not installed (apt-get install postgresql)")
    initdb, pg_ctl = Path(bins[-1]) / "initdb", Path(bins[-1]) / "pg_ctl"
    root = Path(tempfile.mkdtemp(prefix="nnviz-pg-"))
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(root, "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    data, log = root / "data", root / "log"
    subprocess.run([*as_postgres, str(initdb), "-D", str(data), "-A", "trust", "-U", "nnviz", "--no-sync", "-E", "UTF8",
                    "--no-locale"],
                   check=True, capture_output=True)

    def start() -> int:
        port = free_port()
        log.unlink(missing_ok=True)  # pg_ctl appends: only this attempt's words count
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        started = subprocess.run([*as_postgres, str(pg_ctl), "-D", str(data), "-o", options, "-w", "-l", str(log),
                                  "start"], capture_output=True, text=True)
        words = log.read_text() if log.exists() else ""
        if started.returncode != 0 and port_taken(words):
            raise PortTaken(port)
        assert started.returncode == 0, f"PostgreSQL did not start:\n{started.stderr}\n{words[-3000:]}"
        return port

    port = retry_if_port_taken(start)
    try:
        yield f"postgresql://nnviz@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_postgres, str(pg_ctl), "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def new_database(server_url: str) -> str:
    """A new, empty database on the server; its URL."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url.replace("postgresql://", "postgresql://", 1), autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return server_url.rsplit("/", 1)[0] + f"/{name}"

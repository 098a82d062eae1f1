"""A throwaway PostgreSQL server for tests: Debian's ``postgresql`` package, started with
``initdb`` and ``pg_ctl`` in a temporary directory on a free port (as the ``postgres`` user when
the tests run as root). Without PostgreSQL the tests that need it are skipped, unless CI is set,
where that is a failure (``.ci/run`` installs it)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
    data, port = root / "data", _free_port()
    subprocess.run([*as_postgres, str(initdb), "-D", str(data), "-A", "trust", "-U", "nnviz", "--no-sync", "-E", "UTF8",
                    "--no-locale"],
                   check=True, capture_output=True)
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    subprocess.run([*as_postgres, str(pg_ctl), "-D", str(data), "-o", options, "-w", "-l", str(root / "log"),
                    "start"], check=True, capture_output=True)
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

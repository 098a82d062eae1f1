"""Servers the tests start, on ports nobody can take from them.

Choosing a free port (bind port 0, read the number, close) and starting a server on it later is a
race on a busy machine: another process may take the port in between, or, for a restarted server,
still hold it. So our own server binds port 0 itself and the test reads the port from its log
(``start_app``); a restarted server gets a port of its own, and the client follows it. PostgreSQL,
nginx and the rest of ``scripts/cluster.sh`` want a number up front: ``retry_if_port_taken`` starts
them again, on new ports, when a port chosen was taken in between.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from .waiting import DEADLINE, wait_for_server, wait_until

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[1]
APP = (sys.executable, "-m", "app")
# uvicorn's line once it listens: with --port 0 it names the port the system gave it.
LISTENING = re.compile(r"Uvicorn running on (http://[\w.]+:\d+)")
ATTEMPTS = 5


class PortTaken(Exception):
    """Another process took the port chosen for a server before the server could bind it."""


def port_taken(log: str) -> bool:
    """Whether a server's log or error says its address was in use (EADDRINUSE, as uvicorn, Dask,
    PostgreSQL and nginx word it)."""
    return "address already in use" in log.lower()


def free_port() -> int:
    """A port free a moment ago: only for a server that needs the number up front, started through
    ``retry_if_port_taken``."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def retry_if_port_taken(start: Callable[[], T], attempts: int = ATTEMPTS) -> T:
    """``start()``, again (it chooses new ports) each time it raises ``PortTaken``, up to ``attempts`` times."""
    for _ in range(attempts - 1):
        try:
            return start()
        except PortTaken:
            pass
    return start()


@dataclass
class AppServer:
    process: subprocess.Popen
    url: str  # http://127.0.0.1:PORT
    log: Path

    def kill(self) -> None:
        """SIGKILL: a crash, nothing cleaned up."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_app(log: Path, env: dict[str, str], command: Sequence[str | Path] = APP, cwd: Path = ROOT,
              timeout: float = DEADLINE) -> AppServer:
    """``python -m app --port 0`` (or ``command``): the server binds a free port itself; its log
    (``log``, a new file) names it. Returns once the server answers ``/api/health``."""
    with log.open("w") as out:
        process = subprocess.Popen([*map(str, command), "--port", "0"], cwd=cwd, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    server = AppServer(process, "", log)

    def listening() -> str | None:
        found = LISTENING.search(log.read_text())
        return found.group(1) if found else "" if process.poll() is None else "exited"

    try:
        server.url = wait_until(listening, timeout, f"the server logging to {log} to listen")
        assert server.url != "exited", f"the server exited with status {process.returncode}"
        wait_for_server(server.url, process, timeout)
    except AssertionError as error:
        server.stop()
        raise AssertionError(f"{error}\n{log.read_text()[-3000:]}") from None
    return server


@contextmanager
def app_server(log: Path, env: dict[str, str], **options) -> Iterator[AppServer]:
    """``start_app``, stopped at the end."""
    server = start_app(log, env, **options)
    try:
        yield server
    finally:
        server.stop()

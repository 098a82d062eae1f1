"""Waiting for a condition instead of sleeping for a guess: CI machines are busy, so a test waits
for what it needs with a generous deadline and fails only when the deadline passes."""

from __future__ import annotations

import subprocess
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

DEADLINE = 60.0  # seconds; long enough for a machine whose cores are all busy


def wait_until(condition: Callable[[], T], timeout: float = DEADLINE, what: str = "the condition",
               interval: float = 0.05) -> T:
    """Call ``condition`` until it returns something truthy, and return that; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, f"timed out after {timeout:.0f} s waiting for {what}"
        time.sleep(interval)
    return result


def answers_health(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/api/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def wait_for_server(base_url: str, process: subprocess.Popen, timeout: float = DEADLINE,
                    log: Path | None = None) -> None:
    """Wait until the server ``process`` answers ``/api/health``; fail (with the end of its ``log``)
    at once if it exits, or when the deadline passes."""
    try:
        wait_until(lambda: process.poll() is not None or answers_health(base_url), timeout, f"{base_url} to answer")
        assert process.poll() is None, f"the server exited with status {process.returncode}"
    except AssertionError as error:
        raise AssertionError(f"{error}\n{log.read_text()[-3000:] if log else ''}") from None

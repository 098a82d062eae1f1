"""What one API server tells the others: live frames, job changes and cancel requests.

Several API servers share one PostgreSQL database; a browser may follow a job through a server
that does not run it. PostgreSQL's LISTEN/NOTIFY carries the news: it is already the shared state
every server connects to, it works the same whether jobs run in local workers or on Dask, and a
notification is delivered within a millisecond or two on a LAN. (Dask's pub/sub would only reach
servers when jobs run on Dask, and would route every frame through the scheduler.)

A message is ``kind server job_id [data]`` on the channel ``nnviz``: ``frame`` (data: sequence
number and the frame's JSON text), ``changed`` (the job's row changed: read it again) and
``cancel`` (someone asked to cancel it). A server ignores its own messages. NOTIFY payloads are
limited to 8000 bytes: a frame larger than that (a very large live grid) travels without its grid.

With SQLite (one server) there is nobody to tell: ``LocalBus`` does nothing.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger(__name__)

CHANNEL = "nnviz"
MAX_PAYLOAD = 7900  # PostgreSQL's limit is 8000 bytes

OnMessage = Callable[[str, str, str], None]  # kind, job id, data


class Bus(Protocol):
    shared: bool  # True when other servers may be listening

    def start(self, on_message: OnMessage) -> None: ...

    def publish(self, kind: str, job_id: str, data: str = "") -> None: ...

    def stop(self) -> None: ...


class LocalBus:
    shared = False

    def start(self, on_message: OnMessage) -> None:
        pass

    def publish(self, kind: str, job_id: str, data: str = "") -> None:
        pass

    def stop(self) -> None:
        pass


class PostgresBus:
    """LISTEN on one connection (a thread), NOTIFY from another (a thread draining a small
    outbox): callers never wait for the database, and a burst of frames of one job collapses into
    its newest."""

    shared = True

    def __init__(self, url: str, server: str):
        self.url, self.server = url, server
        self._outbox: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._wake = threading.Condition()
        self._stopping = False
        self._threads: list[threading.Thread] = []

    def start(self, on_message: OnMessage) -> None:
        import psycopg

        self._listener = psycopg.connect(self.url, autocommit=True)
        self._listener.execute(f"LISTEN {CHANNEL}")
        self._sender = psycopg.connect(self.url, autocommit=True)
        self._threads = [threading.Thread(target=self._listen, args=(on_message,), name="nnviz-bus-in", daemon=True),
                         threading.Thread(target=self._send, name="nnviz-bus-out", daemon=True)]
        for thread in self._threads:
            thread.start()

    def publish(self, kind: str, job_id: str, data: str = "") -> None:
        with self._wake:
            self._outbox[(kind, job_id)] = data
            self._outbox.move_to_end((kind, job_id))
            self._wake.notify()

    def stop(self) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify()
        for thread in self._threads:
            thread.join(timeout=5)
        for connection in (getattr(self, "_listener", None), getattr(self, "_sender", None)):
            if connection is not None:
                with contextlib.suppress(Exception):
                    connection.close()

    def _send(self) -> None:
        while True:
            with self._wake:
                while not self._outbox and not self._stopping:
                    self._wake.wait()
                if self._stopping and not self._outbox:
                    return
                (kind, job_id), data = self._outbox.popitem(last=False)
            payload = fit(f"{kind} {self.server} {job_id} {data}")
            try:
                self._sender.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))
            except Exception:
                if self._stopping:
                    return
                log.exception("could not notify the other servers")

    def _listen(self, on_message: OnMessage) -> None:
        while not self._stopping:
            try:
                for notice in self._listener.notifies(timeout=0.5):
                    kind, server, job_id, data = [*notice.payload.split(" ", 3), ""][:4]
                    if server != self.server:
                        on_message(kind, job_id, data)
            except Exception:
                if self._stopping:
                    return
                log.exception("lost the notifications of the other servers")
                return


def fit(payload: str) -> str:
    """A frame message within NOTIFY's limit: beyond it, the frame without its boundary grid."""
    if len(payload.encode()) <= MAX_PAYLOAD:
        return payload
    head, _, body = payload.partition("{")
    frame = json.loads("{" + body)
    frame.pop("boundary", None)
    return head + json.dumps(frame, separators=(",", ":"))

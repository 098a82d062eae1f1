"""SQLite persistence (stdlib ``sqlite3``, WAL): networks, jobs and uploaded data sets.

One ``Store`` per server process, used by its threads under a lock; every write is one
transaction, so a crash leaves either the old row or the new one. Weights are stored as ``.npz``
blobs (exact float64), everything else as JSON text.
"""

from __future__ import annotations

import io
import json
import sqlite3
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np

SCHEMA = """
CREATE TABLE IF NOT EXISTS networks (
    id TEXT PRIMARY KEY,
    spec TEXT NOT NULL,
    weights BLOB NOT NULL,
    history TEXT NOT NULL DEFAULT '[]',
    data TEXT,
    steps_trained INTEGER NOT NULL DEFAULT 0,
    epochs_trained REAL NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    network_id TEXT,
    request TEXT NOT NULL,
    created_at REAL NOT NULL,
    started_at REAL,
    finished_at REAL,
    error TEXT,
    progress TEXT NOT NULL DEFAULT '{}',
    metrics TEXT NOT NULL DEFAULT '{}',
    history TEXT NOT NULL DEFAULT '[]',
    result TEXT
);
CREATE INDEX IF NOT EXISTS jobs_created ON jobs (created_at);
CREATE TABLE IF NOT EXISTS uploads (
    id TEXT PRIMARY KEY,
    task TEXT NOT NULL,
    csv TEXT NOT NULL,
    rows INTEGER NOT NULL,
    n_classes INTEGER NOT NULL,
    class_names TEXT NOT NULL,
    created_at REAL NOT NULL
);
"""

_JSON_COLUMNS = {"spec", "history", "data", "request", "progress", "metrics", "result", "class_names"}
ACTIVE_STATUSES = ("queued", "running")


def new_id() -> str:
    return uuid.uuid4().hex[:16]


OPTIMIZER_PREFIX = "optimizer."  # parameter names (W1, b1, alpha1) never contain a dot


def pack_weights(weights: dict[str, np.ndarray], optimizer: dict[str, Any] | None = None) -> bytes:
    """Weights, and the optimizer's memory for warm starts, as one ``.npz`` blob."""
    arrays = {name: np.asarray(value, dtype=np.float64) for name, value in weights.items()}
    for key, value in (optimizer or {}).items():
        arrays[OPTIMIZER_PREFIX + key] = np.asarray(value)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def unpack_weights(blob: bytes) -> tuple[dict[str, np.ndarray], dict[str, Any] | None]:
    """``pack_weights`` undone: (weights, optimizer memory or None)."""
    weights, optimizer = {}, {}
    with np.load(io.BytesIO(blob), allow_pickle=False) as archive:
        for name in archive.files:
            if name.startswith(OPTIMIZER_PREFIX):
                value = archive[name]
                optimizer[name[len(OPTIMIZER_PREFIX):]] = value.item() if value.ndim == 0 else value
            else:
                weights[name] = archive[name]
    return weights, optimizer or None


def _dumps(value: Any) -> str:
    return json.dumps(value, allow_nan=False, default=_to_builtin)


def _to_builtin(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot store {type(value).__name__} as JSON")


class Store:
    """The database file ``<data_dir>/nnviz.sqlite3``; rows come back as plain dicts."""

    def __init__(self, data_dir: Path):
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / "nnviz.sqlite3"
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        self._add_missing_columns()

    def _add_missing_columns(self) -> None:
        """Columns added after the first release, added to older databases on opening them."""
        with self._lock:
            present = {row["name"] for row in self._db.execute("PRAGMA table_info(networks)")}
            if "name" not in present:  # a named network is kept; an unnamed one is scratch and expires
                self._db.execute("ALTER TABLE networks ADD COLUMN name TEXT")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --- plumbing ----------------------------------------------------------------------------

    def _write(self, sql: str, params: tuple | dict = ()) -> int:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                count = self._db.execute(sql, params).rowcount
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
            return count

    def _read(self, sql: str, params: tuple = ()) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(sql, params).fetchall()
        return [self._decode(row) for row in rows]

    @staticmethod
    def _decode(row: sqlite3.Row) -> dict[str, Any]:
        out = dict(row)
        for key in _JSON_COLUMNS & out.keys():
            if out[key] is not None:
                out[key] = json.loads(out[key])
        return out

    def _update(self, table: str, row_id: str, fields: dict[str, Any]) -> bool:
        columns = ", ".join(f"{key} = :{key}" for key in fields)
        values = {k: _dumps(v) if k in _JSON_COLUMNS and v is not None else v for k, v in fields.items()}
        return self._write(f"UPDATE {table} SET {columns} WHERE id = :id", {**values, "id": row_id}) == 1

    # --- networks ----------------------------------------------------------------------------

    def create_network(self, spec: dict, weights: dict[str, np.ndarray], history: list | None = None,
                       data: dict | None = None, steps_trained: int = 0, epochs_trained: float = 0.0) -> str:
        network_id, now = new_id(), time.time()
        self._write(
            "INSERT INTO networks (id, spec, weights, history, data, steps_trained, epochs_trained, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (network_id, _dumps(spec), pack_weights(weights), _dumps(history or []),
             None if data is None else _dumps(data), steps_trained, epochs_trained, now, now),
        )
        return network_id

    def get_network(self, network_id: str, with_weights: bool = True) -> dict[str, Any] | None:
        columns = "*" if with_weights else "id, name, spec, data, steps_trained, epochs_trained, created_at, updated_at"
        rows = self._read(f"SELECT {columns} FROM networks WHERE id = ?", (network_id,))
        if not rows:
            return None
        row = rows[0]
        if with_weights:
            row["weights"], row["optimizer"] = unpack_weights(row["weights"])
        return row

    def network_history(self, network_id: str) -> list[dict[str, Any]] | None:
        rows = self._read("SELECT history FROM networks WHERE id = ?", (network_id,))
        return rows[0]["history"] if rows else None

    def list_networks(self) -> list[dict[str, Any]]:
        return self._read("SELECT id, name, spec, data, steps_trained, epochs_trained, created_at, updated_at"
                          " FROM networks ORDER BY created_at DESC")

    def update_network(self, network_id: str, weights: dict[str, np.ndarray], steps_trained: int,
                       epochs_trained: float, history: list | None = None, data: dict | None = None,
                       optimizer: dict[str, Any] | None = None) -> bool:
        fields: dict[str, Any] = {"weights": pack_weights(weights, optimizer), "steps_trained": steps_trained,
                                  "epochs_trained": epochs_trained, "updated_at": time.time()}
        if history is not None:
            fields["history"] = history
        if data is not None:
            fields["data"] = data
        return self._update("networks", network_id, fields)

    def delete_network(self, network_id: str) -> bool:
        return self._write("DELETE FROM networks WHERE id = ?", (network_id,)) == 1

    def update_network_meta(self, network_id: str, **fields: Any) -> bool:
        """Set a network's ``name`` and / or ``data`` spec (its weights stay); it counts as an update."""
        unknown = set(fields) - {"name", "data"}
        if unknown:
            raise ValueError(f"not a network's metadata: {', '.join(sorted(unknown))}")
        return self._update("networks", network_id, {**fields, "updated_at": time.time()})

    def delete_scratch(self, before: float) -> dict[str, list[str]]:
        """Delete, in one transaction, the unnamed networks last updated before ``before`` that no
        queued or running job trains, then the uploads created before it that neither a network's
        data spec nor such a job uses. Returns the deleted ids by table."""
        networks_sql = """SELECT id FROM networks WHERE name IS NULL AND updated_at < :before AND id NOT IN
            (SELECT network_id FROM jobs WHERE status IN ('queued', 'running') AND network_id IS NOT NULL)"""
        uploads_sql = """SELECT id FROM uploads WHERE created_at < :before
            AND id NOT IN (SELECT json_extract(data, '$.id') FROM networks WHERE json_extract(data, '$.id') IS NOT NULL)
            AND id NOT IN (SELECT json_extract(request, '$.data.id') FROM jobs
                           WHERE status IN ('queued', 'running') AND json_extract(request, '$.data.id') IS NOT NULL)"""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                networks = [row[0] for row in self._db.execute(networks_sql, {"before": before})]
                self._db.executemany("DELETE FROM networks WHERE id = ?", [(i,) for i in networks])
                uploads = [row[0] for row in self._db.execute(uploads_sql, {"before": before})]
                self._db.executemany("DELETE FROM uploads WHERE id = ?", [(i,) for i in uploads])
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        return {"networks": networks, "uploads": uploads}

    # --- jobs --------------------------------------------------------------------------------

    def create_job(self, kind: str, request: dict, network_id: str | None, progress: dict | None = None) -> str:
        job_id = new_id()
        self._write(
            "INSERT INTO jobs (id, kind, status, network_id, request, progress, created_at)"
            " VALUES (?, ?, 'queued', ?, ?, ?, ?)",
            (job_id, kind, network_id, _dumps(request), _dumps(progress or {}), time.time()),
        )
        return job_id

    def get_job(self, job_id: str) -> dict[str, Any] | None:
        rows = self._read("SELECT * FROM jobs WHERE id = ?", (job_id,))
        return rows[0] if rows else None

    def list_jobs(self, limit: int = 100) -> list[dict[str, Any]]:
        return self._read("SELECT * FROM jobs ORDER BY created_at DESC, rowid DESC LIMIT ?", (limit,))

    def active_job_for(self, network_id: str) -> str | None:
        """The id of a queued or running job training ``network_id``, if any."""
        rows = self._read("SELECT id FROM jobs WHERE network_id = ? AND status IN ('queued', 'running') LIMIT 1",
                          (network_id,))
        return rows[0]["id"] if rows else None

    def update_job(self, job_id: str, **fields: Any) -> bool:
        return self._update("jobs", job_id, fields)

    def delete_job(self, job_id: str) -> bool:
        return self._write("DELETE FROM jobs WHERE id = ?", (job_id,)) == 1

    def finish_job(self, job_id: str, job_fields: dict[str, Any], network_id: str | None = None,
                   network_fields: dict[str, Any] | None = None) -> None:
        """The job's final state and its network's final weights, in one transaction."""
        columns = ", ".join(f"{key} = ?" for key in job_fields)
        values = [_dumps(v) if k in _JSON_COLUMNS and v is not None else v for k, v in job_fields.items()]
        network_row = None
        if network_id is not None and network_fields:  # encoded before taking the lock: readers wait less
            network_row = (pack_weights(network_fields["weights"], network_fields.get("optimizer")),
                           network_fields["steps_trained"],
                           network_fields["epochs_trained"], _dumps(network_fields["history"]),
                           _dumps(network_fields["data"]), time.time(), network_id)
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                if network_row is not None:
                    self._db.execute(
                        "UPDATE networks SET weights = ?, steps_trained = ?, epochs_trained = ?, history = ?,"
                        " data = ?, updated_at = ? WHERE id = ?", network_row)
                self._db.execute(f"UPDATE jobs SET {columns} WHERE id = ?", (*values, job_id))
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def interrupt_active_jobs(self, reason: str) -> int:
        """Mark jobs a previous process left queued or running as ``interrupted``."""
        return self._write(
            "UPDATE jobs SET status = 'interrupted', error = ?, finished_at = ? WHERE status IN ('queued', 'running')",
            (reason, time.time()),
        )

    # --- uploads -----------------------------------------------------------------------------

    def create_upload(self, task: str, csv_text: str, rows: int, n_classes: int, class_names: list[str]) -> str:
        upload_id = new_id()
        self._write(
            "INSERT INTO uploads (id, task, csv, rows, n_classes, class_names, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (upload_id, task, csv_text, rows, n_classes, _dumps(class_names), time.time()),
        )
        return upload_id

    def get_upload(self, upload_id: str) -> dict[str, Any] | None:
        rows = self._read("SELECT * FROM uploads WHERE id = ?", (upload_id,))
        return rows[0] if rows else None

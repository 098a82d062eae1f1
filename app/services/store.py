"""Persistence on SQLAlchemy Core: networks, jobs, uploads, API tokens, share links.

One ``Store`` per server process, safe to use from its threads. ``NNVIZ_DATABASE_URL`` chooses
the database: SQLite (the default, a file in the data directory, in WAL mode) or PostgreSQL
(``postgresql://...``, through psycopg 3); both have the same tables (``schema.py``), built and
upgraded by versioned Alembic migrations (``migrations/``) when the store opens. Every write is
one transaction, so a crash leaves either the old row or the new one. Weights are stored as
``.npz`` bytes (exact float64), everything else as JSON text.

Rows that belong to someone are read through an ``owner``: a row of another owner, or of none,
is not there for them. ``owner=None`` (the default) reads any row, for the server's own work.
"""

from __future__ import annotations

import contextlib
import io
import json
import time
import uuid
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine, Table, and_, create_engine, delete, event, func, insert, inspect, or_, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from . import schema
from .schema import jobs, networks, server_values, shares, tokens, uploads

_JSON_COLUMNS = {"spec", "history", "data", "request", "progress", "metrics", "result", "class_names"}
ACTIVE_STATUSES = ("queued", "running")
NETWORK_SUMMARY = ("id", "owner", "name", "spec", "data", "steps_trained", "epochs_trained", "created_at",
                   "updated_at")


def new_id() -> str:
    return uuid.uuid4().hex[:16]


def key(value: str) -> str:
    """A key from a request (an id, a share token) as the database is asked for it. Keys are ASCII;
    one with NUL names no row, but PostgreSQL refuses NUL in text outright, so it is asked for with
    U+FFFD instead, which names no row either: on both databases, a 404."""
    return value.replace("\x00", "\ufffd")


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


def _encode(fields: dict[str, Any]) -> dict[str, Any]:
    return {key: _dumps(value) if key in _JSON_COLUMNS and value is not None else value
            for key, value in fields.items()}


def _decode(row: Any) -> dict[str, Any]:
    out = dict(row._mapping)
    for key in _JSON_COLUMNS & out.keys():
        if out[key] is not None:
            out[key] = json.loads(out[key])
    return out


def database_url(url: str | None, data_dir: Path) -> str:
    """The SQLAlchemy URL for a setting: SQLite in the data directory by default; plain
    ``postgresql://`` means psycopg 3."""
    if not url:
        data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{data_dir / 'nnviz.sqlite3'}"
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return url


def open_engine(url: str) -> Engine:
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection: Any, _record: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def migrate(engine: Engine) -> str:
    """Bring the schema up to date (a database from before migrations is adopted at 0001);
    returns the revision it is at."""
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext

    config = Config()
    config.set_main_option("script_location", str(resources.files("app.services") / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        tables = inspect(connection).get_table_names()
        if "alembic_version" not in tables and "networks" in tables:
            command.stamp(config, "0001")  # written by version 0.1, before migrations
        command.upgrade(config, "head")
        return MigrationContext.configure(connection).get_current_revision()


class Store:
    """The database at ``url`` (a SQLAlchemy URL, see ``database_url``); rows come back as dicts."""

    def __init__(self, url: str):
        self.url = url
        self.engine = open_engine(url)
        self.revision = migrate(self.engine)
        parsed = make_url(url)
        # PostgreSQL's address for psycopg itself (LISTEN/NOTIFY between servers); None for SQLite.
        self.psycopg_url = (parsed.set(drivername="postgresql").render_as_string(hide_password=False)
                            if parsed.get_backend_name() == "postgresql" else None)

    def close(self) -> None:
        self.engine.dispose()

    # --- plumbing ----------------------------------------------------------------------------

    def _read(self, statement: Any) -> list[dict[str, Any]]:
        with self.engine.connect() as connection:
            return [_decode(row) for row in connection.execute(statement)]

    def _write(self, statement: Any) -> int:
        with self.engine.begin() as connection:
            return connection.execute(statement).rowcount

    @staticmethod
    def _mine(table: Table, statement: Any, owner: str | None) -> Any:
        return statement if owner is None else statement.where(table.c.owner == owner)

    # --- networks ----------------------------------------------------------------------------

    def create_network(self, spec: dict, weights: dict[str, np.ndarray], history: list | None = None,
                       data: dict | None = None, steps_trained: int = 0, epochs_trained: float = 0.0,
                       owner: str | None = None, optimizer: dict[str, Any] | None = None,
                       sweep_id: str | None = None) -> str:
        network_id, now = new_id(), time.time()
        self._write(insert(networks).values(_encode({
            "id": network_id, "owner": owner, "spec": spec, "weights": pack_weights(weights, optimizer),
            "history": history or [], "data": data, "steps_trained": steps_trained,
            "epochs_trained": epochs_trained, "created_at": now, "updated_at": now, "sweep_id": sweep_id})))
        return network_id

    def get_network(self, network_id: str, with_weights: bool = True, owner: str | None = None) -> dict | None:
        columns = [networks] if with_weights else [networks.c[name] for name in NETWORK_SUMMARY]
        rows = self._read(self._mine(networks, select(*columns).where(networks.c.id == key(network_id)), owner))
        if not rows:
            return None
        row = rows[0]
        if with_weights:
            row["weights"], row["optimizer"] = unpack_weights(row["weights"])
        return row

    def network_history(self, network_id: str, owner: str | None = None) -> list[dict[str, Any]] | None:
        statement = select(networks.c.history).where(networks.c.id == key(network_id))
        rows = self._read(self._mine(networks, statement, owner))
        return rows[0]["history"] if rows else None

    def list_networks(self, owner: str | None = None) -> list[dict[str, Any]]:
        statement = select(*(networks.c[name] for name in NETWORK_SUMMARY)).order_by(networks.c.created_at.desc())
        return self._read(self._mine(networks, statement, owner))

    def count_networks(self, owner: str) -> int:
        with self.engine.connect() as connection:
            # A sweep's unnamed networks (scratch, expiring like any) do not count; named, they do.
            statement = select(func.count()).select_from(networks).where(
                networks.c.owner == owner, or_(networks.c.sweep_id.is_(None), networks.c.name.is_not(None)))
            return connection.execute(statement).scalar_one()

    def update_network(self, network_id: str, weights: dict[str, np.ndarray], steps_trained: int,
                       epochs_trained: float, history: list | None = None, data: dict | None = None,
                       optimizer: dict[str, Any] | None = None) -> bool:
        fields: dict[str, Any] = {"weights": pack_weights(weights, optimizer), "steps_trained": steps_trained,
                                  "epochs_trained": epochs_trained, "updated_at": time.time()}
        if history is not None:
            fields["history"] = history
        if data is not None:
            fields["data"] = data
        return self._write(update(networks).where(networks.c.id == network_id).values(_encode(fields))) == 1

    def delete_network(self, network_id: str, owner: str | None = None) -> bool:
        with self.engine.begin() as connection:
            count = connection.execute(self._mine(networks, delete(networks).where(networks.c.id == key(network_id)),
                                                  owner)).rowcount
            if count:
                connection.execute(delete(shares).where(shares.c.network_id == network_id))
        return count == 1

    def update_network_meta(self, network_id: str, **fields: Any) -> bool:
        """Set a network's ``name`` and / or ``data`` spec (its weights stay); it counts as an update."""
        unknown = set(fields) - {"name", "data"}
        if unknown:
            raise ValueError(f"not a network's metadata: {', '.join(sorted(unknown))}")
        statement = update(networks).where(networks.c.id == network_id)
        return self._write(statement.values(_encode({**fields, "updated_at": time.time()}))) == 1

    def delete_scratch(self, before: float) -> dict[str, list[str]]:
        """Delete, in one transaction, the jobs that ended before ``before``, the unnamed networks last
        updated before it that no queued or running job trains, then the uploads created before it
        that neither a network's data spec nor such a job uses. Returns the deleted ids by table."""
        active = select(jobs.c.network_id).where(jobs.c.status.in_(ACTIVE_STATUSES), jobs.c.network_id.is_not(None))
        # Every Play chunk is a job: without this the table grows with every press of Play.
        ended = and_(jobs.c.status.not_in(ACTIVE_STATUSES),
                     func.coalesce(jobs.c.finished_at, jobs.c.created_at) < before)
        with self.engine.begin() as connection:
            old_jobs = [row.id for row in connection.execute(select(jobs.c.id).where(ended))]
            if old_jobs:
                connection.execute(delete(jobs).where(ended))
            expired = [row.id for row in connection.execute(select(networks.c.id).where(
                networks.c.name.is_(None), networks.c.updated_at < before, networks.c.id.not_in(active)))]
            if expired:
                connection.execute(delete(networks).where(networks.c.id.in_(expired)))
                connection.execute(delete(shares).where(shares.c.network_id.in_(expired)))
            old = [row.id for row in connection.execute(select(uploads.c.id).where(uploads.c.created_at < before))]
            used: set[str] = set()
            if old:  # data specs are JSON text: read the few that name an upload (portable, no JSON SQL)
                for (data,) in connection.execute(select(networks.c.data).where(networks.c.data.like('%"id"%'))):
                    used.add((json.loads(data) or {}).get("id"))
                for (request,) in connection.execute(select(jobs.c.request).where(
                        jobs.c.status.in_(ACTIVE_STATUSES))):
                    used.add((json.loads(request).get("data") or {}).get("id"))
            unused = [upload_id for upload_id in old if upload_id not in used]
            if unused:
                connection.execute(delete(uploads).where(uploads.c.id.in_(unused)))
        return {"jobs": old_jobs, "networks": expired, "uploads": unused}

    # --- jobs --------------------------------------------------------------------------------

    def create_job(self, kind: str, request: dict, network_id: str | None, progress: dict | None = None,
                   owner: str | None = None, server: str | None = None, lease_until: float | None = None) -> str:
        job_id = new_id()
        self._write(insert(jobs).values(_encode({
            "id": job_id, "owner": owner, "kind": kind, "status": "queued", "network_id": network_id,
            "request": request, "progress": progress or {}, "created_at": time.time(), "server": server,
            "lease_until": lease_until})))
        return job_id

    def get_job(self, job_id: str, owner: str | None = None) -> dict[str, Any] | None:
        rows = self._read(self._mine(jobs, select(jobs).where(jobs.c.id == key(job_id)), owner))
        return rows[0] if rows else None

    def job_status(self, job_id: str, owner: str | None = None) -> str | None:
        with self.engine.connect() as connection:
            statement = self._mine(jobs, select(jobs.c.status).where(jobs.c.id == key(job_id)), owner)
            return connection.execute(statement).scalar_one_or_none()

    def list_jobs(self, limit: int = 100, owner: str | None = None) -> list[dict[str, Any]]:
        statement = select(jobs).order_by(jobs.c.created_at.desc(), jobs.c.id.desc()).limit(limit)
        return self._read(self._mine(jobs, statement, owner))

    def active_job_for(self, network_id: str) -> str | None:
        """The id of a queued or running job training ``network_id``, if any."""
        rows = self._read(select(jobs.c.id).where(jobs.c.network_id == network_id,
                                                  jobs.c.status.in_(ACTIVE_STATUSES)).limit(1))
        return rows[0]["id"] if rows else None

    def update_job(self, job_id: str, **fields: Any) -> bool:
        return self._write(update(jobs).where(jobs.c.id == job_id).values(_encode(fields))) == 1

    def delete_job(self, job_id: str) -> bool:
        return self._write(delete(jobs).where(jobs.c.id == job_id)) == 1

    def finish_job(self, job_id: str, job_fields: dict[str, Any], network_id: str | None = None,
                   network_fields: dict[str, Any] | None = None) -> None:
        """The job's final state and its network's final weights, in one transaction."""
        network_row = None
        if network_id is not None and network_fields:  # encoded before the transaction: readers wait less
            network_row = _encode({
                "weights": pack_weights(network_fields["weights"], network_fields.get("optimizer")),
                "steps_trained": network_fields["steps_trained"], "epochs_trained": network_fields["epochs_trained"],
                "history": network_fields["history"], "data": network_fields["data"], "updated_at": time.time()})
        with self.engine.begin() as connection:
            if network_row is not None:
                connection.execute(update(networks).where(networks.c.id == network_id).values(network_row))
            connection.execute(update(jobs).where(jobs.c.id == job_id).values(_encode(job_fields)))

    # --- leases: which server runs a job -----------------------------------------------------

    def renew_leases(self, server: str, until: float) -> int:
        """Extend the leases of every active job ``server`` runs; how many it holds."""
        return self._write(update(jobs).where(jobs.c.server == server, jobs.c.status.in_(ACTIVE_STATUSES))
                           .values(lease_until=until))

    def release_leases(self, server: str) -> int:
        """Let other servers adopt ``server``'s active jobs at once (it is stopping)."""
        return self.renew_leases(server, 0.0)

    def orphaned_jobs(self, now: float) -> list[str]:
        """Active jobs whose server stopped renewing its lease (or that never had one)."""
        rows = self._read(select(jobs.c.id).where(
            jobs.c.status.in_(ACTIVE_STATUSES), (jobs.c.lease_until.is_(None)) | (jobs.c.lease_until < now))
            .order_by(jobs.c.created_at))
        return [row["id"] for row in rows]

    def claim_job(self, job_id: str, server: str, now: float, until: float) -> bool:
        """Take over an orphaned job; False when its lease holds or another server was quicker."""
        statement = update(jobs).where(
            jobs.c.id == job_id, jobs.c.status.in_(ACTIVE_STATUSES),
            (jobs.c.lease_until.is_(None)) | (jobs.c.lease_until < now)).values(server=server, lease_until=until)
        return self._write(statement) == 1

    def request_cancel(self, job_id: str) -> bool:
        return self._write(update(jobs).where(jobs.c.id == job_id, jobs.c.status.in_(ACTIVE_STATUSES))
                           .values(cancel_requested=1)) == 1

    def cancel_requests(self, server: str) -> list[str]:
        """Active jobs of ``server`` that someone asked (through any server) to cancel."""
        rows = self._read(select(jobs.c.id).where(jobs.c.server == server, jobs.c.cancel_requested == 1,
                                                  jobs.c.status.in_(ACTIVE_STATUSES)))
        return [row["id"] for row in rows]

    def interrupt_active_jobs(self, reason: str) -> int:
        """Mark jobs a previous process left queued or running as ``interrupted``."""
        return self._write(update(jobs).where(jobs.c.status.in_(ACTIVE_STATUSES))
                           .values(status="interrupted", error=reason, finished_at=time.time()))

    def count_active_jobs(self, owner: str) -> int:
        with self.engine.connect() as connection:
            statement = select(func.count()).select_from(jobs).where(jobs.c.owner == owner,
                                                                      jobs.c.status.in_(ACTIVE_STATUSES))
            return connection.execute(statement).scalar_one()

    # --- uploads -----------------------------------------------------------------------------

    def create_upload(self, task: str, csv_text: str, rows: int, n_classes: int, class_names: list[str],
                      owner: str | None = None) -> str:
        upload_id = new_id()
        self._write(insert(uploads).values(_encode({
            "id": upload_id, "owner": owner, "task": task, "csv": csv_text, "rows": rows, "n_classes": n_classes,
            "class_names": class_names, "created_at": time.time()})))
        return upload_id

    def get_upload(self, upload_id: str, owner: str | None = None) -> dict[str, Any] | None:
        rows = self._read(self._mine(uploads, select(uploads).where(uploads.c.id == key(upload_id)), owner))
        return rows[0] if rows else None

    def upload_bytes(self, owner: str) -> int:
        """What one owner's uploads take, in bytes of CSV text."""
        with self.engine.connect() as connection:
            total = connection.execute(select(func.sum(func.length(uploads.c.csv))).where(uploads.c.owner == owner))
            return int(total.scalar_one() or 0)

    # --- owners: tokens, shares, adoption ------------------------------------------------------

    def add_token(self, token_hash: str, owner: str) -> None:
        self._write(insert(tokens).values(token_hash=token_hash, owner=owner, created_at=time.time()))

    def token_owner(self, token_hash: str) -> str | None:
        rows = self._read(select(tokens.c.owner).where(tokens.c.token_hash == token_hash))
        return rows[0]["owner"] if rows else None

    def delete_token(self, token_hash: str, owner: str) -> bool:
        return self._write(delete(tokens).where(tokens.c.token_hash == token_hash, tokens.c.owner == owner)) == 1

    def add_share(self, token: str, network_id: str, owner: str) -> None:
        self._write(insert(shares).values(token=token, network_id=network_id, owner=owner, created_at=time.time()))

    def shared_network(self, token: str) -> str | None:
        rows = self._read(select(shares.c.network_id).where(shares.c.token == key(token)))
        return rows[0]["network_id"] if rows else None

    def shares_of(self, network_id: str) -> list[dict[str, Any]]:
        return self._read(select(shares).where(shares.c.network_id == network_id).order_by(shares.c.created_at))

    def delete_shares(self, network_id: str, token: str | None = None) -> int:
        statement = delete(shares).where(shares.c.network_id == network_id)
        return self._write(statement if token is None else statement.where(shares.c.token == key(token)))

    def adopt(self, owner: str) -> dict[str, int]:
        """Give every row that has no owner (stored before owners existed) to ``owner``."""
        with self.engine.begin() as connection:
            return {table.name: connection.execute(update(table).where(table.c.owner.is_(None))
                                                   .values(owner=owner)).rowcount
                    for table in (networks, jobs, uploads)}

    # --- server-wide values --------------------------------------------------------------------

    def server_value(self, name: str, make: Any) -> str:
        """The stored value ``name``; the first caller stores ``make()`` (every server then agrees)."""
        rows = self._read(select(server_values.c.value).where(server_values.c.name == name))
        if rows:
            return rows[0]["value"]
        with contextlib.suppress(IntegrityError):  # another server stored it first: theirs wins
            self._write(insert(server_values).values(name=name, value=make()))
        return self._read(select(server_values.c.value).where(server_values.c.name == name))[0]["value"]


__all__ = ["Store", "database_url", "migrate", "pack_weights", "schema", "unpack_weights"]

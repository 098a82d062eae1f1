"""Persistence on SQLAlchemy Core: networks, jobs, uploads, API tokens, share links.

One ``Store`` per server process, safe to use from its threads. ``NNVIZ_DATABASE_URL`` chooses
the database: SQLite (the default, a file in the data directory, in WAL mode) or PostgreSQL
(``postgresql://...``, through psycopg 3); both have the same tables (``schema.py``), built and
upgraded by versioned Alembic migrations (``migrations/``) when the store opens. Every write is
one transaction, so a crash leaves either the old row or the new one. Weights are stored as
``.npz`` bytes (exact float64), everything else as JSON text.

Rows that belong to someone are read through an ``owner``: a row of another owner, or of none,
is not there for them. ``owner=None`` (the default) reads any row, for the server's own work.

What one person may keep (uploaded bytes, networks, tokens, share links) is checked in the same
transaction as the write it allows, under a lock per owner (``_owner_transaction``): requests in
parallel cannot each see room for one more and together pass the limit.

The methods live by area in mixins, each file one reason to change: ``store_networks.py``,
``store_jobs.py`` (with the leases), ``store_people.py`` (uploads, tokens, share links, the lesson),
``store_classes.py``; ``store_values.py`` holds how values are stored and ``store_engine.py`` the
engine, its errors and the migrations. Import everything from here.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Table, event, func, insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from . import schema
from .schema import server_values
from .store_classes import ClassStore
from .store_engine import (
    StorageError,
    StorageFull,
    _one_transaction,
    database_url,
    describe,
    migrate,
    open_engine,
    storage_error,
)
from .store_jobs import JobStore
from .store_networks import NetworkStore
from .store_people import PeopleStore
from .store_values import JSONText, _decode, iso_time, json_text, key, new_id, pack_weights, unpack_weights

OWNER_LOCKS = 0x6E6E  # PostgreSQL advisory locks' first key: one lock per owner in this space


class Full(Exception):
    """A write refused: adding ``adding`` to the ``kept`` of ``what`` would pass its owner's ``limit``."""

    def __init__(self, what: str, kept: int, adding: int, limit: int):
        super().__init__(f"{what}: {kept} kept + {adding} > {limit}")
        self.what, self.kept, self.adding, self.limit = what, kept, adding, limit


class Store(NetworkStore, JobStore, PeopleStore, ClassStore):
    """The database at ``url`` (a SQLAlchemy URL, see ``database_url``); rows come back as dicts.
    The methods by area come from its mixins; it holds the engine and the plumbing they share."""

    def __init__(self, url: str):
        self.url = url
        # The latest failure of the storage itself, until a write succeeds again (GET /api/health).
        self.trouble: StorageError | None = None
        self.engine = open_engine(url, on_trouble=self._note_trouble)
        event.listen(self.engine, "commit", self._clear_trouble)
        self.revision = migrate(self.engine)
        parsed = make_url(url)
        # PostgreSQL's address for psycopg itself (LISTEN/NOTIFY between servers); None for SQLite.
        self.psycopg_url = (parsed.set(drivername="postgresql").render_as_string(hide_password=False)
                            if parsed.get_backend_name() == "postgresql" else None)

    def close(self) -> None:
        self.engine.dispose()

    def _note_trouble(self, error: StorageError) -> None:
        self.trouble = error

    def _clear_trouble(self, _connection: Any) -> None:
        self.trouble = None

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

    @contextlib.contextmanager
    def _owner_transaction(self, owner: str) -> Iterator[Connection]:
        """A write transaction in which ``owner``'s rows stay as read until it commits. SQLite takes
        its one write lock at BEGIN IMMEDIATE (a plain BEGIN would read first and let another writer
        in between); PostgreSQL takes an advisory lock of this owner's, held until commit, so other
        people's writes go on meanwhile."""
        with self.engine.connect() as connection, _one_transaction(connection):
            if connection.dialect.name != "sqlite":
                key = int.from_bytes(hashlib.sha256(owner.encode()).digest()[:4], "big", signed=True)
                connection.execute(select(func.pg_advisory_xact_lock(OWNER_LOCKS, key)))
            yield connection

    def _insert_within(self, owner: str, limits: list[tuple[str, Any, int, int | None]],
                       rows: list[tuple[Table, dict[str, Any]]]) -> None:
        """Insert ``rows`` in one transaction unless that passes one of ``limits``: (what, a statement
        counting what ``owner`` keeps, what the rows add, the limit or None); then ``Full``."""
        with self._owner_transaction(owner) as connection:
            for what, kept_statement, adding, limit in limits:
                kept = int(connection.execute(kept_statement).scalar_one() or 0) if limit is not None else 0
                if limit is not None and kept + adding > limit:
                    raise Full(what, kept, adding, limit)
            for table, values in rows:
                connection.execute(insert(table).values(values))

    # --- server-wide values --------------------------------------------------------------------

    def server_value(self, name: str, make: Any) -> str:
        """The stored value ``name``; the first caller stores ``make()`` (every server then agrees)."""
        rows = self._read(select(server_values.c.value).where(server_values.c.name == name))
        if rows:
            return rows[0]["value"]
        with contextlib.suppress(IntegrityError):  # another server stored it first: theirs wins
            self._write(insert(server_values).values(name=name, value=make()))
        return self._read(select(server_values.c.value).where(server_values.c.name == name))[0]["value"]


__all__ = ["Full", "JSONText", "StorageError", "StorageFull", "Store", "database_url", "describe", "iso_time",
           "json_text", "key", "migrate", "new_id", "open_engine", "pack_weights", "schema", "storage_error",
           "unpack_weights"]

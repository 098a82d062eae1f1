"""The database under the store: its URL, an engine whose errors about the storage itself (a full
disk, a read-only file) arrive as ``StorageError``, and the Alembic migrations, run as one
transaction (``_one_transaction``, which the store's writes checked against a limit use too)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url

from . import schema


class StorageError(RuntimeError):
    """The database cannot be opened, upgraded or written. The message is one line for a person:
    where the database is, what went wrong, and what to do."""


class StorageFull(StorageError):
    """A write failed because the disk (or the database's size limit) is full."""


_FULL = ("database or disk is full", "no space left", "could not extend file", "disk full")
_READ_ONLY = ("readonly database", "read-only", "unable to open database file", "permission denied")


def storage_error(exc: BaseException, where: str) -> StorageError | None:
    """A driver's error about ``where`` as a ``StorageError`` saying what to do about it, or None
    when it is not about the storage itself (a constraint, a bad statement)."""
    cause = " ".join(str(getattr(exc, "orig", None) or exc).split())[:200]
    lowered = cause.lower()
    if any(text in lowered for text in _FULL):
        return StorageFull(f"{where}: {cause}; free space on the disk that holds it")
    if any(text in lowered for text in _READ_ONLY):
        return StorageError(f"{where}: {cause}; make it writable for this user, "
                            "or set NNVIZ_DATA_DIR to a writable directory")
    return None


def describe(url: str) -> str:
    """Where a database is, for messages: the SQLite file, or the server without its password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"the SQLite database {parsed.database}"
    return f"the database {parsed.render_as_string(hide_password=True)}"


def database_url(url: str | None, data_dir: Path) -> str:
    """The SQLAlchemy URL for a setting: SQLite in the data directory by default; plain
    ``postgresql://`` means psycopg 3."""
    if not url:
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create the data directory {data_dir.resolve()}: {exc.strerror}; "
                               "make its parent writable, or set NNVIZ_DATA_DIR to a writable directory") from None
        return f"sqlite:///{data_dir / 'nnviz.sqlite3'}"
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return url


def open_engine(url: str, on_trouble: Callable[[StorageError], None] | None = None) -> Engine:
    """An engine whose errors about the storage itself (full, read-only) arrive as ``StorageError``,
    each one told to ``on_trouble`` first."""
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection: Any, _record: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    where = describe(url)

    @event.listens_for(engine, "handle_error")
    def _storage(context: Any) -> None:
        error = storage_error(context.original_exception, where)
        if error is not None:
            if on_trouble is not None:
                on_trouble(error)
            raise error from context.original_exception

    return engine


VERSION_0_1_TABLES = {"networks", "jobs", "uploads"}


@contextlib.contextmanager
def _one_transaction(connection: Connection) -> Iterator[None]:
    """One transaction that holds SQLite's write lock from its start (``BEGIN IMMEDIATE``): the whole
    upgrade, so that an interrupted one changes nothing; a write checked against what is kept.

    PostgreSQL's DDL is transactional as it is. Python's sqlite3 opens a transaction only before
    INSERT, UPDATE and DELETE, so each CREATE or ALTER of a migration would commit on its own and a
    full disk would leave half a schema behind; in autocommit mode with our own BEGIN (SQLAlchemy's
    pysqlite notes, "Serializable isolation / Savepoints / Transactional DDL") SQLite's DDL is
    transactional too."""
    if connection.dialect.name != "sqlite":
        with connection.begin():
            yield
        return
    raw = connection.connection.driver_connection
    raw.isolation_level = None
    try:
        with connection.begin():
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            yield
    finally:
        raw.isolation_level = ""


def _prepare(connection: Connection, config: Any) -> None:
    """Adopt a database from before migrations at 0001, and clear what an interrupted first start
    left behind (before upgrades were one transaction, a full disk could leave empty tables and no
    revision). A database with rows but no revision that is not version 0.1's is left alone."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    if MigrationContext.configure(connection).get_current_revision() is not None:
        return
    tables = set(inspect(connection).get_table_names())
    ours = (tables & set(schema.metadata.tables)) | (tables & {"alembic_version"})
    if "alembic_version" not in tables and tables >= VERSION_0_1_TABLES:
        command.stamp(config, "0001")  # written by version 0.1, before migrations
        return
    if not ours:
        return
    filled = [name for name in sorted(ours - {"alembic_version"})
              if connection.exec_driver_sql(f'SELECT 1 FROM "{name}" LIMIT 1').first() is not None]
    if filled:
        raise StorageError(f"the database holds the tables {', '.join(sorted(ours))} with rows in {', '.join(filled)} "
                           "but no schema revision: it was not written by nnviz; point NNVIZ_DATABASE_URL or "
                           "NNVIZ_DATA_DIR elsewhere, or move it aside")
    for name in sorted(ours):
        connection.exec_driver_sql(f'DROP TABLE "{name}"')


def migrate(engine: Engine) -> str:
    """Bring the schema up to date in one transaction; returns the revision it is at. Raises
    ``StorageError`` saying what went wrong and what to do."""
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext

    config = Config()
    config.set_main_option("script_location", str(resources.files("app.services") / "migrations"))
    try:
        with engine.connect() as connection, _one_transaction(connection):
            config.attributes["connection"] = connection
            _prepare(connection, config)
            command.upgrade(config, "head")
            return MigrationContext.configure(connection).get_current_revision()
    except StorageError as exc:
        raise type(exc)(f"bringing the schema up to date failed, and nothing was changed: {exc}; "
                        "then start again") from None

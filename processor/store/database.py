"""Opening a database: the engine, SQLite's transaction settings, and migrations to head.

SQLite needs three settings to behave like the transactional database the rest of the code assumes:

- Python's ``sqlite3`` driver is told to keep out of transaction control (``isolation_level =
  None``) and we emit ``BEGIN IMMEDIATE`` ourselves: the driver's legacy mode starts a transaction
  only at the first write, so a unit of work's reads would not be isolated, and a deferred
  transaction that reads and then writes can fail with "database is locked" instead of waiting.
  ``IMMEDIATE`` takes the write lock up front, so concurrent writers queue (up to the busy timeout)
  and a read-then-write unit of work is serializable. Store reads outside a unit of work begin
  deferred (:data:`READ_ONLY`), so they do not queue behind writers.
- ``PRAGMA foreign_keys = ON``, which SQLite leaves off by default.
- ``PRAGMA journal_mode = WAL``, so readers do not block the writer.

PostgreSQL runs at READ COMMITTED through psycopg 3 (``postgresql://`` means ``postgresql+psycopg://``).
Where two sessions could decide on the same rows, the code says so explicitly: ``INSERT … ON CONFLICT``
that waits for the other's commit (ledger, sets, outbox keys), an ``UPDATE`` that locks the counter row
(control numbers), ``FOR UPDATE SKIP LOCKED`` (work queue, outbound files) and transaction-scoped
advisory locks for the few steps that must run one at a time (effectuation, staging the outbox).
Other databases are refused rather than half supported.

Migrations are alembic's, run programmatically (no ``alembic.ini``): :func:`migrate` upgrades to
head inside one transaction, which both databases can roll back, DDL included.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import sqlalchemy
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool

#: Execution option for a connection whose transaction only reads: on SQLite it begins deferred.
READ_ONLY = "edi_read_only"
#: Seconds a SQLite connection waits for another writer before giving up ("database is locked").
SQLITE_BUSY_TIMEOUT = 30.0
#: Seconds to wait for a PostgreSQL server to answer before giving up (exit 3, not a hang).
PG_CONNECT_TIMEOUT = 10
#: Key of the PostgreSQL advisory lock that serialises concurrent migrations.
_MIGRATION_LOCK = 0x4544_4947_5754  # "EDIGWT"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class StoreError(Exception):
    """The database cannot be used: unsupported URL, unreachable server, failed migration.

    An infrastructure failure (batch exit code 3); the message names the database, without password.
    """


def _sqlite_memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:")


def create_engine(url: str | URL, *, durable: bool = True) -> Engine:
    """An engine for ``url`` with the settings above; creates a SQLite file's parent directory.

    ``durable=False`` (PostgreSQL only) commits without waiting for the disk (``synchronous_commit=off``):
    for bookkeeping that a server crash may roll back a little without harm, never for the state.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"not a database URL: {url!s}") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed)
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        try:
            connect_args: dict[str, Any] = {"connect_timeout": PG_CONNECT_TIMEOUT, "application_name": "edi-gateway"}
            if not durable:
                connect_args["options"] = "-c synchronous_commit=off"
            return sqlalchemy.create_engine(parsed, isolation_level="READ COMMITTED", connect_args=connect_args)
        except ImportError as exc:  # pragma: no cover - psycopg is a pinned requirement
            raise StoreError(f"no driver for {describe(parsed)}: {exc}") from None
    raise StoreError(f"unsupported database {backend!r} in {describe(parsed)}: use sqlite:/// or postgresql://")


def _sqlite_engine(url: URL) -> Engine:
    connect_args: dict[str, Any] = {"timeout": SQLITE_BUSY_TIMEOUT, "check_same_thread": False}
    if _sqlite_memory(url):  # one shared connection, or every checkout would see a new empty database
        engine = sqlalchemy.create_engine(url, connect_args=connect_args, poolclass=StaticPool)
    else:
        try:
            Path(str(url.database)).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the directory of {describe(url)}: {exc.strerror}") from None
        engine = sqlalchemy.create_engine(url, connect_args=connect_args)
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: DBAPIConnection, connection_record: ConnectionPoolEntry) -> None:
    raw = cast(sqlite3.Connection, dbapi_connection)
    raw.isolation_level = None  # we emit BEGIN ourselves (_sqlite_begin)
    raw.execute("PRAGMA foreign_keys = ON")
    raw.execute("PRAGMA journal_mode = WAL")


def _sqlite_begin(connection: Connection) -> None:
    read_only = bool(connection.get_execution_options().get(READ_ONLY, False))
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def describe(url: str | URL | Engine) -> str:
    """The URL without its password, for messages."""
    if isinstance(url, Engine):
        url = url.url
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(not a URL)"


# ----------------------------------------------------------------------------- migrations


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration without a file: our script directory, and the connection to use.

    Developers create a revision with, for example::

        from alembic import command
        from processor.store.database import alembic_config, create_engine
        with create_engine("sqlite:///var/dev.db").begin() as connection:
            command.revision(alembic_config(connection), "add meter reads", autogenerate=True)
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The revision the code expects the database to be at."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package ships its migrations
        raise StoreError(f"no migrations found in {MIGRATIONS_DIR}")
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None: never migrated)."""
    with engine.connect().execution_options(**{READ_ONLY: True}) as connection:
        return MigrationContext.configure(connection).get_current_revision()


def require_existing(url: str | URL) -> None:
    """Raise :class:`StoreError` unless ``url`` names a database that exists and holds our schema.

    For the commands that must never start on a new, empty database (the batch): a missing SQLite file
    is a missing volume or a wrong ``[database] url``, and a run without accounts would reject every
    request and send those rejections. Checked without creating anything (``edi load`` creates).
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"not a database URL: {url!s}") from None
    if parsed.get_backend_name() == "sqlite" and not _sqlite_memory(parsed):
        path = Path(str(parsed.database))
        if not path.is_file():
            raise StoreError(f"{describe(parsed)} does not exist (a missing volume or a wrong [database] url?); "
                             "refusing to start on a new, empty database (`edi load` creates one)")
        revision = _sqlite_revision(path, describe(parsed))
    else:
        engine = create_engine(parsed)
        try:
            revision = current_revision(engine)
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot read the database {describe(parsed)}: {exc}") from exc
        finally:
            engine.dispose()
    if revision is None:
        raise StoreError(f"{describe(parsed)} holds no gateway schema; refusing to start on a new, empty "
                         "database (`edi load` creates one)")


def _sqlite_revision(path: Path, name: str) -> str | None:
    """The revision of a SQLite file, read without writing a byte (our engine would switch it to WAL)."""
    try:
        with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'").fetchone() is None:
                return None
            row = db.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error as exc:
        raise StoreError(f"cannot read the database {name}: {exc}") from exc
    return None if row is None else str(row[0])


def migrate(target: str | URL | Engine) -> str:
    """Upgrade the database to head in one transaction; a no-op when it is there. Returns the revision.

    Safe to run concurrently: SQLite's ``BEGIN IMMEDIATE`` and a PostgreSQL advisory lock let one
    migrator at a time in, and the next finds the database at head.
    """
    engine = target if isinstance(target, Engine) else create_engine(target)
    try:
        with engine.connect() as connection, _sqlite_foreign_keys_off(connection), connection.begin():
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
            command.upgrade(alembic_config(connection), "head")
            _check_foreign_keys(connection)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot migrate the database {describe(engine)}: {exc}") from exc
    finally:
        if not isinstance(target, Engine):
            engine.dispose()
    return head_revision()


@contextmanager
def _sqlite_foreign_keys_off(connection: Connection) -> Iterator[None]:
    """SQLite migrations copy and rename tables (batch mode); foreign keys must be off meanwhile.

    The pragma is a no-op inside a transaction, so it is set on the raw connection before ours begins.
    """
    raw = connection.connection.dbapi_connection
    if connection.dialect.name != "sqlite" or raw is None:
        yield
        return
    cursor = raw.cursor()
    cursor.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()


def _check_foreign_keys(connection: Connection) -> None:
    """With foreign keys off during a SQLite migration, check afterwards that none was broken."""
    if connection.dialect.name != "sqlite":
        return
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise StoreError(f"the migration broke foreign keys: {[tuple(row) for row in broken][:5]}")

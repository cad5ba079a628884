"""The two statements plain SQL has no portable spelling for: upsert and insert-if-absent.

Both SQLite (3.24+) and PostgreSQL have ``INSERT … ON CONFLICT``, and SQLAlchemy builds it for each
through its dialect's ``insert``. Neither raises on a conflict, which matters on PostgreSQL: a failed
statement aborts the whole transaction, so "try the insert and catch the error" would poison the
unit of work it runs in.

Whether a row went in is read from ``RETURNING`` (both databases have it), not from the row count, which
the psycopg driver does not report for these statements.

:func:`advisory_key` turns a lock's name into the 64-bit key PostgreSQL's advisory locks take.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, RowMapping, Table
from sqlalchemy.dialects import postgresql, sqlite


def _insert(connection: Connection, table: Table) -> sqlite.Insert | postgresql.Insert:
    name = connection.dialect.name
    if name == "sqlite":
        return sqlite.insert(table)
    if name == "postgresql":
        return postgresql.insert(table)
    raise NotImplementedError(f"no INSERT … ON CONFLICT for {name}")  # create_engine refuses other databases


def upsert(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]], key: Sequence[str]) -> int:
    """Insert ``rows``, replacing every non-key column of rows whose ``key`` exists. Returns len(rows)."""
    if not rows:
        return 0
    statement = _insert(connection, table)
    changes = {column.name: statement.excluded[column.name] for column in table.columns if column.name not in key}
    if changes:
        connection.execute(statement.on_conflict_do_update(index_elements=list(key), set_=changes), list(rows))
    else:
        connection.execute(statement.on_conflict_do_nothing(index_elements=list(key)), list(rows))
    return len(rows)


def insert_if_absent(connection: Connection, table: Table, values: Mapping[str, Any]) -> bool:
    """Insert one row unless it conflicts with any unique key; whether it was inserted."""
    statement = _insert(connection, table).on_conflict_do_nothing().returning(*table.primary_key.columns)
    return connection.execute(statement, dict(values)).first() is not None


def insert_returning(connection: Connection, table: Table, values: Mapping[str, Any]) -> RowMapping | None:
    """Insert one row unless it conflicts with any unique key; the row as stored (None: it conflicted).

    One round trip where insert-then-select takes two: the row comes back with its generated id."""
    statement = _insert(connection, table).on_conflict_do_nothing().returning(*table.columns)
    return connection.execute(statement, dict(values)).mappings().first()


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for the advisory lock called ``name`` (PostgreSQL's ``pg_advisory_*``)."""
    return int.from_bytes(hashlib.sha256(f"edi:{name}".encode()).digest()[:8], "big", signed=True)

"""The two statements plain SQL has no portable spelling for: upsert and insert-if-absent.

Both SQLite (3.24+) and PostgreSQL have ``INSERT … ON CONFLICT``, and SQLAlchemy builds it for each
through its dialect's ``insert``. Neither raises on a conflict, which matters on PostgreSQL: a failed
statement aborts the whole transaction, so "try the insert and catch the error" would poison the
unit of work it runs in.

Whether a row went in is read from ``RETURNING`` (both databases have it), not from the row count, which
the psycopg driver does not report for these statements.

Statements a batch runs once per transaction set are built once (``functools.cache`` on a builder, with
``bindparam`` for the values) and reused: building a SQLAlchemy statement and its cache key costs about
three times what executing the cached compiled form does (measured on SQLite: ~145 µs against ~48 µs a
one-row select), and at 100,000 sets a night that is most of the batch's time.

Those per-set statements then run through :func:`rows` / :func:`first` / :func:`scalar`, which compile a
statement once per dialect and hand the SQL straight to the driver's cursor, with the same type conversions
SQLAlchemy applies (each type's public ``bind_processor`` / ``result_processor``: the store's
:class:`~processor.store.schema.UtcDateTime`, dates and decimals on SQLite). Even cached, SQLAlchemy's
execution (its execution context, events and result objects) costs ~24 µs for a one-row select by key on
SQLite, the driver ~5 µs; a batch runs eleven such statements per 814 (README, batch profile). The
transaction is SQLAlchemy's as before: begun through the connection when none is open (so SQLite's
``BEGIN IMMEDIATE`` still comes from :mod:`processor.store.database`), committed by the unit of work, and a
driver error is raised as the same :class:`sqlalchemy.exc.DBAPIError` subclass SQLAlchemy would raise.

:func:`advisory_key` turns a lock's name into the 64-bit key PostgreSQL's advisory locks take.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, cast

from sqlalchemy import Connection, Dialect, Executable, RowMapping, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement


def _dialect_insert(name: str, table: Table) -> sqlite.Insert | postgresql.Insert:
    if name == "sqlite":
        return sqlite.insert(table)
    if name == "postgresql":
        return postgresql.insert(table)
    raise NotImplementedError(f"no INSERT … ON CONFLICT for {name}")  # create_engine refuses other databases


def upsert(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]], key: Sequence[str]) -> int:
    """Insert ``rows``, replacing every non-key column of rows whose ``key`` exists. Returns len(rows)."""
    if not rows:
        return 0
    connection.execute(upsert_statement(connection.dialect.name, table, tuple(key)), list(rows))
    return len(rows)


@cache
def upsert_statement(dialect: str, table: Table, key: tuple[str, ...]) -> Executable:
    """The statement :func:`upsert` runs (execute it with the rows), built once per table and key."""
    statement = _dialect_insert(dialect, table)
    changes = {column.name: statement.excluded[column.name] for column in table.columns if column.name not in key}
    if changes:
        return statement.on_conflict_do_update(index_elements=list(key), set_=changes)
    return statement.on_conflict_do_nothing(index_elements=list(key))


def insert_if_absent(connection: Connection, table: Table, values: Mapping[str, Any]) -> bool:
    """Insert one row unless it conflicts with any unique key; whether it was inserted."""
    statement = _insert_or_nothing(connection.dialect.name, table, everything=False)
    return first(connection, statement, values) is not None


def insert_id(connection: Connection, table: Table, values: Mapping[str, Any]) -> int | None:
    """Insert one row unless it conflicts with any unique key; its generated ``id`` (None: it conflicted).

    For a caller that knows the rest of the row: reading a long payload back to convert it costs more than
    the insert (batch profile, README)."""
    found = scalar(connection, _insert_or_nothing(connection.dialect.name, table, everything=False), values)
    return None if found is None else int(found)


def insert_returning(connection: Connection, table: Table, values: Mapping[str, Any]) -> Row | None:
    """Insert one row unless it conflicts with any unique key; the row as stored (None: it conflicted).

    One round trip where insert-then-select takes two: the row comes back with its generated id."""
    statement = _insert_or_nothing(connection.dialect.name, table, everything=True)
    return first(connection, statement, values)


@cache
def _insert_or_nothing(dialect: str, table: Table, *, everything: bool) -> Executable:
    columns = table.columns if everything else table.primary_key.columns
    return _dialect_insert(dialect, table).on_conflict_do_nothing().returning(*columns)


# ------------------------------------------------------------------------- straight to the driver

#: A result row by column name: a plain dict from :func:`rows`, SQLAlchemy's from ``.mappings()``.
Row = Mapping[str, Any] | RowMapping


@dataclass(frozen=True, slots=True)
class _Plan:
    """A statement compiled for one dialect, with what it takes to run it on the driver's cursor."""

    sql: str
    order: tuple[str, ...] | None  #: the parameters' names in order (positional paramstyles), else None
    defaults: Mapping[str, Any]  #: values bound in the statement itself (e.g. LIMIT)
    binds: tuple[tuple[str, Callable[[Any], Any]], ...]  #: the parameters whose type converts them
    keys: tuple[str, ...]  #: result columns (empty: the statement returns no rows)
    types: tuple[Any, ...]
    #: by the column types the driver reports (None: it reports none): ``(column index, converter)``
    results: dict[tuple[Any, ...] | None, tuple[tuple[int, Callable[[Any], Any]], ...]] = field(default_factory=dict)


@cache
def _plan(statement: Executable, dialect: Dialect, names: tuple[str, ...]) -> _Plan:
    """Kept for good (``cache``): only for statements that are themselves built once, never ad hoc.

    ``names``: the parameters given, which decide the columns of an ``insert(table)`` without values (as
    SQLAlchemy compiles it for each set of keys it is executed with)."""
    assert isinstance(statement, ClauseElement)
    compiled = cast(SQLCompiler, statement.compile(dialect=dialect, column_keys=list(names)))
    binds = compiled.binds
    defaults = {name: b.effective_value for name, b in binds.items() if not b.required}
    processors = tuple((name, process) for name, b in binds.items()
                       if (process := b.type.dialect_impl(dialect).bind_processor(dialect)) is not None)
    columns = list(getattr(statement, "exported_columns", ()))
    order = None if compiled.positiontup is None else tuple(compiled.positiontup)
    return _Plan(compiled.string, order, defaults, processors, tuple(c.key for c in columns),
                 tuple(c.type.dialect_impl(dialect) for c in columns))


def _cursor(connection: Connection, statement: Executable, values: Mapping[str, Any]) -> tuple[_Plan, Any]:
    plan = _plan(statement, connection.dialect, tuple(values))
    params = {**plan.defaults, **values}
    try:
        for name, process in plan.binds:
            params[name] = process(params[name])
    except Exception as exc:  # e.g. a naive datetime: what SQLAlchemy raises for a value its type refuses
        raise StatementError(f"({type(exc).__name__}) {exc}", plan.sql, values, exc) from exc
    args: Any = params if plan.order is None else [params[name] for name in plan.order]
    if not connection.in_transaction():
        connection.begin()  # as SQLAlchemy's autobegin would: the database module's "begin" hook runs
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    dbapi = connection.dialect.loaded_dbapi
    try:
        cursor.execute(plan.sql, args)
    except dbapi.Error as exc:
        raise DBAPIError.instance(plan.sql, args, exc, dbapi.Error, dialect=connection.dialect) from exc
    return plan, cursor


def _converters(plan: _Plan, cursor: Any, dialect: Dialect) -> tuple[tuple[int, Callable[[Any], Any]], ...]:
    """The columns whose type converts what the driver returns, with their converters: by the column types
    the driver reports (psycopg's decide e.g. how a NUMERIC comes back; sqlite3 reports none)."""
    coltypes = None if dialect.name == "sqlite" else tuple(d[1] for d in cursor.description)
    found = plan.results.get(coltypes)
    if found is None:
        reported = coltypes or (None,) * len(plan.types)
        found = plan.results[coltypes] = tuple(
            (i, f) for i, (t, c) in enumerate(zip(plan.types, reported, strict=True))
            if (f := t.result_processor(dialect, c)) is not None)
    return found


def rows(connection: Connection, statement: Executable, values: Mapping[str, Any] | None = None) -> list[Row]:
    """Run a statement built once (see above) in the connection's transaction; its rows by column name."""
    plan, cursor = _cursor(connection, statement, values or {})
    if not plan.keys:
        return []
    fetched = cursor.fetchall()
    if not fetched:
        return []
    converters, keys = _converters(plan, cursor, connection.dialect), plan.keys
    out: list[Row] = []
    for row in fetched:
        got = list(row)
        for i, convert in converters:
            if got[i] is not None:
                got[i] = convert(got[i])
        out.append(dict(zip(keys, got, strict=True)))
    return out


def first(connection: Connection, statement: Executable, values: Mapping[str, Any] | None = None) -> Row | None:
    """The first row :func:`rows` would give, or None."""
    found = rows(connection, statement, values)
    return found[0] if found else None


def scalar(connection: Connection, statement: Executable, values: Mapping[str, Any] | None = None) -> Any:
    """The first column of the first row, or None."""
    row = first(connection, statement, values)
    return None if row is None else next(iter(row.values()))


def execute(connection: Connection, statement: Executable, values: Mapping[str, Any] | None = None) -> int:
    """Run a statement that returns no rows; the number of rows it changed."""
    _, cursor = _cursor(connection, statement, values or {})
    return int(cursor.rowcount)


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for the advisory lock called ``name`` (PostgreSQL's ``pg_advisory_*``)."""
    return int.from_bytes(hashlib.sha256(f"edi:{name}".encode()).digest()[:8], "big", signed=True)

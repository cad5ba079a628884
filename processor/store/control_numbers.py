"""Control-number sequences (ISA13, GS06 …) that never hand out a number twice.

``next`` runs *UPDATE … SET last_value = last_value + 1 RETURNING last_value* in the caller's
transaction (one round trip: the batch takes a number for every 814 it answers), inserting the scope
first when the update finds none. The UPDATE takes the row's write lock (PostgreSQL) or the database's
(SQLite, whose transactions here begin IMMEDIATE), so a concurrent caller waits until this
transaction ends and then reads the committed value: no two committed transactions get the same
number. A rolled-back transaction gives its number back, which is right when nothing carrying it
was sent. Numbers are not wrapped at ISA13's nine digits: at one interchange a minute that is
nineteen centuries away.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import Connection, Executable, bindparam, select, update

from processor.store import schema
from processor.store.statements import insert_if_absent, scalar


class ControlNumbers:
    """Sequences per scope (e.g. ``"ISA:012345678>987654321"``); satisfies ``edi.writer.ControlNumbers``.

    A new scope starts at ``start``.
    """

    def __init__(self, connection: Connection, start: int = 1) -> None:
        self._connection = connection
        self._start = start

    def next(self, scope: str) -> int:
        """The scope's next number, reserved until this transaction ends (for good when it commits)."""
        value = scalar(self._connection, _next(), {"name": scope})
        if value is None:  # a new scope
            insert_if_absent(self._connection, schema.control_numbers, {"scope": scope, "last_value": self._start - 1})
            value = scalar(self._connection, _next(), {"name": scope})
        return int(value)

    def last(self, scope: str) -> int | None:
        """The last number handed out in ``scope`` (None: none yet)."""
        table = schema.control_numbers
        value = self._connection.execute(select(table.c.last_value).where(table.c.scope == scope)).scalar()
        return None if value is None else int(value)

    def set_last(self, scope: str, value: int) -> None:
        """Make ``value + 1`` the scope's next number: a golden case's starting state, a migration
        from another system. Never use it to go back on a live system."""
        table = schema.control_numbers
        if not insert_if_absent(self._connection, table, {"scope": scope, "last_value": value}):
            self._connection.execute(update(table).where(table.c.scope == scope).values(last_value=value))


@cache
def _next() -> Executable:
    table = schema.control_numbers
    return (update(table).where(table.c.scope == bindparam("name")).values(last_value=table.c.last_value + 1)
            .returning(table.c.last_value))

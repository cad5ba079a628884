"""Alembic's environment, executed by alembic (not imported) when :func:`~processor.store.database.migrate` runs.

There is no ``alembic.ini`` and no URL here: the caller hands over an open connection already inside
the transaction the whole upgrade runs in (``config.attributes["connection"]``).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from processor.store.schema import metadata


def run_migrations(connection: Connection) -> None:
    """Batch mode on SQLite, which can ALTER a table only by copying it."""
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


_connection = context.config.attributes.get("connection")
if not isinstance(_connection, Connection):
    raise RuntimeError("run migrations through processor.store.database.migrate(), which passes a connection")
run_migrations(_connection)

"""The outbox: outbound messages committed with the state change that caused them, sent afterwards.

A handler enqueues its responses in its own unit of work, so a crash can neither lose a response
(the state change would be lost with it) nor send one twice (the idempotency key is unique, and
:meth:`Outbox.enqueue` answers None instead of failing when the key is taken). The writer renders
what is pending and marks it sent once the file is in place.

Several processes may flush at once (workers on other machines sharing a PostgreSQL database): staging
runs under one lock (:meth:`processor.store.Store.unit_of_work` ``lock=``), so every message is staged
into exactly one file and control numbers are taken in one place; writing takes one file at a time with
:meth:`Outbox.next_unwritten_file`, so no file is written by two processes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from processor.store import schema
from processor.store.records import NewOutboxMessage, OutboundFile, OutboxMessage
from processor.store.statements import Row, insert_id


class Outbox:
    """The outbox inside one unit of work's transaction."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def enqueue(self, message: NewOutboxMessage) -> OutboxMessage | None:
        """Add a message; None when one with the same idempotency key is already there."""
        values = {
            "idempotency_key": message.idempotency_key,
            "receiver": message.receiver,
            "st01": message.st01,
            "kind": message.kind,
            "payload": message.payload,
            "created_at": message.created_at,
            "ledger_id": message.ledger_id,
            "source_gs06": message.source_gs06,
            "source_st02": message.source_st02,
        }
        message_id = insert_id(self._connection, schema.outbox, values)
        if message_id is None:
            return None
        stored: dict[str, Any] = {**values, "created_at": message.created_at.astimezone(UTC)}  # as the store gives it
        return OutboxMessage(id=message_id, **stored)

    def by_key(self, idempotency_key: str) -> OutboxMessage | None:
        table = schema.outbox
        row = self._connection.execute(
            select(table).where(table.c.idempotency_key == idempotency_key)).mappings().first()
        return None if row is None else _message(row)

    def get(self, message_id: int) -> OutboxMessage | None:
        table = schema.outbox
        row = self._connection.execute(select(table).where(table.c.id == message_id)).mappings().first()
        return None if row is None else _message(row)

    def pending(self, *, receiver: str | None = None, st01: str | None = None) -> list[OutboxMessage]:
        """Messages not sent yet, in the order they were enqueued."""
        table = schema.outbox
        query = select(table).where(table.c.sent_at.is_(None)).order_by(table.c.id)
        if receiver is not None:
            query = query.where(table.c.receiver == receiver)
        if st01 is not None:
            query = query.where(table.c.st01 == st01)
        return [_message(row) for row in self._connection.execute(query).mappings()]

    def unstaged_routes(self) -> list[tuple[str, str, int]]:
        """``(receiver, ST01, last id)`` of each route with messages not yet assigned to an outbound file, in
        order: staging a night of 100,000 responses needs only where they go, not a row each."""
        table = schema.outbox
        query = (select(table.c.receiver, table.c.st01, func.max(table.c.id)).where(table.c.sent_file.is_(None))
                 .group_by(table.c.receiver, table.c.st01))
        # sorted here, not by the database's collation: the files' control numbers follow this order
        return sorted((receiver, st01, int(last)) for receiver, st01, last in self._connection.execute(query))

    def stage_file(self, file: OutboundFile, up_to: int) -> None:
        """Record an outbound file and the messages it will carry, before any byte is written: the unstaged
        messages of its route (receiver and ST01) up to id ``up_to``, as :meth:`unstaged_routes` gave it."""
        self._connection.execute(insert(schema.outbound_files).values(
            name=file.name, receiver=file.receiver, st01=file.st01, isa13=file.isa13, gs06=file.gs06,
            created_at=file.created_at, written_at=None))
        table = schema.outbox
        self._connection.execute(
            update(table).where(table.c.sent_file.is_(None), table.c.receiver == file.receiver,
                                table.c.st01 == file.st01, table.c.id <= up_to).values(sent_file=file.name))

    def next_unwritten_file(self) -> OutboundFile | None:
        """The first staged file not written yet that no other process is writing, locked for this one
        until the transaction ends (``FOR UPDATE SKIP LOCKED``; SQLite's write lock does the same)."""
        table = schema.outbound_files
        row = self._connection.execute(
            select(table).where(table.c.written_at.is_(None)).order_by(table.c.name).limit(1)
            .with_for_update(skip_locked=True)).mappings().first()
        return None if row is None else _file(row)

    def payloads_in(self, file_name: str) -> Iterator[str]:
        """The payloads of the file's messages in order, fetched as they are used (``yield_per``): the
        outbound file is rendered from them without holding 100,000 messages at once."""
        table = schema.outbox
        query = select(table.c.payload).where(table.c.sent_file == file_name).order_by(table.c.id)
        yield from self._connection.scalars(query.execution_options(yield_per=1000))

    def file_written(self, file_name: str, *, at: datetime) -> None:
        """The file is in the outbound folder: it and its messages are sent."""
        self._connection.execute(update(schema.outbound_files).where(
            schema.outbound_files.c.name == file_name).values(written_at=at))
        table = schema.outbox
        self._connection.execute(update(table).where(table.c.sent_file == file_name, table.c.sent_at.is_(None))
                                 .values(sent_at=at))

    def mark_sent(self, message_ids: Iterable[int], *, file: str, at: datetime) -> int:
        """Record the file the messages went out in; only unsent ones change. Returns how many did."""
        ids = list(message_ids)
        if not ids:
            return 0
        table = schema.outbox
        result = self._connection.execute(
            update(table).where(table.c.id.in_(ids), table.c.sent_at.is_(None)).values(sent_file=file, sent_at=at))
        return result.rowcount


def _message(row: Row) -> OutboxMessage:
    return OutboxMessage(
        id=row["id"],
        idempotency_key=row["idempotency_key"],
        receiver=row["receiver"],
        st01=row["st01"],
        kind=row["kind"],
        payload=row["payload"],
        created_at=row["created_at"],
        ledger_id=row["ledger_id"],
        source_gs06=row["source_gs06"],
        source_st02=row["source_st02"],
        sent_file=row["sent_file"],
        sent_at=row["sent_at"],
    )


def _file(row: Row) -> OutboundFile:
    return OutboundFile(name=row["name"], receiver=row["receiver"], st01=row["st01"], isa13=row["isa13"],
                        gs06=row["gs06"], created_at=row["created_at"], written_at=row["written_at"])

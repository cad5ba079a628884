"""The ingest ledger: which inbound interchanges were claimed, and which of their transaction sets are done.

One entry per interchange (a file may hold several), unique twice over:

- on ``sha256`` of the interchange's bytes (ISA through IEA): the *same bytes* again are a re-send
  (or our own retry), answered :attr:`~ClaimStatus.DUPLICATE` once processed, so nothing is
  processed or answered twice;
- on ``(sender, isa13)``: *other bytes* under a control number the sender already used are not a
  re-send but a sender error (X12 wants ISA13 unique per sender; TA1 note 025), answered
  :attr:`~ClaimStatus.CONTROL_NUMBER_REUSED` for the batch to quarantine, and not recorded (the
  number is taken).

Telling the two apart matters: silently skipping the second case would lose a partner's
transactions, and processing the first would answer a request twice.

Exactly once, per transaction set: the handler's unit of work calls :meth:`IngestLedger.record_set`
in the same transaction as its state change and outbox messages, so after a crash a resumed
interchange skips the sets already committed. The ledger is not a lock: claiming the file (atomic
rename out of the inbox) keeps two workers off the same file.

Two workers meeting the same interchange in two files at once (PostgreSQL, READ COMMITTED): the second
claim's ``INSERT … ON CONFLICT DO NOTHING`` waits for the first's commit and then finds its entry
(RESUME, or DUPLICATE once processed), never a second NEW; a set both try to record is recorded by one,
the other's insert waits and answers False, so no set is handled twice. The batch applies a run's files
in order anyway (:mod:`processor.store.batch_queue`), so within a run the second file simply sees a
duplicate; the waiting matters for runs on other machines.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Connection, and_, select, update

from processor.store import schema
from processor.store.records import Claim, ClaimStatus, LedgerEntry, LedgerOutcome
from processor.store.statements import Row, insert_if_absent, insert_returning


class IngestLedger:
    """The ingest ledger inside one unit of work's transaction; commit right after :meth:`claim`."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def claim(self, *, sender: str, isa13: str, sha256: str, file_name: str, at: datetime) -> Claim:
        """Claim an interchange before processing it; see the module docstring for the answers.

        A claim that never finished, or that ended in quarantine, is re-opened (:attr:`ClaimStatus.RESUME`):
        the run that made it crashed, or what made it fail (a map, a configuration) may be fixed now.
        """
        table = schema.ingest_ledger
        values = {"sender": sender, "isa13": isa13, "sha256": sha256, "file_name": file_name, "claimed_at": at}
        inserted = insert_returning(self._connection, table, values)
        if inserted is not None:
            return Claim(ClaimStatus.NEW, _entry(inserted))
        earlier = self._find(table.c.sha256 == sha256)
        if earlier is not None:
            if earlier.outcome is LedgerOutcome.PROCESSED:
                return Claim(ClaimStatus.DUPLICATE, earlier)
            self._connection.execute(
                update(table).where(table.c.id == earlier.id)
                .values(file_name=file_name, claimed_at=at, finished_at=None, outcome=None))
            return Claim(ClaimStatus.RESUME, self._by(table.c.id == earlier.id))
        return Claim(ClaimStatus.CONTROL_NUMBER_REUSED,
                     self._by(and_(table.c.sender == sender, table.c.isa13 == isa13)))

    def finish(self, ledger_id: int, outcome: LedgerOutcome, *, at: datetime) -> LedgerEntry:
        """Record how processing the interchange ended."""
        table = schema.ingest_ledger
        row = self._connection.execute(
            update(table).where(table.c.id == ledger_id).values(finished_at=at, outcome=outcome.value)
            .returning(*table.columns)).mappings().first()
        if row is None:
            raise KeyError(f"no ingest ledger entry {ledger_id}")
        return _entry(row)

    def get(self, ledger_id: int) -> LedgerEntry | None:
        return self._find(schema.ingest_ledger.c.id == ledger_id)

    def record_set(self, ledger_id: int, *, gs06: str, st02: str, st01: str, at: datetime) -> bool:
        """Mark a transaction set processed; False when it already was (then roll back and skip it)."""
        values = {"ledger_id": ledger_id, "gs06": gs06, "st02": st02, "st01": st01, "processed_at": at}
        return insert_if_absent(self._connection, schema.ingest_sets, values)

    def recorded_sets(self, ledger_id: int) -> set[tuple[str, str]]:
        """``(GS06, ST02)`` of the interchange's transaction sets already processed."""
        table = schema.ingest_sets
        rows = self._connection.execute(select(table.c.gs06, table.c.st02).where(table.c.ledger_id == ledger_id))
        return {(row.gs06, row.st02) for row in rows}

    def _find(self, condition: ColumnElement[bool]) -> LedgerEntry | None:
        query = select(schema.ingest_ledger).where(condition)
        row = self._connection.execute(query).mappings().first()
        return None if row is None else _entry(row)

    def _by(self, condition: ColumnElement[bool]) -> LedgerEntry:
        entry = self._find(condition)
        if entry is None:  # pragma: no cover - the row was just written or conflicted
            raise LookupError("ingest ledger entry vanished inside the transaction")
        return entry


def _entry(row: Row) -> LedgerEntry:
    return LedgerEntry(
        id=row["id"],
        sender=row["sender"],
        isa13=row["isa13"],
        sha256=row["sha256"],
        file_name=row["file_name"],
        claimed_at=row["claimed_at"],
        finished_at=row["finished_at"],
        outcome=None if row["outcome"] is None else LedgerOutcome(row["outcome"]),
    )

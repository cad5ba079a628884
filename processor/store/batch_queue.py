"""The batch's work queue: which inbound files a run processes, in which order, and which worker holds each.

``edi batch --workers N`` runs N processes (on one machine, and runs on other machines may share the same
PostgreSQL database). Exactly once holds without this queue (claim by rename, the ingest ledger, one
transaction per set, the outbox); the queue adds what several workers need on top:

- **Ownership.** A run queues the inbox (``batch_files``, one row per file, ``seq`` = the order one
  process would have used: files a crashed run left claimed first, then the rest by name). A worker
  claims the lowest queued row (``FOR UPDATE SKIP LOCKED``: two workers never get the same row and never
  wait for each other), then claims the file itself by rename.
- **Liveness.** Each run and each worker holds a PostgreSQL advisory lock on a random key for as long as
  its process lives (:class:`Presence`, a connection of its own). A SIGKILLed worker's connection
  drops, the server releases its locks, and ``pg_try_advisory_xact_lock(key)`` tells the others it is
  gone: its rows are taken over (the file's ``.claimed.`` name on disk is read again; the ledger makes
  the repeat harmless). A ``.claimed.`` file of a *live* worker, on this machine or another, is never
  taken.
- **Order.** Workers read and validate their files in parallel, but apply them to the database (ledger,
  handlers, outbox) strictly in ``seq`` order: a worker waits until every lower row of its run is
  applied. Business decisions depend on order (the first enrollment for an account wins), so N workers
  decide exactly what one process would, and the outbox is the same, byte for byte. Waiting is a
  ``LISTEN``: the worker that applies a file ``NOTIFY``-s the others.

- **One applier at a time across runs.** Runs on several machines may share the database; each run
  keeps its own order, and an advisory lock (``apply``, also taken by effectuation) lets one file be
  applied at a time in the whole database, so two runs never decide on the same account at once.

On SQLite there is one process (the machine's batch lock, and SQLite cannot be shared between
machines), so the queue is :class:`LocalQueue`, in memory: the same order, no bookkeeping writes.
"""

from __future__ import annotations

import os
import secrets
import socket
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, text, update
from sqlalchemy.exc import InterfaceError, OperationalError

from processor.store import schema
from processor.store.database import StoreError, describe
from processor.store.statements import advisory_key

QUEUED, CLAIMED, APPLIED = "queued", "claimed", "applied"
CHANNEL = "edi_batch"  #: LISTEN/NOTIFY channel: "a file was applied or left the queue"
APPLY_LOCK = "apply"  #: name of the lock held while a file is applied (and while effectuation runs)
_QUEUE_LOCK = advisory_key("batch-queue")


@dataclass(frozen=True, slots=True)
class QueuedFile:
    name: str
    run_id: str
    seq: int
    state: str
    owner: int | None


class Presence:
    """A process's mark in the database while it works: a key that reads as alive until the process ends.

    PostgreSQL: a connection of its own holding ``pg_advisory_lock(key)`` and listening on :data:`CHANNEL`.
    SQLite: the key is only remembered in this process (no other process can share the database).
    """

    def __init__(self, key: int, connection: Any | None) -> None:
        self.key = key
        self._connection = connection  #: the psycopg connection (PostgreSQL) or None

    @contextmanager
    def applying(self) -> Iterator[None]:
        """Hold the database-wide apply lock (:data:`APPLY_LOCK`) for the block; released if we die."""
        if self._connection is None:
            yield
            return
        key = advisory_key(APPLY_LOCK)
        self._connection.execute("SELECT pg_advisory_lock(%s)", (key,))
        try:
            yield
        finally:
            self._connection.execute("SELECT pg_advisory_unlock(%s)", (key,))

    def wait(self, timeout: float, *, for_payload: str | None = None) -> bool:
        """Until a notification (with ``for_payload``, if given) arrives, or ``timeout`` seconds pass.

        True when one came (look again at once), False on the timeout (time to ask who is still alive).
        """
        if self._connection is None:
            time.sleep(timeout)
            return False
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            for note in self._connection.notifies(timeout=left, stop_after=1):
                if for_payload is None or note.payload == for_payload:
                    return True
        return False


@contextmanager
def presence(engine: Engine, held: set[int]) -> Iterator[Presence]:
    """Hold a new key for the duration of the ``with`` block (see :class:`Presence`)."""
    key = secrets.randbits(62) + 1
    if engine.dialect.name != "postgresql":
        held.add(key)
        try:
            yield Presence(key, None)
        finally:
            held.discard(key)
        return
    raw = engine.raw_connection()
    try:
        connection = raw.driver_connection
        assert connection is not None
        connection.autocommit = True
        connection.execute("SELECT pg_advisory_lock(%s)", (key,))
        connection.execute(f"LISTEN {CHANNEL}")
        yield Presence(key, connection)
    finally:
        raw.invalidate()  # closes the session: the lock goes with it, and the connection is never pooled again


class BatchQueue:
    """The queue's statements; each method is one short transaction of its own."""

    def __init__(self, engine: Engine, held: set[int]) -> None:
        self._engine = engine
        self._held = held
        self._postgres = engine.dialect.name == "postgresql"

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        """One transaction. The store gives the queue an engine that commits without waiting for the disk:
        the queue is bookkeeping that a server crash may roll back a little without harm (a file claimed,
        applied or removed again is taken over and answered from the ledger), and that saves a disk flush
        per step of every file."""
        try:
            with self._engine.connect() as connection, connection.begin():
                yield connection
        except (OperationalError, InterfaceError) as exc:
            raise StoreError(f"the database {describe(self._engine)} failed: {exc}") from exc

    # ------------------------------------------------------------------------------- liveness

    def _alive(self, connection: Connection, key: int | None) -> bool:
        if key is None:
            return False
        if not self._postgres:
            return key in self._held
        # Only a dead holder's lock can be taken; ours (if it was dead) goes when this transaction ends.
        got = connection.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": key}).scalar_one()
        return not got

    def alive(self, key: int | None) -> bool:
        """Whether the run or worker holding ``key`` is still running."""
        with self._transaction() as connection:
            return self._alive(connection, key)

    def _notify(self, connection: Connection, run_id: str, seq: int) -> None:
        """Tell the run's workers that file ``seq`` is applied (or gone): its successor's turn has come."""
        if self._postgres:
            connection.execute(text("SELECT pg_notify(:channel, :payload)"),
                               {"channel": CHANNEL, "payload": turn_payload(run_id, seq)})

    # ------------------------------------------------------------------------------------ runs

    def open_run(self, run_id: str, *, key: int, workers: int, at: datetime, leftovers: Iterable[str],
                 fresh: Iterable[str]) -> tuple[str, bool, int]:
        """Start run ``run_id``, or join the open run of another live process (another machine's cron job).

        Queues what the inbox holds that nobody else does. ``leftovers`` are the original names of
        ``.claimed.`` files, ``fresh`` the inbox's ready files. Rows of crashed runs are adopted (unless a
        worker of theirs still lives); a live run's rows are left to it. Order: files that were claimed
        (leftovers, adopted rows) first, then the rest, each by name; a joiner appends after what is there.
        Returns (the run to work on, whether it is ours, how many files this call queued).
        """
        files, runs = schema.batch_files, schema.batch_runs
        leftovers, fresh = set(leftovers), set(fresh)
        with self._transaction() as connection:
            if self._postgres:  # one at a time: two runs starting together neither both adopt a row nor both start
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _QUEUE_LOCK})
            alive: dict[int, bool] = {}

            def is_alive(key: int | None) -> bool:
                if key is None:
                    return False
                if key not in alive:
                    alive[key] = self._alive(connection, key)
                return alive[key]

            open_runs = connection.execute(select(runs).where(runs.c.finished_at.is_(None))
                                           .order_by(runs.c.started_at, runs.c.id)).mappings().all()
            joined = next((run for run in open_runs if is_alive(run["lock_key"])), None)
            rows = connection.execute(select(files.c.name, files.c.owner, runs.c.lock_key)
                                      .join(runs, runs.c.id == files.c.run_id)).all()
            held = {row.name for row in rows if is_alive(row.owner) or is_alive(row.lock_key)}
            adopted = {row.name for row in rows} - held
            first = sorted((leftovers - held) | {n for n in adopted if n not in fresh})
            then = sorted(fresh - held - set(first))
            if joined is None:
                connection.execute(insert(runs).values(
                    id=run_id, host=socket.gethostname()[:255], pid=os.getpid(), workers=workers, lock_key=key,
                    started_at=at, queued=0))
                target, base = run_id, 0
            else:
                target, base = joined["id"], int(joined["queued"])
            names = [*first, *then]
            for seq, name in enumerate(names, start=base):
                if name in adopted:
                    connection.execute(update(files).where(files.c.name == name).values(
                        run_id=target, seq=seq, state=QUEUED, owner=None, owner_name=None, claimed_at=None))
                else:
                    connection.execute(insert(files).values(name=name, run_id=target, seq=seq, state=QUEUED))
            connection.execute(update(runs).where(runs.c.id == target).values(queued=base + len(names)))
            return target, joined is None, len(names)

    def close_run(self, run_id: str, *, at: datetime) -> bool:
        """Stop the run taking files, once none is left; False (nothing done) while some are."""
        files, runs = schema.batch_files, schema.batch_runs
        with self._transaction() as connection:
            if self._postgres:  # no joiner can add files between the check and the close
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _QUEUE_LOCK})
            left = connection.execute(select(func.count()).select_from(files).where(files.c.run_id == run_id))
            if left.scalar_one():
                return False
            connection.execute(update(runs).where(runs.c.id == run_id).values(finished_at=at))
            return True

    def owner_alive(self, run_id: str) -> bool:
        """Whether the process that started ``run_id`` still runs (it closes the run and writes the outbox)."""
        runs = schema.batch_runs
        with self._transaction() as connection:
            key = connection.execute(select(runs.c.lock_key).where(runs.c.id == run_id)).scalar()
            return self._alive(connection, key)

    # ----------------------------------------------------------------------------------- files

    def claim_next(self, run_id: str, *, key: int, at: datetime) -> QueuedFile | None:
        """The run's lowest queued file, now this worker's; None when none is left. One statement: the
        row is picked ``FOR UPDATE SKIP LOCKED`` (a row another worker is claiming is skipped, not waited
        for) and taken in the same breath."""
        files = schema.batch_files
        lowest = (select(files.c.name).where(files.c.run_id == run_id, files.c.state == QUEUED)
                  .order_by(files.c.seq).limit(1).with_for_update(skip_locked=True).scalar_subquery())
        with self._transaction() as connection:
            row = connection.execute(
                update(files).where(files.c.name == lowest)
                .values(owner=key, owner_name=_worker_name(), state=CLAIMED, claimed_at=at)
                .returning(*files.c)).mappings().first()
            return None if row is None else _file(row)

    def take_over(self, item: QueuedFile, *, key: int, at: datetime) -> QueuedFile | None:
        """Make ``item`` this worker's if it is still queued (and free) or its owner is dead; None if not."""
        files = schema.batch_files
        with self._transaction() as connection:
            row = connection.execute(select(files).where(files.c.name == item.name, files.c.run_id == item.run_id)
                                     .with_for_update(skip_locked=True)).mappings().first()
            if row is None or row["owner"] == key:
                return None
            if row["owner"] is not None and self._alive(connection, row["owner"]):
                return None
            return self._own(connection, row["name"], row["state"], key, at)

    def _own(self, connection: Connection, name: str, state: str, key: int, at: datetime) -> QueuedFile:
        files = schema.batch_files
        new_state = APPLIED if state == APPLIED else CLAIMED
        row = connection.execute(update(files).where(files.c.name == name).values(
            owner=key, owner_name=_worker_name(), state=new_state, claimed_at=at).returning(*files.c)).mappings().one()
        return _file(row)

    def lowest_unapplied(self, run_id: str) -> QueuedFile | None:
        """The run's first file (by ``seq``) whose database work is not done yet."""
        files = schema.batch_files
        with self._transaction() as connection:
            row = connection.execute(select(files).where(files.c.run_id == run_id, files.c.state != APPLIED)
                                     .order_by(files.c.seq).limit(1)).mappings().first()
            return None if row is None else _file(row)

    def orphans(self, run_id: str) -> list[QueuedFile]:
        """The run's files held by workers that died, in order."""
        files = schema.batch_files
        with self._transaction() as connection:
            rows = connection.execute(select(files).where(files.c.run_id == run_id, files.c.owner.is_not(None))
                                      .order_by(files.c.seq)).mappings().all()
            return [_file(row) for row in rows if not self._alive(connection, row["owner"])]

    def mark_applied(self, item: QueuedFile, *, key: int) -> None:
        """The file's database work is done: the next file's worker may go on."""
        files = schema.batch_files
        with self._transaction() as connection:
            connection.execute(update(files).where(files.c.name == item.name, files.c.owner == key)
                               .values(state=APPLIED))
            self._notify(connection, item.run_id, item.seq)

    def remove(self, item: QueuedFile, *, key: int) -> None:
        """The file is archived or quarantined (or vanished): it leaves the queue."""
        files = schema.batch_files
        with self._transaction() as connection:
            gone = connection.execute(delete(files).where(files.c.name == item.name, files.c.owner == key)
                                      .returning(files.c.state)).first()
            if gone is not None and gone.state != APPLIED:  # left without being applied: unblock its successor
                self._notify(connection, item.run_id, item.seq)


class LocalQueue:
    """The queue for a database only this process uses (SQLite): the same order, kept in memory."""

    def __init__(self) -> None:
        self._items: list[QueuedFile] = []
        self._left: set[str] = set()

    def alive(self, key: int | None) -> bool:
        return True

    def open_run(self, run_id: str, *, key: int, workers: int, at: datetime, leftovers: Iterable[str],
                 fresh: Iterable[str]) -> tuple[str, bool, int]:
        first = sorted(set(leftovers))
        then = sorted(set(fresh) - set(first))
        self._items = [QueuedFile(name, run_id, seq, QUEUED, None) for seq, name in enumerate([*first, *then])]
        self._items.reverse()  # popped from the end
        self._left = {item.name for item in self._items}
        return run_id, True, len(self._items)

    def close_run(self, run_id: str, *, at: datetime) -> bool:
        return not self._left

    def owner_alive(self, run_id: str) -> bool:
        return True

    def claim_next(self, run_id: str, *, key: int, at: datetime) -> QueuedFile | None:
        if not self._items:
            return None
        item = self._items.pop()
        return QueuedFile(item.name, item.run_id, item.seq, CLAIMED, key)

    def take_over(self, item: QueuedFile, *, key: int, at: datetime) -> QueuedFile | None:
        return None

    def lowest_unapplied(self, run_id: str) -> QueuedFile | None:
        return None  # files are taken in order and applied before the next is taken: always our turn

    def orphans(self, run_id: str) -> list[QueuedFile]:
        return []

    def mark_applied(self, item: QueuedFile, *, key: int) -> None:
        pass

    def remove(self, item: QueuedFile, *, key: int) -> None:
        self._left.discard(item.name)



#: What the batch needs of a queue: :class:`BatchQueue` (PostgreSQL) or :class:`LocalQueue` (SQLite).
WorkQueue = BatchQueue | LocalQueue


def _worker_name() -> str:
    """``host:pid``: who holds a file, for people reading the table (and the tests, which kill workers)."""
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def turn_payload(run_id: str, seq: int) -> str:
    """The notification that file ``seq`` of ``run_id`` is applied: what the worker holding ``seq + 1`` waits for."""
    return f"{run_id}:{seq}"


def _file(row: Any) -> QueuedFile:
    return QueuedFile(name=row["name"], run_id=row["run_id"], seq=row["seq"], state=row["state"],
                      owner=row["owner"])



"""The store: the small interface the rest of the code uses to reach the database.

``Store.open(url)`` migrates the database to head and hands back a store; work happens in
:meth:`Store.unit_of_work`. The few reads and the control numbers that the composition root and the
batch need outside a handler's transaction are methods here, each in its own short transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from types import TracebackType

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from processor.store.batch_queue import BatchQueue, LocalQueue, Presence, WorkQueue, presence
from processor.store.database import READ_ONLY, StoreError, create_engine, describe, migrate, require_existing
from processor.store.records import Account, Meter, ServicePoint, Supplier
from processor.store.statements import advisory_key
from processor.store.unit_of_work import UnitOfWork


class Store:
    """The state: master data, switching state, ingest ledger, control numbers, outbox.

    Thread-safe: share one store, give each thread its own unit of work. Close it (or use it as a
    context manager) to release the connections.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._held: set[int] = set()  #: presence keys of this process (what "alive" means on SQLite)
        self._queue_engine: Engine | None = None  #: PostgreSQL: the work queue's, committing asynchronously

    @classmethod
    def open(cls, url: str, *, create: bool = True) -> Store:
        """Connect to ``url`` (``sqlite:///var/edi.db``, ``postgresql://…``) and migrate it to head.

        A SQLite file and its directory are created when missing; ``sqlite://`` is an in-memory
        database for tests (one connection, so no concurrency). ``create=False`` (the batch): the
        database must exist and hold our schema already (:func:`require_existing`). Raises
        :class:`StoreError`.
        """
        if not create:
            require_existing(url)
        engine = create_engine(url)
        try:
            migrate(engine)
        except StoreError:
            engine.dispose()
            raise
        return cls(engine)

    @property
    def url(self) -> str:
        """The database URL without its password."""
        return describe(self._engine)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._engine.dialect.name

    @property
    def shared(self) -> bool:
        """Whether several processes may work on this database at once (PostgreSQL), or one (SQLite)."""
        return self.dialect == "postgresql"

    def close(self) -> None:
        self._engine.dispose()
        if self._queue_engine is not None:
            self._queue_engine.dispose()

    def before_fork(self) -> None:
        """Close the pooled connections, so that a forked child never shares a database session with us."""
        self._engine.dispose()
        if self._queue_engine is not None:
            self._queue_engine.dispose()

    def after_fork(self) -> None:
        """In the forked child: forget the parent's pool (without closing what is the parent's)."""
        self._engine.dispose(close=False)
        if self._queue_engine is not None:
            self._queue_engine.dispose(close=False)
        self._held = set()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    @contextmanager
    def unit_of_work(self, *, lock: str | None = None) -> Iterator[UnitOfWork]:
        """One transaction: commit explicitly; anything not committed is rolled back on leaving.

        ``lock`` names a step that must run one at a time across every process sharing the database
        (effectuation, staging the outbox): the transaction first takes that lock (PostgreSQL: a
        transaction-scoped advisory lock; SQLite: its write lock, which ``BEGIN IMMEDIATE`` takes anyway),
        and holds it until the first commit or rollback. A second process waits, then sees what the
        first committed.

        The database failing underneath (unreachable, locked past the busy timeout) raises
        :class:`StoreError`; other errors pass through unchanged. Keep it short, and inside it use
        its repositories (``uow.control_numbers``, ``uow.master`` …), not this store's own methods:
        on SQLite a unit of work holds the write lock from its first statement, so a second writer
        in the same thread would wait for itself until the busy timeout.
        """
        with self._connect(read_only=False, lock=lock) as uow:
            yield uow

    @contextmanager
    def _connect(self, *, read_only: bool, control_number_start: int = 1,
                 lock: str | None = None) -> Iterator[UnitOfWork]:
        try:
            connection = self._engine.connect()
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot connect to the database {self.url}: {exc}") from exc
        with connection:
            if read_only:
                connection.execution_options(**{READ_ONLY: True})
            try:
                if lock is not None and connection.dialect.name == "postgresql":
                    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": advisory_key(lock)})
                yield UnitOfWork(connection, control_number_start=control_number_start)
            except OperationalError as exc:
                raise StoreError(f"the database {self.url} failed: {exc}") from exc
            finally:
                connection.rollback()

    # ------------------------------------------------------------------- the batch's work queue

    @contextmanager
    def presence(self) -> Iterator[Presence]:
        """This process's liveness key for the batch's work queue, held until the block ends."""
        try:
            with presence(self._engine, self._held) as held:
                yield held
        except OperationalError as exc:
            raise StoreError(f"the database {self.url} failed: {exc}") from exc

    def batch_queue(self) -> WorkQueue:
        """The work queue of ``edi batch`` (see :mod:`processor.store.batch_queue`): in the database when
        several processes may share it, in memory on SQLite."""
        if not self.shared:
            return LocalQueue()
        if self._queue_engine is None:
            self._queue_engine = create_engine(self._engine.url, durable=False)
        return BatchQueue(self._queue_engine, self._held)

    # ------------------------------------------------------------- reads in their own transaction

    def get_supplier(self, duns: str) -> Supplier | None:
        with self._connect(read_only=True) as uow:
            return uow.master.get_supplier(duns)

    def get_account(self, account_number: str) -> Account | None:
        with self._connect(read_only=True) as uow:
            return uow.master.get_account(account_number)

    def get_service_point(self, service_point_id: str) -> ServicePoint | None:
        with self._connect(read_only=True) as uow:
            return uow.master.get_service_point(service_point_id)

    def service_points_of(self, account_number: str) -> list[ServicePoint]:
        with self._connect(read_only=True) as uow:
            return uow.master.service_points_of(account_number)

    def get_meter(self, meter_number: str) -> Meter | None:
        with self._connect(read_only=True) as uow:
            return uow.master.get_meter(meter_number)

    def meters_of(self, service_point_id: str) -> list[Meter]:
        with self._connect(read_only=True) as uow:
            return uow.master.meters_of(service_point_id)

    def calendar_inputs(self) -> tuple[dict[date, str], dict[str, tuple[date, ...]]]:
        """Holidays and read schedule, for ``Calendar(holidays, schedule)`` in the composition root."""
        with self._connect(read_only=True) as uow:
            return uow.master.calendar_inputs()

    # ------------------------------------------------------------------------ control numbers

    def next_control_number(self, scope: str, *, start: int = 1) -> int:
        """The scope's next number, committed at once: a number on a file is never handed out again,
        even when writing the file fails (X12 allows gaps, not reuse)."""
        with self._connect(read_only=False, control_number_start=start) as uow:
            number = uow.control_numbers.next(scope)
            uow.commit()
            return number

    def control_numbers(self, *, start: int = 1) -> StoreControlNumbers:
        """An ``edi.writer.ControlNumbers`` that takes each number in its own committed transaction."""
        return StoreControlNumbers(self, start)


class StoreControlNumbers:
    """Adapter: ``next(scope)`` for the envelope writer, backed by :meth:`Store.next_control_number`."""

    def __init__(self, store: Store, start: int = 1) -> None:
        self._store = store
        self._start = start

    def next(self, scope: str) -> int:
        return self._store.next_control_number(scope, start=self._start)

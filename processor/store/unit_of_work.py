"""The unit of work: one database transaction, and the repositories that work inside it.

cosmicpython's rule: nothing is kept unless the caller says ``commit()``; leaving the ``with`` block
(normally or by an exception) rolls back whatever was not committed. A handler gets a unit of work,
changes state, enqueues its responses and records its transaction set as processed; the batch
commits all of it together, or none of it.
"""

from __future__ import annotations

from sqlalchemy import Connection

from processor.store.bills import Bills
from processor.store.control_numbers import ControlNumbers
from processor.store.ledger import IngestLedger
from processor.store.master_data import MasterData
from processor.store.meter_data import MeterData
from processor.store.outbox import Outbox
from processor.store.switching import Switching


class UnitOfWork:
    """Repositories over one connection. Get one from :meth:`processor.store.Store.unit_of_work`.

    After :meth:`commit` (or :meth:`rollback`) the unit of work may go on: the next statement begins
    a new transaction.
    """

    def __init__(self, connection: Connection, *, control_number_start: int = 1) -> None:
        self._connection = connection
        self.master = MasterData(connection)
        self.switching = Switching(connection)
        self.ledger = IngestLedger(connection)
        self.outbox = Outbox(connection)
        self.control_numbers = ControlNumbers(connection, control_number_start)
        self.meter_data = MeterData(connection)
        self.bills = Bills(connection)

    def commit(self) -> None:
        """Make everything done since the last commit permanent."""
        self._connection.commit()

    def rollback(self) -> None:
        """Forget everything done since the last commit."""
        self._connection.rollback()

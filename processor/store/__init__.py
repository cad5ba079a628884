"""The state store: one small interface over SQLAlchemy Core, SQLite by default, PostgreSQL by URL.

Open it with :meth:`Store.open` (which migrates to head), work in :meth:`Store.unit_of_work`, read
rows as the frozen records of :mod:`processor.store.records`.
"""

from processor.store.database import StoreError, migrate
from processor.store.store import Store, StoreControlNumbers
from processor.store.unit_of_work import UnitOfWork

__all__ = ["Store", "StoreControlNumbers", "StoreError", "UnitOfWork", "migrate"]

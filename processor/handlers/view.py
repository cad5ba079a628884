"""The rules' read-only port (:class:`processor.rules.SwitchingView`) over one unit of work.

The rules read state through five queries named after the store's own methods, so the adapter only
delegates. It reads inside the handler's transaction: what the handler recorded a moment ago (the
request it is answering, a withdrawal) is visible to the next rule it asks, and nothing is committed
unless the batch commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from processor.store.records import Account, ServicePoint, Supplier, SupplyPeriod, SwitchRequest
from processor.store.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class StoreView:
    """A :class:`processor.rules.SwitchingView` backed by ``uow``'s repositories."""

    uow: UnitOfWork

    def get_supplier(self, duns: str) -> Supplier | None:
        return self.uow.master.get_supplier(duns)

    def get_account(self, account_number: str) -> Account | None:
        return self.uow.master.get_account(account_number)

    def service_points_of(self, account_number: str) -> Sequence[ServicePoint]:
        return self.uow.master.service_points_of(account_number)

    def find_requests(
        self, *, supplier: str | None = None, account_number: str | None = None, request_ref: str | None = None
    ) -> Sequence[SwitchRequest]:
        return self.uow.switching.find_requests(supplier=supplier, account_number=account_number,
                                                request_ref=request_ref)

    def supplier_on(self, service_point_id: str, day: date) -> SupplyPeriod | None:
        return self.uow.switching.supplier_on(service_point_id, day)

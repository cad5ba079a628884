"""The rules' read-only port (:class:`processor.rules.SwitchingView`) over one unit of work.

The rules read state through five queries named after the store's own methods, so the adapter only
delegates. It reads inside the handler's transaction: what the handler recorded a moment ago (the
request it is answering, a withdrawal) is visible to the next rule it asks, and nothing is committed
unless the batch commits.

A view lives for one judgement, during which nothing is written (the rules are pure; the handler records
after), so an account's requests are read once: the duplicate check asks for the RES's requests on the
account and the first-in check for all of them, and the first is the second filtered (one query fewer per
814, measured in the batch's profile).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from processor.store.records import Account, ServicePoint, Supplier, SupplyPeriod, SwitchRequest
from processor.store.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class StoreView:
    """A :class:`processor.rules.SwitchingView` backed by ``uow``'s repositories."""

    uow: UnitOfWork
    _by_account: dict[str, Sequence[SwitchRequest]] = field(default_factory=dict, compare=False, repr=False)

    def get_supplier(self, duns: str) -> Supplier | None:
        return self.uow.master.get_supplier(duns)

    def get_account(self, account_number: str) -> Account | None:
        return self.uow.master.get_account(account_number)

    def service_points_of(self, account_number: str) -> Sequence[ServicePoint]:
        return self.uow.master.service_points_of(account_number)

    def find_requests(
        self, *, supplier: str | None = None, account_number: str | None = None, request_ref: str | None = None
    ) -> Sequence[SwitchRequest]:
        if account_number is None or request_ref is not None:
            return self.uow.switching.find_requests(supplier=supplier, account_number=account_number,
                                                    request_ref=request_ref)
        requests = self._by_account.get(account_number)
        if requests is None:
            requests = self._by_account[account_number] = self.uow.switching.find_requests(
                account_number=account_number)
        return requests if supplier is None else [r for r in requests if r.supplier == supplier]

    def supplier_on(self, service_point_id: str, day: date) -> SupplyPeriod | None:
        return self.uow.switching.supplier_on(service_point_id, day)

"""The state the rules read: a small read-only port, and an in-memory fake of it for unit tests.

The method names follow the store (``processor/store``: ``get_supplier``, ``get_account``,
``service_points_of``, ``find_requests``, ``supplier_on``) so that an adapter over a unit of work is
a few delegating lines. The rules never write: they return verdicts and the caller writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any, Protocol

from processor.store.records import (
    Account,
    Direction,
    RequestKind,
    RequestStatus,
    ServicePoint,
    Supplier,
    SupplyPeriod,
    SwitchRequest,
)


class SwitchingView(Protocol):
    """The queries the switching rules need, typed with the store's records."""

    def get_supplier(self, duns: str) -> Supplier | None:
        """The RES with this DUNS (or DUNS+4), or None."""
        ...

    def get_account(self, account_number: str) -> Account | None:
        """The account (REF*12), or None."""
        ...

    def service_points_of(self, account_number: str) -> Sequence[ServicePoint]:
        """The account's service points."""
        ...

    def find_requests(
        self, *, supplier: str | None = None, account_number: str | None = None, request_ref: str | None = None
    ) -> Sequence[SwitchRequest]:
        """Every recorded switch request matching all criteria given, any status, oldest first."""
        ...

    def supplier_on(self, service_point_id: str, day: date) -> SupplyPeriod | None:
        """The supply period that decides who supplies the point on ``day`` (latest start wins)."""
        ...


#: When the fake records something and no time is given.
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass
class InMemoryView:
    """A :class:`SwitchingView` over plain lists, for unit tests and examples. Not thread-safe."""

    suppliers: dict[str, Supplier] = field(default_factory=dict)
    accounts: dict[str, Account] = field(default_factory=dict)
    points: dict[str, ServicePoint] = field(default_factory=dict)
    requests: list[SwitchRequest] = field(default_factory=list)
    periods: list[SupplyPeriod] = field(default_factory=list)

    # ------------------------------------------------------------------------------ the port

    def get_supplier(self, duns: str) -> Supplier | None:
        return self.suppliers.get(duns)

    def get_account(self, account_number: str) -> Account | None:
        return self.accounts.get(account_number)

    def service_points_of(self, account_number: str) -> list[ServicePoint]:
        return [sp for sp in self.points.values() if sp.account_number == account_number]

    def find_requests(
        self, *, supplier: str | None = None, account_number: str | None = None, request_ref: str | None = None
    ) -> list[SwitchRequest]:
        return [
            r
            for r in self.requests
            if (supplier is None or r.supplier == supplier)
            and (account_number is None or r.account_number == account_number)
            and (request_ref is None or r.request_ref == request_ref)
        ]

    def supplier_on(self, service_point_id: str, day: date) -> SupplyPeriod | None:
        covering = [
            p
            for p in self.periods
            if p.service_point_id == service_point_id
            and p.start_date <= day
            and (p.end_date is None or p.end_date >= day)
        ]
        return max(covering, key=lambda p: (p.start_date, p.id), default=None)

    # ----------------------------------------------------------------------- building a world

    def add_supplier(self, supplier: Supplier) -> Supplier:
        self.suppliers[supplier.duns] = supplier
        return supplier

    def add_account(self, account: Account, *points: ServicePoint, since: date | None = None) -> Account:
        """Add an account and its points; with ``since``, each point's supplier is on record from then."""
        self.accounts[account.account_number] = account
        for sp in points:
            self.points[sp.service_point_id] = sp
            if since is not None:
                self.add_period(sp.service_point_id, sp.supplier, since)
        return account

    def add_period(self, service_point_id: str, supplier: str, start: date, end: date | None = None) -> SupplyPeriod:
        period = SupplyPeriod(
            id=len(self.periods) + 1,
            service_point_id=service_point_id,
            supplier=supplier,
            start_date=start,
            end_date=end,
            recorded_at=_EPOCH,
        )
        self.periods.append(period)
        return period

    def add_request(self, **fields: Any) -> SwitchRequest:
        """Record a switch request; ``id`` and ``updated_at`` are filled in, the rest defaults sensibly."""
        fields.setdefault("direction", Direction.INBOUND)
        fields.setdefault("received_at", _EPOCH)
        fields.setdefault("line_ref", f"LIN{len(self.requests) + 1}")
        fields.setdefault("request_ref", f"REF{len(self.requests) + 1}")
        fields.setdefault("status", RequestStatus.ACCEPTED)
        request = SwitchRequest(id=len(self.requests) + 1, updated_at=fields["received_at"], **fields)
        self.requests.append(request)
        return request

    def set_status(self, request_id: int, status: RequestStatus) -> SwitchRequest:
        """Move a recorded request to ``status`` (what the caller does with a :class:`Withdrawal`)."""
        for i, r in enumerate(self.requests):
            if r.id == request_id:
                self.requests[i] = replace(r, status=status)
                return self.requests[i]
        raise KeyError(request_id)

    def requests_of(self, kinds: Iterable[RequestKind]) -> list[SwitchRequest]:
        """The recorded requests of these kinds (e.g. what an effectuation run is given)."""
        wanted = set(kinds)
        return [r for r in self.requests if r.kind in wanted]

"""Who supplies a service point on a day: the supply history plus the accepted requests not yet effective.

The store's history holds what has taken effect (``effectuation`` appends to it); an accepted request
waiting for its date is still only a switch request. Rules that ask "who supplies this point on that
date" (whom an enrollment replaces, whom a rescission leaves in place, whether a RES may drop a point)
need both, so this module projects the requests onto the history.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from processor.rules.market import default_supply
from processor.rules.view import SwitchingView
from processor.store.records import RequestKind, RequestStatus, ServicePoint, SwitchRequest

#: Statuses of a request that still stands and has not taken effect: answered (accepted) or not yet.
LIVE = frozenset({RequestStatus.PENDING, RequestStatus.ACCEPTED})
#: Requests that start a RES's supply.
STARTS = frozenset({RequestKind.ENROLLMENT, RequestKind.UTILITY_INITIATED})


def covers(request: SwitchRequest, point: ServicePoint) -> bool:
    """Whether ``request`` is about ``point``: a service-point request for it, or an account-level one."""
    if request.account_number != point.account_number:
        return False
    return request.service_point_id is None or request.service_point_id == point.service_point_id


@dataclass(frozen=True, slots=True)
class Supply:
    """Who supplies a point on a day, since when (None if unknown), and the request it comes from."""

    supplier: str
    since: date | None
    request: SwitchRequest | None = None


def projected_supply(
    view: SwitchingView,
    point: ServicePoint,
    day: date,
    requests: Sequence[SwitchRequest],
    *,
    excluding: Collection[int] = (),
) -> Supply:
    """Who supplies ``point`` on ``day`` once the accepted requests in ``requests`` (the account's) are
    effective, leaving out those whose id is in ``excluding``.

    History first (:meth:`SwitchingView.supplier_on`; the master data's ``supplier`` when there is none),
    then every accepted enrollment or drop dated on or before ``day``, drops before enrollments on the
    same date: a drop hands the point to its default supply (tariff 10.A), an enrollment to its RES.
    """
    period = view.supplier_on(point.service_point_id, day)
    supply = Supply(point.supplier, None) if period is None else Supply(period.supplier, period.start_date)
    due = [
        r
        for r in requests
        if r.status is RequestStatus.ACCEPTED
        and r.id not in excluding
        and (r.kind in STARTS or r.kind is RequestKind.DROP)
        and r.effective_date is not None
        and r.effective_date <= day
        and covers(r, point)
    ]
    for r in sorted(due, key=lambda r: (r.effective_date, r.kind is not RequestKind.DROP, r.id)):
        if r.kind is RequestKind.DROP and supply.supplier == r.supplier:
            supply = Supply(default_supply(point), r.effective_date, r)
        elif r.kind in STARTS:
            supply = Supply(r.supplier, r.effective_date, r)
    return supply

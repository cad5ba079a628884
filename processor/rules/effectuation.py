"""Effectuation: which accepted requests have taken effect by ``now``, and the supply history that follows.

Tariff 10.B(3): an on-cycle switch "shall be effectuated when the service point's meter data is collected"
on the scheduled read; an off-cycle one "as of the very end of the day (i.e. 23:59:59) of the date
requested". The gateway does not see the meter being read, so an on-cycle request takes effect once its
scheduled read date is over (midnight CPT after it), an off-cycle one at 23:59:59 CPT of its date.
History is appended, never rewritten (``NewSupplyPeriod``: "the period covering it with the latest
``start_date`` wins"): each change appends the new supplier's period from the effective date, the day
the previous period ends, as one 867 period's end read is the next one's start.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from processor.calendar import Calendar
from processor.rules.dates import off_cycle_instant
from processor.rules.history import STARTS, covers
from processor.rules.market import default_supply
from processor.rules.view import SwitchingView
from processor.store.records import (
    AccountStatus,
    NewSupplyPeriod,
    RequestKind,
    RequestStatus,
    SupplyPeriod,
    SwitchRequest,
)

_EFFECTUATED = STARTS | {RequestKind.DROP}


@dataclass(frozen=True, slots=True)
class SupplyChange:
    """One service point changes supplier on ``on`` because of ``cause``.

    Apply in order: append ``begins`` (None when a finaled account's supply simply ends); it supersedes
    ``ends`` from ``on`` by the latest-start rule, and a store that keeps explicit end dates closes
    ``ends`` with ``end_date = on``. ``ends`` may be a period appended earlier in the same run.
    """

    service_point_id: str
    on: date
    supplier_before: str | None
    supplier_after: str | None
    ends: SupplyPeriod | NewSupplyPeriod | None
    begins: NewSupplyPeriod | None
    cause: SwitchRequest


@dataclass(frozen=True, slots=True)
class Effectuation:
    """What a run at ``now`` makes effective: set each of ``effective`` to effective, apply ``changes``."""

    now: datetime
    effective: tuple[SwitchRequest, ...]
    changes: tuple[SupplyChange, ...]


def effective_instant(request: SwitchRequest, calendar: Calendar) -> datetime | None:
    """When ``request`` takes effect: 23:59:59 CPT of its date off-cycle, midnight after its read on-cycle."""
    if request.effective_date is None:
        return None
    if request.effective_at is not None:
        return request.effective_at
    if request.off_cycle:
        return off_cycle_instant(calendar, request.effective_date)
    return datetime.combine(request.effective_date + timedelta(days=1), time(0), tzinfo=calendar.zone)


def effectuate(
    requests: Iterable[SwitchRequest], view: SwitchingView, calendar: Calendar, now: datetime
) -> Effectuation:
    """The accepted enrollments, utility-initiated enrollments and drops among ``requests`` due by ``now``.

    Taken in the order they take effect, a drop before an enrollment at the same instant, so that an
    enrollment replacing a dropped RES on the same day leaves the point with the new RES. A drop hands the
    point to its default supply (tariff 10.A: Rider BGS for DS-1, DS-2, DS-5; Rider HSS otherwise) unless
    an enrollment takes it the same day; a finaled account's supply just ends. A request whose point is
    already where it would put it changes nothing but still becomes effective.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    due: list[tuple[datetime, SwitchRequest]] = []
    for r in requests:
        instant = effective_instant(r, calendar)
        if r.status is RequestStatus.ACCEPTED and r.kind in _EFFECTUATED and instant is not None and instant <= now:
            due.append((instant, r))
    due.sort(key=lambda item: (item[0], item[1].kind is not RequestKind.DROP, item[1].id))

    points_of = {r.account_number: view.service_points_of(r.account_number) for _, r in due}
    taken_over = {
        (sp.service_point_id, r.effective_date)
        for _, r in due
        if r.kind in STARTS
        for sp in points_of[r.account_number]
        if covers(r, sp)
    }
    current: dict[str, tuple[str | None, SupplyPeriod | NewSupplyPeriod | None]] = {}
    changes: list[SupplyChange] = []
    for _, r in due:
        assert r.effective_date is not None
        account = view.get_account(r.account_number)
        for sp in points_of[r.account_number]:
            if not covers(r, sp):
                continue
            if sp.service_point_id in current:
                before, ends = current[sp.service_point_id]
            else:
                ends = view.supplier_on(sp.service_point_id, r.effective_date)
                before = sp.supplier if ends is None else ends.supplier
            after: str | None
            if r.kind in STARTS:
                if before == r.supplier:
                    continue
                after = r.supplier
            else:
                if before != r.supplier or (sp.service_point_id, r.effective_date) in taken_over:
                    continue
                finaled = account is not None and account.status is AccountStatus.FINAL
                after = None if finaled else default_supply(sp)
            begins = (
                None
                if after is None
                else NewSupplyPeriod(
                    service_point_id=sp.service_point_id,
                    supplier=after,
                    start_date=r.effective_date,
                    recorded_at=now,
                    cause_request_id=r.id,
                )
            )
            changes.append(SupplyChange(sp.service_point_id, r.effective_date, before, after, ends, begins, r))
            current[sp.service_point_id] = (after, begins)
    return Effectuation(now=now, effective=tuple(r for _, r in due), changes=tuple(changes))

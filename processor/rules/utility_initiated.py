"""Operator commands the utility originates: an account is finaled; a new account inherits its RES.

FAQ, bankruptcy: "each Ameren account associated with that customer will be finaled (closed) - thus
triggering the generation of one or more EDI 814D-Request transactions to the customer’s RES. If the
customer stays in business … a new account or accounts will be set up for the customer. The new
account(s) will automatically be assigned to the RES that was supplying the finaled account(s)."
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date

from edi.messages import RejectionCode, StatusCode
from processor.rules.history import LIVE, STARTS, covers, projected_supply
from processor.rules.market import is_mass_market, is_res
from processor.rules.verdict import (
    Accepted,
    DropNotice,
    EnrollmentNotice,
    Outbound,
    PointEffect,
    Rejected,
    RescissionNotice,
    Verdict,
    Withdrawal,
)
from processor.rules.view import SwitchingView
from processor.store.records import AccountStatus, Direction, RequestKind, RequestStatus

#: BGN06 of a utility-initiated enrollment (FAQ: "BGN06 will be noted with “MANUAL”").
MANUAL = "MANUAL"
#: REF*1P of a utility-initiated enrollment: "BNK" (for a customer bankruptcy) or "UIE" (any other reason).
UTILITY_ENROLLMENT_REASONS = frozenset({StatusCode.BANKRUPTCY, StatusCode.UTILITY_INITIATED})


def decide_account_final(view: SwitchingView, *, account_number: str, final_date: date) -> Verdict:
    """The account is finaled on ``final_date``: each RES supplying it then gets a drop effective that day.

    Pending requests dated after ``final_date`` can no longer happen: enrollments are rescinded (their RES
    gets a utility-initiated rescission, spec 2.4 use 3) and drops cancelled (the utility's drop replaces
    them). Deciding it again once those are recorded sends nothing more: the recorded drops already end
    the RES's supply on ``final_date``.
    """
    account = view.get_account(account_number.strip())
    if account is None:
        return Rejected(RejectionCode.ACCOUNT_NOT_FOUND, f"account {account_number.strip()} not found")
    requests = view.find_requests(account_number=account.account_number)
    points = view.service_points_of(account.account_number)
    effects: list[PointEffect] = []
    serving: dict[str, list[str]] = defaultdict(list)
    for sp in points:
        supply = projected_supply(view, sp, final_date, requests)
        effects.append(PointEffect(sp, final_date, None, False, supply.supplier))
        if is_res(supply.supplier):
            serving[supply.supplier].append(sp.service_point_id)
    later = [r for r in requests if r.status in LIVE and r.effective_date is not None and r.effective_date > final_date]
    withdraws = [
        Withdrawal(r, RequestStatus.RESCINDED if r.kind in STARTS else RequestStatus.CANCELLED) for r in later
    ]
    outbound: list[Outbound] = [
        DropNotice(supplier, account.account_number, tuple(ids), final_date, None, "account finaled")
        for supplier, ids in serving.items()
    ]
    outbound += [
        RescissionNotice(r.supplier, account.account_number, r, "account finaled")
        for r in later
        if r.kind is RequestKind.ENROLLMENT and r.direction is Direction.INBOUND
    ]
    return Accepted(
        account=account,
        processed=final_date,
        effective_date=final_date,
        points=tuple(effects),
        withdraws=tuple(withdraws),
        outbound=tuple(outbound),
    )


def decide_utility_enrollment(
    view: SwitchingView,
    *,
    old_account: str,
    new_account: str,
    reason: StatusCode,
    start_date: date,
    old_final_date: date,
    inherit: Mapping[str, str] | None = None,
) -> Verdict:
    """The new account takes over the RES(s) that supplied the finaled ``old_account`` on ``old_final_date``.

    The RES gets an 814 enrollment response nobody asked for (:class:`EnrollmentNotice`): BGN06
    :data:`MANUAL`, REF*45 the old account, REF*1P ``BNK`` or ``UIE``, DTM*150 ``start_date``.
    ``inherit`` maps each new service point to the old one whose RES it takes; without it every new
    point takes the old account's RES, which must then be one (tariff 10.B(2): "Only one RES shall
    provide service to any Mass Market account"; a non-Mass Market account with several RESs needs the
    mapping). For a bankruptcy the old account must be finaled (FAQ above); ``UIE`` ("for any reason
    other than a bankruptcy", e.g. a split) does not require it.
    """
    if reason not in UTILITY_ENROLLMENT_REASONS:
        return Rejected(RejectionCode.OTHER, f"reason must be BNK or UIE, not {reason}")
    old = view.get_account(old_account.strip())
    if old is None:
        return Rejected(RejectionCode.ACCOUNT_NOT_FOUND, f"old account {old_account.strip()} not found")
    new = view.get_account(new_account.strip())
    if new is None:
        return Rejected(RejectionCode.ACCOUNT_NOT_FOUND, f"new account {new_account.strip()} not found")
    if new.status is not AccountStatus.ACTIVE:
        return Rejected(RejectionCode.ACCOUNT_INACTIVE, f"new account {new.account_number} is {new.status}")
    if reason is StatusCode.BANKRUPTCY and old.status is not AccountStatus.FINAL:
        return Rejected(RejectionCode.OTHER, f"old account {old.account_number} is {old.status}, not final")

    old_requests = view.find_requests(account_number=old.account_number)
    old_points = {sp.service_point_id: sp for sp in view.service_points_of(old.account_number)}
    res_of = {
        sp_id: supply.supplier
        for sp_id, sp in old_points.items()
        if is_res((supply := projected_supply(view, sp, old_final_date, old_requests)).supplier)
    }
    if not res_of:
        return Rejected(RejectionCode.OTHER, f"no RES supplied account {old.account_number} on {old_final_date}")
    new_points = view.service_points_of(new.account_number)
    if not new_points:
        return Rejected(RejectionCode.OTHER, f"new account {new.account_number} has no service points")

    heirs: dict[str, str] = {}
    if inherit is None:
        if len(set(res_of.values())) > 1:
            return Rejected(RejectionCode.OTHER, f"account {old.account_number} had several RESs: map its points")
        only = next(iter(res_of.values()))
        heirs = {sp.service_point_id: only for sp in new_points}
    else:
        for sp in new_points:
            source = inherit.get(sp.service_point_id)
            if source is None:
                continue
            if source not in old_points:
                return Rejected(RejectionCode.ACCOUNT_NOT_FOUND, f"{source} is not a point of {old.account_number}")
            if source in res_of:
                heirs[sp.service_point_id] = res_of[source]
        if not heirs:
            return Rejected(RejectionCode.OTHER, "no mapped service point had a RES")
    if is_mass_market(new_points) and len(set(heirs.values())) > 1:
        return Rejected(RejectionCode.OTHER, f"Mass Market account {new.account_number} can have one RES (10.B(2))")

    new_requests = view.find_requests(account_number=new.account_number)
    effects: list[PointEffect] = []
    groups: dict[str, list[str]] = defaultdict(list)
    for sp in new_points:
        if sp.service_point_id not in heirs:
            continue
        before = projected_supply(view, sp, start_date, new_requests)
        effects.append(PointEffect(sp, start_date, None, False, before.supplier))
        groups[heirs[sp.service_point_id]].append(sp.service_point_id)
    conflicts = [
        r
        for r in new_requests
        if r.kind in STARTS and r.status in LIVE and any(covers(r, e.service_point) for e in effects)
    ]
    if conflicts:
        return Rejected(
            RejectionCode.NOT_FIRST_IN,
            f"account {new.account_number} already has an enrollment pending for {conflicts[0].effective_date}",
        )
    return Accepted(
        account=new,
        processed=start_date,
        effective_date=start_date,
        points=tuple(effects),
        outbound=tuple(
            EnrollmentNotice(supplier, new.account_number, old.account_number, reason, tuple(ids), start_date)
            for supplier, ids in groups.items()
        ),
    )

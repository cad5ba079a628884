"""Enrollment rescission: by the RES (814 drop with ``REF*1P*EB3``) or by the customer (tariff 10.B(5)).

Either way the pending enrollment is rescinded, the point stays with whoever supplies it now, and when
that is a RES it gets a reinstatement (FAQ: "After Ameren processes the transaction, the account will
revert to its current RES, who will receive an EDI 814R-Request (reinstatement) transaction").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime

from edi.messages import RejectionCode, RescissionRequest
from processor.calendar import Calendar
from processor.rules.checks import check_account, check_duplicate, check_line, check_supplier
from processor.rules.history import LIVE, covers, projected_supply
from processor.rules.market import is_mass_market, is_res
from processor.rules.verdict import (
    Accepted,
    Outbound,
    PointEffect,
    ReinstatementNotice,
    Rejected,
    RescissionNotice,
    Verdict,
    Withdrawal,
)
from processor.rules.view import SwitchingView
from processor.store.records import Account, Direction, RequestKind, RequestStatus, SwitchRequest


def judge_rescission(
    request: RescissionRequest, view: SwitchingView, calendar: Calendar, received_at: datetime
) -> Verdict:
    """Accept a RES's rescission of its own pending enrollment, or reject it.

    It must match a pending enrollment of this RES on the account (else ``A13``). Timing, FAQ: "it
    should be sent prior to the start of the account's billing window (for an on-cycle enrollment) or
    prior to the requested effective date (for an off-cycle enrollment)"; the tariff has no rule for a
    RES's rescission of its enrollment, so the FAQ's is the rule (``A13`` when late). All the RES's
    pending enrollments on the account are rescinded together, or none is.
    """
    processed = calendar.received_date(received_at)
    supplier = check_supplier(view, request.supplier)
    if isinstance(supplier, Rejected):
        return supplier
    duplicate = check_duplicate(
        view,
        supplier=supplier.duns,
        kind=RequestKind.RESCISSION,
        request_ref=request.reference,
        line_ref=request.line_id,
        account_number=request.ldc_account.strip(),
        source=request.source,
    )
    if duplicate is not None:
        return duplicate
    line = check_line(request.commodity, request.service)
    if line is not None:
        return line
    account = check_account(view, request.ldc_account)
    if isinstance(account, Rejected):
        return account
    requests = view.find_requests(account_number=account.account_number)
    mine = [
        r
        for r in requests
        if r.kind is RequestKind.ENROLLMENT and r.direction is Direction.INBOUND and r.supplier == supplier.duns
    ]
    pending = [r for r in mine if r.status in LIVE]
    if not pending:
        started = [r for r in mine if r.status is RequestStatus.EFFECTIVE]
        if started:
            return Rejected(
                RejectionCode.OTHER,
                f"enrollment of {account.account_number} took effect {started[-1].effective_date}; send a drop",
            )
        return Rejected(RejectionCode.OTHER, f"no pending enrollment by this RES for account {account.account_number}")
    for r in pending:
        if r.effective_date is None:
            continue
        last = r.effective_date if r.off_cycle else calendar.billing_window(r.effective_date).first
        if processed >= last:
            # REF03 holds 80 characters: the dates that explain the rejection must fit in them.
            what = "off-cycle date" if r.off_cycle else "billing window"
            return Rejected(
                RejectionCode.OTHER,
                f"too late: {what} of the {r.effective_date} switch began {last} (FAQ)",
            )
    return _rescind(view, account, pending, requests, processed, notices=False)


def decide_customer_rescission(
    view: SwitchingView,
    calendar: Calendar,
    *,
    account_number: str,
    requested_at: datetime,
    supplier: str | None = None,
) -> Verdict:
    """An operator records that the customer objects to a pending enrollment (tariff 10.B(5)).

    "For a Mass Market account, the rescission request must be made by the Customer to the Company within
    ten calendar days of the Company's processing of the enrollment DASR. If the tenth calendar day falls
    on a non-business day, then the rescission period shall be extended through the next business day"
    (:meth:`Calendar.rescission_window_end`). "For a non-Mass Market account, the rescission request must
    be made by the Customer to the Company at least two business days prior to the account's scheduled
    meter reading date (for an on-cycle enrollment) or requested enrollment effective date (for an
    off-cycle enrollment)" (:meth:`Calendar.rescind_by`). The customer's request counts on its calendar
    date in CPT: the 6:45 p.m. cut-off is the FAQ's for EDI transactions, not for the customer's call.
    ``supplier`` picks one RES's enrollment; by default every pending enrollment on the account goes.
    The enrolling RES is told with a utility-initiated rescission (spec 2.4, use 3).
    """
    day = requested_at.astimezone(calendar.zone).date()
    account = view.get_account(account_number.strip())
    if account is None:
        return Rejected(RejectionCode.ACCOUNT_NOT_FOUND, f"account {account_number.strip()} not found")
    requests = view.find_requests(account_number=account.account_number)
    pending = [
        r
        for r in requests
        if r.kind is RequestKind.ENROLLMENT
        and r.direction is Direction.INBOUND
        and r.status in LIVE
        and (supplier is None or r.supplier == supplier)
    ]
    if not pending:
        return Rejected(RejectionCode.OTHER, f"no pending enrollment for account {account.account_number}")
    mass_market = is_mass_market(view.service_points_of(account.account_number))
    for r in pending:
        if mass_market:
            last = calendar.rescission_window_end(calendar.received_date(r.received_at))
        elif r.effective_date is not None:
            last = calendar.rescind_by(r.effective_date)
        else:
            continue
        if day > last:
            return Rejected(RejectionCode.OTHER, f"too late: the customer could rescind until {last} (10.B(5))")
    return _rescind(view, account, pending, requests, day, notices=True)


def _rescind(
    view: SwitchingView,
    account: Account,
    rescinded: Sequence[SwitchRequest],
    requests: Sequence[SwitchRequest],
    processed: date,
    *,
    notices: bool,
) -> Accepted:
    """Withdraw the enrollments and the drops they sent their predecessors; reinstate the RES that stays."""
    ids = {r.id for r in rescinded}
    related = [
        r
        for r in requests
        if r.kind is RequestKind.DROP
        and r.direction is Direction.OUTBOUND
        and r.related_request_id in ids
        and r.status in LIVE
    ]
    withdraws = [Withdrawal(r, RequestStatus.RESCINDED) for r in rescinded]
    withdraws += [Withdrawal(r, RequestStatus.CANCELLED) for r in related]
    excluding = ids | {r.id for r in related}
    points = view.service_points_of(account.account_number)
    effects: list[PointEffect] = []
    reinstate: dict[tuple[str, date | None], list[str]] = defaultdict(list)
    rescinders = {r.supplier for r in rescinded}
    for r in rescinded:
        when = r.effective_date or processed
        for sp in points:
            if not covers(r, sp):
                continue
            stays = projected_supply(view, sp, when, requests, excluding=excluding)
            effects.append(PointEffect(sp, when, r.effective_at, r.off_cycle, stays.supplier))
            if is_res(stays.supplier) and stays.supplier not in rescinders:
                reinstate[(stays.supplier, stays.since)].append(sp.service_point_id)
    outbound: list[Outbound] = []
    if notices:
        outbound += [
            RescissionNotice(r.supplier, account.account_number, r, "customer rescission (10.B(5))") for r in rescinded
        ]
    outbound += [
        ReinstatementNotice(supplier, account.account_number, tuple(dict.fromkeys(ids_)), since)
        for (supplier, since), ids_ in reinstate.items()
    ]
    return Accepted(
        account=account,
        processed=processed,
        points=tuple(effects),
        withdraws=tuple(withdraws),
        outbound=tuple(outbound),
    )

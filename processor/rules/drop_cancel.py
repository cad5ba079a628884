"""814 drop cancel (``ASI*7*026``): a RES withdraws its pending drop (tariff 10.D, spec Q4)."""

from __future__ import annotations

from datetime import datetime

from edi.messages import DropCancelRequest, RejectionCode
from processor.calendar import Calendar
from processor.rules.checks import check_account, check_duplicate, check_line, check_supplier
from processor.rules.history import LIVE, covers
from processor.rules.verdict import Accepted, PointEffect, Rejected, Verdict, Withdrawal
from processor.rules.view import SwitchingView
from processor.store.records import Direction, RequestKind, RequestStatus


def judge_drop_cancel(
    request: DropCancelRequest, view: SwitchingView, calendar: Calendar, received_at: datetime
) -> Verdict:
    """Accept the cancellation of a pending drop, or reject it.

    Which drop: BGN06 names it (``cancelled_reference``, spec 2.11); without BGN06, every pending drop of
    this RES on the account (spec Q4: "match by account + RES"). None pending is ``A13``; one already
    cancelled is ``ABN`` (a duplicate cancel). Timing, tariff 10.D: "For both Mass Market and non-Mass
    Market accounts, a RES may rescind their pending drop … The EDI transaction must be received from the
    RES and processed by the Company at least two business days prior to the scheduled meter reading date
    (for an on-cycle drop) or the requested enrollment effective date (for an off-cycle drop)"
    (:meth:`Calendar.rescind_by`; the FAQ's "prior to the start of the account's billing window" is the
    same day for an on-cycle drop).
    """
    processed = calendar.received_date(received_at)
    supplier = check_supplier(view, request.supplier)
    if isinstance(supplier, Rejected):
        return supplier
    duplicate = check_duplicate(
        view,
        supplier=supplier.duns,
        kind=RequestKind.DROP_CANCEL,
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
    drops = [
        r
        for r in view.find_requests(supplier=supplier.duns, account_number=account.account_number)
        if r.kind is RequestKind.DROP and r.direction is Direction.INBOUND
    ]
    named = (request.cancelled_reference or "").strip()
    if named:
        drops = [r for r in drops if r.request_ref == named]
        if not drops:
            elsewhere = view.find_requests(supplier=supplier.duns, request_ref=named)
            where = f" (it is for account {elsewhere[0].account_number})" if elsewhere else ""
            return Rejected(RejectionCode.OTHER, f"no drop {named} on account {account.account_number}{where}")
    pending = [r for r in drops if r.status in LIVE]
    if not pending:
        if drops and drops[-1].status is RequestStatus.CANCELLED:
            return Rejected(RejectionCode.DUPLICATE, f"duplicate: drop {drops[-1].request_ref} is already cancelled")
        if drops:
            last = drops[-1]
            return Rejected(RejectionCode.OTHER, f"drop {last.request_ref} is {last.status}; nothing to cancel")
        return Rejected(RejectionCode.OTHER, f"no pending drop by this RES for account {account.account_number}")
    for r in pending:
        if r.effective_date is None:
            continue
        last_day = calendar.rescind_by(r.effective_date)
        if processed > last_day:
            return Rejected(
                RejectionCode.OTHER,
                f"too late: cancel of the {r.effective_date} drop had to be processed by {last_day} (10.D)",
            )
    points = view.service_points_of(account.account_number)
    effects = tuple(
        PointEffect(sp, r.effective_date, r.effective_at, r.off_cycle, supplier.duns)
        for r in pending
        if r.effective_date is not None
        for sp in points
        if covers(r, sp)
    )
    return Accepted(
        account=account,
        processed=processed,
        points=effects,
        withdraws=tuple(Withdrawal(r, RequestStatus.CANCELLED) for r in pending),
    )

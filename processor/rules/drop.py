"""814 drop from a RES (``ASI*7*024``): tariff 10.D, RES Drop Procedures.

Checks, in order: ``UND`` → ``ABN`` → ``A13`` not electric supply → ``API``/``A76``/``008`` account →
``A76`` service point not on the account → ``A13`` service point-level drop of a Mass Market account →
``API`` off-cycle without a date → ``DIV`` beyond 45 days / ``A13`` under 7 days → ``A13`` not this RES's
point → effective dates → ``ABN``/``A13`` a drop already pending → ``A13`` the RES does not supply the point
on that date.
"""

from __future__ import annotations

from datetime import datetime

from edi.messages import DropRequest, RejectionCode
from processor.calendar import MAX_NOTICE_DAYS, MIN_NOTICE_DAYS, Calendar
from processor.rules.checks import check_account, check_duplicate, check_line, check_points, check_supplier
from processor.rules.dates import drop_read, is_read_date, off_cycle_instant
from processor.rules.history import LIVE, STARTS, covers, projected_supply
from processor.rules.market import is_mass_market
from processor.rules.verdict import Accepted, PointEffect, Rejected, Verdict
from processor.rules.view import SwitchingView
from processor.store.records import Direction, RequestKind


def judge_drop(
    request: DropRequest,
    view: SwitchingView,
    calendar: Calendar,
    received_at: datetime,
    *,
    service_point: str | None = None,
) -> Verdict:
    """Accept a RES's drop with its effective (last) date per service point, or reject it.

    Tariff 10.D: "Company must receive and process the drop DASR at least seven calendar days but not
    more than 45 calendar days before the requested termination date." Beyond 45 days is ``DIV``;
    under seven is ``A13`` (the tariff has no default for a late drop, unlike 10.B(3) for enrollments,
    and spec 3.3 says "for past or invalid dates use A13 + text"). ``service_point`` is the REF*LU of a
    service point-level drop, None for the account (the canonical message does not carry it yet).
    The RES must supply what it drops, now or through its pending enrollment; an account-level drop of a
    non-Mass Market account covers the points this RES supplies.
    """
    processed = calendar.received_date(received_at)
    service_point = (service_point or "").strip() or None
    supplier = check_supplier(view, request.supplier)
    if isinstance(supplier, Rejected):
        return supplier
    duplicate = check_duplicate(
        view,
        supplier=supplier.duns,
        kind=RequestKind.DROP,
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
    found = check_points(view, account, service_point)
    if isinstance(found, Rejected):
        return found
    points, named = found
    mass_market = is_mass_market(points)
    requested = request.requested_date

    if mass_market and service_point is not None:
        # "A RES may terminate service to a Mass Market account by submitting an account level drop DASR"
        return Rejected(RejectionCode.OTHER, "Mass Market account: drop the account, not a service point (10.D)")
    if request.off_cycle and requested is None:
        # "If the drop is off-cycle and no effective date is specified in the off-cycle drop DASR, then the
        # drop will be rejected."
        return Rejected(RejectionCode.MISSING_INFORMATION, "off-cycle drop without a requested date (10.D)")
    if requested is not None:
        days = (requested - processed).days
        if days > MAX_NOTICE_DAYS:
            return Rejected(
                RejectionCode.DATE_TOO_FAR,
                f"requested {requested} is {days} days after processing {processed}; max 45 (10.D)",
            )
        if days < MIN_NOTICE_DAYS:
            return Rejected(
                RejectionCode.OTHER,
                f"requested {requested} is {days} days after processing {processed}; min 7 (10.D)",
            )

    requests = view.find_requests(account_number=account.account_number)
    mine = [
        sp
        for sp in named
        if projected_supply(view, sp, processed, requests).supplier == supplier.duns
        or any(
            r.kind in STARTS and r.supplier == supplier.duns and r.status in LIVE and covers(r, sp) for r in requests
        )
    ]
    if not mine:
        what = f"service point {service_point}" if service_point is not None else f"account {account.account_number}"
        return Rejected(RejectionCode.OTHER, f"this RES does not supply {what} and has no enrollment pending")

    notes: list[str] = []
    off_cycle = request.off_cycle and not mass_market
    effective_at = None
    if request.off_cycle and not off_cycle:
        # "If an off-cycle drop is submitted for a Mass Market account, then the drop request will be
        # processed, but the drop effective date will default to the next scheduled meter reading date
        # (after the requested off-cycle drop date)" — "A Mass Market account may only be dropped on-cycle."
        notes.append(f"off-cycle turned on-cycle for a Mass Market account: next read from {requested} (10.D)")
    effects: list[PointEffect] = []
    for sp in mine:
        if off_cycle:
            assert requested is not None
            # "the drop effective date communicated in the EDI response to the RES will be the actual drop
            # effective date"; it ends at 23:59:59 like the off-cycle enrollment that may meet it (10.B(3)).
            effective = requested
            effective_at = off_cycle_instant(calendar, effective)
        else:
            read = drop_read(calendar, account, sp, processed, not_before=requested)
            if read is None:
                return Rejected(
                    RejectionCode.OTHER,
                    f"no scheduled meter read known for bill group {account.bill_group} after {processed}",
                )
            effective = read
            if requested is not None and requested != read and not is_read_date(calendar, account, sp, requested):
                # "the drop effective date … will be the next scheduled meter reading date even if such date is
                # more than 45 calendar days after the date that the Company processes the on-cycle drop DASR"
                note = f"requested {requested} is not a scheduled read; next read {read} used (10.D)"
                if note not in notes:
                    notes.append(note)
        for r in requests:
            if (
                r.kind is RequestKind.DROP
                and r.direction is Direction.INBOUND
                and r.supplier == supplier.duns
                and r.status in LIVE
                and covers(r, sp)
            ):
                if r.effective_date == effective:
                    return Rejected(
                        RejectionCode.DUPLICATE,
                        f"duplicate: {sp.service_point_id} already has this RES's drop for {effective}",
                    )
                return Rejected(
                    RejectionCode.OTHER,
                    f"{sp.service_point_id} has a drop pending for {r.effective_date}; cancel it first (026)",
                )
        then = projected_supply(view, sp, effective, requests)
        if then.supplier != supplier.duns:
            return Rejected(RejectionCode.OTHER, f"{sp.service_point_id} is not supplied by this RES on {effective}")
        if then.since is not None and then.since >= effective:
            return Rejected(
                RejectionCode.OTHER,
                f"supply of {sp.service_point_id} starts {then.since}; rescind the enrollment (EB3)",
            )
        effects.append(PointEffect(sp, effective, effective_at, off_cycle, supplier.duns))

    if len({e.effective_date for e in effects}) > 1:
        notes.append(
            "service points end on different dates: "
            + ", ".join(f"{e.service_point.service_point_id} {e.effective_date}" for e in effects)
        )
    if len(mine) < len(named):
        notes.append("covers only the points this RES supplies: " + ", ".join(sp.service_point_id for sp in mine))
    return Accepted(
        account=account,
        processed=processed,
        effective_date=min(e.effective_date for e in effects),
        effective_at=effective_at,
        off_cycle=off_cycle,
        points=tuple(effects),
        notes=tuple(notes),
    )

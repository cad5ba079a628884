"""814 enrollment (``ASI*7*021``): tariff 10.B, RES Enrollment Procedures.

Checks, in order, each a rejection code of the Ameren CPWG table (spec 3.1):
``UND`` supplier unknown → ``ABN`` duplicate → ``A13`` not an electric supply line →
``API``/``A76``/``008`` account → ``A76`` service point
not on the account → ``API`` off-cycle without a date → ``A13`` service point-level request for a Mass
Market account → ``FRB`` billing option → ``DIV`` requested date beyond 45 days → effective dates →
``A13`` already supplied by this RES → ``NFI`` another enrollment got there first.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from edi.messages import EnrollmentRequest, RejectionCode
from processor.calendar import MAX_NOTICE_DAYS, Calendar, meets_minimum_notice
from processor.rules.billing import check_billing
from processor.rules.checks import check_account, check_duplicate, check_line, check_points, check_supplier
from processor.rules.dates import enrollment_read, is_read_date, off_cycle_instant
from processor.rules.history import LIVE, STARTS, covers, projected_supply
from processor.rules.market import is_mass_market, is_res
from processor.rules.verdict import Accepted, DropNotice, Outbound, PointEffect, Rejected, Verdict
from processor.rules.view import SwitchingView
from processor.store.records import Account, RequestKind, ServicePoint


def judge_enrollment(
    request: EnrollmentRequest,
    view: SwitchingView,
    calendar: Calendar,
    received_at: datetime,
    *,
    service_point: str | None = None,
) -> Verdict:
    """Accept an 814 enrollment with its effective date per service point, or reject it.

    ``received_at`` is when the utility received the transaction (aware); its processing date is
    :meth:`Calendar.received_date` (the 6:45 p.m. CPT cut-off). ``service_point`` is the REF*LU of a
    service point-level request (the canonical message does not carry it yet), None for the account.
    """
    processed = calendar.received_date(received_at)
    service_point = (service_point or "").strip() or None
    supplier = check_supplier(view, request.supplier)
    if isinstance(supplier, Rejected):
        return supplier
    duplicate = check_duplicate(
        view,
        supplier=supplier.duns,
        kind=RequestKind.ENROLLMENT,
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

    if request.off_cycle and requested is None:
        # Tariff 10.B(3): "If no enrollment effective date is specified in an off-cycle enrollment DADR,
        # then the enrollment will be rejected."
        return Rejected(RejectionCode.MISSING_INFORMATION, "off-cycle enrollment without a requested date (10.B(3))")
    if mass_market and service_point is not None:
        # Tariff 10.B(1): "For Mass Market accounts, the RES must submit one enrollment DASR per account number."
        return Rejected(RejectionCode.OTHER, "Mass Market account: enroll the account, not a service point (10.B(1))")
    billing = check_billing(request, supplier, points)
    if billing is not None:
        return billing
    if requested is not None and (requested - processed).days > MAX_NOTICE_DAYS:
        # Tariff 10.B(3): "such date may not be more than 45 calendar days from the date that the
        # enrollment DASR is processed by the Company" (on- and off-cycle alike).
        days = (requested - processed).days
        return Rejected(
            RejectionCode.DATE_TOO_FAR,
            f"requested {requested} is {days} days after processing {processed}; max 45 (10.B(3))",
        )

    notes: list[str] = []
    off_cycle = request.off_cycle and not mass_market
    effective_at: datetime | None = None
    dates: dict[str, date] = {}
    if off_cycle:
        assert requested is not None
        effective = _off_cycle_date(calendar, processed, requested, notes)
        effective_at = off_cycle_instant(calendar, effective)
        dates = {sp.service_point_id: effective for sp in named}
    else:
        if request.off_cycle:
            # Tariff 10.B(3): "If an off-cycle enrollment is requested for a Mass Market account, then the
            # enrollment DADR will default to an on-cycle enrollment."
            notes.append(f"off-cycle turned on-cycle for a Mass Market account: next read from {requested} (10.B(3))")
        for sp in named:
            read = enrollment_read(calendar, account, sp, processed, mass_market=mass_market, not_before=requested)
            if read is None:
                return Rejected(
                    RejectionCode.OTHER,
                    f"no scheduled meter read known for bill group {account.bill_group} after {processed}",
                )
            dates[sp.service_point_id] = read
            note = _read_note(calendar, account, sp, requested, read)
            if note is not None and note not in notes:
                notes.append(note)

    requests = view.find_requests(account_number=account.account_number)
    effects: list[PointEffect] = []
    for sp in named:
        effective = dates[sp.service_point_id]
        before = projected_supply(view, sp, effective, requests)
        if before.supplier == supplier.duns:
            if before.request is None:
                notes.append(f"service point {sp.service_point_id} is already supplied by this RES: not included")
                continue
            if before.request.effective_date != effective:
                return Rejected(
                    RejectionCode.OTHER,
                    f"{sp.service_point_id} already has this RES's enrollment for {before.since}",
                )
            # the same date: the first-in check below answers it
        effects.append(PointEffect(sp, effective, effective_at, off_cycle, before.supplier))
    if not effects:
        what = f"service point {service_point}" if service_point is not None else f"account {account.account_number}"
        return Rejected(RejectionCode.OTHER, f"{what} is already supplied by this RES on {min(dates.values())}")

    for effect in effects:
        for r in requests:
            if (
                r.kind in STARTS
                and r.status in LIVE
                and r.effective_date == effect.effective_date
                and covers(r, effect.service_point)
            ):
                # Tariff 10.B(6): "The Company shall accept and process the first valid enrollment DASR that it
                # receives for an account or service point for a particular enrollment effective date. The
                # Company shall reject any subsequent conflicting enrollment DASR".
                return Rejected(
                    RejectionCode.NOT_FIRST_IN,
                    f"not first in: {effect.service_point.service_point_id} already has an enrollment "
                    f"for {effect.effective_date} (10.B(6))",
                )

    if len({e.effective_date for e in effects}) > 1:
        per_point = ", ".join(f"{e.service_point.service_point_id} {e.effective_date}" for e in effects)
        notes.append(f"service points take effect on different dates: {per_point}")
    return Accepted(
        account=account,
        processed=processed,
        effective_date=min(e.effective_date for e in effects),
        effective_at=effective_at,
        off_cycle=off_cycle,
        points=tuple(effects),
        notes=tuple(notes),
        outbound=_drop_notices(account, effects),
    )


def _off_cycle_date(calendar: Calendar, processed: date, requested: date, notes: list[str]) -> date:
    """Tariff 10.B(3): "An off-cycle enrollment will become effective on the requested enrollment effective
    date … provided that the requested enrollment effective date is at least seven calendar days", and
    "An off-cycle enrollment DADR submitted less than seven calendar days prior to the requested enrollment
    effective date will default to the next business day that is at least seven calendar days from the date
    that the enrollment DADR is processed"."""
    if meets_minimum_notice(processed, requested):
        return requested
    effective = calendar.off_cycle_default_date(processed)
    notes.append(f"requested {requested} is under 7 days after processing {processed}; {effective} used (10.B(3))")
    return effective


def _read_note(
    calendar: Calendar, account: Account, point: ServicePoint, requested: date | None, read: date
) -> str | None:
    """Say why the read differs from the requested date (tariff 10.B(3))."""
    if requested is None or requested == read:
        return None
    if is_read_date(calendar, account, point, requested):
        # "An on-cycle enrollment DASR submitted less than the minimum number of days … prior to the next
        # scheduled meter reading date will default to the following scheduled meter reading date."
        return f"requested read {requested} is inside the blackout window; following read {read} used (10.B(3))"
    # "… the enrollment effective date will default to the next scheduled meter reading date after the
    # requested enrollment effective date even if such scheduled meter reading date is more than 45 calendar days".
    return f"requested {requested} is not a scheduled read; next valid read {read} used (10.B(3))"


def _drop_notices(account: Account, effects: list[PointEffect]) -> tuple[Outbound, ...]:
    """A drop to each RES the enrollment replaces (spec 2.4, use 1: "utility-initiated drop (final bill,
    switch to another RES)"); if the enrollment is rescinded, that RES is reinstated (FAQ, rescission)."""
    groups: dict[tuple[str, date, datetime | None], list[str]] = defaultdict(list)
    for e in effects:
        if is_res(e.supplier_before) and e.supplier_before is not None:
            groups[(e.supplier_before, e.effective_date, e.effective_at)].append(e.service_point.service_point_id)
    return tuple(
        DropNotice(
            supplier=supplier,
            account_number=account.account_number,
            service_point_ids=tuple(ids),
            effective_date=effective,
            effective_at=at,
            reason="switch to another RES",
        )
        for (supplier, effective, at), ids in groups.items()
    )

"""814 request handlers: judge with the tariff's rules, record, withdraw, answer, notify.

Every handler follows the same four steps inside the batch's unit of work (so all of it commits with the
responses, or none of it does):

1. **judge** the request with :mod:`processor.rules` *before* recording it, so that the request is not
   its own duplicate or its own "first in";
2. **record** it in ``switch_requests``: one row per service point it affects when accepted (each point
   keeps its own effective date, FAQ: "could have a slightly different enrollment effective date for each
   service point"), one row when rejected (with the REF*7G code and text);
3. **withdraw** what the verdict ends (a rescinded enrollment, a cancelled drop, the drop a rescinded
   enrollment had sent its predecessor);
4. **answer** the requesting RES with the 814 response and send every notice of the verdict (a drop to
   the RES that is replaced, a reinstatement to the RES that stays), each recorded as an outbound request
   so that a later rescission can find and cancel it.

The inbound answers a RES gives to the utility's own 814s (a reinstatement response, a drop response)
are recorded only: the tariff's switch does not wait for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, tzinfo
from functools import lru_cache
from typing import Any, TypeVar

from edi.messages import (
    AccountAttributes,
    DropCancelRequest,
    DropRequest,
    DropResponse,
    EnrollmentRequest,
    Message,
    ReinstatementResponse,
    RescissionRequest,
    RescissionResponse,
)
from processor.billing.enrollment import record_billing_option
from processor.handlers.base import Context, Outbound, Outcome
from processor.handlers.responses import Letterhead, Request, account_attributes, notice_message, response
from processor.handlers.view import StoreView
from processor.rules import (
    Accepted,
    DropNotice,
    EnrollmentNotice,
    PointEffect,
    ReinstatementNotice,
    Rejected,
    RescissionNotice,
    Verdict,
    judge_drop,
    judge_drop_cancel,
    judge_enrollment,
    judge_rescission,
)
from processor.rules import Outbound as Notice
from processor.rules.history import covers
from processor.store.records import (
    Direction,
    Meter,
    NewSwitchRequest,
    RequestKind,
    RequestStatus,
    ServicePoint,
    SwitchRequest,
)

#: BGN02 of the 814s the utility writes: prefix, creation date and a counter (spec 5.2: ``UTL20240302000001``).
REFERENCE_PREFIX = "UTL"

#: What an accepted request of each kind becomes: enrollments and drops wait for their date (effectuation
#: makes them effective); a rescission or a drop cancel has done all it does once processed.
_ACCEPTED_AS = {
    RequestKind.ENROLLMENT: RequestStatus.ACCEPTED,
    RequestKind.DROP: RequestStatus.ACCEPTED,
    RequestKind.RESCISSION: RequestStatus.EFFECTIVE,
    RequestKind.DROP_CANCEL: RequestStatus.EFFECTIVE,
}

M = TypeVar("M")


# ------------------------------------------------------------------------------------ handlers


def handle_enrollment(message: Message, ctx: Context) -> Outcome:
    """814 enrollment (``ASI*7*021``), tariff 10.B: ``WQ*021`` with DTM*150, or ``U*021`` with REF*7G."""
    request = _expect(message, EnrollmentRequest)
    point = requested_service_point(request)
    verdict = judge_enrollment(request, StoreView(ctx.uow), ctx.calendar, ctx.received_at, service_point=point)
    rows = record_request(request, RequestKind.ENROLLMENT, verdict, ctx, service_point=point)
    outcome = answer(request, RequestKind.ENROLLMENT, verdict, rows, ctx)
    record_billing_option(ctx.uow, request, ctx.source, rows=rows)  # REF*BLT/REF*PC, for the bill-ready 810s
    return outcome


def handle_drop(message: Message, ctx: Context) -> Outcome:
    """814 drop from a RES (``ASI*7*024``), tariff 10.D: ``WQ*024`` with DTM*151, or ``U*024``."""
    request = _expect(message, DropRequest)
    point = requested_service_point(request)
    verdict = judge_drop(request, StoreView(ctx.uow), ctx.calendar, ctx.received_at, service_point=point)
    return settle(request, RequestKind.DROP, verdict, ctx, service_point=point)


def handle_rescission(message: Message, ctx: Context) -> Outcome:
    """814 drop with ``REF*1P*EB3``: the RES rescinds its pending enrollment (FAQ, rescission); the RES that
    keeps the account gets an 814 reinstatement (``ASI*7*025``)."""
    request = _expect(message, RescissionRequest)
    verdict = judge_rescission(request, StoreView(ctx.uow), ctx.calendar, ctx.received_at)
    return settle(request, RequestKind.RESCISSION, verdict, ctx)


def handle_drop_cancel(message: Message, ctx: Context) -> Outcome:
    """814 drop cancel (``ASI*7*026``), tariff 10.D "a RES may rescind their pending drop": ``WQ/U*026``."""
    request = _expect(message, DropCancelRequest)
    verdict = judge_drop_cancel(request, StoreView(ctx.uow), ctx.calendar, ctx.received_at)
    return settle(request, RequestKind.DROP_CANCEL, verdict, ctx)


def handle_reinstatement_response(message: Message, ctx: Context) -> Outcome:
    """The prior RES answers our reinstatement (``WQ/U*025``, spec 2.6): the outbound reinstatement it names
    in BGN06 is marked answered, accepted or rejected with its code (only ``A76`` is valid, spec 3.1)."""
    answer = _expect(message, ReinstatementResponse)
    sent = _outbound(ctx, answer.supplier.id, answer.request_reference, RequestKind.REINSTATEMENT)
    if not sent:
        return Outcome("recorded", note=f"no reinstatement {answer.request_reference} was sent to this RES")
    rejection = answer.rejections[0] if answer.rejections else None
    for r in sent:
        if answer.accepted:
            ctx.uow.switching.set_status(r.id, RequestStatus.ACCEPTED, at=ctx.now)
        else:
            ctx.uow.switching.set_status(
                r.id, RequestStatus.REJECTED, at=ctx.now,
                rejection_code=None if rejection is None else str(rejection.code),
                rejection_text=None if rejection is None else _fit(rejection.text, 80),
            )
    verb = "accepted" if answer.accepted else "rejected"
    return Outcome("recorded", note=f"reinstatement {answer.request_reference} {verb} by the RES")


def handle_drop_response(message: Message, ctx: Context) -> Outcome:
    """A RES answers the utility's drop (``WQ/U*024``, spec 2.5; only ``A76`` may reject). Recorded only:
    the drop follows from the other RES's enrollment (tariff 10.B), whatever the dropped RES answers."""
    answer = _expect(message, DropResponse)
    sent = _outbound(ctx, answer.supplier.id, answer.request_reference, RequestKind.DROP)
    verb = "accepted" if answer.accepted else "rejected " + ",".join(str(r.code) for r in answer.rejections)
    found = "" if sent else " (no such drop was sent to this RES)"
    return Outcome("recorded", note=f"drop {answer.request_reference} {verb} by the RES{found}")


def handle_rescission_response(message: Message, ctx: Context) -> Outcome:
    """A RES answers a utility-initiated rescission (spec 2.4 use 3). Recorded only."""
    answer = _expect(message, RescissionResponse)
    verb = "accepted" if answer.accepted else "rejected"
    return Outcome("recorded", note=f"rescission {answer.request_reference} {verb} by the RES")


# --------------------------------------------------------------------------------- settling


def settle(
    request: Request, kind: RequestKind, verdict: Verdict, ctx: Context, *, service_point: str | None = None
) -> Outcome:
    """Record ``request`` and its verdict, apply the withdrawals, and build the response and notices."""
    return answer(request, kind, verdict, record_request(request, kind, verdict, ctx, service_point=service_point),
                  ctx)


def answer(request: Request, kind: RequestKind, verdict: Verdict, rows: Sequence[SwitchRequest],
           ctx: Context) -> Outcome:
    """Apply the withdrawals of the recorded ``rows``' verdict, and build the response and notices."""
    if isinstance(verdict, Rejected):
        answer = response(request, verdict, letterhead(ctx), AccountAttributes())
        return Outcome("rejected", str(verdict.code), (Outbound(ctx.sender, answer),), verdict.text)
    for withdrawal in verdict.withdraws:
        ctx.uow.switching.set_status(withdrawal.request.id, withdrawal.status, at=ctx.now)
    attributes = account_attributes_for(ctx, verdict) if kind is RequestKind.ENROLLMENT else AccountAttributes()
    answer = response(request, verdict, letterhead(ctx), attributes)
    notices = tuple(send_notice(notice, verdict, rows, ctx) for notice in verdict.outbound)
    return Outcome("accepted", None, (Outbound(ctx.sender, answer), *notices), "; ".join(verdict.notes))


def record_request(
    request: Request, kind: RequestKind, verdict: Verdict, ctx: Context, *, service_point: str | None = None
) -> list[SwitchRequest]:
    """One ``switch_requests`` row per service point an accepted request affects; one row for a rejected one."""
    requested_date = request.requested_date if isinstance(request, EnrollmentRequest | DropRequest) else None
    off_cycle = request.off_cycle if isinstance(request, EnrollmentRequest | DropRequest) else False
    base = NewSwitchRequest(
        kind=kind,
        direction=Direction.INBOUND,
        supplier=_fit((request.supplier.id or "").strip(), 13),
        account_number=_fit(request.ldc_account.strip(), 30),
        request_ref=_fit(request.reference, 50),
        line_ref=_fit(request.line_id, 30),
        received_at=ctx.received_at,
        service_point_id=service_point,
        requested_date=requested_date,
        off_cycle=off_cycle,
        source_file=_fit(ctx.source.file, 255),
        isa13=ctx.source.isa13,
        gs06=ctx.source.gs06,
        st02=ctx.source.st02,
    )
    add = ctx.uow.switching.add_request
    if isinstance(verdict, Rejected):
        return [add(_with(base, status=RequestStatus.REJECTED, rejection_code=str(verdict.code),
                          rejection_text=verdict.ref03))]
    status = _ACCEPTED_AS[kind]
    if kind in (RequestKind.ENROLLMENT, RequestKind.DROP):
        return [
            add(_with(base, status=status, service_point_id=e.service_point.service_point_id,
                      effective_date=e.effective_date, effective_at=e.effective_at, off_cycle=e.off_cycle))
            for e in verdict.points
        ]
    # A rescission or a drop cancel: one row per point, pointing at the request it withdrew there.
    rows: list[SwitchRequest] = []
    for point in _distinct_points(verdict.points):
        withdrawn = next((w.request for w in verdict.withdraws if covers(w.request, point)), None)
        rows.append(add(_with(base, status=status, service_point_id=point.service_point_id,
                              related_request_id=None if withdrawn is None else withdrawn.id)))
    return rows or [add(_with(base, status=status))]


def send_notice(notice: Notice, verdict: Accepted, rows: Sequence[SwitchRequest], ctx: Context) -> Outbound:
    """Record the utility's own 814 as an outbound request (one row per point) and build it.

    The drop sent to a replaced RES points (``related_request_id``) at the enrollment that replaces it, so
    that rescinding the enrollment cancels the drop too (FAQ: "the account will revert to its current RES").
    """
    head = letterhead(ctx)
    account = verdict.account
    supplier = ctx.uow.master.get_supplier(notice.supplier)
    cause = {r.service_point_id: r.id for r in rows if r.service_point_id is not None}
    add = ctx.uow.switching.add_request
    outbound = NewSwitchRequest(
        kind=RequestKind.DROP, direction=Direction.OUTBOUND, supplier=notice.supplier,
        account_number=notice.account_number, request_ref=head.reference, line_ref=head.reference,
        received_at=ctx.now,
    )
    reinstated_from: date | None = None
    match notice:
        case DropNotice():
            for sp_id in notice.service_point_ids:
                add(_with(outbound, service_point_id=sp_id, status=RequestStatus.ACCEPTED,
                          effective_date=notice.effective_date, effective_at=notice.effective_at,
                          off_cycle=notice.effective_at is not None,
                          related_request_id=notice.cause_request_id or cause.get(sp_id)))
        case ReinstatementNotice():
            rescinded = [w.request for w in verdict.withdraws if w.request.kind is RequestKind.ENROLLMENT]
            reinstated_from = _rescinded_date(rescinded, notice.service_point_ids, verdict)
            for sp_id in notice.service_point_ids:
                cause_of = next((r.id for r in rescinded if r.service_point_id in (None, sp_id)), None)
                add(_with(outbound, kind=RequestKind.REINSTATEMENT, service_point_id=sp_id,
                          status=RequestStatus.PENDING, effective_date=notice.effective_date or reinstated_from,
                          related_request_id=cause_of))
        case RescissionNotice():
            add(_with(outbound, kind=RequestKind.RESCISSION, service_point_id=notice.request.service_point_id,
                      status=RequestStatus.EFFECTIVE, related_request_id=notice.request.id))
        case EnrollmentNotice():
            for sp_id in notice.service_point_ids:
                add(_with(outbound, kind=RequestKind.UTILITY_INITIATED, service_point_id=sp_id,
                          status=RequestStatus.ACCEPTED, effective_date=notice.effective_date))
    attributes = None
    if isinstance(notice, EnrollmentNotice):
        points = [sp for sp in ctx.uow.master.service_points_of(account.account_number)
                  if sp.service_point_id in notice.service_point_ids]
        attributes = account_attributes(account, points, _meters(ctx, points))
    message = notice_message(notice, head, supplier=supplier, account=account, reinstated_from=reinstated_from,
                             attributes=attributes)
    return Outbound(notice.supplier, message)


def _rescinded_date(rescinded: Sequence[SwitchRequest], point_ids: Sequence[str], verdict: Accepted) -> date | None:
    """The reinstatement's DTM*150 when the supply history does not know the prior RES's start (spec Q16
    asks for "the original start date"; the master data gives no start): the date the rescinded switch would
    have taken the points, i.e. the day from which the prior RES's supply is confirmed to go on."""
    dates = [r.effective_date for r in rescinded
             if r.effective_date is not None and (r.service_point_id is None or r.service_point_id in point_ids)]
    return min(dates) if dates else verdict.processed


# ---------------------------------------------------------------------------------- helpers


def requested_service_point(request: EnrollmentRequest | DropRequest) -> str | None:
    """The REF*LU of a service point-level request (tariff 10.B(1), 10.D), None for an account-level one."""
    value = request.service_point
    return value.strip() or None if value is not None else None


def letterhead(ctx: Context) -> Letterhead:
    """The next BGN02 of the utility's 814s, numbered inside the handler's transaction (never reused)."""
    created, prefix = _created(ctx.now, ctx.calendar.zone)
    n = ctx.uow.control_numbers.next(f"BGN02:{ctx.utility.duns}")
    return Letterhead(ctx.utility, f"{prefix}{n:06d}", created)


@lru_cache(maxsize=16)
def _created(now: datetime, zone: tzinfo) -> tuple[date, str]:
    """The local date of ``now`` and the BGN02 prefix of that day: the same for every 814 a run answers."""
    created = now.astimezone(zone).date()
    return created, f"{REFERENCE_PREFIX}{created:%Y%m%d}"


def account_attributes_for(ctx: Context, verdict: Verdict) -> AccountAttributes:
    """The accepted points' attributes (REF*LU, NH, LO, SPL, BF, MG, AMT*KC) for an enrollment accept."""
    if isinstance(verdict, Rejected):
        return AccountAttributes()
    points = _distinct_points(verdict.points)
    return account_attributes(verdict.account, points, _meters(ctx, points))


def _meters(ctx: Context, points: Sequence[ServicePoint]) -> dict[str, list[Meter]]:
    return {sp.service_point_id: ctx.uow.master.meters_of(sp.service_point_id) for sp in points}


def _distinct_points(effects: Sequence[PointEffect]) -> list[ServicePoint]:
    seen: dict[str, ServicePoint] = {}
    for e in effects:
        seen.setdefault(e.service_point.service_point_id, e.service_point)
    return list(seen.values())


def _outbound(ctx: Context, supplier: str | None, reference: str, kind: RequestKind) -> list[SwitchRequest]:
    """The utility's outbound requests of ``kind`` with BGN02 ``reference`` to ``supplier``."""
    duns = (supplier or ctx.sender).strip()
    return ctx.uow.switching.find_requests(supplier=duns, request_ref=reference, kinds=[kind],
                                           direction=Direction.OUTBOUND)


def _with(base: NewSwitchRequest, **changes: Any) -> NewSwitchRequest:
    return replace(base, **changes)


def _fit(value: str | None, width: int) -> str:
    return (value or "")[:width]


def _expect(message: Message, cls: type[M]) -> M:
    if not isinstance(message, cls):
        raise TypeError(f"expected {cls.__name__}, got {type(message).__name__}")
    return message

"""Once per run: the 867s the read events call for, and the cancels and replacements corrected data calls for.

The batch calls :func:`produce_usage` in a unit of work, enqueues what it returns and commits both
together, so an 867 is recorded as sent exactly when it is in the outbox: a period already sent is never
sent again (its ``usage_reports`` row says so), and a crash loses or repeats nothing.

1. **Corrections first.** Meter-data loads no run has checked yet name the meters and times they changed;
   every standing 867 of those meters' service points whose period they touch is worked out again. When the
   867 comes out different (the fingerprint of everything but the BPT), the RES gets a cancel of the old one
   (``BPT01 01``, its content repeated, spec Q17: "For a restatement send a cancel, then a new original")
   and then a new original, in that order in one file.
2. **Then new periods.** Each read event without an 867 or a decision, once its day is over (the first run
   after local midnight, when the day's switches are effective, tariff 10.B(3)): its period is planned
   (:mod:`.periods`); a period of utility supply or of a point without meters is recorded as needing no 867;
   one whose data cannot make an 867 yet (a register read not in, a gap no equation fills) is held and tried
   again next run; the rest become 867s.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta

import structlog

from edi.canonical import parse, render
from edi.classify import Kind
from edi.messages import Purpose, UsageReport
from edi.segments import Segment
from processor.calendar import Calendar
from processor.config import Utility
from processor.handlers.base import Outbound
from processor.store.records import (
    AccountStatus,
    NewUsageRecord,
    ReadEvent,
    ServicePoint,
    UsageRecord,
    UsageStatus,
)
from processor.store.unit_of_work import UnitOfWork
from processor.usage.build import UsageError, usage_report
from processor.usage.gather import data_start, supply_spans, usage_of
from processor.usage.intervals import CENTRAL, end_of_local_day, utc
from processor.usage.periods import is_res, plan_period

log = structlog.get_logger("edi.usage")

#: BPT02 of the 867s the utility writes: prefix, creation date and a counter (spec 5.4: ``UTL867000001``).
REFERENCE_PREFIX = "UTL867"
#: How far around a changed read a standing 867 is worked out again (register reads count by local day).
_MARGIN = timedelta(days=1)


def produce_usage(uow: UnitOfWork, calendar: Calendar, now: datetime, utility: Utility) -> list[Outbound]:
    """The 867s (originals, and cancels before their replacements) this run sends, recorded in ``uow``.

    The caller enqueues them in order and commits; a second call with nothing new returns ``[]``.
    """
    loads = uow.meter_data.unchecked_loads()
    out = _corrections(uow, calendar, now, utility, [load.id for load in loads])
    for event in uow.meter_data.undecided_read_events():
        out += _new_period(uow, calendar, now, utility, event)
    uow.meter_data.mark_checked((load.id for load in loads), at=now)
    return out


def usage_key(out: Outbound) -> str:
    """The outbox idempotency key of an 867 :func:`produce_usage` returned: ``867:`` and its BPT02 (unique)."""
    if not isinstance(out.message, UsageReport):
        raise TypeError(f"not an 867: {type(out.message).__name__}")
    return f"867:{out.message.reference}"


# ------------------------------------------------------------------------------- new periods


def _new_period(uow: UnitOfWork, calendar: Calendar, now: datetime, utility: Utility,
                event: ReadEvent) -> list[Outbound]:
    if utc(now) < end_of_local_day(event.read_at):
        return []
    point = uow.master.get_service_point(event.service_point_id)
    assert point is not None  # a read event's point is a foreign key
    account = uow.master.get_account(point.account_number)
    assert account is not None
    events = uow.meter_data.read_events(point.service_point_id)
    plan = plan_period(event.read_at, (e.read_at for e in events), supply_spans(uow, point, events),
                       point.supplier, account_final=account.status is AccountStatus.FINAL,
                       last_event=event.read_at == events[-1].read_at)
    bind = {"service_point": point.service_point_id, "period_end": plan.end.isoformat()}
    if not is_res(plan.supplier):
        _decide(uow, point, plan.supplier, plan.start, plan.end, now, f"utility supply ({plan.supplier})")
        return []
    meters = uow.master.meters_of(point.service_point_id)
    if not meters:
        _decide(uow, point, plan.supplier, plan.start, plan.end, now,
                "no meter: the gateway holds no usage for an unmetered service point")
        log.warning("no 867 for an unmetered service point", supplier=plan.supplier, **bind)
        return []
    start = plan.start or data_start(uow, point, meters, plan.end)
    if start is None or start >= plan.end:
        log.info("867 held: the period has no start yet (no earlier read event, supply start or data)", **bind)
        return []
    try:
        usage = usage_of(uow, calendar, point, meters, start, plan.end)
    except UsageError as exc:
        log.warning("867 held", reason=str(exc), **bind)
        return []
    supplier = uow.master.get_supplier(plan.supplier)
    created = _today(now)
    report = usage_report(usage, reference=_reference(uow, utility, created), created=created, final=plan.final,
                          utility=utility, supplier_duns=plan.supplier, supplier=supplier, account=account)
    _record(uow, report, point, plan.supplier, start, plan.end, now)
    log.info("867 produced", reference=report.reference, supplier=plan.supplier, final=plan.final, **bind)
    return [Outbound(plan.supplier, report)]


def _decide(uow: UnitOfWork, point: ServicePoint, supplier: str, start: datetime | None, end: datetime,
            now: datetime, note: str) -> None:
    uow.meter_data.add_usage(NewUsageRecord(
        service_point_id=point.service_point_id, supplier=supplier, period_start=start, period_end=end,
        status=UsageStatus.NOT_SENT, created_at=now, note=note))


# ------------------------------------------------------------------------------- corrections


def _corrections(uow: UnitOfWork, calendar: Calendar, now: datetime, utility: Utility,
                 load_ids: Sequence[int]) -> list[Outbound]:
    changed: dict[str, tuple[datetime, datetime]] = {}
    for meter_number, (low, high) in uow.meter_data.changed_spans(load_ids).items():
        meter = uow.master.get_meter(meter_number)
        if meter is None:
            continue
        point = meter.service_point_id
        if point in changed:
            low, high = min(low, changed[point][0]), max(high, changed[point][1])
        changed[point] = (low, high)
    out: list[Outbound] = []
    for point_id, (low, high) in sorted(changed.items()):
        for record in uow.meter_data.standing_usage([point_id], low - _MARGIN, high + _MARGIN):
            out += _recheck(uow, calendar, now, utility, record)
    return out


def _recheck(uow: UnitOfWork, calendar: Calendar, now: datetime, utility: Utility,
             record: UsageRecord) -> list[Outbound]:
    point = uow.master.get_service_point(record.service_point_id)
    assert point is not None and record.period_start is not None and record.body is not None
    account = uow.master.get_account(point.account_number)
    assert account is not None
    bind = {"service_point": point.service_point_id, "period_end": record.period_end.isoformat()}
    try:
        usage = usage_of(uow, calendar, point, uow.master.meters_of(point.service_point_id), record.period_start,
                         record.period_end)
    except UsageError as exc:
        log.warning("corrected data cannot make an 867 yet; the one sent stands", reason=str(exc), **bind)
        return []
    created = _today(now)
    supplier = uow.master.get_supplier(record.supplier)
    draft = usage_report(usage, reference="-", created=created, final=record.final, utility=utility,
                         supplier_duns=record.supplier, supplier=supplier, account=account)
    if fingerprint(draft) == record.fingerprint:
        return []
    original = stored_report(record)
    cancel = replace(original, purpose=Purpose.CANCELLATION, reference=_reference(uow, utility, created),
                     created=created)
    uow.meter_data.set_usage_status(record.id, UsageStatus.CANCELLED)
    _record(uow, cancel, point, record.supplier, record.period_start, record.period_end, now,
            status=UsageStatus.CANCEL, cancels_id=record.id)
    replacement = replace(draft, reference=_reference(uow, utility, created))
    _record(uow, replacement, point, record.supplier, record.period_start, record.period_end, now,
            replaces_id=record.id)
    log.info("867 cancelled and replaced after corrected data", cancelled=record.reference,
             cancel=cancel.reference, replacement=replacement.reference, **bind)
    return [Outbound(record.supplier, cancel), Outbound(record.supplier, replacement)]


# ---------------------------------------------------------------------------------- records


def _record(uow: UnitOfWork, report: UsageReport, point: ServicePoint, supplier: str, start: datetime,
            end: datetime, now: datetime, *, status: UsageStatus = UsageStatus.SENT, cancels_id: int | None = None,
            replaces_id: int | None = None) -> UsageRecord:
    return uow.meter_data.add_usage(NewUsageRecord(
        service_point_id=point.service_point_id, supplier=supplier, period_start=start, period_end=end,
        status=status, created_at=now, purpose=report.purpose.value, reference=report.reference,
        final=report.final, fingerprint=fingerprint(report), body=_body(report), cancels_id=cancels_id,
        replaces_id=replaces_id))


def _body(report: UsageReport) -> str:
    return json.dumps([[s.id, *s.elements] for s in render(report)], separators=(",", ":"))


def fingerprint(report: UsageReport) -> str:
    """sha256 of the 867 without its BPT (purpose, reference, date) but with BPT07: what a correction changes."""
    body = render(report)
    content = [[s.id, *s.elements] for s in body if s.id != "BPT"]
    return hashlib.sha256(json.dumps([report.final, content], separators=(",", ":")).encode()).hexdigest()


def stored_report(record: UsageRecord) -> UsageReport:
    """The 867 a record holds, read back from its segments."""
    assert record.body is not None
    body = [Segment(raw[0], tuple(raw[1:])) for raw in json.loads(record.body)]
    segments = [Segment("ST", ("867", "0001")), *body, Segment("SE", (str(len(body) + 2), "0001"))]
    message = parse(segments, None, kind=Kind.USAGE_REPORT)
    assert isinstance(message, UsageReport)
    return message


def _reference(uow: UnitOfWork, utility: Utility, created: date) -> str:
    n = uow.control_numbers.next(f"BPT02:{utility.duns}")
    return f"{REFERENCE_PREFIX}{created:%Y%m%d}{n:06d}"


def _today(now: datetime) -> date:
    return utc(now).astimezone(CENTRAL).date()

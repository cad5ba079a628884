"""What a billing period needs from the store: the meters' values (missing ones estimated), the register
reads at its ends, the supply history in instants, and where it starts.

The only module of :mod:`processor.usage` that reads meter data; everything it hands on is plain records
and values for the pure modules (:mod:`.periods`, :mod:`.estimate`, :mod:`.build`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal

from processor.calendar import Calendar
from processor.store.records import (
    Meter,
    Metering,
    ReadEvent,
    ReadQuality,
    RegisterRead,
    ServicePoint,
)
from processor.store.unit_of_work import UnitOfWork
from processor.usage.build import (
    IntervalMeterData,
    IntervalValue,
    PeriodUsage,
    ScalarMeterData,
    UsageError,
    period_usage,
)
from processor.usage.estimate import History, Method, Register, estimate_gap, history_days
from processor.usage.intervals import CENTRAL, HOUR, hour_ending, interval_ends, local_day_bounds, metering_instant, utc
from processor.usage.periods import SupplySpan, switch_instant, until_of

#: The first read event the gateway sees for an interval point starts its period where the data does, but no
#: further back than this: a longer period is not a billing period but a backlog of data (its read events are
#: missing), and it would make one 867 of years of hours.
FIRST_PERIOD_DAYS = 45
#: Register reads further than this from a gap are not "the meter read at the beginning/end of the missing
#: interval gap" (tariff 8.L equation 13): equation 13 does not use them.
REGISTER_REACH = timedelta(days=62)


def supply_spans(uow: UnitOfWork, point: ServicePoint, events: Sequence[ReadEvent]) -> list[SupplySpan]:
    """The point's supply history as spans of instants (see :mod:`processor.usage.periods`)."""
    spans: list[SupplySpan] = []
    moments = [e.read_at for e in events]
    for order, period in enumerate(uow.switching.supply_history(point.service_point_id)):
        cause = None if period.cause_request_id is None else uow.switching.get_request(period.cause_request_id)
        since = switch_instant(period.start_date, off_cycle=cause is not None and cause.off_cycle,
                               effective_at=None if cause is None else cause.effective_at, read_events=moments)
        spans.append(SupplySpan(period.supplier, since, until_of(period.end_date), order))
    return spans


def data_start(uow: UnitOfWork, point: ServicePoint, meters: Sequence[Meter], end: datetime) -> datetime | None:
    """Where a period starts when neither a read event nor a supply start says so: where the data starts.

    Interval points: the start of the first stored interval of any of the meters. Scalar points: the last
    register read before the day of ``end`` (the previous read, as a read event would have said). An interval
    point's period reaches back at most :data:`FIRST_PERIOD_DAYS`, to local midnight.
    """
    if point.metering is Metering.INTERVAL:
        starts = []
        for meter in meters:
            first = uow.meter_data.first_interval_end(meter.meter_number)
            if first is not None and meter.interval_minutes is not None:
                starts.append(first - timedelta(minutes=meter.interval_minutes))
        if not starts:
            return None
        earliest = (utc(end) - timedelta(days=FIRST_PERIOD_DAYS)).astimezone(CENTRAL).date()
        return max(min(starts), local_day_bounds(earliest)[0])
    day_begin = local_day_bounds(utc(end).astimezone(CENTRAL).date())[0]
    reads = [r for m in meters if (r := uow.meter_data.register_at_or_before(m.meter_number,
                                                                              day_begin - timedelta(microseconds=1)))]
    return max(r.read_at for r in reads) if reads else None


def usage_of(uow: UnitOfWork, calendar: Calendar, point: ServicePoint, meters: Sequence[Meter], start: datetime,
             end: datetime) -> PeriodUsage:
    """The point's usage in ``(start, end]``; raises :class:`UsageError` when its data cannot make an 867 yet."""
    data: list[IntervalMeterData | ScalarMeterData] = []
    for meter in sorted(meters, key=lambda m: m.meter_number):
        if meter.interval_minutes is None:
            data.append(scalar_data(uow, meter, start, end))
        else:
            data.append(interval_data(uow, calendar, point, meter, start, end))
    return period_usage(point, start, end, data)


# ---------------------------------------------------------------------------------- scalar


def register_near(uow: UnitOfWork, meter: Meter, moment: datetime) -> RegisterRead | None:
    """The meter's register read at ``moment``, or the one closest to it on the same local date."""
    begin, stop = local_day_bounds(utc(moment).astimezone(CENTRAL).date())
    reads = uow.meter_data.registers(meter.meter_number, begin, stop - timedelta(microseconds=1))
    if not reads:
        return None
    return min(reads, key=lambda r: (abs(r.read_at - utc(moment)), r.read_at))


def scalar_data(uow: UnitOfWork, meter: Meter, start: datetime, end: datetime) -> ScalarMeterData:
    begin_read, end_read = register_near(uow, meter, start), register_near(uow, meter, end)
    for read, moment in ((begin_read, start), (end_read, end)):
        if read is None:
            day = utc(moment).astimezone(CENTRAL).date()
            raise UsageError(f"meter {meter.meter_number}: no register read on {day} (waiting for it)")
    assert begin_read is not None and end_read is not None
    return ScalarMeterData(meter, begin_read, end_read)


# -------------------------------------------------------------------------------- interval


def interval_data(uow: UnitOfWork, calendar: Calendar, point: ServicePoint, meter: Meter, start: datetime,
                  end: datetime) -> IntervalMeterData:
    """A value for every interval of the meter that overlaps ``(start, end]``: actual, E as given, M and
    absent ones estimated gap by gap (:func:`processor.usage.estimate.estimate_gap`)."""
    minutes = meter.interval_minutes
    assert minutes is not None
    step = timedelta(minutes=minutes)
    ends = interval_ends(metering_instant(start), metering_instant(end), minutes)
    rows = {r.interval_end: r for r in uow.meter_data.intervals(meter.meter_number, ends[0] - step, ends[-1])}
    values: dict[datetime, IntervalValue] = {}
    missing: list[datetime] = []
    for e in ends:
        row = rows.get(e)
        if row is None or row.kwh is None or row.quality is ReadQuality.MISSING:
            missing.append(e)
        elif row.quality is ReadQuality.ESTIMATED:
            values[e] = IntervalValue(row.kwh, Method.METER_SYSTEM)
        else:
            values[e] = IntervalValue(row.kwh)
    for run in _runs(missing, step):
        gap = _whole_gap(uow, meter, run, step)
        estimate = estimate_gap(gap, _history(uow, calendar, point, meter, gap), calendar)
        if estimate is None:
            raise UsageError(f"meter {meter.meter_number}: {len(gap)} missing intervals from "
                             f"{(gap[0] - step).isoformat()} that no equation can estimate (tariff 8.L "
                             "equation 14, manual calculation)")
        for e in run:
            values[e] = IntervalValue(estimate.values[e], estimate.method)
    return IntervalMeterData(meter, values)


def _runs(ends: Sequence[datetime], step: timedelta) -> list[list[datetime]]:
    """Consecutive interval ends grouped into runs."""
    runs: list[list[datetime]] = []
    for e in ends:
        if runs and e - runs[-1][-1] == step:
            runs[-1].append(e)
        else:
            runs.append([e])
    return runs


def _whole_gap(uow: UnitOfWork, meter: Meter, run: Sequence[datetime], step: timedelta) -> list[datetime]:
    """The run widened to the whole gap on the meter's record: from after the last interval with a value
    before it to before the first one after it (as far as the run itself when there is none)."""
    before = uow.meter_data.known_before(meter.meter_number, run[0])
    after = uow.meter_data.known_after(meter.meter_number, run[-1])
    first = before + step if before is not None else run[0]
    last = after - step if after is not None else run[-1]
    gap: list[datetime] = []
    moment = first
    while moment <= last:
        gap.append(moment)
        moment += step
    return gap


def _day_ranges(days: Iterable[date]) -> list[tuple[date, date]]:
    """Sorted days merged into inclusive ranges of consecutive days."""
    ranges: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if ranges and day - ranges[-1][1] == timedelta(days=1):
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return ranges


def _history(uow: UnitOfWork, calendar: Calendar, point: ServicePoint, meter: Meter,
             gap: Sequence[datetime]) -> History:
    minutes = meter.interval_minutes
    assert minutes is not None
    step = timedelta(minutes=minutes)
    number = meter.meter_number
    actual: dict[datetime, Decimal] = {}
    for first, last in _day_ranges(history_days(gap, minutes, calendar)):
        low, high = local_day_bounds(first)[0], local_day_bounds(last)[1]
        for row in uow.meter_data.intervals(number, low, high + step):
            if row.quality is ReadQuality.ACTUAL and row.kwh is not None:
                actual[row.interval_end] = row.kwh
    before = uow.meter_data.register_at_or_before(number, gap[0] - step)
    after = uow.meter_data.register_at_or_after(number, gap[-1])
    if before is not None and before.read_at < gap[0] - step - REGISTER_REACH:
        before = None
    if after is not None and after.read_at > gap[-1] + REGISTER_REACH:
        after = None
    low = min(gap[0] - 2 * step, before.read_at if before else gap[0])
    high = max(gap[-1] + step, after.read_at if after else gap[-1])
    known = {row.interval_end: row.kwh for row in uow.meter_data.intervals(number, low, high)
             if row.kwh is not None and row.quality is not ReadQuality.MISSING}
    profile: dict[datetime, Decimal] = {}
    if point.load_profile:
        profile = uow.meter_data.profile(point.load_profile, hour_ending(gap[0]) - HOUR, hour_ending(gap[-1]))
    return History(
        minutes=minutes,
        multiplier=meter.multiplier,
        actual=actual,
        known=known,
        register_before=None if before is None else Register(before.read_at, before.register_kwh),
        register_after=None if after is None else Register(after.read_at, after.register_kwh),
        profile=profile,
    )

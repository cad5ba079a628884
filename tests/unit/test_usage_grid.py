"""Meter data as columns (IntervalGrid): the same usage, the same 867 and the same bytes as the dict of values."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

from edi.canonical import render, render_body
from edi.messages import HourlyIntervals, Interval, QuantityQualifier
from edi.segments import Separators
from edi.writer import CounterControlNumbers, Party, Profile, Transaction, interchange, write
from processor.calendar import CalendarBilling
from processor.config import Utility
from processor.store.records import Account, AccountStatus, Meter, Metering, MeterRole, RateClass, ServicePoint
from processor.usage.build import (
    IntervalGrid,
    IntervalMeterData,
    IntervalValue,
    MeterResult,
    UsageError,
    interval_usage,
    period_usage,
    usage_report,
)
from processor.usage.estimate import Method
from processor.usage.intervals import CENTRAL

ACCOUNT = Account("3000000001", "GRID WORKS LLC", "1 GRID ST", "DECATUR", "IL", "62521", "03", CalendarBilling.NONE,
                  AccountStatus.ACTIVE)
POINT = ServicePoint("7100000001", "3000000001", RateClass.DS3B, Metering.INTERVAL, "987654321", False,
                     rate_zone="ZONE1")
HOURLY = Meter("41000001", POINT.service_point_id, MeterRole.ADDITIVE, 60)
TIMES_40 = Meter("41000002", POINT.service_point_id, MeterRole.SUBTRACTIVE, 60, Decimal(40))
QUARTER = Meter("41000003", POINT.service_point_id, MeterRole.ADDITIVE, 15)
METHODS = {3: Method.SAME_DAY, 4: Method.METER_SYSTEM, 40: Method.FLAT_LINE}


def cpt(day: date, hh: int = 0, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=CENTRAL).astimezone(UTC)


def grid(meter: Meter, first_day: date, last_day: date) -> IntervalGrid:
    """Every interval of the local days ``first_day`` .. ``last_day``, values with up to 4 decimals and an exponent."""
    assert meter.interval_minutes is not None
    step = timedelta(minutes=meter.interval_minutes)
    first, end = cpt(first_day) + step, cpt(last_day + timedelta(days=1))
    n = (end - first) // step + 1
    raw = tuple(Decimal(f"{(i * 7919) % 100000 / 10000:.4f}") for i in range(n))
    return IntervalGrid(first, meter.interval_minutes, (*raw[:-1], Decimal("2E+1")), METHODS)


def as_dict(data: IntervalMeterData) -> IntervalMeterData:
    return IntervalMeterData(data.meter, dict(data.values))


def test_the_grid_is_the_mapping_of_its_values() -> None:
    values = grid(QUARTER, date(2026, 11, 1), date(2026, 11, 1))  # 25 hours: 100 intervals
    assert len(values) == 100 and list(values) == [values.first + timedelta(minutes=15 * i) for i in range(100)]
    assert values[values.first + timedelta(minutes=45)] == IntervalValue(values.raw[3], Method.SAME_DAY)
    assert values[values.first] == IntervalValue(values.raw[0])
    assert dict(values) == {e: IntervalValue(v, METHODS.get(i)) for i, (e, v) in enumerate(zip(values, values.raw,
                                                                                                 strict=True))}
    for outside in (values.first - timedelta(minutes=15), values.first + timedelta(minutes=5),
                    values.first + timedelta(hours=25)):
        assert outside not in values
        with pytest.raises(KeyError):
            values[outside]
    with pytest.raises(ValueError, match="outside"):
        IntervalGrid(values.first, 15, (Decimal(1),), {1: Method.SAME_DAY})


PERIODS = {
    "a whole month, hourly": (HOURLY, date(2026, 6, 1), date(2026, 6, 30), cpt(date(2026, 6, 1)),
                              cpt(date(2026, 7, 1))),
    "fall back, multiplier 40": (TIMES_40, date(2026, 10, 31), date(2026, 11, 2), cpt(date(2026, 10, 31)),
                                 cpt(date(2026, 11, 3))),
    "spring forward, inside a longer grid": (HOURLY, date(2026, 3, 6), date(2026, 3, 10), cpt(date(2026, 3, 7)),
                                             cpt(date(2026, 3, 9))),
    "a read at 14:30 (cut hours)": (TIMES_40, date(2026, 7, 12), date(2026, 7, 14), cpt(date(2026, 7, 12), 14, 30),
                                    cpt(date(2026, 7, 14), 14, 30)),
    "quarter hours": (QUARTER, date(2026, 3, 7), date(2026, 3, 9), cpt(date(2026, 3, 7)), cpt(date(2026, 3, 10))),
}


@pytest.mark.parametrize(("meter", "first_day", "last_day", "start", "end"), PERIODS.values(), ids=PERIODS.keys())
def test_usage_from_the_grid_is_usage_from_the_dict(meter: Meter, first_day: date, last_day: date, start: datetime,
                                                    end: datetime) -> None:
    data = IntervalMeterData(meter, grid(meter, first_day, last_day))
    from_grid, from_dict = interval_usage(data, start, end), interval_usage(as_dict(data), start, end)
    assert from_grid == from_dict and same_text(from_grid, from_dict)
    assert from_grid.estimated and from_grid.hours == from_dict.hours


def same_text(a: MeterResult, b: MeterResult) -> bool:
    """Equal Decimals written alike (``1.0`` == ``1.000``, but not in an 867)."""
    return str(a.total) == str(b.total) and [str(h.kwh) for h in a.hours] == [str(h.kwh) for h in b.hours]


def test_a_grid_that_does_not_cover_the_period_is_refused_like_missing_values() -> None:
    data = IntervalMeterData(HOURLY, grid(HOURLY, date(2026, 6, 2), date(2026, 6, 30)))
    for values in (data, as_dict(data)):
        with pytest.raises(UsageError, match="no value for the interval ending 2026-06-01T06:00:00"):
            interval_usage(values, cpt(date(2026, 6, 1)), cpt(date(2026, 7, 1)))


@pytest.mark.parametrize("midnight_2400", [False, True])
def test_the_867_from_the_grid_is_the_867_from_the_dict_byte_for_byte(midnight_2400: bool) -> None:
    start, end = cpt(date(2026, 10, 31)), cpt(date(2026, 11, 3))
    meters = [IntervalMeterData(m, grid(m, date(2026, 10, 30), date(2026, 11, 2))) for m in (HOURLY, TIMES_40)]
    reports = [usage_report(period_usage(POINT, start, end, data), reference="UTL867TEST", created=date(2026, 11, 4),
                            final=False, utility=Utility(), supplier_duns="987654321", supplier=None,
                            account=ACCOUNT)
               for data in (meters, [as_dict(m) for m in meters])]
    assert reports[0] == reports[1]
    intervals = reports[0].meters[1].intervals
    assert isinstance(intervals, HourlyIntervals) and len(intervals) == 73 and intervals.estimated == {40 - 24}
    hours = period_usage(POINT, start, end, meters).meters[1].hours
    assert intervals == tuple(Interval(h.end, h.kwh, QuantityQualifier.ESTIMATED if h.estimated
                                       else QuantityQualifier.ACTUAL) for h in hours)
    segments = render(reports[0], midnight_2400=midnight_2400)
    lines = ["*".join((s.id, *s.elements)) for s in segments]
    assert "REF*4P*40" in lines and "QTY*KA*" + str(intervals.values[16]) + "*KH" in lines
    assert "QTY*QD*800.000*KH" in lines  # 2E+1 x 40
    profile = Profile(Party("01", "012345678"), Party("01", "987654321"), Separators())
    texts = []
    for body in (segments, render_body(reports[0], midnight_2400=midnight_2400)):
        out = io.StringIO()
        numbers = CounterControlNumbers()
        write(interchange(profile, [[Transaction("867", body)]], numbers, datetime(2026, 11, 4, tzinfo=UTC)),
              Separators(), out)
        texts.append(out.getvalue())
    assert texts[0] == texts[1]

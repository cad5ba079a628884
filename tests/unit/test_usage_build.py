"""A period's usage and its 867: hours, checks, net, roles, multipliers, estimated values."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

from edi.canonical import render
from edi.messages import MeterRole as Jh
from edi.messages import QuantityQualifier, UsageLoop
from processor.calendar import CalendarBilling
from processor.config import Utility
from processor.store.records import (
    Account,
    AccountStatus,
    Meter,
    Metering,
    MeterRole,
    RateClass,
    ReadType,
    RegisterRead,
    Sbo,
    ServicePoint,
    Supplier,
    UcbPor,
)
from processor.usage.build import (
    IntervalMeterData,
    IntervalValue,
    ScalarMeterData,
    UsageError,
    boundary,
    interval_usage,
    period_usage,
    scalar_usage,
    usage_report,
)
from processor.usage.estimate import Method
from processor.usage.intervals import CENTRAL, interval_ends

DAY = date(2026, 6, 16)
ACCOUNT = Account("3000000001", "JUNE WORKS LLC", "1 JUNE ST", "DECATUR", "IL", "62521", "03", CalendarBilling.NONE,
                  AccountStatus.ACTIVE)
POINT = ServicePoint("7100000001", "3000000001", RateClass.DS3B, Metering.INTERVAL, "987654321", False,
                     load_profile="GSI", rate_zone="ZONE1")
SUPPLIER = Supplier("987654321", "BRIGHT ENERGY LLC", UcbPor.BILL_READY, Sbo.NONE)
A = Meter("41000001", POINT.service_point_id, MeterRole.ADDITIVE, 15)
S = Meter("41000002", POINT.service_point_id, MeterRole.SUBTRACTIVE, 60, Decimal(2))


def cpt(day: date, hh: int = 0, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=CENTRAL).astimezone(UTC)


def flat(meter: Meter, start: datetime, end: datetime, value: str, estimated: set[datetime] | None = None
         ) -> IntervalMeterData:
    assert meter.interval_minutes is not None
    return IntervalMeterData(meter, {e: IntervalValue(Decimal(value), Method.SAME_DAY if e in (estimated or set())
                                                      else None)
                                     for e in interval_ends(start, end, meter.interval_minutes)})


def test_an_interval_meters_hours_and_total() -> None:
    start, end = cpt(DAY), cpt(DAY + timedelta(days=1))
    result = interval_usage(flat(A, start, end, "1.250"), start, end)
    assert len(result.hours) == 24 and result.total == Decimal("120.000") and not result.estimated


def test_a_read_at_14_30_cuts_a_60_minute_interval_in_halves() -> None:
    start, read, end = cpt(DAY), cpt(DAY, 14, 30), cpt(DAY + timedelta(days=1))
    values = flat(S, start, end, "5.001")  # x2 = 10.002 per hour
    first, second = interval_usage(values, start, read), interval_usage(values, read, end)
    assert first.hours[-1].kwh == Decimal("5.001") and second.hours[0].kwh == Decimal("5.001")
    assert first.total + second.total == Decimal("240.048")


def test_a_missing_value_is_a_bug_not_an_867() -> None:
    start, end = cpt(DAY), cpt(DAY, 6)
    data = flat(A, start, end, "1")
    del data.values[cpt(DAY, 3)]  # type: ignore[attr-defined]
    with pytest.raises(UsageError, match="no value for the interval"):
        interval_usage(data, start, end)


def test_scalar_usage_and_its_checks() -> None:
    meter = Meter("41000011", "7100000011", MeterRole.ADDITIVE, None, Decimal(40))
    begin = RegisterRead("41000011", cpt(DAY, 10, 7), Decimal("1520.35"))
    end = RegisterRead("41000011", cpt(DAY + timedelta(days=32), 9, 48), Decimal("1536.97"), ReadType.ESTIMATED)
    result = scalar_usage(ScalarMeterData(meter, begin, end))
    assert result.total == Decimal("664.80") and result.estimated
    assert result.reading is not None and result.reading.qualifier is QuantityQualifier.ESTIMATED
    with pytest.raises(UsageError, match="went back"):
        scalar_usage(ScalarMeterData(meter, end, begin))


def test_the_867_carries_the_net_the_roles_and_the_estimated_hours() -> None:
    start, end = cpt(DAY), cpt(DAY + timedelta(days=1))
    meters = [flat(A, start, end, "2.000", {cpt(DAY, 9, 45)}), flat(S, start, end, "1.000")]
    usage = period_usage(POINT, start, end, meters)
    assert usage.net == Decimal("192.000") - Decimal("48.000")
    report = usage_report(usage, reference="UTL867TEST", created=DAY + timedelta(days=2), final=True,
                          utility=Utility(), supplier_duns=SUPPLIER.duns, supplier=SUPPLIER, account=ACCOUNT)
    assert report.final and report.summary is not None
    (su,) = report.summary.quantities
    assert su.value == Decimal("144.000") and su.qualifier is QuantityQualifier.ESTIMATED
    assert [(m.loop, m.role, m.multiplier) for m in report.meters] == [
        (UsageLoop.INTERVAL, Jh.ADDITIVE, None), (UsageLoop.INTERVAL, Jh.SUBTRACTIVE, Decimal(2))]
    estimated = [i.end for i in report.meters[0].intervals if i.estimated]
    assert estimated == [cpt(DAY, 10)]
    lines = ["*".join((s.id, *s.elements)) for s in render(report)]
    assert "REF*JH*S" in lines and "REF*4P*2" in lines and "QTY*KA*8.000*KH" in lines
    assert "DTM*582*20260617*0000*CD" in lines and "BPT*00*UTL867TEST*20260618*C1***F" in lines


def test_boundaries_are_dates_at_midnight_and_for_scalar_points() -> None:
    assert boundary(cpt(DAY), interval=True) == DAY
    assert boundary(cpt(DAY, 14, 30), interval=True) == cpt(DAY, 14, 30)
    assert boundary(cpt(DAY, 14, 30), interval=False) == DAY


def test_an_empty_period_is_refused() -> None:
    with pytest.raises(UsageError, match="empty"):
        period_usage(POINT, cpt(DAY), cpt(DAY), [])

"""Meter-data CSV rows: what each kind accepts, and every problem named by line and column."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from processor.load import CsvTable, LoadError, parse_table
from processor.store.records import IntervalRead, MeterDataKind, ReadQuality, ReadType, RegisterRead
from processor.usage.meter_csv import kind_of, validate_rows


def table(text: str) -> CsvTable:
    parsed = parse_table(text.encode())
    assert not isinstance(parsed, LoadError)
    return parsed


def test_the_header_tells_the_kind() -> None:
    assert kind_of(("meter_number", "interval_end", "kwh", "quality")) is MeterDataKind.INTERVAL_READS
    assert kind_of(("read_at", "service_point_id")) is MeterDataKind.READ_EVENTS
    assert kind_of(("meter_number", "read_at", "register_kwh", "read_type")) is MeterDataKind.REGISTER_READS
    assert kind_of(("load_profile", "interval_end", "kwh")) is MeterDataKind.LOAD_PROFILE


def test_a_wrong_header_is_explained_on_line_1() -> None:
    errors = kind_of(("meter_number", "interval_end", "kwh", "qualty"))
    assert errors == [LoadError(1, "qualty", "unknown column; interval reads have meter_number, interval_end, kwh, "
                                             "quality"),
                      LoadError(1, "quality", "missing column (interval reads)")]
    other = kind_of(("a", "b"))
    assert isinstance(other, list) and "not a meter-data file" in other[0].message


def test_interval_rows_are_read_into_utc() -> None:
    rows, errors = validate_rows(MeterDataKind.INTERVAL_READS, table(
        "meter_number,interval_end,kwh,quality\n"
        "40000052,2026-11-01T02:00:00-05:00,1.5,A\n"
        "40000052,2026-11-01T02:00:00-06:00,,M\n"))
    assert errors == []
    assert [r for _, r in rows] == [
        IntervalRead("40000052", datetime(2026, 11, 1, 7, tzinfo=UTC), Decimal("1.5"), ReadQuality.ACTUAL),
        IntervalRead("40000052", datetime(2026, 11, 1, 8, tzinfo=UTC), None, ReadQuality.MISSING)]


def test_every_bad_value_is_named_by_line_and_column() -> None:
    _, errors = validate_rows(MeterDataKind.INTERVAL_READS, table(
        "meter_number,interval_end,kwh,quality\n"
        "40000052,2026-11-01T02:00:00,1.5,A\n"  # no offset
        "40000052,2026-11-01T02:15:00-05:00,2.0,M\n"  # M with a value
        "40000052,2026-11-01T02:30:00-05:00,,E\n"  # E without one
        "40000052,2026-11-01T02:45:00-05:00,-1,A\n"  # negative
        "40000052,2026-11-01T03:00:00-05:00,1,X\n"  # quality
        "40000052,2026-11-01T03:00:00-05:00,1,A\n"
        "40000052,2026-11-01T03:00:00-05:00,1,A\n"))  # duplicate
    assert [(e.line, e.column) for e in errors] == [(2, "interval_end"), (3, "kwh"), (4, "kwh"), (5, "kwh"),
                                                    (6, "quality"), (8, "interval_end")]
    assert "with offset" in errors[0].message and "line 7" in errors[-1].message


def test_register_reads_events_and_profiles() -> None:
    rows, errors = validate_rows(MeterDataKind.REGISTER_READS, table(
        "meter_number,read_at,register_kwh,read_type\n40000029,2026-10-19T09:48:00-05:00,18859.4,estimated\n"))
    assert errors == [] and rows[0][1] == RegisterRead("40000029", datetime(2026, 10, 19, 14, 48, tzinfo=UTC),
                                                       Decimal("18859.4"), ReadType.ESTIMATED)
    _, errors = validate_rows(MeterDataKind.READ_EVENTS, table(
        "service_point_id,read_at\n7000000029,yesterday\n"))
    assert [(e.line, e.column) for e in errors] == [(2, "read_at")]
    _, errors = validate_rows(MeterDataKind.LOAD_PROFILE, table(
        "load_profile,interval_end,kwh\nGSI,2026-10-19T09:30:00-05:00,1.0\n"))
    assert [(e.line, e.column) for e in errors] == [(2, "interval_end")]

"""Hourly intervals as columns (HourlyIntervals) and the writer's text runs: the same intervals, segments and
bytes as the tuple of Intervals and the segment path."""

from __future__ import annotations

import io
import itertools
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from edi.canonical import parse, render, render_body
from edi.messages import (
    EntityCode,
    HourlyIntervals,
    IdQualifier,
    Interval,
    MeterRole,
    MeterUsage,
    Party,
    Period,
    QuantityQualifier,
    Unit,
    UsageLoop,
    UsageReport,
    UsageSummary,
)
from edi.segments import Segment, Separators, seg
from edi.writer import Body, CounterControlNumbers, Profile, Run, Transaction, interchange, write
from edi.writer import Party as IsaParty

CENTRAL = ZoneInfo("America/Chicago")
HOUR = timedelta(hours=1)
AT = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def local(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=CENTRAL).astimezone(UTC)


def hourly(first_day: date, days: int, values: list[str] | None = None, estimated: frozenset[int] = frozenset(),
           unit: Unit = Unit.KWH) -> HourlyIntervals:
    """Every hour of ``days`` local days from ``first_day`` (23 or 25 on a DST day)."""
    first, end = local(first_day) + HOUR, local(first_day + timedelta(days=days))
    n = (end - first) // HOUR + 1
    texts = values or [f"{(i * 7919) % 100000 / 1000:.3f}" for i in range(n)]
    assert len(texts) == n
    return HourlyIntervals(first, tuple(map(Decimal, texts)), estimated, unit)


def report(*intervals: HourlyIntervals | tuple[Interval, ...]) -> UsageReport:
    period = Period(date(2026, 3, 1), date(2026, 12, 1))
    return UsageReport(
        reference="UTL867TEST", created=date(2026, 12, 2),
        utility=Party(EntityCode.UTILITY, "AMEREN ILLINOIS", IdQualifier.DUNS, "012345678"),
        supplier=Party(EntityCode.SUPPLIER, "PRAIRIE POWER LLC", IdQualifier.DUNS, "123456789"),
        ldc_account="2000000001", service_point="7000000001",
        summary=UsageSummary(period),
        meters=tuple(MeterUsage(UsageLoop.INTERVAL, f"4000000{n}", MeterRole.ADDITIVE, period,
                                Decimal(2) if n % 2 else None, intervals=i) for n, i in enumerate(intervals)),
    )


def as_tuple(message: UsageReport) -> UsageReport:
    """The same report with every meter's intervals as a tuple of Intervals (the segment path)."""
    meters = tuple(MeterUsage(m.loop, m.number, m.role, m.period, m.multiplier, tuple(m.intervals), m.readings)
                   for m in message.meters)
    return UsageReport(reference=message.reference, created=message.created, utility=message.utility,
                       supplier=message.supplier, ldc_account=message.ldc_account,
                       service_point=message.service_point, summary=message.summary, meters=meters)


SPRING = hourly(date(2026, 3, 7), 3, estimated=frozenset({0, 25, 26, 70}))  # 24 + 23 + 24 hours
FALL = hourly(date(2026, 10, 31), 3)  # 24 + 25 + 24 hours
EXPONENTS = hourly(date(2026, 6, 1), 1, ["1E+3", "0E-7", "-1.5E-9", "12.500", "-0.000", "1234567.890", "0", "7E1",
                                         *(["0.001"] * 16)], frozenset({1}))
CASES = {"spring forward": SPRING, "fall back": FALL, "exponents": EXPONENTS}
SEPARATORS = [Separators(), Separators("|", "^", "~", "\r\n"), Separators("*", ">", "\n", ""),
              Separators("*", ">", "~", "")]


@pytest.mark.parametrize("intervals", CASES.values(), ids=CASES.keys())
def test_the_columns_are_the_tuple_of_their_intervals(intervals: HourlyIntervals) -> None:
    items = tuple(intervals)
    assert intervals == items and items == intervals and hash(intervals) == hash(items)
    assert len(intervals) == len(items) and list(reversed(intervals)) == list(reversed(items))
    assert [intervals[i] for i in range(-len(items), len(items))] == [*items, *items]
    assert intervals[3:9] == items[3:9] and intervals[::-5] == items[::-5]
    assert all(b.end - a.end == HOUR for a, b in itertools.pairwise(items))
    assert [i for i, x in enumerate(items) if x.qualifier is QuantityQualifier.ESTIMATED] == sorted(
        intervals.estimated)
    with pytest.raises(IndexError):
        intervals[len(items)]


def test_columns_differing_in_anything_are_unequal() -> None:
    columns, items = SPRING, tuple(SPRING)
    changed = (Interval(items[0].end, items[0].value + 1, items[0].qualifier), *items[1:])
    assert columns != changed and changed != columns and columns != items[:-1] and columns != list(items)
    assert columns != HourlyIntervals(columns.first + HOUR, columns.values, columns.estimated)
    assert columns != HourlyIntervals(columns.first, columns.values, frozenset())
    assert columns != HourlyIntervals(columns.first, columns.values, columns.estimated, Unit.KW)
    assert HourlyIntervals(SPRING.first, ()) == HourlyIntervals(FALL.first, ()) == ()


def test_columns_are_kept_in_utc_and_refuse_a_naive_start_or_a_stray_index() -> None:
    local_first = SPRING.first.astimezone(CENTRAL)
    same = HourlyIntervals(local_first, SPRING.values, SPRING.estimated)
    assert same.first.tzinfo is UTC and same == SPRING and same[30].end == tuple(SPRING)[30].end
    with pytest.raises(ValueError, match="time zone"):
        HourlyIntervals(datetime(2026, 6, 1, 1), (Decimal(1),))
    with pytest.raises(ValueError, match="outside"):
        HourlyIntervals(SPRING.first, (Decimal(1),), frozenset({1}))


@pytest.mark.parametrize("midnight_2400", [False, True])
@pytest.mark.parametrize("intervals", CASES.values(), ids=CASES.keys())
def test_rendered_from_the_columns_as_from_the_intervals(intervals: HourlyIntervals, midnight_2400: bool) -> None:
    message = report(intervals, hourly(date(2026, 7, 1), 2))
    segments = render(as_tuple(message), midnight_2400=midnight_2400)
    assert render(message, midnight_2400=midnight_2400) == segments
    body = render_body(message, midnight_2400=midnight_2400)
    assert isinstance(body, Body) and len(body) == len(segments) and list(body) == segments
    assert [body[i] for i in range(-3, 3)] == segments[-3:] + segments[:3] and body[40:60] == segments[40:60]
    runs = [p for p in body.pieces if isinstance(p, Run)]
    assert len(runs) == 2 and all(list(run) == [run[i] for i in range(len(run))] for run in runs)
    for separators in SEPARATORS:
        assert [run.text(separators) for run in runs] == [separators.render_all(list(run)) for run in runs]


def test_the_labels_across_dst_and_midnight() -> None:
    spring = [s for s in render(report(SPRING), midnight_2400=True) if s.id == "DTM" and s.get(1) == "582"]
    fall = [s for s in render(report(FALL)) if s.id == "DTM" and s.get(1) == "582"]
    assert len(spring) == 71 and len(fall) == 73
    assert [s.elements[1:] for s in spring[23:27]] == [
        ("20260307", "2400", "CS"), ("20260308", "0100", "CS"), ("20260308", "0200", "CS"), ("20260308", "0400", "CD")]
    assert [s.elements[1:] for s in fall[24:28]] == [
        ("20261101", "0100", "CD"), ("20261101", "0200", "CD"), ("20261101", "0200", "CS"), ("20261101", "0300", "CS")]
    quantities = [s for s in render(report(EXPONENTS)) if s.id == "QTY"]
    assert [s.elements for s in quantities[:8]] == [
        ("QD", "1000", "KH"), ("KA", "0.0000000", "KH"), ("QD", "-0.0000000015", "KH"), ("QD", "12.500", "KH"),
        ("QD", "-0.000", "KH"), ("QD", "1234567.890", "KH"), ("QD", "0", "KH"), ("QD", "70", "KH")]


def test_parsed_back_equal() -> None:
    message = report(SPRING, FALL)
    body = render(message)
    parsed = parse([seg("ST", "867", "0001"), *body, seg("SE", str(len(body) + 2), "0001")], None)
    assert isinstance(parsed, UsageReport)
    assert [m.intervals for m in parsed.meters] == [SPRING, FALL]
    assert parsed.meters == message.meters


def written(bodies: Sequence[Sequence[Segment]], separators: Separators, *, iterate: bool = False) -> str:
    profile = Profile(IsaParty("01", "012345678"), IsaParty("01", "123456789"), separators)
    segments = interchange(profile, [[Transaction("867", b) for b in bodies]], CounterControlNumbers(), AT)
    out = io.StringIO()
    write(list(segments) if iterate else segments, separators, out, batch=50)
    return out.getvalue()


@pytest.mark.parametrize("separators", SEPARATORS)
def test_written_in_runs_byte_for_byte_as_segment_by_segment(separators: Separators) -> None:
    messages = [report(SPRING, FALL), report(EXPONENTS), report(hourly(date(2026, 8, 1), 1))]
    text = written([render(as_tuple(m)) for m in messages], separators)
    assert written([render_body(m) for m in messages], separators) == text  # runs as text
    assert written([render_body(m) for m in messages], separators, iterate=True) == text  # runs as segments
    assert f"SE{separators.element}{len(render(messages[0])) + 2}{separators.element}0001" in text


def test_a_separator_inside_a_value_or_a_code_is_refused_as_on_the_segment_path() -> None:
    dotted = Separators(".", ">", "~")
    messages = [report(hourly(date(2026, 8, 1), 1))]
    for bodies in ([render(m) for m in messages], [render_body(m) for m in messages]):
        with pytest.raises(ValueError, match="segment QTY contains a separator"):
            written(bodies, dotted)
    body = render_body(messages[0])
    assert isinstance(body, Body)
    run = next(p for p in body.pieces if isinstance(p, Run))
    for separators in (Separators("D", ">", "~"), Separators("*", ">", "K")):  # inside DTM, inside KH
        with pytest.raises(ValueError, match="separator"):
            separators.render_all(list(run))
        with pytest.raises(ValueError, match="separator"):
            run.text(separators)

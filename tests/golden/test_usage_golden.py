"""Golden 867 cases: meter data in, the 867s the batch sends out, compared whole.

One directory per case under ``usage/``:

- ``case.toml``: ``description``; ``source`` (the FAQ, tariff or spec sentence it tests, quoted);
  ``[master]`` extra master-data rows per kind, loaded after ``samples/master`` (they add rows or replace rows
  by key); optional ``[[supply]]`` (``service_point``, ``supplier``, ``start_date``) appended to the supply
  history as effectuation would; ``[[step]]`` tables, each with ``as_of`` (Central time) and ``usage`` (files
  of ``meter/`` given to one ``edi usage``); ``[[expect]]`` tables (``step``, ``to``; ``segments`` that the 867s
  sent to ``to`` in that step must contain, ``absent`` ones they must not, ``summary`` lines the step's summary
  must contain), reasoned out by hand and checked before anything is compared or rewritten, so that
  ``GOLDEN_UPDATE`` cannot bless a wrong value.
- ``meter/``: the CSVs, written by ``usage/make_inputs.py``.
- ``expected/``: per step every outbound 867 file one segment per line and ``summary.txt`` (each 867 as
  read back from the file: receiver, BPT, period, net = A − S, per meter its count of hourly values, the days
  that do not have 24 with their first labels, the first and last hour (a cut hour shows its part) and the
  estimated hours); after the last step ``usage_reports.json`` (what the store recorded, bodies left out).

Each case runs in a fresh temporary directory: ``edi load`` master data, then per step ``edi usage`` and
``edi batch --as-of`` through click's ``CliRunner`` (the batch produces the 867s before flushing the
outbox). Before anything is compared, every 867 is checked against facts that do not
depend on the code under test: it validates against our maps (``edi validate``), its summary is the net of
its meters, every whole local day has the hours the zone gives it (23 on the spring-forward day, 25 on the
fall-back day), and the two parts of an hour cut by a read add up to that hour as the input CSV has it.

``GOLDEN_UPDATE=1`` (``make golden-update``) rewrites ``expected/``; review the diff like code, and never edit an
expected file to make a failure go away.
"""

from __future__ import annotations

import csv
import json
import os
import tomllib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from edi.canonical import parse
from edi.classify import Kind
from edi.envelope import Envelope
from edi.messages import MeterRole, QuantityQualifier, UsageLoop, UsageReport
from edi.reader import X12Reader
from processor.clock import parse_as_of
from processor.store import Store
from processor.store.records import NewSupplyPeriod
from tests.golden.sandbox import Sandbox, one_segment_per_line

CASES = Path(__file__).parent / "usage"
UPDATE = os.environ.get("GOLDEN_UPDATE") == "1"
CENTRAL = ZoneInfo("America/Chicago")
KINDS = ("suppliers", "accounts", "service-points", "meters", "schedule", "holidays")
HOUR = timedelta(hours=1)


def cases() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if (p / "case.toml").exists())


# ------------------------------------------------------------------------------------ sandbox


class UsageSandbox(Sandbox):
    def seed_supply(self, spec: dict[str, Any], at: datetime) -> None:
        with Store.open(self.db_url) as store, store.unit_of_work() as uow:
            for row in spec.get("supply", []):
                uow.switching.append_supply(NewSupplyPeriod(
                    service_point_id=row["service_point"], supplier=row["supplier"],
                    start_date=date.fromisoformat(row["start_date"]), recorded_at=at))
            uow.commit()

    def usage_reports(self) -> str:
        with Store.open(self.db_url) as store, store.unit_of_work() as uow:
            rows = [{k: v for k, v in vars_of(r).items() if k not in ("body", "fingerprint", "created_at")}
                    for r in uow.meter_data.usage_records()]
        return json.dumps(rows, indent=2, sort_keys=True, default=str) + "\n"


def vars_of(record: Any) -> dict[str, Any]:
    return {name: getattr(record, name) for name in record.__dataclass_fields__}


# ------------------------------------------------------------------------ reading the 867s back


@dataclass(frozen=True)
class Sent:
    """One 867 as read back from an outbound file."""

    file: str
    st02: str
    report: UsageReport


def read_867s(path: Path) -> Iterator[Sent]:
    with open(path, "rb") as stream:
        for ts in Envelope(X12Reader(stream, path.name)):
            message = parse(ts.segments, None, ts.separators.component, kind=Kind.USAGE_REPORT)
            assert isinstance(message, UsageReport)
            yield Sent(path.name, ts.summary.st02, message)


def instant(value: date) -> datetime:
    """A DTM*150/151 value as an instant: a date alone is local midnight."""
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, time(), tzinfo=CENTRAL).astimezone(UTC)


def day_of(hour_end: datetime) -> date:
    return (hour_end - HOUR).astimezone(CENTRAL).date()


def hours_of(day: date) -> int:
    begin = datetime.combine(day, time(), tzinfo=CENTRAL).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=CENTRAL).astimezone(UTC)
    return (end - begin) // HOUR


def label(end: datetime) -> str:
    during = (end - timedelta(seconds=1)).astimezone(CENTRAL)
    offset = during.utcoffset()
    assert offset is not None
    wall = end.astimezone(UTC).replace(tzinfo=None) + offset
    return f"{wall:%Y-%m-%d %H%M} {'CD' if during.dst() else 'CS'}"


def meter_total(loop: Any) -> Decimal:
    if loop.loop is UsageLoop.INTERVAL:
        return sum((i.value for i in loop.intervals), Decimal(0))
    return sum((r.consumption for r in loop.readings), Decimal(0))


def summary(sent: Sent, receiver: str) -> list[str]:
    """A reviewer's page for one 867, read back from the file (independent of the code that wrote it)."""
    r = sent.report
    assert r.summary is not None
    start, end = instant(r.summary.period.start), instant(r.summary.period.end)
    lines = [f"{sent.file} ST {sent.st02}: 867 BPT01 {r.purpose.value} {r.reference} to {receiver} "
             f"({r.supplier.name}) final {'yes' if r.final else 'no'}",
             f"  service point {r.service_point} account {r.ldc_account}: "
             f"{start.astimezone(CENTRAL):%Y-%m-%d %H:%M:%S %Z} .. {end.astimezone(CENTRAL):%Y-%m-%d %H:%M:%S %Z}"]
    signed: dict[MeterRole, list[Decimal]] = {MeterRole.ADDITIVE: [], MeterRole.SUBTRACTIVE: []}
    for loop in r.meters:
        assert loop.role is not None
        signed[loop.role].append(meter_total(loop))
    (su,) = r.summary.quantities
    additive = " + ".join(map(str, signed[MeterRole.ADDITIVE])) or "0"
    subtractive = " + ".join(map(str, signed[MeterRole.SUBTRACTIVE])) or "0"
    lines.append(f"  SU QTY {su.qualifier.value} {su.value} {su.unit.value} = A {additive} - S {subtractive}")
    for loop in r.meters:
        role = loop.role.value if loop.role else "-"
        if loop.loop is UsageLoop.INTERVAL:
            per_day: dict[date, int] = defaultdict(int)
            for i in loop.intervals:
                per_day[day_of(i.end)] += 1
            days = ", ".join(f"{day:%m-%d} {n}" for day, n in sorted(per_day.items()) if n != 24)
            estimated = [label(i.end) for i in loop.intervals if i.qualifier is QuantityQualifier.ESTIMATED]
            lines.append(f"  BO {loop.number} JH {role} x{loop.multiplier or 1}: {len(loop.intervals)} hourly "
                         f"values, sum {meter_total(loop)}, days not 24 h: {days or 'none'}")
            lines.append(f"    first HE {label(loop.intervals[0].end)} = {loop.intervals[0].value}, "
                         f"last HE {label(loop.intervals[-1].end)} = {loop.intervals[-1].value}")
            lines.append(f"    KA hours: {', '.join(estimated) or 'none'}")
            for day in sorted(d for d in per_day if hours_of(d) != 24):
                early = [label(i.end).split(" ", 1)[1] for i in loop.intervals if day_of(i.end) == day][:4]
                lines.append(f"    {day:%m-%d} has {hours_of(day)} hours; its first labels: {', '.join(early)}")
        else:
            for reading in loop.readings:
                lines.append(f"  {loop.loop.value} {loop.number} JH {role} x{loop.multiplier or 1}: QTY "
                             f"{reading.qualifier.value} {reading.consumption} {reading.unit.value}, readings "
                             f"{reading.begin} -> {reading.end}")
    return lines


# ---------------------------------------------------------------------- independent invariants


def check_867(case: str, sent: Sent) -> None:
    r = sent.report
    where = f"{case}: {sent.file} {r.reference}"
    assert r.summary is not None, where
    (su,) = r.summary.quantities
    net = sum((meter_total(m) if m.role is MeterRole.ADDITIVE else -meter_total(m) for m in r.meters), Decimal(0))
    assert su.value == net, f"{where}: SU {su.value} is not A - S = {net}"
    any_estimated = any(i.qualifier is QuantityQualifier.ESTIMATED for m in r.meters for i in m.intervals) or any(
        x.qualifier is QuantityQualifier.ESTIMATED for m in r.meters for x in m.readings)
    assert (su.qualifier is QuantityQualifier.ESTIMATED) == any_estimated, f"{where}: SU qualifier"
    start, end = instant(r.summary.period.start), instant(r.summary.period.end)
    for m in r.meters:
        assert m.role in (MeterRole.ADDITIVE, MeterRole.SUBTRACTIVE), where
        if m.loop is not UsageLoop.INTERVAL:
            continue
        ends = [i.end for i in m.intervals]
        assert all(b - a == HOUR for a, b in pairwise(ends)), f"{where}: hours not consecutive"
        per_day: dict[date, int] = defaultdict(int)
        for e in ends:
            per_day[day_of(e)] += 1
        for day, n in per_day.items():
            begin = datetime.combine(day, time(), tzinfo=CENTRAL)
            if start <= begin and begin + timedelta(hours=hours_of(day)) <= end + timedelta(seconds=1):
                assert n == hours_of(day), f"{where}: meter {m.number} has {n} values on {day}, the day has " \
                                           f"{hours_of(day)} hours"


def csv_hours(case: Path, multipliers: dict[str, Decimal]) -> dict[tuple[str, datetime], tuple[Decimal, bool]]:
    """(meter, hour end) → (the hour's kWh as the input CSVs give it, all actual) for the split-hour check."""
    out: dict[tuple[str, datetime], tuple[Decimal, bool]] = {}
    for path in sorted((case / "meter").glob("*.csv")):
        with open(path, encoding="utf-8") as f:
            reader = csv.DictReader(f)
            if reader.fieldnames != ["meter_number", "interval_end", "kwh", "quality"]:
                continue
            for row in reader:
                end = datetime.fromisoformat(row["interval_end"]).astimezone(UTC)
                hour = end if end.minute == 0 else end.replace(minute=0) + HOUR
                value = (Decimal(row["kwh"] or 0) * multipliers.get(row["meter_number"], Decimal(1))).quantize(
                    Decimal("0.001"), rounding=ROUND_HALF_EVEN)
                total, actual = out.get((row["meter_number"], hour), (Decimal(0), True))
                out[(row["meter_number"], hour)] = (total + value, actual and row["quality"] == "A")
    return out


def check_split_hours(case: Path, spec: dict[str, Any], sent: list[Sent]) -> None:
    """FAQ: the boundary hour is shown twice; its two parts add up to the meter's hour."""
    rows = [row.split(",") for row in spec.get("master", {}).get("meters", [])]
    multipliers = {row[0]: Decimal(row[4] or 1) for row in rows}
    hours = csv_hours(case, multipliers)
    originals = [s for s in sent if s.report.purpose.value == "00"]
    for first in originals:
        for second in originals:
            a, b = first.report, second.report
            if a.service_point != b.service_point or a.summary is None or b.summary is None:
                continue
            boundary = instant(a.summary.period.end)
            if boundary != instant(b.summary.period.start) or boundary.minute == 0 == boundary.second:
                continue
            if boundary.astimezone(CENTRAL).time() == time(23, 59, 59):
                continue  # the meter data is cut at midnight: no hour is shared
            for ma in a.meters:
                (mb,) = [m for m in b.meters if m.number == ma.number]
                last, head = ma.intervals[-1], mb.intervals[0]
                assert last.end == head.end, f"{case.name}: the cut hour is not in both 867s"
                whole, actual = hours[(str(ma.number), last.end)]
                if actual:
                    assert last.value + head.value == whole, (
                        f"{case.name}: meter {ma.number} hour ending {label(last.end)}: "
                        f"{last.value} + {head.value} != {whole}")


# ------------------------------------------------------------------------------------- the run


def run_case(case: Path, root: Path) -> tuple[dict[str, str], dict[str, Any]]:
    spec = tomllib.loads((case / "case.toml").read_text(encoding="utf-8"))
    box = UsageSandbox(root)
    box.load(case, spec)
    produced: dict[str, str] = {}
    all_sent: list[Sent] = []
    for n, step in enumerate(spec["step"], start=1):
        if n == 1:
            box.seed_supply(spec, parse_as_of(step["as_of"]))
        files = [str(case / "meter" / name) for name in step.get("usage", [])]
        if files:
            code, output = box.edi("usage", *files)
            assert code == step.get("usage_exit", 0), f"{case.name} step {n}: edi usage exit {code}\n{output}"
        before = set(os.listdir(box.folders["outbox"]))
        code, output = box.edi("batch", "--as-of", step["as_of"])
        assert code == 0, f"{case.name} step {n}: exit {code}\n{output}"
        lines: list[str] = []
        for name in sorted(set(os.listdir(box.folders["outbox"])) - before):
            path = box.folders["outbox"] / name
            code, output = box.edi("validate", str(path))
            assert code == 0, f"{case.name} step {n}: {name} fails our maps:\n{output}"
            produced[f"step{n}/{name}"] = one_segment_per_line(path)
            receiver = name.split("_")[0]
            for sent in read_867s(path):
                check_867(case.name, sent)
                all_sent.append(sent)
                lines += summary(sent, receiver)
        produced[f"step{n}/summary.txt"] = "\n".join(lines or ["no 867"]) + "\n"
    check_split_hours(case, spec, all_sent)
    produced["usage_reports.json"] = box.usage_reports()
    return produced, spec


def check_expectations(case: Path, spec: dict[str, Any], produced: dict[str, str]) -> None:
    assert spec.get("expect"), f"{case.name}: case.toml needs at least one [[expect]]"
    for want in spec["expect"]:
        prefix = f"step{want['step']}/{want.get('to', '')}"
        sent = "".join(c for name, c in produced.items() if name.startswith(prefix) and name.endswith(".x12"))
        lines = set(sent.splitlines())
        missing = [s for s in want.get("segments", []) if s not in lines]
        assert not missing, f"{case.name}: step {want['step']} sent {want.get('to')} no {missing}"
        present = [s for s in want.get("absent", []) if s in lines]
        assert not present, f"{case.name}: step {want['step']} sent {want.get('to')} {present}"
        page = produced[f"step{want['step']}/summary.txt"]
        gone = [s for s in want.get("summary", []) if s not in page]
        assert not gone, f"{case.name}: step {want['step']} summary lacks {gone}:\n{page}"


def expected_of(case: Path) -> dict[str, str]:
    folder = case / "expected"
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", cases(), ids=lambda p: p.name)
def test_usage_golden(case: Path, tmp_path: Path) -> None:
    produced, spec = run_case(case, tmp_path)
    check_expectations(case, spec, produced)
    expected_dir = case / "expected"
    if UPDATE:
        if expected_dir.exists():
            for old in sorted(expected_dir.rglob("*"), reverse=True):
                old.unlink() if old.is_file() else old.rmdir()
        for name, content in produced.items():
            target = expected_dir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content)
        return
    expected = expected_of(case)
    assert sorted(produced) == sorted(expected), f"{case.name}: outputs differ (run make golden-update?)"
    for name, content in produced.items():
        assert content == expected[name], f"{case.name}/{name} differs from the golden copy"


def test_the_cases_cover_the_issue() -> None:
    """Normal month, both DST changes, split hour, subtractive, three meters, scalar, lighting, every
    estimation kind, off-cycle switch, final 867, cancel and replace."""
    names = {p.name for p in cases()}
    assert {"normal-month", "spring-forward", "fall-back", "split-hour", "subtractive", "three-meters", "scalar",
            "lighting", "estimate-same-day", "estimate-prior-week", "estimate-load-profile", "estimate-flat-line",
            "off-cycle-switch", "final", "cancel-replace"} <= names

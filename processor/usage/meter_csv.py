"""Meter data from CSV (``edi usage CSV…``): every row checked, then the whole file loads or none of it.

The conventions are ``edi load``'s (:mod:`processor.load`, whose reader this module uses, so pandas stays
at that edge and never reaches here as more than strings): lines count from 1 with the header as line 1,
values are stripped, blank lines skipped, problems reported as ``FILE:LINE: column: message``, and one
problem anywhere means nothing of that file is loaded. What a file holds is told by its header
(interfaces.md, meter data):

- interval reads ``meter_number,interval_end,kwh,quality``: ``interval_end`` ISO 8601 **with offset**, on the
  meter's 15/30/60-minute grid; ``quality`` A actual, E estimated by the meter system, M missing (no kWh);
- register ("scalar") reads ``meter_number,read_at,register_kwh,read_type`` (``actual|estimated``), of any
  meter: a scalar meter's period is read from them, an interval meter's gaps may be (tariff 8.L eq. 13);
- read events ``service_point_id,read_at``: the moment a billing period ended;
- load profile ``load_profile,interval_end,kwh``: hourly kWh of a dynamic load profile (tariff 8.L eq. 12),
  ``interval_end`` on the hour.

Instants are stored in UTC (design.md, Time); a value without an offset is refused rather than guessed,
because an hour of the fall-back day cannot be told from its twin without one. A row whose key is stored
already is replaced: corrected data is loaded the same way as the first data.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from processor.load import CsvTable, LoadError, LoadResult, Row, read_table
from processor.store import Store
from processor.store.records import (
    IntervalRead,
    MeterDataKind,
    ProfileValue,
    ReadEvent,
    ReadQuality,
    ReadType,
    RegisterRead,
)
from processor.store.unit_of_work import UnitOfWork
from processor.usage.intervals import on_grid, utc

#: The columns of each kind, as interfaces.md spells them.
COLUMNS: Mapping[MeterDataKind, tuple[str, ...]] = {
    MeterDataKind.INTERVAL_READS: ("meter_number", "interval_end", "kwh", "quality"),
    MeterDataKind.REGISTER_READS: ("meter_number", "read_at", "register_kwh", "read_type"),
    MeterDataKind.READ_EVENTS: ("service_point_id", "read_at"),
    MeterDataKind.LOAD_PROFILE: ("load_profile", "interval_end", "kwh"),
}
#: How a kind is named in messages.
NAMES: Mapping[MeterDataKind, str] = {
    MeterDataKind.INTERVAL_READS: "interval reads",
    MeterDataKind.REGISTER_READS: "register reads",
    MeterDataKind.READ_EVENTS: "read events",
    MeterDataKind.LOAD_PROFILE: "load profile values",
}
#: The key columns of each kind: a second row with the same values is a duplicate.
_KEYS: Mapping[MeterDataKind, tuple[str, ...]] = {
    MeterDataKind.INTERVAL_READS: ("meter_number", "interval_end"),
    MeterDataKind.REGISTER_READS: ("meter_number", "read_at"),
    MeterDataKind.READ_EVENTS: ("service_point_id", "read_at"),
    MeterDataKind.LOAD_PROFILE: ("load_profile", "interval_end"),
}
_KEY = re.compile(r"[!-~]{1,30}")
_DECIMAL = re.compile(r"\d{1,9}(\.\d{1,6})?")
_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})")

Record = IntervalRead | RegisterRead | ReadEvent | ProfileValue


# ------------------------------------------------------------------------------------ header


def kind_of(header: Sequence[str]) -> MeterDataKind | list[LoadError]:
    """The kind a header announces, or why it announces none (line 1 errors)."""
    names = [name for name in header if name]
    for kind, columns in COLUMNS.items():
        if set(names) == set(columns) and len(names) == len(columns) == len(header):
            return kind
    best = max(COLUMNS, key=lambda kind: (len(set(names) & set(COLUMNS[kind])), -len(COLUMNS[kind])))
    if not set(names) & set(COLUMNS[best]):
        listed = "; ".join(",".join(columns) for columns in COLUMNS.values())
        return [LoadError(1, "", f"not a meter-data file: the header must be one of {listed}")]
    errors: list[LoadError] = []
    seen: set[str] = set()
    for position, name in enumerate(header, start=1):
        if not name:
            errors.append(LoadError(1, "", f"column {position} has no name"))
        elif name in seen:
            errors.append(LoadError(1, name, "the column appears twice"))
        elif name not in COLUMNS[best]:
            errors.append(LoadError(1, name, f"unknown column; {NAMES[best]} have {', '.join(COLUMNS[best])}"))
        seen.add(name)
    errors.extend(LoadError(1, name, f"missing column ({NAMES[best]})") for name in COLUMNS[best]
                  if name not in seen)
    return errors


# -------------------------------------------------------------------------------------- rows


class _Row(Row):
    """A meter-data row: the master-data row's getters, plus instants with an offset and kWh values."""

    def key(self, column: str) -> str:
        value = self.raw(column)
        if not value:
            self.fail(column, "a value is required")
        elif not _KEY.fullmatch(value):
            self.fail(column, f"{value!r} must be 1 to 30 letters, digits or punctuation, without blanks")
        return value

    def instant(self, column: str) -> datetime:
        value = self.raw(column)
        if not value:
            self.fail(column, "a date and time with offset is required, e.g. 2026-11-01T01:15:00-05:00")
            return _NEVER
        if not _INSTANT.fullmatch(value):
            self.fail(column, f"{value!r} is not an ISO 8601 date and time with offset, "
                              "e.g. 2026-11-01T01:15:00-05:00")
            return _NEVER
        try:
            return utc(datetime.fromisoformat(value))
        except ValueError:
            self.fail(column, f"{value!r} is not a valid date and time")
            return _NEVER

    def kwh(self, column: str, *, required: bool = True) -> Decimal | None:
        value = self.raw(column)
        if not value:
            if required:
                self.fail(column, "a value is required")
            return None
        if not _DECIMAL.fullmatch(value):
            self.fail(column, f"{value!r} is not a kWh value such as 12 or 0.25 (not negative, at most 6 decimals)")
            return None
        return Decimal(value)


_NEVER = datetime.fromisoformat("1970-01-01T00:00:00+00:00")


def _interval(row: _Row) -> IntervalRead:
    quality = ReadQuality(row.one_of("quality", [q.value for q in ReadQuality]))
    kwh = row.kwh("kwh", required=False)
    if quality is ReadQuality.MISSING and row.raw("kwh"):
        row.fail("kwh", "a missing read (quality M) has no kWh: leave it empty")
        kwh = None
    elif quality is not ReadQuality.MISSING and not row.raw("kwh"):
        row.fail("kwh", f"a value is required for quality {quality.value} (only M, missing, is empty)")
    return IntervalRead(row.key("meter_number"), row.instant("interval_end"), kwh, quality)


def _register(row: _Row) -> RegisterRead:
    reading = row.kwh("register_kwh")
    return RegisterRead(row.key("meter_number"), row.instant("read_at"), reading or Decimal(0),
                        ReadType(row.one_of("read_type", [t.value for t in ReadType])))


def _event(row: _Row) -> ReadEvent:
    return ReadEvent(row.key("service_point_id"), row.instant("read_at"))


def _profile(row: _Row) -> ProfileValue:
    value = ProfileValue(row.key("load_profile"), row.instant("interval_end"), row.kwh("kwh") or Decimal(0))
    if not row.errors and not on_grid(value.interval_end, 60):
        row.fail("interval_end", "a load profile is hourly: give the end of the hour (minutes 00)")
    return value


_PARSERS: Mapping[MeterDataKind, Callable[[_Row], Any]] = {
    MeterDataKind.INTERVAL_READS: _interval,
    MeterDataKind.REGISTER_READS: _register,
    MeterDataKind.READ_EVENTS: _event,
    MeterDataKind.LOAD_PROFILE: _profile,
}


def validate_rows(kind: MeterDataKind, table: CsvTable) -> tuple[list[tuple[int, Record]], list[LoadError]]:
    """Parse every row; duplicate keys inside the file are errors too. Store references are checked later."""
    parse = _PARSERS[kind]
    parsed: list[tuple[int, Record]] = []
    errors: list[LoadError] = []
    first_seen: dict[tuple[Any, ...], int] = {}
    for line, values in table.rows:
        row = _Row(line, values)
        record = parse(row)
        if not row.errors:
            key = tuple(getattr(record, column) for column in _KEYS[kind])
            if key in first_seen:
                row.fail(_KEYS[kind][-1], f"the same {' and '.join(_KEYS[kind])} as line {first_seen[key]}")
            else:
                first_seen[key] = line
        if row.errors:
            errors.extend(row.errors)
        else:
            parsed.append((line, record))
    return parsed, errors


# ------------------------------------------------------------------------------ store checks


def _check(uow: UnitOfWork, kind: MeterDataKind, rows: Sequence[tuple[int, Record]]) -> list[LoadError]:
    """References to the store: the meters and service points must exist; interval ends on the meter's grid."""
    errors: list[LoadError] = []
    if kind is MeterDataKind.READ_EVENTS:
        points = uow.master.metering_of({r.service_point_id for _, r in rows if isinstance(r, ReadEvent)})
        for line, record in rows:
            assert isinstance(record, ReadEvent)
            if record.service_point_id not in points:
                errors.append(LoadError(line, "service_point_id", f"no service point {record.service_point_id} in "
                                        "the store (load service-points first)"))
        return errors
    if kind is MeterDataKind.LOAD_PROFILE:
        return errors
    numbers = {r.meter_number for _, r in rows if isinstance(r, IntervalRead | RegisterRead)}
    meters = {number: uow.master.get_meter(number) for number in numbers}
    for line, record in rows:
        assert isinstance(record, IntervalRead | RegisterRead)
        meter = meters[record.meter_number]
        if meter is None:
            errors.append(LoadError(line, "meter_number", f"no meter {record.meter_number} in the store "
                                    "(load meters first)"))
        elif isinstance(record, IntervalRead):
            if meter.interval_minutes is None:
                errors.append(LoadError(line, "meter_number", f"meter {record.meter_number} is a scalar meter: "
                                        "give its register reads (meter_number,read_at,register_kwh,read_type)"))
            elif not on_grid(record.interval_end, meter.interval_minutes):
                errors.append(LoadError(line, "interval_end", f"not the end of one of meter "
                                        f"{record.meter_number}'s {meter.interval_minutes}-minute intervals"))
    return errors


# ------------------------------------------------------------------------------------ loading


@dataclass(frozen=True, slots=True)
class UsageLoad:
    """What loading one file did (``result``) and which kind it was (None: not recognised)."""

    kind: MeterDataKind | None
    result: LoadResult


def load_meter_csv(store: Store, path: str | Path, *, at: datetime) -> UsageLoad:
    """Load one meter-data CSV: all its rows, or none and the errors. ``at`` stamps the load."""
    table = read_table(path)
    if isinstance(table, LoadError):
        return UsageLoad(None, LoadResult("meter data", str(path), 0, [table]))
    kind = kind_of(table.header)
    if isinstance(kind, list):
        return UsageLoad(None, LoadResult("meter data", str(path), 0, kind))
    name = NAMES[kind]
    parsed, errors = validate_rows(kind, table)
    with store.unit_of_work() as uow:
        errors += _check(uow, kind, parsed)
        if errors:
            order = {column: index for index, column in enumerate(COLUMNS[kind])}
            errors.sort(key=lambda error: (error.line, order.get(error.column, -1)))
            return UsageLoad(kind, LoadResult(name, str(path), 0, errors))
        records = [record for _, record in parsed]
        load = uow.meter_data.add_load(str(path), kind, len(records), at=at)
        if kind is MeterDataKind.INTERVAL_READS:
            uow.meter_data.save_intervals(load.id, (r for r in records if isinstance(r, IntervalRead)))
        elif kind is MeterDataKind.REGISTER_READS:
            uow.meter_data.save_registers(load.id, (r for r in records if isinstance(r, RegisterRead)))
        elif kind is MeterDataKind.READ_EVENTS:
            uow.meter_data.save_read_events(load.id, (r for r in records if isinstance(r, ReadEvent)))
        else:
            uow.meter_data.save_profile(load.id, (r for r in records if isinstance(r, ProfileValue)))
        uow.commit()
    return UsageLoad(kind, LoadResult(name, str(path), len(records)))

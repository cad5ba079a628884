"""Master data from CSV (``edi load KIND CSV``): every row is checked, then all of them load or none.

A file is read whole with pandas (every value a string, nothing turned into NaN), its header is
checked (missing and unknown columns named), every row is parsed into the store's record type with
each problem noted by line and column, references are checked against the store inside the same
transaction that then loads the rows, and a single problem anywhere means nothing of the file is
loaded: master data half loaded is worse than master data not loaded, because the gap is invisible.
Loading a row whose key is already stored replaces that row (the file is the truth for the rows it
names); rows not named stay as they are.

Conventions, for users and for ``edi load``'s output (``FILE:LINE: column: message``):

- lines count from 1, the header being line 1, and a quoted value spanning lines counts them all;
- values and column names are stripped of surrounding blanks; blank lines are skipped;
- a file-level problem (missing, unreadable, empty) has line 0 and no column.

pandas stays in this module: what leaves it are plain strings, records and :class:`LoadError`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Any, Generic, TypeVar

from processor.calendar import BILL_GROUPS, CalendarBilling, tariff_holidays
from processor.store import Store
from processor.store.master_data import MasterData
from processor.store.records import (
    Account,
    AccountStatus,
    Holiday,
    Meter,
    Metering,
    MeterRole,
    RateClass,
    Sbo,
    ScheduledRead,
    ServicePoint,
    Supplier,
    UcbPor,
    UtilitySupply,
)


class Kind(StrEnum):
    """What ``edi load`` loads: one kind of master data per file."""

    SUPPLIERS = "suppliers"
    ACCOUNTS = "accounts"
    SERVICE_POINTS = "service-points"
    METERS = "meters"
    SCHEDULE = "schedule"
    HOLIDAYS = "holidays"


#: The kinds as the command line spells them, in the order they can be loaded.
KINDS: tuple[str, ...] = tuple(kind.value for kind in Kind)


@dataclass(frozen=True, slots=True)
class LoadError:
    """One problem: where (1-based ``line``, header = 1; 0 for the whole file) and what."""

    line: int
    column: str  #: "" when the problem is not about one column
    message: str

    def format(self, file: str | Path) -> str:
        """``FILE:LINE: column: message``, leaving out what does not apply."""
        where = f"{file}:{self.line}" if self.line else f"{file}"
        return f"{where}: {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What a load did: ``rows`` loaded (0 when there are ``errors``: then nothing was loaded)."""

    kind: str
    path: str
    rows: int
    errors: list[LoadError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error_lines(self) -> list[str]:
        """Each error as ``FILE:LINE: column: message``."""
        return [error.format(self.path) for error in self.errors]

    def summary(self) -> str:
        if self.ok:
            return f"{self.path}: loaded {self.rows} row{'' if self.rows == 1 else 's'} of {self.kind}"
        count = len(self.errors)
        return f"{self.path}: {count} error{'' if count == 1 else 's'}, nothing loaded"


# ------------------------------------------------------------------------ reading the CSV


@dataclass(frozen=True, slots=True)
class CsvTable:
    """A CSV file as strings: the header and the non-blank data rows with their line numbers."""

    header: tuple[str, ...]
    rows: tuple[tuple[int, dict[str, str]], ...]


def read_table(path: str | Path) -> CsvTable | LoadError:
    """Read a CSV file, or say in one error why it cannot be read."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return LoadError(0, "", "no such file")
    except IsADirectoryError:
        return LoadError(0, "", "is a directory, not a CSV file")
    except OSError as exc:
        return LoadError(0, "", f"cannot read the file: {exc.strerror}")
    return parse_table(data)


def parse_table(data: bytes) -> CsvTable | LoadError:
    """The CSV in ``data`` (UTF-8, a byte-order mark allowed), or the one error that stops reading it."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return LoadError(line, "", f"not UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8")
    if not text.strip():
        return LoadError(0, "", "the file is empty; the first line must be the header")
    if not text.splitlines()[0].strip():
        return LoadError(1, "", "the first line must be the header, but it is blank")
    import pandas  # here, not at the top: `edi validate` and `edi translate` should not pay for it

    try:
        records = _records(text)
    except pandas.errors.ParserError as exc:
        return _parser_error(text, str(exc))
    header = tuple(value.strip() for value in records[0])
    rows: list[tuple[int, dict[str, str]]] = []
    line = 1 + _line_breaks(records[0])
    for record in records[1:]:
        values = [value.strip() for value in record]
        if any(values):
            rows.append((line + 1, dict(zip(header, values, strict=True))))
        line += 1 + _line_breaks(record)
    return CsvTable(header, tuple(rows))


def _records(text: str, nrows: int | None = None) -> list[list[str]]:
    """Every record, header included, as strings (a short row is padded with empty strings)."""
    import pandas

    frame = pandas.read_csv(io.StringIO(text), header=None, dtype=str, keep_default_na=False,
                        skip_blank_lines=False, nrows=nrows)
    return [[value if isinstance(value, str) else "" for value in record] for record in frame.to_numpy().tolist()]


def _line_breaks(record: Iterable[str]) -> int:
    return sum(len(re.findall(r"\r\n|\r|\n", value)) for value in record)


def _parser_error(text: str, message: str) -> LoadError:
    """pandas counts records, not lines: translate its record number into the file's line."""
    fields = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
    if fields:
        expected, record, saw = (int(group) for group in fields.groups())
        return LoadError(_line_of(text, record - 1), "", f"{saw} values, but the header has {expected} columns")
    quote = re.search(r"EOF inside string starting at row (\d+)", message)
    if quote:
        return LoadError(_line_of(text, int(quote.group(1))), "", "a quoted value is never closed")
    return LoadError(0, "", f"not a readable CSV file: {message}")


def _line_of(text: str, record: int) -> int:
    """The line on which the 0-based ``record`` starts."""
    before = _records(text, nrows=record) if record else []
    return 1 + record + sum(_line_breaks(values) for values in before)


# ------------------------------------------------------------------------ parsing one row

E = TypeVar("E", bound=StrEnum)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_KEY = re.compile(r"[!-~]+")  # visible ASCII, no blanks: keys travel in REF02 and file names
_DUNS = re.compile(r"\d{9}(\d{4})?")
_ZIP = re.compile(r"(\d{5})(?:-?(\d{4}))?")
_STATE = re.compile(r"[A-Z]{2}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DECIMAL = re.compile(r"\d+(\.\d+)?")
_INTERVALS = {"15": 15, "30": 30, "60": 60}


class Row:
    """One data row being parsed: typed getters that note each problem and hand back a stand-in,
    so that one pass over a row reports every column that is wrong. Meter-data CSVs extend it."""

    def __init__(self, line: int, values: Mapping[str, str]) -> None:
        self.line = line
        self._values = values
        self.errors: list[LoadError] = []
        for column, value in values.items():
            if _CONTROL.search(value):
                self.fail(column, "contains a line break, tab or other control character")

    def fail(self, column: str, message: str) -> None:
        self.errors.append(LoadError(self.line, column, message))

    def raw(self, column: str) -> str:
        return self._values.get(column, "")

    def text(self, column: str, max_length: int) -> str:
        value = self.raw(column)
        if not value:
            self.fail(column, "a value is required")
        elif len(value) > max_length:
            self.fail(column, f"longer than {max_length} characters")
        return value

    def optional_text(self, column: str, max_length: int) -> str | None:
        value = self.raw(column)
        return self.text(column, max_length) if value else None

    def key(self, column: str) -> str:
        value = self.text(column, 30)
        if value and not _KEY.fullmatch(value):
            self.fail(column, f"{value!r} must be letters, digits or punctuation, without blanks")
        return value

    def matching(self, column: str, pattern: re.Pattern[str], what: str) -> str:
        value = self.raw(column)
        if not value:
            self.fail(column, "a value is required")
        elif not pattern.fullmatch(value):
            self.fail(column, f"{value!r} is not {what}")
        return value

    def one_of(self, column: str, values: Sequence[str]) -> str:
        value = self.raw(column)
        if value not in values:
            self._not_one_of(column, value, values)
            return values[0]
        return value

    def choice(self, column: str, codes: type[E]) -> E:
        value = self.raw(column)
        try:
            return codes(value)
        except ValueError:
            members = list(codes)
            self._not_one_of(column, value, [member.value for member in members])
            return members[0]

    def _not_one_of(self, column: str, value: str, values: Sequence[str]) -> None:
        allowed = f"{values[0]}–{values[-1]}" if len(values) > 8 else ", ".join(values)
        self.fail(column, f"{value!r} is not one of {allowed}" if value else f"a value is required: one of {allowed}")

    def day(self, column: str) -> date:
        value = self.raw(column)
        if _ISO_DATE.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(column, f"{value!r} is not an ISO date (YYYY-MM-DD)" if value else "a date is required")
        return date.min

    def flag(self, column: str) -> bool:
        value = self.raw(column)
        if value not in ("true", "false"):
            self.fail(column, f"{value!r} is not true or false" if value else "a value is required: true or false")
        return value == "true"

    def decimal(self, column: str, *, digits: int, places: int, positive: bool) -> Decimal | None:
        """A plain decimal (``12``, ``0.25``) that fits ``NUMERIC(digits, places)``; None when empty."""
        value = self.raw(column)
        if not value:
            return None
        number = Decimal(value) if _DECIMAL.fullmatch(value) else None
        if number is None:
            self.fail(column, f"{value!r} is not a decimal number such as 12 or 0.25")
        elif positive and number <= 0:
            self.fail(column, f"{value!r} must be greater than 0")
        elif _places(number) > places:
            self.fail(column, f"{value!r} has more than {places} decimal places")
        elif number >= Decimal(10) ** (digits - places):
            self.fail(column, f"{value!r} is too large (at most {digits - places} digits before the point)")
        else:
            return number
        return None


def _places(number: Decimal) -> int:
    try:
        exponent = number.normalize().as_tuple().exponent
    except InvalidOperation:  # pragma: no cover - the pattern lets only plain decimals through
        return 0
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


# ---------------------------------------------------------------------------- the kinds

R = TypeVar("R")


@dataclass(frozen=True)
class _Spec(Generic[R]):
    """How one kind is read, checked against the store, and saved."""

    required: tuple[str, ...]
    optional: tuple[str, ...]
    key: tuple[str, ...]  #: the columns that name a row: a second row with the same values is a duplicate
    parse: Callable[[Row], R]
    save: Callable[[MasterData, list[R]], int]
    check: Callable[[MasterData, list[tuple[int, R]]], list[LoadError]] = lambda master, rows: []

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


def _supplier(row: Row) -> Supplier:
    return Supplier(
        duns=row.matching("duns", _DUNS, "a DUNS number (9 digits, or 13 for DUNS+4)"),
        name=row.text("name", 60),
        ucb_por=row.choice("ucb_por", UcbPor),
        sbo=row.choice("sbo", Sbo),
    )


def _account(row: Row) -> Account:
    zip_code = row.matching("zip", _ZIP, "a ZIP code (12345, 123456789 or 12345-6789)")
    return Account(
        account_number=row.key("account_number"),
        customer_name=row.text("customer_name", 60),
        service_address=row.text("service_address", 55),
        city=row.text("city", 30),
        state=row.matching("state", _STATE, "a state code (two capital letters)"),
        zip=zip_code.replace("-", ""),  # stored as digits only, as N403 carries it
        bill_group=row.one_of("bill_group", BILL_GROUPS),
        calendar_billing=row.choice("calendar_billing", CalendarBilling),
        status=row.choice("status", AccountStatus),
    )


_SUPPLIER = re.compile(rf"{_DUNS.pattern}|{'|'.join(UtilitySupply)}")


def _service_point(row: Row) -> ServicePoint:
    return ServicePoint(
        service_point_id=row.key("service_point_id"),
        account_number=row.key("account_number"),
        rate_class=row.choice("rate_class", RateClass),
        metering=row.choice("metering", Metering),
        supplier=row.matching("supplier", _SUPPLIER, "a RES DUNS number or one of BGS, RTP, HSS"),
        lighting=row.flag("lighting"),
        plc=row.decimal("plc", digits=15, places=4, positive=False),
        load_profile=row.optional_text("load_profile", 30),
        delivery_voltage=row.optional_text("delivery_voltage", 30),
        supply_voltage=row.optional_text("supply_voltage", 30),
        meter_voltage=row.optional_text("meter_voltage", 30),
        rate_zone=row.optional_text("rate_zone", 30),
    )


def _check_service_points(master: MasterData, rows: list[tuple[int, ServicePoint]]) -> list[LoadError]:
    accounts = master.existing_accounts(point.account_number for _, point in rows)
    suppliers = master.existing_suppliers(point.supplier for _, point in rows if point.utility_supply is None)
    errors: list[LoadError] = []
    for line, point in rows:
        if point.account_number not in accounts:
            errors.append(LoadError(line, "account_number",
                                    f"no account {point.account_number} in the store (load accounts first)"))
        if point.utility_supply is None and point.supplier not in suppliers:
            errors.append(LoadError(line, "supplier",
                                    f"no supplier with DUNS {point.supplier} in the store (load suppliers first)"))
    return errors


def _meter(row: Row) -> Meter:
    interval = row.raw("interval_minutes")
    if interval and interval not in _INTERVALS:
        row.fail("interval_minutes", f"{interval!r} is not one of 15, 30, 60 (or empty for a scalar meter)")
    multiplier = row.decimal("multiplier", digits=12, places=6, positive=True)
    return Meter(
        meter_number=row.key("meter_number"),
        service_point_id=row.key("service_point_id"),
        role=row.choice("role", MeterRole),
        interval_minutes=_INTERVALS.get(interval),
        multiplier=Decimal(1) if multiplier is None else multiplier,
    )


def _check_meters(master: MasterData, rows: list[tuple[int, Meter]]) -> list[LoadError]:
    metering = master.metering_of(meter.service_point_id for _, meter in rows)
    errors: list[LoadError] = []
    for line, meter in rows:
        how = metering.get(meter.service_point_id)
        if how is None:
            errors.append(LoadError(line, "service_point_id",
                                    f"no service point {meter.service_point_id} in the store "
                                    "(load service-points first)"))
        elif how is Metering.INTERVAL and meter.interval_minutes is None:
            errors.append(LoadError(line, "interval_minutes",
                                    f"service point {meter.service_point_id} is interval metered: give 15, 30 or 60"))
        elif how is Metering.SCALAR and meter.interval_minutes is not None:
            errors.append(LoadError(line, "interval_minutes",
                                    f"service point {meter.service_point_id} is scalar metered: leave it empty"))
    return errors


def _scheduled_read(row: Row) -> ScheduledRead:
    return ScheduledRead(bill_group=row.one_of("bill_group", BILL_GROUPS), read_date=row.day("read_date"))


def _holiday(row: Row) -> Holiday:
    return Holiday(date=row.day("date"), name=row.text("name", 60))


_SPECS: Mapping[Kind, _Spec[Any]] = {
    Kind.SUPPLIERS: _Spec[Supplier](
        ("duns", "name", "ucb_por", "sbo"), (), ("duns",), _supplier, MasterData.upsert_suppliers),
    Kind.ACCOUNTS: _Spec[Account](
        ("account_number", "customer_name", "service_address", "city", "state", "zip", "bill_group",
         "calendar_billing", "status"), (), ("account_number",), _account, MasterData.upsert_accounts),
    Kind.SERVICE_POINTS: _Spec[ServicePoint](
        ("service_point_id", "account_number", "rate_class", "metering", "supplier", "lighting"),
        ("plc", "load_profile", "delivery_voltage", "supply_voltage", "meter_voltage", "rate_zone"),
        ("service_point_id",), _service_point, MasterData.upsert_service_points, _check_service_points),
    Kind.METERS: _Spec[Meter](
        ("meter_number", "service_point_id", "role", "interval_minutes"), ("multiplier",), ("meter_number",),
        _meter, MasterData.upsert_meters, _check_meters),
    Kind.SCHEDULE: _Spec[ScheduledRead](
        ("bill_group", "read_date"), (), ("bill_group", "read_date"), _scheduled_read, MasterData.upsert_schedule),
    Kind.HOLIDAYS: _Spec[Holiday](("date", "name"), (), ("date",), _holiday, MasterData.upsert_holidays),
}


def columns(kind: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The required and the optional columns of ``kind``, for help texts."""
    spec = _SPECS[Kind(kind)]
    return spec.required, spec.optional


# ------------------------------------------------------------------------ the pure checks


def check_header(kind: str, header: Sequence[str]) -> list[LoadError]:
    """Missing, unknown, empty and repeated column names, each as an error on line 1."""
    spec = _SPECS[Kind(kind)]
    errors: list[LoadError] = []
    seen: set[str] = set()
    for position, name in enumerate(header, start=1):
        if not name:
            errors.append(LoadError(1, "", f"column {position} has no name"))
        elif name in seen:
            errors.append(LoadError(1, name, "the column appears twice"))
        elif name not in spec.columns:
            errors.append(LoadError(1, name, f"unknown column; {kind} has {', '.join(spec.columns)}"))
        seen.add(name)
    errors.extend(LoadError(1, name, "missing column") for name in spec.required if name not in seen)
    return errors


def validate_rows(kind: str, table: CsvTable) -> tuple[list[tuple[int, Any]], list[LoadError]]:
    """Parse every row into its record; rows with a problem are left out and their problems returned.

    Checks values and duplicate keys inside the file; references to the store are checked by
    :func:`load_csv`, in the transaction that loads.
    """
    spec = _SPECS[Kind(kind)]
    return _validate(spec, table)


def _validate(spec: _Spec[R], table: CsvTable) -> tuple[list[tuple[int, R]], list[LoadError]]:
    parsed: list[tuple[int, R]] = []
    errors: list[LoadError] = []
    first_seen: dict[tuple[str, ...], int] = {}
    for line, values in table.rows:
        row = Row(line, values)
        record = spec.parse(row)
        key = tuple(row.raw(column) for column in spec.key)
        if all(key):
            if key in first_seen:
                row.fail(spec.key[-1], f"{'/'.join(key)} is already on line {first_seen[key]}")
            else:
                first_seen[key] = line
        if row.errors:
            errors.extend(row.errors)
        else:
            parsed.append((line, record))
    return parsed, errors


# ------------------------------------------------------------------------------ loading


def load_csv(store: Store, kind: str, path: str | Path) -> LoadResult:
    """Load one master-data CSV of ``kind`` (one of :data:`KINDS`): all rows, or none and the errors."""
    spec = _SPECS[Kind(kind)]
    table = read_table(path)
    if isinstance(table, LoadError):
        return LoadResult(kind, str(path), 0, [table])
    errors = check_header(kind, table.header)
    if errors:
        return LoadResult(kind, str(path), 0, errors)
    parsed, errors = _validate(spec, table)
    with store.unit_of_work() as uow:
        errors += spec.check(uow.master, parsed)
        if errors:
            order = {column: index for index, column in enumerate(spec.columns)}
            errors.sort(key=lambda error: (error.line, order.get(error.column, -1)))
            return LoadResult(kind, str(path), 0, errors)
        rows = spec.save(uow.master, [record for _, record in parsed])
        uow.commit()
    return LoadResult(kind, str(path), rows)


def load_holidays_default(store: Store, years: Iterable[int]) -> int:
    """Give each of ``years`` that has no holiday in the store the tariff's default holidays.

    So the calendar works out of the box, and keeps working into a new year, while a year for which
    a ``holidays`` CSV was loaded stays as loaded. Returns how many holidays were added.
    """
    with store.unit_of_work() as uow:
        missing = set(years) - uow.master.holiday_years()
        added = uow.master.upsert_holidays(
            Holiday(date=day, name=name) for day, name in sorted(tariff_holidays(missing).items()))
        uow.commit()
    return added

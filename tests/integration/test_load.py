"""``load_csv`` on real files into a real store, SQLite and PostgreSQL: all rows or none, errors by line and column."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from processor.calendar import Calendar
from processor.load import KINDS, LoadError, LoadResult, load_csv, load_holidays_default
from processor.store import Store
from processor.store.database import create_engine
from processor.store.records import (
    AccountStatus,
    CalendarBilling,
    Metering,
    MeterRole,
    RateClass,
    Sbo,
    UcbPor,
)
from processor.store.schema import metadata
from tests.integration.postgres import BACKENDS, fresh_database, shared_postgres

DATA = Path(__file__).parent / "data"


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store(backend: str, tmp_path: Path) -> Iterator[Store]:
    with fresh_database(backend, tmp_path) as url, Store.open(url) as opened:
        yield opened


def load_fixtures(url: str) -> None:
    with Store.open(url) as store:
        for kind in KINDS:
            result = load_csv(store, kind, DATA / f"{kind}.csv")
            assert result.ok, result.error_lines()


@pytest.fixture(scope="module")
def loaded_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with every fixture file loaded, in dependency order: built once, copied per test."""
    path = tmp_path_factory.mktemp("loaded") / "edi.db"
    load_fixtures(f"sqlite:///{path}")
    return path


@pytest.fixture
def loaded(backend: str, loaded_file: Path, tmp_path: Path) -> Iterator[Store]:
    if backend == "sqlite":
        shutil.copyfile(loaded_file, tmp_path / "loaded.db")
        with Store.open(f"sqlite:///{tmp_path / 'loaded.db'}") as opened:
            yield opened
        return
    server = shared_postgres()  # loaded once into a template, copied per test
    url = server.database(server.template("load-fixtures", load_fixtures))
    try:
        with Store.open(url) as opened:
            yield opened
    finally:
        server.drop(url)


def write(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def snapshot(store: Store) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, to show that a failed load changed nothing."""
    engine = create_engine(store.url)
    with engine.connect() as connection:
        rows = {table.name: [tuple(row) for row in connection.execute(sa.select(table))]
                for table in metadata.sorted_tables}
    engine.dispose()
    return rows


def where(result: LoadResult) -> list[tuple[int, str]]:
    return [(error.line, error.column) for error in result.errors]


# ---------------------------------------------------------------------------- good data


def test_every_kind_loads_with_typed_values(loaded: Store) -> None:
    supplier = loaded.get_supplier("1234567890001")
    assert supplier is not None and (supplier.ucb_por, supplier.sbo) == (UcbPor.BOTH, Sbo.AGENT)
    account = loaded.get_account("2000000029")
    assert account is not None
    assert (account.customer_name, account.zip, account.bill_group) == ("EXAMPLE, BAKERY INC", "616021234", "21")
    assert (account.calendar_billing, account.status) == (CalendarBilling.EOM, AccountStatus.INACTIVE)
    points = loaded.service_points_of("2000000029")
    assert [p.service_point_id for p in points] == ["7000000029", "7000000037"]
    assert (points[0].rate_class, points[0].metering, points[0].plc) == (RateClass.DS3B, Metering.INTERVAL,
                                                                         Decimal("125.5"))
    assert (points[1].supplier, points[1].lighting, points[1].plc, points[1].load_profile) == (
        "987654321", True, None, None)
    meters = loaded.meters_of("7000000029")
    assert [(m.role, m.interval_minutes, m.multiplier) for m in meters] == [
        (MeterRole.ADDITIVE, 15, Decimal(40)), (MeterRole.SUBTRACTIVE, 15, Decimal("0.5"))]
    scalar = loaded.get_meter("40000011")
    assert scalar is not None and (scalar.interval_minutes, scalar.multiplier) == (None, Decimal(1))
    holidays, schedule = loaded.calendar_inputs()
    assert schedule == {"05": (date(2026, 3, 4), date(2026, 4, 2)), "21": (date(2026, 3, 30),)}
    assert holidays == {date(2026, 1, 1): "New Year's Day", date(2026, 11, 27): "Day after Thanksgiving"}
    assert not Calendar(holidays, schedule).is_business_day(date(2026, 11, 27))


def test_the_result_says_what_was_loaded(store: Store) -> None:
    result = load_csv(store, "suppliers", DATA / "suppliers.csv")
    assert (result.kind, result.rows, result.errors, result.ok) == ("suppliers", 2, [], True)
    assert result.summary() == f"{DATA / 'suppliers.csv'}: loaded 2 rows of suppliers"


def test_reloading_updates_rows_by_key_and_keeps_the_others(loaded: Store, tmp_path: Path) -> None:
    path = write(tmp_path, "duns,name,ucb_por,sbo\n987654321,EXAMPLE RES RENAMED,none,guarantor\n")
    assert load_csv(loaded, "suppliers", path).rows == 1
    renamed = loaded.get_supplier("987654321")
    assert renamed is not None and (renamed.name, renamed.sbo) == ("EXAMPLE RES RENAMED", Sbo.GUARANTOR)
    assert loaded.get_supplier("1234567890001") is not None
    path = write(tmp_path, "service_point_id,account_number,rate_class,metering,supplier,lighting\n"
                           "7000000029,1234567890,DS2,interval,BGS,false\n")
    assert load_csv(loaded, "service-points", path).ok
    point = loaded.get_service_point("7000000029")
    assert point is not None
    assert (point.account_number, point.supplier, point.plc, point.load_profile) == ("1234567890", "BGS", None, None)


def test_loading_the_same_file_twice_changes_nothing(loaded: Store) -> None:
    before = [loaded.calendar_inputs(), loaded.meters_of("7000000029")]
    for kind in KINDS:
        assert load_csv(loaded, kind, DATA / f"{kind}.csv").ok
    assert [loaded.calendar_inputs(), loaded.meters_of("7000000029")] == before


# ----------------------------------------------------------------------------- bad rows

ACCOUNTS = ("account_number,customer_name,service_address,city,state,zip,bill_group,calendar_billing,status\n"
            "1111111111,A CUSTOMER,1 MAIN ST,PEORIA,IL,61602,01,none,active\n")
ACCOUNT_ROW = ["3333333333", "C CUSTOMER", "3 MAIN ST", "PEORIA", "IL", "61602", "01", "none", "active"]
POINTS = ("service_point_id,account_number,rate_class,metering,supplier,lighting,plc\n"
          "7111111111,1234567890,DS1,scalar,BGS,false,\n")
POINT_ROW = ["7333333333", "1234567890", "DS1", "scalar", "BGS", "false", ""]
METERS = "meter_number,service_point_id,role,interval_minutes,multiplier\n40111111,7000000011,A,,1\n"
METER_ROW = ["40333333", "7000000011", "A", "", "1"]


def bad(header_and_good: str, row: list[str], index: int, value: str) -> str:
    """The good lines (line 2), a bad row (line 3) and another good row (line 4)."""
    broken = list(row)
    broken[index] = value
    last = header_and_good.splitlines()[1].replace("1111", "9999")
    return f"{header_and_good}{','.join(broken)}\n{last}\n"


@pytest.mark.parametrize(("kind", "text", "column", "message"), [
    ("suppliers", "duns,name,ucb_por,sbo\n987654321,A,none,none\n12345678,B,none,none\n123456780,C,none,none\n",
     "duns", "'12345678' is not a DUNS number"),
    ("suppliers", "duns,name,ucb_por,sbo\n987654321,A,none,none\n123456789,,none,none\n123456780,C,none,none\n",
     "name", "a value is required"),
    ("suppliers", "duns,name,ucb_por,sbo\n987654321,A,none,none\n123456789,B,por,none\n123456780,C,none,none\n",
     "ucb_por", "'por' is not one of none, bill_ready, rate_ready, both"),
    ("suppliers", "duns,name,ucb_por,sbo\n987654321,A,none,none\n123456789,B,none,\n123456780,C,none,none\n",
     "sbo", "a value is required: one of none, agent, guarantor"),
    ("suppliers", f"duns,name,ucb_por,sbo\n987654321,A,none,none\n123456789,{'N' * 61},none,none\n",
     "name", "longer than 60 characters"),
    ("accounts", bad(ACCOUNTS, ACCOUNT_ROW, 5, "6160"), "zip", "'6160' is not a ZIP code"),
    ("accounts", bad(ACCOUNTS, ACCOUNT_ROW, 5, "61602-12"), "zip", "is not a ZIP code"),
    ("accounts", bad(ACCOUNTS, ACCOUNT_ROW, 6, "22"), "bill_group", "'22' is not one of 01–21"),
    ("accounts", bad(ACCOUNTS, ACCOUNT_ROW, 6, "5"), "bill_group", "'5' is not one of 01–21"),
    ("accounts", bad(ACCOUNTS, ACCOUNT_ROW, 7, "monthly"), "calendar_billing", "is not one of none, bom, mom, eom"),
    ("accounts", bad(ACCOUNTS, ACCOUNT_ROW, 8, "closed"), "status", "is not one of active, inactive, final"),
    ("accounts", bad(ACCOUNTS, ACCOUNT_ROW, 4, "Il"), "state", "is not a state code"),
    ("accounts", bad(ACCOUNTS, ACCOUNT_ROW, 0, "33 33"), "account_number", "without blanks"),
    ("service-points", bad(POINTS, POINT_ROW, 2, "DS3"), "rate_class", "'DS3' is not one of DS1, DS2, DS3A"),
    ("service-points", bad(POINTS, POINT_ROW, 3, "monthly"), "metering", "is not one of scalar, interval"),
    ("service-points", bad(POINTS, POINT_ROW, 4, "ABC"), "supplier", "is not a RES DUNS number or one of BGS"),
    ("service-points", bad(POINTS, POINT_ROW, 5, "yes"), "lighting", "'yes' is not true or false"),
    ("service-points", bad(POINTS, POINT_ROW, 6, "-1"), "plc", "is not a decimal number"),
    ("service-points", bad(POINTS, POINT_ROW, 6, "1.23456"), "plc", "more than 4 decimal places"),
    ("service-points", bad(POINTS, POINT_ROW, 1, "5555555555"), "account_number", "no account 5555555555"),
    ("service-points", bad(POINTS, POINT_ROW, 4, "111222333"), "supplier", "no supplier with DUNS 111222333"),
    ("meters", bad(METERS, METER_ROW, 2, "X"), "role", "'X' is not one of A, S"),
    ("meters", bad(METERS, METER_ROW, 3, "5"), "interval_minutes", "'5' is not one of 15, 30, 60"),
    ("meters", bad(METERS, METER_ROW, 4, "0"), "multiplier", "'0' must be greater than 0"),
    ("meters", bad(METERS, METER_ROW, 4, "1,5"), "", "6 values, but the header has 5 columns"),
    ("meters", bad(METERS, METER_ROW, 4, "abc"), "multiplier", "is not a decimal number"),
    ("meters", bad(METERS, METER_ROW, 4, "10000000"), "multiplier", "too large"),
    ("meters", bad(METERS, METER_ROW, 1, "7999999999"), "service_point_id", "no service point 7999999999"),
    ("meters", bad(METERS, METER_ROW, 3, "15"), "interval_minutes", "is scalar metered: leave it empty"),
    ("meters", bad(METERS, ["40333333", "7000000029", "A", "15", "1"], 3, ""), "interval_minutes",
     "is interval metered: give 15, 30 or 60"),
    ("schedule", "bill_group,read_date\n05,2026-03-04\n05,2026-02-30\n05,2026-04-02\n", "read_date",
     "'2026-02-30' is not an ISO date"),
    ("schedule", "bill_group,read_date\n05,2026-03-04\n05,03/04/2026\n05,2026-04-02\n", "read_date",
     "'03/04/2026' is not an ISO date"),
    ("schedule", "bill_group,read_date\n05,2026-03-04\n00,2026-03-05\n", "bill_group", "'00' is not one of 01–21"),
    ("holidays", "date,name\n2026-01-01,New Year\n20260704,Independence Day\n", "date", "is not an ISO date"),
    ("holidays", "date,name\n2026-01-01,New Year\n2026-07-04,\n", "name", "a value is required"),
])
def test_one_bad_row_among_good_ones_loads_nothing(loaded: Store, tmp_path: Path, kind: str, text: str,
                                                    column: str, message: str) -> None:
    before = snapshot(loaded)
    path = write(tmp_path, text)
    result = load_csv(loaded, kind, path)
    assert not result.ok and result.rows == 0
    assert [(e.line, e.column) for e in result.errors] == [(3, column)], result.error_lines()
    assert message in result.errors[0].message
    assert result.error_lines()[0] == f"{path}:3: {column + ': ' if column else ''}{result.errors[0].message}"
    assert result.summary() == f"{path}: 1 error, nothing loaded"
    assert snapshot(loaded) == before


def test_every_problem_of_every_row_is_reported(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, "duns,name,ucb_por,sbo\n"
                           "1,,x,y\n"
                           "987654321,A,none,none\n"
                           "987654321,B,none,none\n")
    result = load_csv(store, "suppliers", path)
    assert where(result) == [(2, "duns"), (2, "name"), (2, "ucb_por"), (2, "sbo"), (4, "duns")]
    assert result.errors[-1].message == "987654321 is already on line 3"
    assert store.get_supplier("987654321") is None


def test_duplicate_composite_keys_are_found(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, "bill_group,read_date\n05,2026-03-04\n06,2026-03-04\n05,2026-03-04\n")
    result = load_csv(store, "schedule", path)
    assert where(result) == [(4, "read_date")]
    assert result.errors[0].message == "05/2026-03-04 is already on line 2"


def test_references_are_checked_against_the_store(store: Store, tmp_path: Path) -> None:
    assert load_csv(store, "suppliers", DATA / "suppliers.csv").ok
    result = load_csv(store, "service-points", DATA / "service-points.csv")  # no accounts loaded yet
    assert where(result) == [(2, "account_number"), (3, "account_number"), (4, "account_number")]
    assert result.errors[0].message == "no account 1234567890 in the store (load accounts first)"
    result = load_csv(store, "meters", DATA / "meters.csv")
    assert where(result) == [(2, "service_point_id"), (3, "service_point_id"), (4, "service_point_id")]
    assert load_csv(store, "accounts", DATA / "accounts.csv").ok
    assert load_csv(store, "service-points", DATA / "service-points.csv").ok


# ------------------------------------------------------------------------ header and file


def test_header_problems_are_named(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, "duns,name,ucbpor,name,,extra\n987654321,A,none,none,,\n")
    result = load_csv(store, "suppliers", path)
    assert [(e.line, e.column, e.message) for e in result.errors] == [
        (1, "ucbpor", "unknown column; suppliers has duns, name, ucb_por, sbo"),
        (1, "name", "the column appears twice"),
        (1, "", "column 5 has no name"),
        (1, "extra", "unknown column; suppliers has duns, name, ucb_por, sbo"),
        (1, "ucb_por", "missing column"),
        (1, "sbo", "missing column"),
    ]


def test_optional_columns_may_be_left_out_but_not_required_ones(store: Store, tmp_path: Path) -> None:
    assert load_csv(store, "suppliers", DATA / "suppliers.csv").ok
    assert load_csv(store, "accounts", DATA / "accounts.csv").ok
    assert load_csv(store, "service-points", DATA / "service-points.csv").ok
    path = write(tmp_path, "meter_number,service_point_id,role,interval_minutes\n40000011,7000000011,S,\n")
    assert load_csv(store, "meters", path).ok
    meter = store.get_meter("40000011")
    assert meter is not None and meter.multiplier == 1
    path = write(tmp_path, "meter_number,service_point_id,role,multiplier\n40000011,7000000011,S,1\n")
    assert where(load_csv(store, "meters", path)) == [(1, "interval_minutes")]


@pytest.mark.parametrize(("content", "line", "message"), [
    (b"", 0, "the file is empty; the first line must be the header"),
    (b"\n \n", 0, "the file is empty; the first line must be the header"),
    (b"date,name\n2026-01-01,New Year\n2026-12-25,No\xebl\n", 3, "not UTF-8 (byte 0xeb); save the file as UTF-8"),
])
def test_an_unreadable_file_is_one_clear_error(store: Store, tmp_path: Path, content: bytes, line: int,
                                               message: str) -> None:
    path = tmp_path / "holidays.csv"
    path.write_bytes(content)
    assert load_csv(store, "holidays", path).errors == [LoadError(line, "", message)]


def test_a_missing_file_or_a_directory_is_one_clear_error(store: Store, tmp_path: Path) -> None:
    missing = load_csv(store, "holidays", tmp_path / "nope.csv")
    assert missing.error_lines() == [f"{tmp_path / 'nope.csv'}: no such file"]
    assert load_csv(store, "holidays", tmp_path).errors == [LoadError(0, "", "is a directory, not a CSV file")]


def test_line_numbers_count_blank_lines_quoted_line_breaks_and_a_bom(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "holidays.csv"
    path.write_bytes("\ufeffdate,name\n\n2026-01-01,\"New\nYear\"\n2026-07-04,Independence Day\n\n"
                     "2026-13-01,Bad\n".encode())
    result = load_csv(store, "holidays", path)
    assert where(result) == [(3, "name"), (7, "date")]
    assert result.errors[0].message == "contains a line break, tab or other control character"


def test_a_row_with_too_many_values_after_a_quoted_line_break(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, 'date,name\n2026-01-01,"New\nYear"\n2026-07-04,Independence Day,extra\n')
    assert load_csv(store, "holidays", path).errors == [LoadError(4, "", "3 values, but the header has 2 columns")]
    path = write(tmp_path, 'date,name\n2026-01-01,New Year\n2026-07-04,"Independence Day\n')
    assert load_csv(store, "holidays", path).errors == [LoadError(3, "", "a quoted value is never closed")]


def test_blanks_around_values_are_ignored(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, " date , name \n 2026-01-01 , New Year's Day \n")
    assert load_csv(store, "holidays", path).ok
    assert store.calendar_inputs()[0] == {date(2026, 1, 1): "New Year's Day"}


# ----------------------------------------------------------------------- default holidays


def test_default_holidays_fill_only_years_without_any(store: Store, tmp_path: Path) -> None:
    assert load_csv(store, "holidays", write(tmp_path, "date,name\n2026-11-27,Day after Thanksgiving\n")).ok
    assert load_holidays_default(store, [2026, 2027]) == 6
    assert load_holidays_default(store, [2026, 2027]) == 0
    holidays, _ = store.calendar_inputs()
    assert [day for day in holidays if day.year == 2026] == [date(2026, 11, 27)]
    assert holidays[date(2027, 7, 5)] == "Independence Day (observed)"
    assert len([day for day in holidays if day.year == 2027]) == 6

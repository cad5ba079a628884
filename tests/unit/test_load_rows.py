"""The loader's pure half: reading CSV bytes, checking headers, parsing rows. No files, no database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from processor.load import KINDS, CsvTable, LoadError, LoadResult, check_header, columns, parse_table, validate_rows
from processor.store.records import Meter, Metering, MeterRole, RateClass, Sbo, ServicePoint, Supplier, UcbPor


def table(text: str) -> CsvTable:
    parsed = parse_table(text.encode())
    assert isinstance(parsed, CsvTable), parsed
    return parsed


def test_kinds_are_the_command_line_names_in_load_order() -> None:
    assert KINDS == ("suppliers", "accounts", "service-points", "meters", "schedule", "holidays")
    assert columns("meters") == (("meter_number", "service_point_id", "role", "interval_minutes"), ("multiplier",))


def test_rows_carry_their_line_numbers() -> None:
    parsed = table('a,b\n\n1,"x\r\ny"\n2,z\n,\n3,w')
    assert parsed.header == ("a", "b")
    assert parsed.rows == ((3, {"a": "1", "b": "x\r\ny"}), (5, {"a": "2", "b": "z"}), (7, {"a": "3", "b": "w"}))


def test_a_short_row_is_padded_and_blanks_are_stripped() -> None:
    assert table(" a , b ,c\n 1 \n").rows == ((2, {"a": "1", "b": "", "c": ""}),)


def test_a_header_only_file_has_no_rows() -> None:
    assert table("date,name\n") == CsvTable(("date", "name"), ())


@pytest.mark.parametrize(("data", "error"), [
    (b"", LoadError(0, "", "the file is empty; the first line must be the header")),
    (b"\na,b\n1,2\n", LoadError(1, "", "the first line must be the header, but it is blank")),
    (b"a,b\n1,2\n\xff", LoadError(3, "", "not UTF-8 (byte 0xff); save the file as UTF-8")),
    (b"a,b\n1,2,3\n", LoadError(2, "", "3 values, but the header has 2 columns")),
    (b'a,b\n1,"2\n', LoadError(2, "", "a quoted value is never closed")),
])
def test_unreadable_bytes_give_one_error(data: bytes, error: LoadError) -> None:
    assert parse_table(data) == error


def test_header_checks_name_each_column() -> None:
    assert check_header("schedule", ("bill_group", "read_date")) == []
    assert check_header("schedule", ("read_date", "group")) == [
        LoadError(1, "group", "unknown column; schedule has bill_group, read_date"),
        LoadError(1, "bill_group", "missing column"),
    ]


def test_rows_become_records() -> None:
    parsed, errors = validate_rows("service-points", table(
        "service_point_id,account_number,rate_class,metering,supplier,lighting,plc,rate_zone\n"
        "7000000011,1234567890,DS3A,interval,1234567890001,true,0.0005,\n"))
    assert errors == []
    assert parsed == [(2, ServicePoint("7000000011", "1234567890", RateClass.DS3A, Metering.INTERVAL,
                                       "1234567890001", True, plc=Decimal("0.0005")))]


def test_zip_codes_are_stored_as_digits() -> None:
    header = "account_number,customer_name,service_address,city,state,zip,bill_group,calendar_billing,status\n"
    parsed, errors = validate_rows("accounts", table(
        header + "1,A,B,C,IL,62701,01,none,active\n2,A,B,C,IL,627011234,01,none,active\n"
        "3,A,B,C,IL,62701-1234,21,bom,final\n"))
    assert errors == []
    assert [account.zip for _, account in parsed] == ["62701", "627011234", "627011234"]


@pytest.mark.parametrize(("value", "expected"), [
    ("", Decimal(1)), ("1", Decimal(1)), ("0.000001", Decimal("0.000001")), ("999999.999999", Decimal("999999.999999")),
    ("1.5000000", Decimal("1.5")),
])
def test_multipliers_default_to_one_and_keep_their_digits(value: str, expected: Decimal) -> None:
    parsed, errors = validate_rows("meters", table(
        f"meter_number,service_point_id,role,interval_minutes,multiplier\nM1,SP1,S,60,{value}\n"))
    assert errors == []
    assert parsed == [(2, Meter("M1", "SP1", MeterRole.SUBTRACTIVE, 60, expected))]


@pytest.mark.parametrize(("value", "message"), [
    ("1e3", "'1e3' is not a decimal number such as 12 or 0.25"),
    ("0.0000001", "'0.0000001' has more than 6 decimal places"),
    ("-2", "'-2' is not a decimal number such as 12 or 0.25"),
    ("0.000", "'0.000' must be greater than 0"),
])
def test_bad_multipliers(value: str, message: str) -> None:
    _, errors = validate_rows("meters", table(
        f"meter_number,service_point_id,role,interval_minutes,multiplier\nM1,SP1,S,60,{value}\n"))
    assert errors == [LoadError(2, "multiplier", message)]


def test_dates_must_be_iso_and_real() -> None:
    parsed, errors = validate_rows("holidays", table(
        "date,name\n2026-12-25,Christmas Day\n2026-W52-5,Christmas\n2026-02-29,Leap\n,Nothing\n"))
    assert [(line, holiday.date) for line, holiday in parsed] == [(2, date(2026, 12, 25))]
    assert errors == [
        LoadError(3, "date", "'2026-W52-5' is not an ISO date (YYYY-MM-DD)"),
        LoadError(4, "date", "'2026-02-29' is not an ISO date (YYYY-MM-DD)"),
        LoadError(5, "date", "a date is required"),
    ]


def test_duplicate_keys_point_at_the_first_line() -> None:
    parsed, errors = validate_rows("suppliers", table(
        "duns,name,ucb_por,sbo\n987654321,A,none,none\n987654321,B,none,none\n987654321,C,none,none\n"))
    assert parsed == [(2, Supplier("987654321", "A", UcbPor.NONE, Sbo.NONE))]
    assert errors == [LoadError(3, "duns", "987654321 is already on line 2"),
                      LoadError(4, "duns", "987654321 is already on line 2")]


def test_errors_print_as_file_line_column_message() -> None:
    assert LoadError(3, "zip", "'6160' is not a ZIP code").format("accounts.csv") == (
        "accounts.csv:3: zip: '6160' is not a ZIP code")
    assert LoadError(4, "", "3 values, but the header has 2 columns").format("a.csv") == (
        "a.csv:4: 3 values, but the header has 2 columns")
    assert LoadError(0, "", "no such file").format("a.csv") == "a.csv: no such file"
    result = LoadResult("holidays", "h.csv", 0, [LoadError(2, "date", "bad")])
    assert (result.ok, result.error_lines(), result.summary()) == (False, ["h.csv:2: date: bad"],
                                                                   "h.csv: 1 error, nothing loaded")
    assert LoadResult("holidays", "h.csv", 1).summary() == "h.csv: loaded 1 row of holidays"

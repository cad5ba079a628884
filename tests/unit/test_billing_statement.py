"""What ``edi bill show`` prints (processor.billing.statement): grouping, the period filter, text and JSON."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from processor.billing.statement import period_filter, statement, to_json, to_text
from processor.store.records import Account, AccountStatus, BillLine, CalendarBilling, Invoice, InvoiceStatus

AT = datetime(2026, 10, 21, 15, tzinfo=UTC)
ACCOUNT = Account("2000000029", "ROBERT T EXAMPLE", "215 ELM ST", "PEORIA", "IL", "61602", "12",
                  CalendarBilling.NONE, AccountStatus.ACTIVE)


def invoice(id_: int, number: str, purpose: str = "00", original: str | None = None) -> Invoice:
    return Invoice(id=id_, supplier="987654321", number=number, invoice_date=date(2026, 10, 21), purpose=purpose,
                   account_number="2000000029", total=Decimal("50.67"), received_at=AT,
                   status=InvoiceStatus.ACCEPTED, original_number=original, source_file=f"{number}.x12",
                   isa13="000000001", gs06="1", st02="0001", updated_at=AT)


def line(id_: int, invoice_id: int, amount: str, bill: date | None, *, indicator: str = "C",
         period: tuple[date, date] = (date(2026, 9, 17), date(2026, 10, 19)), reverses: int | None = None) -> BillLine:
    return BillLine(id=id_, invoice_id=invoice_id, account_number="2000000029", service_point_id="7000000029",
                    supplier="987654321", bill_date=bill, period_start=period[0], period_end=period[1], seq=1,
                    indicator=indicator, code="ENC001", amount=Decimal(amount), created_at=AT,
                    description="SUPPLY CHARGE", reverses_id=reverses)


INVOICES = {1: invoice(1, "INV1"), 2: invoice(2, "INV2", "01", "INV1"), 3: invoice(3, "INV3")}
AUGUST = (date(2026, 8, 18), date(2026, 9, 17))
LINES = [
    line(1, 1, "45.67", date(2026, 10, 19)),
    line(2, 1, "1.00", date(2026, 10, 19), indicator="N"),
    line(3, 2, "-45.67", None, reverses=1),
    line(4, 3, "40.00", date(2026, 9, 17), period=AUGUST),
]
NAMES = {"987654321": "BRIGHT ENERGY LLC"}


def test_lines_are_grouped_by_bill_oldest_first_the_unscheduled_bill_last() -> None:
    s = statement(ACCOUNT, LINES, INVOICES, NAMES)
    assert [(b.bill_date, b.total, len(b.lines)) for b in s.bills] == [
        (date(2026, 9, 17), Decimal("40.00"), 1), (date(2026, 10, 19), Decimal("45.67"), 2),
        (None, Decimal("-45.67"), 1)]
    assert s.total == Decimal("40.00")
    assert s.bills[2].lines[0].reverses == "INV1"


def test_the_period_filter_reads_start_end_a_read_date_or_a_month() -> None:
    def kept(text: str | None) -> list[int]:
        keep = period_filter(text)
        return [x.id for x in LINES if keep(x)]

    assert kept(None) == [1, 2, 3, 4]
    assert kept("2026-09-17/2026-10-19") == [1, 2, 3]
    assert kept("2026-08-01/2026-10-31") == [1, 2, 3, 4]
    assert kept("2026-10-19") == [1, 2, 3]
    assert kept("2026-09") == [4]
    for bad in ("2026-10-19/2026-09-17", "2026-13", "yesterday"):
        with pytest.raises(ValueError):
            period_filter(bad)


def test_text_shows_each_bill_invoice_and_line_with_its_source() -> None:
    text = to_text(statement(ACCOUNT, LINES, INVOICES, NAMES, period=None))
    assert text[0] == "account 2000000029 ROBERT T EXAMPLE, bill group 12"
    assert "the bill of 2026-10-19: RES charges 45.67" in text
    assert "the next bill (no read scheduled yet): RES charges -45.67" in text
    assert any("cancel INV2 reverses INV1 (INV2.x12 ISA13 000000001 GS06 1 ST02 0001)" in x for x in text)
    assert any(x.endswith("(1.00 info)") for x in text)
    assert text[-1] == "all bills shown: RES charges 40.00"
    assert to_text(statement(ACCOUNT, [], INVOICES, NAMES, period="2026-10"))[1:] == ["  no RES charges"]


def test_json_carries_money_as_text_and_the_source_of_every_line() -> None:
    shown = to_json(statement(ACCOUNT, LINES[:1], INVOICES, NAMES, period="2026-10-19"))
    assert (shown["account"], shown["period"], shown["total"]) == ("2000000029", "2026-10-19", "45.67")
    (bill,) = shown["bills"]
    (row,) = bill["lines"]
    assert (bill["bill_date"], row["amount"], row["invoice"], row["supplier_name"]) == (
        "2026-10-19", "45.67", "INV1", "BRIGHT ENERGY LLC")
    assert row["source"] == {"file": "INV1.x12", "isa13": "000000001", "gs06": "1", "st02": "0001",
                             "received_at": "2026-10-21T15:00:00+00:00"}

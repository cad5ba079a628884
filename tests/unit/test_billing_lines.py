"""Bill lines from an accepted 810 and their reversal (processor.billing.lines)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

from edi.messages import BillReadyInvoice, Charge, ChargeIndicator, EntityCode, Party, Period, Unit
from processor.billing.lines import bill_total, billed, lines_of, reversal_of, signed
from processor.store.records import BillLine

AT = datetime(2026, 10, 21, 15, tzinfo=UTC)
SUPPLY = Charge(ChargeIndicator.CHARGE, "ENC001", Decimal("45.67"), Decimal("0.0731"), Unit.KWH, Decimal("624.8"),
                "10", "SUPPLY CHARGE")
CREDIT = Charge(ChargeIndicator.ALLOWANCE, "MSC002", Decimal("2.00"), description="LOYALTY CREDIT")
NOTE = Charge(ChargeIndicator.INFORMATION, "MSC003", Decimal("9.99"), description="YOU SAVED 9.99")
INVOICE = BillReadyInvoice(
    invoice_date=date(2026, 10, 21), number="RESINV1", ldc_account=" 2000000029 ", service_point="7000000029",
    utility=Party(EntityCode.UTILITY), supplier=Party(EntityCode.SUPPLIER), period=Period(date(2026, 9, 17),
                                                                                            date(2026, 10, 19)),
    charges=(SUPPLY, CREDIT, NOTE), total=Decimal("43.67"))


def test_charges_add_allowances_subtract_information_is_not_summed() -> None:
    assert (signed(SUPPLY), signed(CREDIT), signed(NOTE)) == (Decimal("45.67"), Decimal("-2.00"), Decimal("9.99"))
    assert billed(INVOICE.charges) == Decimal("43.67")
    assert billed(()) == 0


def test_one_line_per_sac_in_order_signed_as_the_bill_prints_it() -> None:
    lines = lines_of(INVOICE, invoice_id=4, service_point_id="7000000029", supplier="987654321",
                     period=(date(2026, 9, 17), date(2026, 10, 19)), bill_date=date(2026, 10, 19), at=AT)
    assert [(x.seq, x.indicator, x.code, x.amount) for x in lines] == [
        (1, "C", "ENC001", Decimal("45.67")), (2, "A", "MSC002", Decimal("-2.00")), (3, "N", "MSC003", Decimal("9.99"))]
    first = lines[0]
    assert (first.account_number, first.rate, first.unit, first.quantity, first.print_sequence) == (
        "2000000029", "0.0731", "KH", "624.8", "10")
    assert all(x.invoice_id == 4 and x.bill_date == date(2026, 10, 19) and x.reverses_id is None for x in lines)
    assert bill_total(lines) == Decimal("43.67")


def test_a_reversal_negates_every_line_and_points_at_it() -> None:
    new = lines_of(INVOICE, invoice_id=4, service_point_id="7000000029", supplier="987654321",
                   period=(date(2026, 9, 17), date(2026, 10, 19)), bill_date=date(2026, 10, 19), at=AT)
    stored = [BillLine(id=10 + n, **{name: getattr(x, name) for name in x.__dataclass_fields__})
              for n, x in enumerate(new)]
    back = reversal_of(stored, invoice_id=5, bill_date=date(2026, 11, 16), at=AT)
    assert [(x.amount, x.reverses_id, x.invoice_id, x.bill_date) for x in back] == [
        (Decimal("-45.67"), 10, 5, date(2026, 11, 16)), (Decimal("2.00"), 11, 5, date(2026, 11, 16)),
        (Decimal("-9.99"), 12, 5, date(2026, 11, 16))]
    assert bill_total([*stored, *back]) == 0
    assert back[0] == replace(back[0], description="SUPPLY CHARGE", period_start=date(2026, 9, 17))

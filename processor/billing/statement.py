"""The RES charges of an account's consolidated bills, for people (text) and programs (JSON). Pure.

What ``edi bill show`` prints: every bill of the account that carries RES lines, by bill date, each line with
the invoice (and its source file and control numbers) it came from; a cancel's lines say which invoice they
reverse. A bill's RES total adds its charges and allowances, reversals included; information lines (SAC01 N)
are printed and not added (spec 2.8).
"""

from __future__ import annotations

import calendar as months
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from processor.billing.lines import bill_total
from processor.store.records import Account, BillLine, Invoice

PeriodFilter = Callable[[BillLine], bool]

_MONTH = re.compile(r"^\d{4}-\d{2}$")


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One bill line with the invoice it came from."""

    line: BillLine
    invoice: Invoice
    reverses: str | None = None  #: the invoice number a reversal line reverses


@dataclass(frozen=True, slots=True)
class Bill:
    """The RES lines of one bill of the account (``bill_date`` None: the next bill, not scheduled yet)."""

    bill_date: date | None
    lines: tuple[StatementLine, ...]

    @property
    def total(self) -> Decimal:
        return bill_total(s.line for s in self.lines)


@dataclass(frozen=True, slots=True)
class Statement:
    """An account's bills with RES charges, oldest first."""

    account: Account
    bills: tuple[Bill, ...]
    supplier_names: Mapping[str, str]
    period: str | None = None  #: the ``--period`` asked for, if any

    @property
    def total(self) -> Decimal:
        return sum((b.total for b in self.bills), Decimal(0))


def period_filter(text: str | None) -> PeriodFilter:
    """``--period``, by the charges' service period: ``START/END`` (within, both ends included), ``END`` (the
    period that ends on that read date, as ``edi usage plot`` reads it) or ``YYYY-MM`` (periods ending in that
    month). Raises ``ValueError`` for anything else."""
    if text is None:
        return lambda line: True
    value = text.strip()
    if "/" in value:
        first, _, last = value.partition("/")
        start, end = date.fromisoformat(first.strip()), date.fromisoformat(last.strip())
        if start > end:
            raise ValueError(f"{text!r}: the start is after the end")
        return lambda line: start <= line.period_start and line.period_end <= end
    if _MONTH.match(value):
        year, month = int(value[:4]), int(value[5:])
        if not 1 <= month <= 12:
            raise ValueError(f"{text!r}: no such month")
        first_day, last_day = date(year, month, 1), date(year, month, months.monthrange(year, month)[1])
        return lambda line: first_day <= line.period_end <= last_day
    day = date.fromisoformat(value)
    return lambda line: line.period_end == day


def statement(
    account: Account,
    lines: Iterable[BillLine],
    invoices: Mapping[int, Invoice],
    supplier_names: Mapping[str, str],
    *,
    keep: PeriodFilter | None = None,
    period: str | None = None,
) -> Statement:
    """Group ``lines`` (one account's) by bill, keeping those ``keep`` selects."""
    chosen = sorted((line for line in lines if keep is None or keep(line)), key=lambda x: x.id)
    bills: dict[date | None, list[StatementLine]] = {}
    for line in chosen:
        invoice = invoices[line.invoice_id]
        reverses = invoice.original_number if line.reverses_id is not None else None  # a cancel's REF*OI
        bills.setdefault(line.bill_date, []).append(StatementLine(line, invoice, reverses))
    ordered = sorted(bills.items(), key=lambda item: (item[0] is None, item[0] or date.min))
    return Statement(account, tuple(Bill(day, tuple(rows)) for day, rows in ordered), supplier_names, period)


# ------------------------------------------------------------------------------------ rendering


def to_json(s: Statement) -> dict[str, Any]:
    """The statement as plain JSON values (dates ISO, money as text with two decimals)."""
    return {
        "account": s.account.account_number,
        "customer": s.account.customer_name,
        "bill_group": s.account.bill_group,
        "period": s.period,
        "total": _money(s.total),
        "bills": [
            {"bill_date": None if b.bill_date is None else b.bill_date.isoformat(), "total": _money(b.total),
             "lines": [_line_json(row, s.supplier_names) for row in b.lines]}
            for b in s.bills
        ],
    }


def _line_json(row: StatementLine, names: Mapping[str, str]) -> dict[str, Any]:
    line, invoice = row.line, row.invoice
    return {
        "supplier": line.supplier, "supplier_name": names.get(line.supplier), "service_point": line.service_point_id,
        "invoice": invoice.number, "invoice_date": invoice.invoice_date.isoformat(), "purpose": invoice.purpose,
        "reverses_invoice": row.reverses, "period_start": line.period_start.isoformat(),
        "period_end": line.period_end.isoformat(), "seq": line.seq, "indicator": line.indicator, "code": line.code,
        "description": line.description, "amount": _money(line.amount), "rate": line.rate, "unit": line.unit,
        "quantity": line.quantity, "print_sequence": line.print_sequence,
        "source": {"file": invoice.source_file, "isa13": invoice.isa13, "gs06": invoice.gs06, "st02": invoice.st02,
                   "received_at": invoice.received_at.isoformat()},
    }


def to_text(s: Statement) -> list[str]:
    """The statement for a person: one block per bill, one header per invoice, one row per line."""
    a = s.account
    where = f" (service periods {s.period})" if s.period else ""
    out = [f"account {a.account_number} {a.customer_name}, bill group {a.bill_group}{where}"]
    if not s.bills:
        out.append("  no RES charges")
        return out
    for b in s.bills:
        when = "the next bill (no read scheduled yet)" if b.bill_date is None else f"the bill of {b.bill_date}"
        out.append(f"{when}: RES charges {_money(b.total)}")
        current: int | None = None
        for row in b.lines:
            line = row.line
            if line.invoice_id != current:
                current = line.invoice_id
                out.append("  " + _header(row, s.supplier_names))
            out.append("    " + _row(line))
    if len(s.bills) > 1:
        out.append(f"all bills shown: RES charges {_money(s.total)}")
    return out


def _header(row: StatementLine, names: Mapping[str, str]) -> str:
    line, invoice = row.line, row.invoice
    supplier = f"{names.get(line.supplier, '')} ({line.supplier})".strip()
    what = f"invoice {invoice.number}" if row.reverses is None else f"cancel {invoice.number} reverses {row.reverses}"
    return (f"{supplier}, service point {line.service_point_id}, {line.period_start} to {line.period_end}, {what} "
            f"({invoice.source_file} ISA13 {invoice.isa13} GS06 {invoice.gs06} ST02 {invoice.st02})")


def _row(line: BillLine) -> str:
    detail = ""
    if line.quantity is not None or line.rate is not None:
        detail = f"{line.quantity or ''} {line.unit or ''} @ {line.rate or ''}".replace("  ", " ").strip()
    amount = _money(line.amount) if line.indicator != "N" else f"({_money(line.amount)} info)"
    return f"{(line.description or '')[:40]:<40} {line.code:<8} {detail:<24} {amount:>12}"


def _money(value: Decimal) -> str:
    return f"{value:.2f}"

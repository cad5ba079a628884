"""From an accepted 810 to the lines of a consolidated bill, and from a cancel to their reversal. Pure.

Spec 2.8: SAC01 ``C`` charge, ``A`` allowance, ``N`` information only (not summed); SAC05 the amount; SAC15 the
description printed on the bill; TDS01 "must equal Σ SAC05 where SAC01 ∈ {C, A} (A negative)". A bill line's
amount is signed as the bill prints it, so a bill's RES total is the plain sum of its C and A lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from edi.messages import BillReadyInvoice, Charge, ChargeIndicator
from processor.store.records import BillLine, NewBillLine

_SUMMED = frozenset({ChargeIndicator.CHARGE.value, ChargeIndicator.ALLOWANCE.value})


def signed(charge: Charge) -> Decimal:
    """The amount as the bill adds it: an allowance reduces the bill (spec 2.8: "A negative")."""
    return -charge.amount if charge.indicator is ChargeIndicator.ALLOWANCE else charge.amount


def billed(charges: Iterable[Charge]) -> Decimal:
    """Σ SAC05 over the charges and allowances (allowances negative); information lines do not count."""
    return sum((signed(c) for c in charges if c.indicator is not ChargeIndicator.INFORMATION), Decimal(0))


def bill_total(lines: Iterable[BillLine | NewBillLine]) -> Decimal:
    """What the RES lines add to a bill: every charge and allowance line, reversals included."""
    return sum((line.amount for line in lines if line.indicator in _SUMMED), Decimal(0))


def lines_of(
    invoice: BillReadyInvoice,
    *,
    invoice_id: int,
    service_point_id: str,
    supplier: str,
    period: tuple[date, date],
    bill_date: date | None,
    at: datetime,
) -> list[NewBillLine]:
    """One bill line per SAC of ``invoice``, in the order sent."""
    return [
        NewBillLine(
            invoice_id=invoice_id, account_number=invoice.ldc_account.strip(), service_point_id=service_point_id,
            supplier=supplier, bill_date=bill_date, period_start=period[0], period_end=period[1], seq=n,
            indicator=c.indicator.value, code=c.code, amount=signed(c), created_at=at, description=c.description,
            rate=_text(c.rate), unit=None if c.unit is None else c.unit.value, quantity=_text(c.quantity),
            print_sequence=c.print_sequence,
        )
        for n, c in enumerate(invoice.charges, start=1)
    ]


def reversal_of(
    lines: Sequence[BillLine], *, invoice_id: int, bill_date: date | None, at: datetime
) -> list[NewBillLine]:
    """The negation of ``lines`` (an original invoice's), each pointing at the line it reverses.

    The original lines are never removed: the bill they were printed on stays as it was, and the reversal
    is printed on ``bill_date``.
    """
    return [
        NewBillLine(
            invoice_id=invoice_id, account_number=line.account_number, service_point_id=line.service_point_id,
            supplier=line.supplier, bill_date=bill_date, period_start=line.period_start, period_end=line.period_end,
            seq=line.seq, indicator=line.indicator, code=line.code, amount=-line.amount, created_at=at,
            description=line.description, rate=line.rate, unit=line.unit, quantity=line.quantity,
            print_sequence=line.print_sequence, reverses_id=line.id,
        )
        for line in lines
    ]


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")

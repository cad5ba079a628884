"""Bill-ready billing state: the billing option of enrollments, the inbound 810s, the RES lines on bills.

An invoice row is the memory of one inbound 810, whatever became of it (accepted, rejected, or accepted and
later cancelled). A bill line is one SAC of an accepted invoice as the account's consolidated bill prints it;
lines are only ever added: a cancel adds the negation of the lines it reverses, so every bill can be
explained from its lines and their invoices (file, ISA13, GS06, ST02).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, RowMapping, insert, select, update

from processor.store import schema
from processor.store.records import (
    BillLine,
    EnrollmentBilling,
    Invoice,
    InvoiceStatus,
    NewBillLine,
    NewInvoice,
)
from processor.store.statements import execute, upsert_statement

_CENT = Decimal("0.01")


class Bills:
    """Enrollment billing options, invoices and bill lines inside one unit of work's transaction."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    # --------------------------------------------------------------------- enrollment billing option

    def record_enrollment_billing(self, option: EnrollmentBilling) -> None:
        """Keep the billing option of a recorded switch request (replacing one kept before)."""
        statement = upsert_statement(self._connection.dialect.name, schema.enrollment_billing, ("request_id",))
        execute(self._connection, statement, {
            "request_id": option.request_id, "billing_type": option.billing_type, "calculator": option.calculator,
            "payment_option": option.payment_option})

    def enrollment_billing(self, request_id: int) -> EnrollmentBilling | None:
        """The billing option kept for a switch request; None when none was kept (e.g. recorded before)."""
        table = schema.enrollment_billing
        row = self._connection.execute(select(table).where(table.c.request_id == request_id)).mappings().first()
        if row is None:
            return None
        return EnrollmentBilling(row["request_id"], row["billing_type"], row["calculator"], row["payment_option"])

    # ------------------------------------------------------------------------------------ invoices

    def add_invoice(self, invoice: NewInvoice) -> Invoice:
        """Record an inbound 810; ``updated_at`` starts as ``received_at``."""
        table = schema.invoices
        values = _invoice_values(invoice)
        invoice_id = self._connection.execute(insert(table).values(values).returning(table.c.id)).scalar_one()
        stored = self.get_invoice(invoice_id)
        assert stored is not None
        return stored

    def get_invoice(self, invoice_id: int) -> Invoice | None:
        table = schema.invoices
        row = self._connection.execute(select(table).where(table.c.id == invoice_id)).mappings().first()
        return None if row is None else _invoice(row)

    def set_invoice_status(self, invoice_id: int, status: InvoiceStatus, *, at: datetime) -> Invoice:
        """Move an invoice to ``status`` (an accepted original to cancelled) at ``at``."""
        table = schema.invoices
        result = self._connection.execute(
            update(table).where(table.c.id == invoice_id).values(status=status.value, updated_at=at))
        if result.rowcount != 1:
            raise KeyError(f"no invoice {invoice_id}")
        stored = self.get_invoice(invoice_id)
        assert stored is not None
        return stored

    def find_invoices(
        self,
        *,
        supplier: str | None = None,
        number: str | None = None,
        account_number: str | None = None,
        service_point_id: str | None = None,
        statuses: Iterable[InvoiceStatus] | None = None,
    ) -> list[Invoice]:
        """Invoices matching every criterion given, in the order received."""
        table = schema.invoices
        query = select(table).order_by(table.c.id)
        if supplier is not None:
            query = query.where(table.c.supplier == supplier)
        if number is not None:
            query = query.where(table.c.number == number)
        if account_number is not None:
            query = query.where(table.c.account_number == account_number)
        if service_point_id is not None:
            query = query.where(table.c.service_point_id == service_point_id)
        if statuses is not None:
            query = query.where(table.c.status.in_([s.value for s in statuses]))
        return [_invoice(row) for row in self._connection.execute(query).mappings()]

    # ---------------------------------------------------------------------------------- bill lines

    def add_lines(self, lines: Iterable[NewBillLine]) -> list[BillLine]:
        """Add bill lines (in the order given) and return them as stored."""
        table = schema.bill_lines
        stored: list[BillLine] = []
        for line in lines:
            values = {name: getattr(line, name) for name in NewBillLine.__dataclass_fields__}
            values["amount"] = line.amount.quantize(_CENT)
            line_id = self._connection.execute(insert(table).values(values).returning(table.c.id)).scalar_one()
            stored.append(BillLine(id=line_id, **{**values}))
        return stored

    def lines(self, *, invoice_id: int | None = None, account_number: str | None = None) -> list[BillLine]:
        """Bill lines (of one invoice, or of one account), in the order added."""
        table = schema.bill_lines
        query = select(table).order_by(table.c.id)
        if invoice_id is not None:
            query = query.where(table.c.invoice_id == invoice_id)
        if account_number is not None:
            query = query.where(table.c.account_number == account_number)
        return [_line(row) for row in self._connection.execute(query).mappings()]


def _invoice_values(invoice: NewInvoice) -> dict[str, Any]:
    values = {name: getattr(invoice, name) for name in NewInvoice.__dataclass_fields__}
    values["status"] = invoice.status.value
    values["total"] = invoice.total.quantize(_CENT)
    values["rejection_text"] = None if invoice.rejection_text is None else invoice.rejection_text[:200]
    values["updated_at"] = invoice.received_at
    return values


def _cents(value: Decimal) -> Decimal:
    return Decimal(value).quantize(_CENT)


def _invoice(row: RowMapping) -> Invoice:
    fields = {name: row[name] for name in NewInvoice.__dataclass_fields__}
    fields["status"] = InvoiceStatus(row["status"])
    fields["total"] = _cents(row["total"])
    return Invoice(id=row["id"], updated_at=row["updated_at"], **fields)


def _line(row: RowMapping) -> BillLine:
    fields = {name: row[name] for name in NewBillLine.__dataclass_fields__}
    fields["amount"] = _cents(row["amount"])
    return BillLine(id=row["id"], **fields)

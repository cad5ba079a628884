"""Bill-ready billing: the billing option of each enrollment, inbound 810 invoices, the RES lines on bills.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26

Self-contained like 0001: types, names and value sets spelled out. Instants are ``DateTime`` holding
naive UTC.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _one_of(table: str, column: str, values: tuple[str, ...]) -> sa.CheckConstraint:
    listed = ", ".join(f"'{value}'" for value in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=op.f(f"ck_{table}_{column}"))


def upgrade() -> None:
    op.create_table(
        "enrollment_billing",
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("billing_type", sa.String(4), nullable=True),
        sa.Column("calculator", sa.String(4), nullable=True),
        sa.Column("payment_option", sa.String(30), nullable=True),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_enrollment_billing")),
        sa.ForeignKeyConstraint(["request_id"], ["switch_requests.id"],
                                name=op.f("fk_enrollment_billing_request_id_switch_requests")),
    )
    op.create_table(
        "invoices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supplier", sa.String(13), nullable=False),
        sa.Column("number", sa.String(30), nullable=False),
        sa.Column("invoice_date", sa.Date(), nullable=False),
        sa.Column("purpose", sa.String(2), nullable=False),
        sa.Column("original_number", sa.String(30), nullable=True),
        sa.Column("account_number", sa.String(30), nullable=False),
        sa.Column("service_point_id", sa.String(30), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("total", sa.Numeric(15, 2), nullable=False),
        sa.Column("status", sa.String(9), nullable=False),
        sa.Column("rejection_code", sa.String(3), nullable=True),
        sa.Column("rejection_text", sa.String(200), nullable=True),
        sa.Column("usage_report_id", sa.Integer(), nullable=True),
        sa.Column("cancels_id", sa.Integer(), nullable=True),
        sa.Column("bill_date", sa.Date(), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("source_file", sa.String(255), nullable=True),
        sa.Column("isa13", sa.String(9), nullable=True),
        sa.Column("gs06", sa.String(9), nullable=True),
        sa.Column("st02", sa.String(9), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.ForeignKeyConstraint(["usage_report_id"], ["usage_reports.id"],
                                name=op.f("fk_invoices_usage_report_id_usage_reports")),
        sa.ForeignKeyConstraint(["cancels_id"], ["invoices.id"], name=op.f("fk_invoices_cancels_id_invoices")),
        _one_of("invoices", "purpose", ("00", "01")),
        _one_of("invoices", "status", ("accepted", "rejected", "cancelled")),
    )
    op.create_index(op.f("ix_invoices_account_number"), "invoices", ["account_number"])
    op.create_index(op.f("ix_invoices_supplier_number"), "invoices", ["supplier", "number"])
    op.create_index(op.f("ix_invoices_service_point_id_period_end"), "invoices", ["service_point_id", "period_end"])
    op.create_table(
        "bill_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("account_number", sa.String(30), nullable=False),
        sa.Column("service_point_id", sa.String(30), nullable=False),
        sa.Column("supplier", sa.String(13), nullable=False),
        sa.Column("bill_date", sa.Date(), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(1), nullable=False),
        sa.Column("code", sa.String(10), nullable=False),
        sa.Column("description", sa.String(80), nullable=True),
        sa.Column("amount", sa.Numeric(15, 2), nullable=False),
        sa.Column("rate", sa.String(20), nullable=True),
        sa.Column("unit", sa.String(2), nullable=True),
        sa.Column("quantity", sa.String(20), nullable=True),
        sa.Column("print_sequence", sa.String(30), nullable=True),
        sa.Column("reverses_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bill_lines")),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"], name=op.f("fk_bill_lines_invoice_id_invoices")),
        sa.ForeignKeyConstraint(["reverses_id"], ["bill_lines.id"],
                                name=op.f("fk_bill_lines_reverses_id_bill_lines")),
        _one_of("bill_lines", "indicator", ("C", "A", "N")),
    )
    op.create_index(op.f("ix_bill_lines_invoice_id"), "bill_lines", ["invoice_id"])
    op.create_index(op.f("ix_bill_lines_account_number_bill_date"), "bill_lines", ["account_number", "bill_date"])


def downgrade() -> None:
    op.drop_index(op.f("ix_bill_lines_account_number_bill_date"), table_name="bill_lines")
    op.drop_index(op.f("ix_bill_lines_invoice_id"), table_name="bill_lines")
    op.drop_table("bill_lines")
    op.drop_index(op.f("ix_invoices_service_point_id_period_end"), table_name="invoices")
    op.drop_index(op.f("ix_invoices_supplier_number"), table_name="invoices")
    op.drop_index(op.f("ix_invoices_account_number"), table_name="invoices")
    op.drop_table("invoices")
    op.drop_table("enrollment_billing")

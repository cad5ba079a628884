"""Initial schema: master data, switching state, ingest ledger, control numbers, outbox.

Revision ID: 0001
Revises:
Create Date: 2026-05-09

Self-contained on purpose: a migration is a frozen record of a change, so it spells out its types,
names and value sets instead of importing them from ``schema.py`` (which keeps moving). Timestamps are
``DateTime`` holding naive UTC; the store's ``UtcDateTime`` converts at the edge.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BILL_GROUPS = tuple(f"{n:02d}" for n in range(1, 22))


def _one_of(table: str, column: str, values: tuple[str, ...]) -> sa.CheckConstraint:
    listed = ", ".join(f"'{value}'" for value in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=op.f(f"ck_{table}_{column}"))


def upgrade() -> None:
    op.create_table(
        "suppliers",
        sa.Column("duns", sa.String(13), nullable=False),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("ucb_por", sa.String(10), nullable=False),
        sa.Column("sbo", sa.String(9), nullable=False),
        sa.PrimaryKeyConstraint("duns", name=op.f("pk_suppliers")),
        _one_of("suppliers", "ucb_por", ("none", "bill_ready", "rate_ready", "both")),
        _one_of("suppliers", "sbo", ("none", "agent", "guarantor")),
    )
    op.create_table(
        "accounts",
        sa.Column("account_number", sa.String(30), nullable=False),
        sa.Column("customer_name", sa.String(60), nullable=False),
        sa.Column("service_address", sa.String(55), nullable=False),
        sa.Column("city", sa.String(30), nullable=False),
        sa.Column("state", sa.String(2), nullable=False),
        sa.Column("zip", sa.String(9), nullable=False),
        sa.Column("bill_group", sa.String(2), nullable=False),
        sa.Column("calendar_billing", sa.String(4), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.PrimaryKeyConstraint("account_number", name=op.f("pk_accounts")),
        _one_of("accounts", "bill_group", BILL_GROUPS),
        _one_of("accounts", "calendar_billing", ("none", "bom", "mom", "eom")),
        _one_of("accounts", "status", ("active", "inactive", "final")),
    )
    op.create_index(op.f("ix_accounts_bill_group"), "accounts", ["bill_group"])
    op.create_table(
        "service_points",
        sa.Column("service_point_id", sa.String(30), nullable=False),
        sa.Column("account_number", sa.String(30), nullable=False),
        sa.Column("rate_class", sa.String(4), nullable=False),
        sa.Column("metering", sa.String(8), nullable=False),
        sa.Column("supplier", sa.String(13), nullable=False),
        sa.Column("lighting", sa.Boolean(), nullable=False),
        sa.Column("plc", sa.Numeric(15, 4), nullable=True),
        sa.Column("load_profile", sa.String(30), nullable=True),
        sa.Column("delivery_voltage", sa.String(30), nullable=True),
        sa.Column("supply_voltage", sa.String(30), nullable=True),
        sa.Column("meter_voltage", sa.String(30), nullable=True),
        sa.Column("rate_zone", sa.String(30), nullable=True),
        sa.PrimaryKeyConstraint("service_point_id", name=op.f("pk_service_points")),
        sa.ForeignKeyConstraint(["account_number"], ["accounts.account_number"],
                                name=op.f("fk_service_points_account_number_accounts")),
        _one_of("service_points", "rate_class", ("DS1", "DS2", "DS3A", "DS3B", "DS4", "DS5", "DS6")),
        _one_of("service_points", "metering", ("scalar", "interval")),
    )
    op.create_index(op.f("ix_service_points_account_number"), "service_points", ["account_number"])
    op.create_table(
        "meters",
        sa.Column("meter_number", sa.String(30), nullable=False),
        sa.Column("service_point_id", sa.String(30), nullable=False),
        sa.Column("role", sa.String(1), nullable=False),
        sa.Column("interval_minutes", sa.Integer(), nullable=True),
        sa.Column("multiplier", sa.Numeric(12, 6), nullable=False),
        sa.PrimaryKeyConstraint("meter_number", name=op.f("pk_meters")),
        sa.ForeignKeyConstraint(["service_point_id"], ["service_points.service_point_id"],
                                name=op.f("fk_meters_service_point_id_service_points")),
        _one_of("meters", "role", ("A", "S")),
        sa.CheckConstraint("interval_minutes IS NULL OR interval_minutes IN (15, 30, 60)",
                           name=op.f("ck_meters_interval_minutes")),
        sa.CheckConstraint("multiplier > 0", name=op.f("ck_meters_multiplier")),
    )
    op.create_index(op.f("ix_meters_service_point_id"), "meters", ["service_point_id"])
    op.create_table(
        "read_schedule",
        sa.Column("bill_group", sa.String(2), nullable=False),
        sa.Column("read_date", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("bill_group", "read_date", name=op.f("pk_read_schedule")),
        _one_of("read_schedule", "bill_group", BILL_GROUPS),
    )
    op.create_table(
        "holidays",
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("name", sa.String(60), nullable=False),
        sa.PrimaryKeyConstraint("date", name=op.f("pk_holidays")),
    )
    op.create_table(
        "ingest_ledger",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender", sa.String(15), nullable=False),
        sa.Column("isa13", sa.String(9), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("outcome", sa.String(11), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_ledger")),
        sa.UniqueConstraint("sender", "isa13", name=op.f("uq_ingest_ledger_sender_isa13")),
        sa.UniqueConstraint("sha256", name=op.f("uq_ingest_ledger_sha256")),
        _one_of("ingest_ledger", "outcome", ("processed", "quarantined")),
    )
    op.create_table(
        "ingest_sets",
        sa.Column("ledger_id", sa.Integer(), nullable=False),
        sa.Column("gs06", sa.String(9), nullable=False),
        sa.Column("st02", sa.String(9), nullable=False),
        sa.Column("st01", sa.String(3), nullable=False),
        sa.Column("processed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("ledger_id", "gs06", "st02", name=op.f("pk_ingest_sets")),
        sa.ForeignKeyConstraint(["ledger_id"], ["ingest_ledger.id"],
                                name=op.f("fk_ingest_sets_ledger_id_ingest_ledger")),
    )
    op.create_table(
        "switch_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(17), nullable=False),
        sa.Column("direction", sa.String(3), nullable=False),
        sa.Column("supplier", sa.String(13), nullable=False),
        sa.Column("account_number", sa.String(30), nullable=False),
        sa.Column("service_point_id", sa.String(30), nullable=True),
        sa.Column("request_ref", sa.String(50), nullable=False),
        sa.Column("line_ref", sa.String(30), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("requested_date", sa.Date(), nullable=True),
        sa.Column("off_cycle", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(9), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=True),
        sa.Column("effective_at", sa.DateTime(), nullable=True),
        sa.Column("rejection_code", sa.String(3), nullable=True),
        sa.Column("rejection_text", sa.String(80), nullable=True),
        sa.Column("related_request_id", sa.Integer(), nullable=True),
        sa.Column("ledger_id", sa.Integer(), nullable=True),
        sa.Column("source_file", sa.String(255), nullable=True),
        sa.Column("isa13", sa.String(9), nullable=True),
        sa.Column("gs06", sa.String(9), nullable=True),
        sa.Column("st02", sa.String(9), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_switch_requests")),
        sa.ForeignKeyConstraint(["related_request_id"], ["switch_requests.id"],
                                name=op.f("fk_switch_requests_related_request_id_switch_requests")),
        sa.ForeignKeyConstraint(["ledger_id"], ["ingest_ledger.id"],
                                name=op.f("fk_switch_requests_ledger_id_ingest_ledger")),
        _one_of("switch_requests", "kind",
                ("enrollment", "drop", "rescission", "drop_cancel", "reinstatement", "utility_initiated")),
        _one_of("switch_requests", "direction", ("in", "out")),
        _one_of("switch_requests", "status",
                ("pending", "accepted", "rejected", "effective", "cancelled", "rescinded")),
    )
    op.create_index(op.f("ix_switch_requests_account_number"), "switch_requests", ["account_number"])
    op.create_index(op.f("ix_switch_requests_service_point_id"), "switch_requests", ["service_point_id"])
    op.create_index(op.f("ix_switch_requests_supplier_request_ref"), "switch_requests", ["supplier", "request_ref"])
    op.create_table(
        "supply_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_point_id", sa.String(30), nullable=False),
        sa.Column("supplier", sa.String(13), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("cause_request_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supply_history")),
        sa.ForeignKeyConstraint(["service_point_id"], ["service_points.service_point_id"],
                                name=op.f("fk_supply_history_service_point_id_service_points")),
        sa.ForeignKeyConstraint(["cause_request_id"], ["switch_requests.id"],
                                name=op.f("fk_supply_history_cause_request_id_switch_requests")),
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name=op.f("ck_supply_history_period")),
    )
    op.create_index(op.f("ix_supply_history_service_point_id_start_date"), "supply_history",
                    ["service_point_id", "start_date"])
    op.create_table(
        "control_numbers",
        sa.Column("scope", sa.String(100), nullable=False),
        sa.Column("last_value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_control_numbers")),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("receiver", sa.String(15), nullable=False),
        sa.Column("st01", sa.String(3), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_file", sa.String(255), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("ledger_id", sa.Integer(), nullable=True),
        sa.Column("source_gs06", sa.String(9), nullable=True),
        sa.Column("source_st02", sa.String(9), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.ForeignKeyConstraint(["ledger_id"], ["ingest_ledger.id"], name=op.f("fk_outbox_ledger_id_ingest_ledger")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_outbox_idempotency_key")),
    )
    op.create_index(op.f("ix_outbox_sent_at"), "outbox", ["sent_at"])


def downgrade() -> None:
    for index, table in (
        ("ix_outbox_sent_at", "outbox"),
        ("ix_supply_history_service_point_id_start_date", "supply_history"),
        ("ix_switch_requests_supplier_request_ref", "switch_requests"),
        ("ix_switch_requests_service_point_id", "switch_requests"),
        ("ix_switch_requests_account_number", "switch_requests"),
        ("ix_meters_service_point_id", "meters"),
        ("ix_service_points_account_number", "service_points"),
        ("ix_accounts_bill_group", "accounts"),
    ):
        op.drop_index(op.f(index), table_name=table)
    for table in ("outbox", "control_numbers", "supply_history", "switch_requests", "ingest_sets", "ingest_ledger",
                  "holidays", "read_schedule", "meters", "service_points", "accounts", "suppliers"):
        op.drop_table(table)

"""Meter data and the 867s sent from it: loads, interval reads, register reads, read events, load
profiles, usage reports.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

Self-contained like 0001: types, names and value sets spelled out. Instants are ``DateTime`` holding
naive UTC (interval data is stored in UTC and labelled in prevailing time only when written).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _one_of(table: str, column: str, values: tuple[str, ...]) -> sa.CheckConstraint:
    listed = ", ".join(f"'{value}'" for value in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=op.f(f"ck_{table}_{column}"))


def _load_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["load_id"], ["meter_loads.id"], name=op.f(f"fk_{table}_load_id_meter_loads"))


def upgrade() -> None:
    op.create_table(
        "meter_loads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meter_loads")),
        _one_of("meter_loads", "kind", ("interval", "register", "events", "profile")),
    )
    op.create_index(op.f("ix_meter_loads_checked_at"), "meter_loads", ["checked_at"])
    op.create_table(
        "interval_reads",
        sa.Column("meter_number", sa.String(30), nullable=False),
        sa.Column("interval_end", sa.DateTime(), nullable=False),
        sa.Column("kwh", sa.Numeric(15, 6), nullable=True),
        sa.Column("quality", sa.String(1), nullable=False),
        sa.Column("load_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("meter_number", "interval_end", name=op.f("pk_interval_reads")),
        sa.ForeignKeyConstraint(["meter_number"], ["meters.meter_number"],
                                name=op.f("fk_interval_reads_meter_number_meters")),
        _load_fk("interval_reads"),
        _one_of("interval_reads", "quality", ("A", "E", "M")),
        sa.CheckConstraint("(quality = 'M' AND kwh IS NULL) OR (quality <> 'M' AND kwh IS NOT NULL)",
                           name=op.f("ck_interval_reads_kwh")),
    )
    op.create_index(op.f("ix_interval_reads_load_id"), "interval_reads", ["load_id"])
    op.create_table(
        "register_reads",
        sa.Column("meter_number", sa.String(30), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=False),
        sa.Column("register_kwh", sa.Numeric(15, 6), nullable=False),
        sa.Column("read_type", sa.String(9), nullable=False),
        sa.Column("load_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("meter_number", "read_at", name=op.f("pk_register_reads")),
        sa.ForeignKeyConstraint(["meter_number"], ["meters.meter_number"],
                                name=op.f("fk_register_reads_meter_number_meters")),
        _load_fk("register_reads"),
        _one_of("register_reads", "read_type", ("actual", "estimated")),
    )
    op.create_index(op.f("ix_register_reads_load_id"), "register_reads", ["load_id"])
    op.create_table(
        "read_events",
        sa.Column("service_point_id", sa.String(30), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=False),
        sa.Column("load_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("service_point_id", "read_at", name=op.f("pk_read_events")),
        sa.ForeignKeyConstraint(["service_point_id"], ["service_points.service_point_id"],
                                name=op.f("fk_read_events_service_point_id_service_points")),
        _load_fk("read_events"),
    )
    op.create_table(
        "load_profiles",
        sa.Column("load_profile", sa.String(30), nullable=False),
        sa.Column("interval_end", sa.DateTime(), nullable=False),
        sa.Column("kwh", sa.Numeric(15, 6), nullable=False),
        sa.Column("load_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("load_profile", "interval_end", name=op.f("pk_load_profiles")),
        _load_fk("load_profiles"),
    )
    op.create_table(
        "usage_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_point_id", sa.String(30), nullable=False),
        sa.Column("supplier", sa.String(13), nullable=False),
        sa.Column("period_start", sa.DateTime(), nullable=True),
        sa.Column("period_end", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(9), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("purpose", sa.String(2), nullable=True),
        sa.Column("reference", sa.String(30), nullable=True),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.Column("cancels_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usage_reports")),
        sa.ForeignKeyConstraint(["service_point_id"], ["service_points.service_point_id"],
                                name=op.f("fk_usage_reports_service_point_id_service_points")),
        sa.ForeignKeyConstraint(["replaces_id"], ["usage_reports.id"],
                                name=op.f("fk_usage_reports_replaces_id_usage_reports")),
        sa.ForeignKeyConstraint(["cancels_id"], ["usage_reports.id"],
                                name=op.f("fk_usage_reports_cancels_id_usage_reports")),
        sa.UniqueConstraint("reference", name=op.f("uq_usage_reports_reference")),
        _one_of("usage_reports", "status", ("sent", "cancelled", "cancel", "not_sent")),
    )
    op.create_index(op.f("ix_usage_reports_service_point_id_period_end"), "usage_reports",
                    ["service_point_id", "period_end"])


def downgrade() -> None:
    op.drop_index(op.f("ix_usage_reports_service_point_id_period_end"), table_name="usage_reports")
    op.drop_table("usage_reports")
    op.drop_table("load_profiles")
    op.drop_table("read_events")
    op.drop_index(op.f("ix_register_reads_load_id"), table_name="register_reads")
    op.drop_table("register_reads")
    op.drop_index(op.f("ix_interval_reads_load_id"), table_name="interval_reads")
    op.drop_table("interval_reads")
    op.drop_index(op.f("ix_meter_loads_checked_at"), table_name="meter_loads")
    op.drop_table("meter_loads")

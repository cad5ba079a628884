"""The tables, in SQLAlchemy Core: the one description the queries and the migration check share.

Portable to SQLite and PostgreSQL: plain types, value sets as named CHECK constraints (not native
enums), constraint names fixed by a naming convention so that migrations can refer to them.
This module is *not* how the schema is created: migrations are (``migrations/versions``), and a test
checks with alembic's autogenerate that the head revision and these tables agree.

Timestamps (:class:`UtcDateTime`) go in as aware datetimes, are stored as naive UTC in a
``TIMESTAMP WITHOUT TIME ZONE`` (SQLite: ISO text), and come out as aware UTC datetimes: the same
on both databases, whatever the server's or session's time zone. Decimals are ``NUMERIC`` with at
most 15 significant digits, which SQLite (that keeps them as floating point) returns exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)

from processor.calendar import BILL_GROUPS
from processor.store.records import (
    AccountStatus,
    CalendarBilling,
    Direction,
    LedgerOutcome,
    Metering,
    MeterRole,
    RateClass,
    RequestKind,
    RequestStatus,
    Sbo,
    UcbPor,
)

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator[datetime]):
    """An instant: aware in, naive UTC in the database, aware UTC out. Naive datetimes are refused."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"the store keeps instants only: give {value.isoformat()} a time zone")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)

    def bind_processor(self, dialect: Dialect) -> Callable[[datetime | None], Any] | None:
        """On SQLite, the text SQLAlchemy's SQLite ``DATETIME`` writes, in one step instead of two (a batch
        binds several instants per 814: ``tests/integration/test_statements.py`` checks the text is the same)."""
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        def sqlite_text(value: datetime | None) -> str | None:
            naive = self.process_bind_param(value, dialect)
            return None if naive is None else naive.isoformat(" ", "microseconds")

        return sqlite_text


def one_of(column: str, values: Iterable[str] | type[StrEnum], name: str | None = None) -> CheckConstraint:
    """``column IN (…)`` as a named CHECK constraint (SQL literals, both databases)."""
    listed = ", ".join(f"'{value}'" for value in values)  # a StrEnum member formats as its value
    return CheckConstraint(f"{column} IN ({listed})", name=name or column)


# ---------------------------------------------------------------------------- master data

suppliers = Table(
    "suppliers",
    metadata,
    Column("duns", String(13), primary_key=True),
    Column("name", String(60), nullable=False),
    Column("ucb_por", String(10), nullable=False),
    Column("sbo", String(9), nullable=False),
    one_of("ucb_por", UcbPor),
    one_of("sbo", Sbo),
)

accounts = Table(
    "accounts",
    metadata,
    Column("account_number", String(30), primary_key=True),
    Column("customer_name", String(60), nullable=False),
    Column("service_address", String(55), nullable=False),
    Column("city", String(30), nullable=False),
    Column("state", String(2), nullable=False),
    Column("zip", String(9), nullable=False),
    Column("bill_group", String(2), nullable=False, index=True),
    Column("calendar_billing", String(4), nullable=False),
    Column("status", String(8), nullable=False),
    one_of("bill_group", BILL_GROUPS),
    one_of("calendar_billing", CalendarBilling),
    one_of("status", AccountStatus),
)

service_points = Table(
    "service_points",
    metadata,
    Column("service_point_id", String(30), primary_key=True),
    Column("account_number", String(30), ForeignKey("accounts.account_number"), nullable=False, index=True),
    Column("rate_class", String(4), nullable=False),
    Column("metering", String(8), nullable=False),
    Column("supplier", String(13), nullable=False),  # a RES DUNS or BGS/RTP/HSS: no foreign key
    Column("lighting", Boolean, nullable=False),
    Column("plc", Numeric(15, 4)),
    Column("load_profile", String(30)),
    Column("delivery_voltage", String(30)),
    Column("supply_voltage", String(30)),
    Column("meter_voltage", String(30)),
    Column("rate_zone", String(30)),
    one_of("rate_class", RateClass),
    one_of("metering", Metering),
)

meters = Table(
    "meters",
    metadata,
    Column("meter_number", String(30), primary_key=True),
    Column("service_point_id", String(30), ForeignKey("service_points.service_point_id"), nullable=False,
           index=True),
    Column("role", String(1), nullable=False),
    Column("interval_minutes", Integer),
    Column("multiplier", Numeric(12, 6), nullable=False),
    one_of("role", MeterRole),
    CheckConstraint("interval_minutes IS NULL OR interval_minutes IN (15, 30, 60)", name="interval_minutes"),
    CheckConstraint("multiplier > 0", name="multiplier"),
)

read_schedule = Table(
    "read_schedule",
    metadata,
    Column("bill_group", String(2), nullable=False),
    Column("read_date", Date, nullable=False),
    PrimaryKeyConstraint("bill_group", "read_date"),
    one_of("bill_group", BILL_GROUPS),
)

holidays = Table(
    "holidays",
    metadata,
    Column("date", Date, primary_key=True),
    Column("name", String(60), nullable=False),
)

# ------------------------------------------------------------------------------ switching

switch_requests = Table(
    "switch_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(17), nullable=False),
    Column("direction", String(3), nullable=False),
    Column("supplier", String(13), nullable=False),
    Column("account_number", String(30), nullable=False, index=True),
    Column("service_point_id", String(30), index=True),
    Column("request_ref", String(50), nullable=False),
    Column("line_ref", String(30), nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("requested_date", Date),
    Column("off_cycle", Boolean, nullable=False),
    Column("status", String(9), nullable=False),
    Column("effective_date", Date),
    Column("effective_at", UtcDateTime),
    Column("rejection_code", String(3)),
    Column("rejection_text", String(80)),
    Column("related_request_id", Integer, ForeignKey("switch_requests.id")),
    Column("ledger_id", Integer, ForeignKey("ingest_ledger.id")),
    Column("source_file", String(255)),
    Column("isa13", String(9)),
    Column("gs06", String(9)),
    Column("st02", String(9)),
    Column("updated_at", UtcDateTime, nullable=False),
    one_of("kind", RequestKind),
    one_of("direction", Direction),
    one_of("status", RequestStatus),
    Index(None, "supplier", "request_ref"),
)

supply_history = Table(
    "supply_history",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("service_point_id", String(30), ForeignKey("service_points.service_point_id"), nullable=False),
    Column("supplier", String(13), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date),
    Column("cause_request_id", Integer, ForeignKey("switch_requests.id")),
    Column("recorded_at", UtcDateTime, nullable=False),
    CheckConstraint("end_date IS NULL OR end_date >= start_date", name="period"),
    Index(None, "service_point_id", "start_date"),
)

# --------------------------------------------------------------------- exactly-once machinery

ingest_ledger = Table(
    "ingest_ledger",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sender", String(15), nullable=False),
    Column("isa13", String(9), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("file_name", String(255), nullable=False),
    Column("claimed_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime),
    Column("outcome", String(11)),
    UniqueConstraint("sender", "isa13"),
    UniqueConstraint("sha256"),
    one_of("outcome", LedgerOutcome),
)

ingest_sets = Table(
    "ingest_sets",
    metadata,
    Column("ledger_id", Integer, ForeignKey("ingest_ledger.id"), nullable=False),
    Column("gs06", String(9), nullable=False),
    Column("st02", String(9), nullable=False),
    Column("st01", String(3), nullable=False),
    Column("processed_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("ledger_id", "gs06", "st02"),
)

control_numbers = Table(
    "control_numbers",
    metadata,
    Column("scope", String(100), primary_key=True),
    Column("last_value", BigInteger, nullable=False),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("idempotency_key", String(200), nullable=False),
    Column("receiver", String(15), nullable=False),
    Column("st01", String(3), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("payload", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("sent_file", String(255), index=True),  #: staging and writing look messages up by it (0006)
    Column("sent_at", UtcDateTime, index=True),
    Column("ledger_id", Integer, ForeignKey("ingest_ledger.id")),
    Column("source_gs06", String(9)),
    Column("source_st02", String(9)),
    UniqueConstraint("idempotency_key"),
)

# ------------------------------------------------------------------------- outbound files

#: One row per outbound file, recorded (with its control numbers and time) BEFORE the file is
#: written, so a run that dies between writing the file and marking it sent writes the very same
#: bytes under the very same name next time, instead of a second file with new numbers.
outbound_files = Table(
    "outbound_files",
    metadata,
    Column("name", String(120), primary_key=True),
    Column("receiver", String(15), nullable=False),
    Column("st01", String(3), nullable=False),
    Column("isa13", Integer, nullable=False),
    Column("gs06", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("written_at", UtcDateTime, index=True),
)

# ------------------------------------------------------------------------------ meter data
# Interval data is stored in UTC and labelled in prevailing time only when written (design.md, Time).

#: One row per meter-data file loaded by ``edi usage``; every read row names the load that wrote it last.
meter_loads = Table(
    "meter_loads",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("file_name", String(255), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("rows", Integer, nullable=False),
    Column("loaded_at", UtcDateTime, nullable=False),
    Column("checked_at", UtcDateTime, index=True),
    one_of("kind", ("interval", "register", "events", "profile")),
)

interval_reads = Table(
    "interval_reads",
    metadata,
    Column("meter_number", String(30), ForeignKey("meters.meter_number"), nullable=False),
    Column("interval_end", UtcDateTime, nullable=False),
    Column("kwh", Numeric(15, 6)),
    Column("quality", String(1), nullable=False),
    Column("load_id", Integer, ForeignKey("meter_loads.id"), nullable=False, index=True),
    PrimaryKeyConstraint("meter_number", "interval_end"),
    one_of("quality", ("A", "E", "M")),
    CheckConstraint("(quality = 'M' AND kwh IS NULL) OR (quality <> 'M' AND kwh IS NOT NULL)", name="kwh"),
)

register_reads = Table(
    "register_reads",
    metadata,
    Column("meter_number", String(30), ForeignKey("meters.meter_number"), nullable=False),
    Column("read_at", UtcDateTime, nullable=False),
    Column("register_kwh", Numeric(15, 6), nullable=False),
    Column("read_type", String(9), nullable=False),
    Column("load_id", Integer, ForeignKey("meter_loads.id"), nullable=False, index=True),
    PrimaryKeyConstraint("meter_number", "read_at"),
    one_of("read_type", ("actual", "estimated")),
)

read_events = Table(
    "read_events",
    metadata,
    Column("service_point_id", String(30), ForeignKey("service_points.service_point_id"), nullable=False),
    Column("read_at", UtcDateTime, nullable=False),
    Column("load_id", Integer, ForeignKey("meter_loads.id"), nullable=False),
    PrimaryKeyConstraint("service_point_id", "read_at"),
)

load_profiles = Table(
    "load_profiles",
    metadata,
    Column("load_profile", String(30), nullable=False),
    Column("interval_end", UtcDateTime, nullable=False),
    Column("kwh", Numeric(15, 6), nullable=False),
    Column("load_id", Integer, ForeignKey("meter_loads.id"), nullable=False),
    PrimaryKeyConstraint("load_profile", "interval_end"),
)

#: One row per 867 sent (originals and cancels) and per billing period that needs none.
usage_reports = Table(
    "usage_reports",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("service_point_id", String(30), ForeignKey("service_points.service_point_id"), nullable=False),
    Column("supplier", String(13), nullable=False),
    Column("period_start", UtcDateTime),
    Column("period_end", UtcDateTime, nullable=False),
    Column("status", String(9), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("purpose", String(2)),
    Column("reference", String(30), unique=True),
    Column("final", Boolean, nullable=False),
    Column("fingerprint", String(64)),
    Column("body", Text),
    Column("replaces_id", Integer, ForeignKey("usage_reports.id")),
    Column("cancels_id", Integer, ForeignKey("usage_reports.id")),
    Column("note", String(200)),
    one_of("status", ("sent", "cancelled", "cancel", "not_sent")),
    Index(None, "service_point_id", "period_end"),
)

# ------------------------------------------------------------------------- the batch's work queue
# Coordination of the workers of ``edi batch`` (processor.store.batch_queue): in-flight work only, a
# row leaves the queue when its file is archived or quarantined.

#: One row per run of ``edi batch`` (a machine's cron job, with its workers). ``lock_key`` is the advisory
#: lock its process holds while it lives (PostgreSQL), so another run can tell a crashed run from a live one;
#: ``queued`` how many files it was given (the next ``seq``); ``finished_at`` when it stopped taking files.
batch_runs = Table(
    "batch_runs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("workers", Integer, nullable=False),
    Column("lock_key", BigInteger, nullable=False),
    Column("queued", Integer, nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime),
)

#: One row per inbound file a run has queued and not finished: ``seq`` is the order in which the files'
#: database work is applied (the order one process would use), ``owner`` the advisory lock key of the
#: worker processing it (NULL while queued).
batch_files = Table(
    "batch_files",
    metadata,
    Column("name", String(255), primary_key=True),
    Column("run_id", String(32), ForeignKey("batch_runs.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("state", String(7), nullable=False),
    Column("owner", BigInteger),
    Column("owner_name", String(100)),
    Column("claimed_at", UtcDateTime),
    UniqueConstraint("run_id", "seq"),
    one_of("state", ("queued", "claimed", "applied")),
)

# ------------------------------------------------------------------------------ bill-ready billing
# Inbound 810 bill-ready invoices and the RES charge lines they put on consolidated bills (processor.billing).

#: The billing option an 814 enrollment asked for (REF*BLT, REF*PC, REF*9V), one row per switch request.
enrollment_billing = Table(
    "enrollment_billing",
    metadata,
    Column("request_id", Integer, ForeignKey("switch_requests.id"), primary_key=True),
    Column("billing_type", String(4)),
    Column("calculator", String(4)),
    Column("payment_option", String(30)),
)

#: One row per inbound 810, accepted or rejected (values as in :class:`~processor.store.records.InvoiceStatus`).
invoices = Table(
    "invoices",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("supplier", String(13), nullable=False),
    Column("number", String(30), nullable=False),
    Column("invoice_date", Date, nullable=False),
    Column("purpose", String(2), nullable=False),
    Column("original_number", String(30)),
    Column("account_number", String(30), nullable=False, index=True),
    Column("service_point_id", String(30)),
    Column("period_start", Date),
    Column("period_end", Date),
    Column("total", Numeric(15, 2), nullable=False),
    Column("status", String(9), nullable=False),
    Column("rejection_code", String(3)),
    Column("rejection_text", String(200)),
    Column("usage_report_id", Integer, ForeignKey("usage_reports.id")),
    Column("cancels_id", Integer, ForeignKey("invoices.id")),
    Column("bill_date", Date),
    Column("received_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("source_file", String(255)),
    Column("isa13", String(9)),
    Column("gs06", String(9)),
    Column("st02", String(9)),
    one_of("purpose", ("00", "01")),
    one_of("status", ("accepted", "rejected", "cancelled")),
    Index(None, "supplier", "number"),
    Index(None, "service_point_id", "period_end"),
)

#: The RES charges on an account's bills: lines are added, never changed (a cancel adds negated lines).
bill_lines = Table(
    "bill_lines",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("invoice_id", Integer, ForeignKey("invoices.id"), nullable=False, index=True),
    Column("account_number", String(30), nullable=False),
    Column("service_point_id", String(30), nullable=False),
    Column("supplier", String(13), nullable=False),
    Column("bill_date", Date),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("indicator", String(1), nullable=False),
    Column("code", String(10), nullable=False),
    Column("description", String(80)),
    Column("amount", Numeric(15, 2), nullable=False),
    Column("rate", String(20)),
    Column("unit", String(2)),
    Column("quantity", String(20)),
    Column("print_sequence", String(30)),
    Column("reverses_id", Integer, ForeignKey("bill_lines.id")),
    Column("created_at", UtcDateTime, nullable=False),
    one_of("indicator", ("C", "A", "N")),
    Index(None, "account_number", "bill_date"),
)

"""Meter data: interval reads, register reads, read events, load profiles, and the 867s sent from them.

Written by ``edi usage`` (each file one *load*, every row it writes naming that load) and read by the 867
production of :mod:`processor.usage`. A row whose key comes again is replaced whole (the newer file is the
truth for what it names): that is how corrected data arrives, and the loads not yet *checked* tell the next
batch which periods already sent may need a cancel and a replacement. Interval data is stored in UTC
(design.md, Time); nothing here labels it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, RowMapping, func, insert, or_, select, update

from processor.store import schema
from processor.store.master_data import plain_decimal
from processor.store.records import (
    IntervalRead,
    MeterDataKind,
    MeterLoad,
    NewUsageRecord,
    ProfileValue,
    ReadEvent,
    ReadQuality,
    ReadType,
    RegisterRead,
    UsageRecord,
    UsageStatus,
)
from processor.store.statements import upsert

#: Rows per INSERT … ON CONFLICT statement: a month of 15-minute reads is a few thousand rows per meter.
_BATCH = 5000
#: Interval qualities that carry a value (A actual, E estimated by the meter data system).
_KNOWN = (ReadQuality.ACTUAL.value, ReadQuality.ESTIMATED.value)


class MeterData:
    """Meter data and usage reports inside one unit of work's transaction."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    # ----------------------------------------------------------------------------------- loads

    def add_load(self, file_name: str, kind: MeterDataKind, rows: int, *, at: datetime) -> MeterLoad:
        """Record a file being loaded; its rows are then written with :meth:`save_intervals` & co."""
        table = schema.meter_loads
        load_id = self._connection.execute(
            table.insert().values(file_name=file_name[-255:], kind=kind.value, rows=rows, loaded_at=at)
            .returning(table.c.id)).scalar_one()
        return MeterLoad(load_id, file_name[-255:], kind, rows, at)

    def unchecked_loads(self) -> list[MeterLoad]:
        """Loads no batch has looked at yet, oldest first."""
        table = schema.meter_loads
        rows = self._connection.execute(select(table).where(table.c.checked_at.is_(None)).order_by(table.c.id))
        return [_load(row) for row in rows.mappings()]

    def mark_checked(self, load_ids: Iterable[int], *, at: datetime) -> None:
        ids = list(load_ids)
        if ids:
            table = schema.meter_loads
            self._connection.execute(update(table).where(table.c.id.in_(ids)).values(checked_at=at))

    def changed_spans(self, load_ids: Sequence[int]) -> dict[str, tuple[datetime, datetime]]:
        """Per meter, the first and last instant of the interval and register reads ``load_ids`` wrote last."""
        spans: dict[str, tuple[datetime, datetime]] = {}
        if not load_ids:
            return spans
        for table, column in ((schema.interval_reads, schema.interval_reads.c.interval_end),
                              (schema.register_reads, schema.register_reads.c.read_at)):
            query = (select(table.c.meter_number, func.min(column), func.max(column))
                     .where(table.c.load_id.in_(list(load_ids))).group_by(table.c.meter_number))
            for meter, low, high in self._connection.execute(query):
                if meter in spans:
                    low, high = min(low, spans[meter][0]), max(high, spans[meter][1])
                spans[meter] = (low, high)
        return spans

    # ---------------------------------------------------------------------------------- writes

    def save_intervals(self, load_id: int, reads: Iterable[IntervalRead]) -> int:
        values = [{"meter_number": r.meter_number, "interval_end": r.interval_end, "kwh": r.kwh,
                   "quality": r.quality.value, "load_id": load_id} for r in reads]
        return self._upsert(schema.interval_reads, values, ["meter_number", "interval_end"])

    def save_registers(self, load_id: int, reads: Iterable[RegisterRead]) -> int:
        values = [{"meter_number": r.meter_number, "read_at": r.read_at, "register_kwh": r.register_kwh,
                   "read_type": r.read_type.value, "load_id": load_id} for r in reads]
        return self._upsert(schema.register_reads, values, ["meter_number", "read_at"])

    def save_read_events(self, load_id: int, events: Iterable[ReadEvent]) -> int:
        values = [{"service_point_id": e.service_point_id, "read_at": e.read_at, "load_id": load_id} for e in events]
        return self._upsert(schema.read_events, values, ["service_point_id", "read_at"])

    def save_profile(self, load_id: int, values: Iterable[ProfileValue]) -> int:
        rows = [{"load_profile": v.load_profile, "interval_end": v.interval_end, "kwh": v.kwh, "load_id": load_id}
                for v in values]
        return self._upsert(schema.load_profiles, rows, ["load_profile", "interval_end"])

    def _upsert(self, table: Any, values: list[dict[str, Any]], key: list[str]) -> int:
        for start in range(0, len(values), _BATCH):
            upsert(self._connection, table, values[start : start + _BATCH], key)
        return len(values)

    # ----------------------------------------------------------------------------- interval reads

    def intervals(self, meter_number: str, after: datetime, until: datetime) -> list[IntervalRead]:
        """The meter's interval reads ending in ``(after, until]``, in time order."""
        table = schema.interval_reads
        query = (select(table).where(table.c.meter_number == meter_number, table.c.interval_end > after,
                                     table.c.interval_end <= until).order_by(table.c.interval_end))
        return [_interval(row) for row in self._connection.execute(query).mappings()]

    def known_before(self, meter_number: str, before: datetime) -> datetime | None:
        """The end of the meter's last interval with a value (A or E) ending before ``before``."""
        table = schema.interval_reads
        query = select(func.max(table.c.interval_end)).where(
            table.c.meter_number == meter_number, table.c.interval_end < before, table.c.quality.in_(_KNOWN))
        value = self._connection.execute(query).scalar()
        return value

    def known_after(self, meter_number: str, after: datetime) -> datetime | None:
        """The end of the meter's first interval with a value (A or E) ending after ``after``."""
        table = schema.interval_reads
        query = select(func.min(table.c.interval_end)).where(
            table.c.meter_number == meter_number, table.c.interval_end > after, table.c.quality.in_(_KNOWN))
        value = self._connection.execute(query).scalar()
        return value

    def first_interval_end(self, meter_number: str) -> datetime | None:
        """The end of the meter's first stored interval, whatever its quality."""
        table = schema.interval_reads
        value = self._connection.execute(
            select(func.min(table.c.interval_end)).where(table.c.meter_number == meter_number)).scalar()
        return value

    # ----------------------------------------------------------------------------- register reads

    def registers(self, meter_number: str, since: datetime, until: datetime) -> list[RegisterRead]:
        """The meter's register reads taken in ``[since, until]``, in time order."""
        table = schema.register_reads
        query = (select(table).where(table.c.meter_number == meter_number, table.c.read_at >= since,
                                     table.c.read_at <= until).order_by(table.c.read_at))
        return [_register(row) for row in self._connection.execute(query).mappings()]

    def register_at_or_before(self, meter_number: str, moment: datetime) -> RegisterRead | None:
        table = schema.register_reads
        query = (select(table).where(table.c.meter_number == meter_number, table.c.read_at <= moment)
                 .order_by(table.c.read_at.desc()).limit(1))
        row = self._connection.execute(query).mappings().first()
        return None if row is None else _register(row)

    def register_at_or_after(self, meter_number: str, moment: datetime) -> RegisterRead | None:
        table = schema.register_reads
        query = (select(table).where(table.c.meter_number == meter_number, table.c.read_at >= moment)
                 .order_by(table.c.read_at).limit(1))
        row = self._connection.execute(query).mappings().first()
        return None if row is None else _register(row)

    # -------------------------------------------------------------------------------- read events

    def read_events(self, service_point_id: str) -> list[ReadEvent]:
        """The service point's read events, in time order."""
        table = schema.read_events
        query = select(table).where(table.c.service_point_id == service_point_id).order_by(table.c.read_at)
        return [ReadEvent(row["service_point_id"], row["read_at"])
                for row in self._connection.execute(query).mappings()]

    def undecided_read_events(self) -> list[ReadEvent]:
        """Read events whose period has no 867 and no decision to send none yet, by service point and time."""
        events, reports = schema.read_events, schema.usage_reports
        decided = select(reports.c.id).where(
            reports.c.service_point_id == events.c.service_point_id, reports.c.period_end == events.c.read_at,
            reports.c.status.in_([UsageStatus.SENT.value, UsageStatus.CANCELLED.value,
                                  UsageStatus.NOT_SENT.value])).exists()
        query = select(events).where(~decided).order_by(events.c.service_point_id, events.c.read_at)
        return [ReadEvent(row["service_point_id"], row["read_at"])
                for row in self._connection.execute(query).mappings()]

    # ------------------------------------------------------------------------------ load profiles

    def profile(self, load_profile: str, after: datetime, until: datetime) -> dict[datetime, Decimal]:
        """The profile's hourly kWh for the hours ending in ``(after, until]``."""
        table = schema.load_profiles
        query = select(table.c.interval_end, table.c.kwh).where(
            table.c.load_profile == load_profile, table.c.interval_end > after, table.c.interval_end <= until)
        return {end: plain_decimal(kwh) for end, kwh in self._connection.execute(query)}

    # ------------------------------------------------------------------------------ usage reports

    def add_usage(self, record: NewUsageRecord) -> UsageRecord:
        table = schema.usage_reports
        values = {
            "service_point_id": record.service_point_id, "supplier": record.supplier,
            "period_start": record.period_start, "period_end": record.period_end, "status": record.status.value,
            "created_at": record.created_at, "purpose": record.purpose, "reference": record.reference,
            "final": record.final, "fingerprint": record.fingerprint, "body": record.body,
            "replaces_id": record.replaces_id, "cancels_id": record.cancels_id,
            "note": None if record.note is None else record.note[:200],
        }
        record_id = self._connection.execute(insert(table).values(values).returning(table.c.id)).scalar_one()
        return UsageRecord(id=record_id, **{**_fields(record), "note": values["note"]})

    def set_usage_status(self, record_id: int, status: UsageStatus) -> None:
        table = schema.usage_reports
        result = self._connection.execute(update(table).where(table.c.id == record_id).values(status=status.value))
        if result.rowcount != 1:
            raise KeyError(f"no usage report {record_id}")

    def usage_records(self, service_point_id: str | None = None) -> list[UsageRecord]:
        """Every recorded 867 and decision (of one service point), in the order recorded."""
        table = schema.usage_reports
        query = select(table).order_by(table.c.id)
        if service_point_id is not None:
            query = query.where(table.c.service_point_id == service_point_id)
        return [_usage(row) for row in self._connection.execute(query).mappings()]

    def standing_usage(self, service_point_ids: Iterable[str], since: datetime, until: datetime) -> list[UsageRecord]:
        """Originals still standing (``sent``) of the points whose period overlaps ``[since, until]``."""
        ids = sorted(set(service_point_ids))
        if not ids:
            return []
        table = schema.usage_reports
        query = (select(table).where(
            table.c.service_point_id.in_(ids), table.c.status == UsageStatus.SENT.value,
            table.c.period_end >= since,
            or_(table.c.period_start.is_(None), table.c.period_start <= until))
            .order_by(table.c.id))
        return [_usage(row) for row in self._connection.execute(query).mappings()]


def _load(row: RowMapping) -> MeterLoad:
    return MeterLoad(row["id"], row["file_name"], MeterDataKind(row["kind"]), row["rows"], row["loaded_at"],
                     row["checked_at"])


def _interval(row: RowMapping) -> IntervalRead:
    kwh = row["kwh"]
    return IntervalRead(row["meter_number"], row["interval_end"], None if kwh is None else plain_decimal(kwh),
                        ReadQuality(row["quality"]))


def _register(row: RowMapping) -> RegisterRead:
    return RegisterRead(row["meter_number"], row["read_at"], plain_decimal(row["register_kwh"]),
                        ReadType(row["read_type"]))


def _fields(record: NewUsageRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in NewUsageRecord.__dataclass_fields__}


def _usage(row: RowMapping) -> UsageRecord:
    record = NewUsageRecord(
        service_point_id=row["service_point_id"], supplier=row["supplier"], period_start=row["period_start"],
        period_end=row["period_end"], status=UsageStatus(row["status"]), created_at=row["created_at"],
        purpose=row["purpose"], reference=row["reference"], final=bool(row["final"]),
        fingerprint=row["fingerprint"], body=row["body"], replaces_id=row["replaces_id"],
        cancels_id=row["cancels_id"], note=row["note"])
    return UsageRecord(id=row["id"], **_fields(record))

"""Master data: suppliers, accounts, service points, meters, the read schedule and holidays.

Read by the handlers (inside their unit of work) and written by the loader, which replaces a row
whole when its key comes again (upsert). Nothing is ever deleted by a load.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Column, Connection, Executable, Table, bindparam, select

from processor.store import schema
from processor.store.records import (
    Account,
    AccountStatus,
    CalendarBilling,
    Holiday,
    Meter,
    Metering,
    MeterRole,
    RateClass,
    Sbo,
    ScheduledRead,
    ServicePoint,
    Supplier,
    UcbPor,
)
from processor.store.statements import Row, first, rows, upsert

#: Keys per IN (…) list: far below SQLite's and PostgreSQL's limits on bound parameters.
_CHUNK = 500


class MasterData:
    """Master data inside one unit of work's transaction.

    An account is read with its service points and their meters in one query (:func:`_account_tree`), and
    the questions that follow about that account (its points, their meters: an 814 asks all three) are
    answered from it: two statements fewer per 814 (batch profile, README). Only the last account is kept,
    and a load in the same unit of work forgets it.
    """

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._suppliers: dict[str, Supplier | None] = {}
        self._last: _AccountTree | None = None

    # ------------------------------------------------------------------------------- reads

    def get_supplier(self, duns: str) -> Supplier | None:
        """Read once per unit of work: a batch asks for the same few RES on every 814, and only a load
        (:meth:`upsert_suppliers`) changes them."""
        if duns not in self._suppliers:
            row = self._one(schema.suppliers, schema.suppliers.c.duns, duns)
            self._suppliers[duns] = None if row is None else _supplier(row)
        return self._suppliers[duns]

    def get_account(self, account_number: str) -> Account | None:
        found = rows(self._connection, _account_tree(), {"key": account_number})
        if not found:
            return None
        tree = self._last = _AccountTree.of(found)
        return tree.account

    def get_service_point(self, service_point_id: str) -> ServicePoint | None:
        row = self._one(schema.service_points, schema.service_points.c.service_point_id, service_point_id)
        return None if row is None else _service_point(row)

    def service_points_of(self, account_number: str) -> list[ServicePoint]:
        """The account's service points, by id."""
        if self._last is not None and self._last.account.account_number == account_number:
            return list(self._last.points)
        query = _by_key(schema.service_points, "account_number", "service_point_id")
        return [_service_point(row) for row in rows(self._connection, query, {"key": account_number})]

    def get_meter(self, meter_number: str) -> Meter | None:
        row = self._one(schema.meters, schema.meters.c.meter_number, meter_number)
        return None if row is None else _meter(row)

    def meters_of(self, service_point_id: str) -> list[Meter]:
        """The service point's meters, by number."""
        if self._last is not None and service_point_id in self._last.meters:
            return list(self._last.meters[service_point_id])
        query = _by_key(schema.meters, "service_point_id", "meter_number")
        return [_meter(row) for row in rows(self._connection, query, {"key": service_point_id})]

    def calendar_inputs(self) -> tuple[dict[date, str], dict[str, tuple[date, ...]]]:
        """What :class:`processor.calendar.Calendar` is built from: holidays and the read schedule."""
        holidays = {row.date: row.name for row in self._connection.execute(select(schema.holidays))}
        schedule: dict[str, list[date]] = {}
        query = select(schema.read_schedule).order_by(schema.read_schedule.c.bill_group,
                                                       schema.read_schedule.c.read_date)
        for row in self._connection.execute(query):
            schedule.setdefault(row.bill_group, []).append(row.read_date)
        return holidays, {group: tuple(reads) for group, reads in schedule.items()}

    def holiday_years(self) -> set[int]:
        """The years that have at least one holiday in the table."""
        return {day.year for day in self._connection.scalars(select(schema.holidays.c.date))}

    # ------------------------------------------------------------- what the loader checks

    def existing_suppliers(self, duns: Iterable[str]) -> set[str]:
        return self._existing(schema.suppliers.c.duns, duns)

    def existing_accounts(self, account_numbers: Iterable[str]) -> set[str]:
        return self._existing(schema.accounts.c.account_number, account_numbers)

    def metering_of(self, service_point_ids: Iterable[str]) -> dict[str, Metering]:
        """How each of the known ``service_point_ids`` is metered; unknown ids are left out."""
        table = schema.service_points
        found: dict[str, Metering] = {}
        for chunk in _chunks(sorted(set(service_point_ids))):
            query = select(table.c.service_point_id, table.c.metering).where(table.c.service_point_id.in_(chunk))
            found.update((row.service_point_id, Metering(row.metering)) for row in self._connection.execute(query))
        return found

    # ------------------------------------------------------------------------------ writes

    def upsert_suppliers(self, rows: Iterable[Supplier]) -> int:
        self._suppliers.clear()
        values = [{"duns": s.duns, "name": s.name, "ucb_por": s.ucb_por.value, "sbo": s.sbo.value} for s in rows]
        return upsert(self._connection, schema.suppliers, values, ["duns"])

    def upsert_accounts(self, rows: Iterable[Account]) -> int:
        values = [
            {
                "account_number": a.account_number,
                "customer_name": a.customer_name,
                "service_address": a.service_address,
                "city": a.city,
                "state": a.state,
                "zip": a.zip,
                "bill_group": a.bill_group,
                "calendar_billing": a.calendar_billing.value,
                "status": a.status.value,
            }
            for a in rows
        ]
        self._last = None
        return upsert(self._connection, schema.accounts, values, ["account_number"])

    def upsert_service_points(self, rows: Iterable[ServicePoint]) -> int:
        values = [
            {
                "service_point_id": p.service_point_id,
                "account_number": p.account_number,
                "rate_class": p.rate_class.value,
                "metering": p.metering.value,
                "supplier": p.supplier,
                "lighting": p.lighting,
                "plc": p.plc,
                "load_profile": p.load_profile,
                "delivery_voltage": p.delivery_voltage,
                "supply_voltage": p.supply_voltage,
                "meter_voltage": p.meter_voltage,
                "rate_zone": p.rate_zone,
            }
            for p in rows
        ]
        self._last = None
        return upsert(self._connection, schema.service_points, values, ["service_point_id"])

    def upsert_meters(self, rows: Iterable[Meter]) -> int:
        values = [
            {
                "meter_number": m.meter_number,
                "service_point_id": m.service_point_id,
                "role": m.role.value,
                "interval_minutes": m.interval_minutes,
                "multiplier": m.multiplier,
            }
            for m in rows
        ]
        self._last = None
        return upsert(self._connection, schema.meters, values, ["meter_number"])

    def upsert_schedule(self, rows: Iterable[ScheduledRead]) -> int:
        values = [{"bill_group": r.bill_group, "read_date": r.read_date} for r in rows]
        return upsert(self._connection, schema.read_schedule, values, ["bill_group", "read_date"])

    def upsert_holidays(self, rows: Iterable[Holiday]) -> int:
        values = [{"date": h.date, "name": h.name} for h in rows]
        return upsert(self._connection, schema.holidays, values, ["date"])

    # ----------------------------------------------------------------------------- helpers

    def _one(self, table: Table, key: Column[Any], value: object) -> Row | None:
        return first(self._connection, _by_key(table, key.name), {"key": value})

    def _existing(self, column: Column[Any], keys: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(sorted(set(keys))):
            found.update(self._connection.scalars(select(column).where(column.in_(chunk))))
        return found


@cache
def _by_key(table: Table, key: str, order: str | None = None) -> Executable:
    """The rows whose ``key`` is the bound ``key``: built once, the handlers ask for every set (statements)."""
    query = select(table).where(table.c[key] == bindparam("key"))
    return query if order is None else query.order_by(table.c[order])


@cache
def _account_tree() -> Executable:
    """An account, its service points (by id) and their meters (by number): one row per meter, or per point
    without one, or one row for an account without points; columns prefixed ``a_``, ``p_`` and ``m_``."""
    a, p, m = schema.accounts, schema.service_points, schema.meters
    columns = [*(c.label(f"a_{c.name}") for c in a.columns), *(c.label(f"p_{c.name}") for c in p.columns),
               *(c.label(f"m_{c.name}") for c in m.columns)]
    joined = a.outerjoin(p, p.c.account_number == a.c.account_number).outerjoin(
        m, m.c.service_point_id == p.c.service_point_id)
    return (select(*columns).select_from(joined).where(a.c.account_number == bindparam("key"))
            .order_by(p.c.service_point_id, m.c.meter_number))


def _columns(prefix: str, table: Table) -> Callable[[Row], dict[str, Any]]:
    """A row of :func:`_account_tree` to the columns of one of its tables, by their own names."""
    names = tuple(c.name for c in table.columns)
    pick = itemgetter(*(f"{prefix}{name}" for name in names))
    return lambda row: dict(zip(names, pick(row), strict=True))


_account_columns = _columns("a_", schema.accounts)
_point_columns = _columns("p_", schema.service_points)
_meter_columns = _columns("m_", schema.meters)


@dataclass(frozen=True, slots=True)
class _AccountTree:
    """What :func:`_account_tree` read about one account."""

    account: Account
    points: tuple[ServicePoint, ...]
    meters: dict[str, tuple[Meter, ...]]  #: by service point, every point of the account (maybe no meter)

    @classmethod
    def of(cls, found: Sequence[Row]) -> _AccountTree:
        points: dict[str, ServicePoint] = {}
        meters: dict[str, list[Meter]] = {}
        for row in found:
            point_id = row["p_service_point_id"]
            if point_id is None:
                continue
            if point_id not in points:
                points[point_id] = _service_point(_point_columns(row))
                meters[point_id] = []
            if row["m_meter_number"] is not None:
                meters[point_id].append(_meter(_meter_columns(row)))
        account = _account(_account_columns(found[0]))
        return cls(account, tuple(points.values()), {k: tuple(v) for k, v in meters.items()})


def _chunks(keys: Sequence[str]) -> Iterable[Collection[str]]:
    for start in range(0, len(keys), _CHUNK):
        yield keys[start : start + _CHUNK]


def _supplier(row: Row) -> Supplier:
    return Supplier(duns=row["duns"], name=row["name"], ucb_por=UcbPor(row["ucb_por"]), sbo=Sbo(row["sbo"]))


def _account(row: Row) -> Account:
    return Account(
        account_number=row["account_number"],
        customer_name=row["customer_name"],
        service_address=row["service_address"],
        city=row["city"],
        state=row["state"],
        zip=row["zip"],
        bill_group=row["bill_group"],
        calendar_billing=CalendarBilling(row["calendar_billing"]),
        status=AccountStatus(row["status"]),
    )


def _service_point(row: Row) -> ServicePoint:
    return ServicePoint(
        service_point_id=row["service_point_id"],
        account_number=row["account_number"],
        rate_class=RateClass(row["rate_class"]),
        metering=Metering(row["metering"]),
        supplier=row["supplier"],
        lighting=bool(row["lighting"]),
        plc=None if row["plc"] is None else plain_decimal(row["plc"]),
        load_profile=row["load_profile"],
        delivery_voltage=row["delivery_voltage"],
        supply_voltage=row["supply_voltage"],
        meter_voltage=row["meter_voltage"],
        rate_zone=row["rate_zone"],
    )


def _meter(row: Row) -> Meter:
    return Meter(
        meter_number=row["meter_number"],
        service_point_id=row["service_point_id"],
        role=MeterRole(row["role"]),
        interval_minutes=row["interval_minutes"],
        multiplier=plain_decimal(row["multiplier"]),
    )


def plain_decimal(value: Decimal) -> Decimal:
    """Without the column's trailing zeros (``1.500000`` → ``1.5``, ``40.000000`` → ``40``), never in E notation.

    Both databases pad to the column's scale; handing out the value as it was written keeps records
    equal in repr and in JSON snapshots to what was loaded.
    """
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()

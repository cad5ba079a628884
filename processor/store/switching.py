"""Switching state: the 814 business requests and who supplies each service point when.

A request row is the memory of one LIN of an 814, whatever became of it; its status moves as the
tariff's windows pass (pending → accepted → effective, or rejected, cancelled, rescinded). Supply
history is appended, never rewritten, so "who served this point on that day" can always be answered
as it was known then and as it is known now.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from datetime import UTC, date, datetime
from functools import cache

from sqlalchemy import Connection, Executable, and_, bindparam, insert, or_, select, update

from processor.store import schema
from processor.store.records import (
    Direction,
    NewSupplyPeriod,
    NewSwitchRequest,
    RequestKind,
    RequestStatus,
    SupplyPeriod,
    SwitchRequest,
)
from processor.store.statements import Row, first, rows, scalar


class Switching:
    """Switch requests and supply history inside one unit of work's transaction."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    # ------------------------------------------------------------------------- requests

    def add_request(self, request: NewSwitchRequest) -> SwitchRequest:
        """Record a request; ``updated_at`` starts as ``received_at``.

        The row is made from what went in and its new id (instants in UTC, as they come out of the store),
        not read back: converting 23 returned columns cost more than the insert (batch profile, README)."""
        values = {
            "kind": request.kind.value,
            "direction": request.direction.value,
            "supplier": request.supplier,
            "account_number": request.account_number,
            "service_point_id": request.service_point_id,
            "request_ref": request.request_ref,
            "line_ref": request.line_ref,
            "received_at": request.received_at,
            "requested_date": request.requested_date,
            "off_cycle": request.off_cycle,
            "status": request.status.value,
            "effective_date": request.effective_date,
            "effective_at": request.effective_at,
            "rejection_code": request.rejection_code,
            "rejection_text": request.rejection_text,
            "related_request_id": request.related_request_id,
            "ledger_id": request.ledger_id,
            "source_file": request.source_file,
            "isa13": request.isa13,
            "gs06": request.gs06,
            "st02": request.st02,
            "updated_at": request.received_at,
        }
        request_id = scalar(self._connection, _add_request(), values)
        stored = {name: getattr(request, name) for name in _NEW_REQUEST_FIELDS}
        stored["received_at"] = request.received_at.astimezone(UTC)
        if request.effective_at is not None:
            stored["effective_at"] = request.effective_at.astimezone(UTC)
        return SwitchRequest(**stored, id=int(request_id), updated_at=stored["received_at"])

    def get_request(self, request_id: int) -> SwitchRequest | None:
        table = schema.switch_requests
        row = self._connection.execute(select(table).where(table.c.id == request_id)).mappings().first()
        return None if row is None else _request(row)

    def find_requests(
        self,
        *,
        supplier: str | None = None,
        account_number: str | None = None,
        service_point_id: str | None = None,
        request_ref: str | None = None,
        kinds: Iterable[RequestKind] | None = None,
        statuses: Iterable[RequestStatus] | None = None,
        direction: Direction | None = None,
    ) -> list[SwitchRequest]:
        """Requests matching every criterion given, oldest first."""
        given = {"supplier": supplier, "account_number": account_number, "service_point_id": service_point_id,
                 "request_ref": request_ref, "direction": None if direction is None else direction.value,
                 "kind": None if kinds is None else [kind.value for kind in kinds],
                 "status": None if statuses is None else [status.value for status in statuses]}
        values: dict[str, object] = {}
        criteria: list[tuple[str, int]] = []
        for name, value in given.items():
            if isinstance(value, list):  # an IN list: one parameter per value (statements.rows binds no lists)
                criteria.append((name, len(value)))
                values.update((f"{name}_{i}", v) for i, v in enumerate(value))
            elif value is not None:
                criteria.append((name, 0))
                values[name] = value
        return [_request(row) for row in rows(self._connection, _find_requests(tuple(criteria)), values)]

    def set_status(
        self,
        request_id: int,
        status: RequestStatus,
        *,
        at: datetime,
        effective_date: date | None = None,
        effective_at: datetime | None = None,
        rejection_code: str | None = None,
        rejection_text: str | None = None,
    ) -> SwitchRequest:
        """Move a request to ``status`` at ``at``; the other fields are set when given, else kept."""
        changes: dict[str, object] = {"status": status.value, "updated_at": at}
        optional = {"effective_date": effective_date, "effective_at": effective_at,
                    "rejection_code": rejection_code, "rejection_text": rejection_text}
        changes.update({name: value for name, value in optional.items() if value is not None})
        table = schema.switch_requests
        result = self._connection.execute(update(table).where(table.c.id == request_id).values(changes))
        if result.rowcount != 1:
            raise KeyError(f"no switch request {request_id}")
        stored = self.get_request(request_id)
        assert stored is not None
        return stored

    # ---------------------------------------------------------------------- supply history

    def append_supply(self, period: NewSupplyPeriod) -> SupplyPeriod:
        """Append a supply period (never overwrites an earlier one)."""
        values = {
            "service_point_id": period.service_point_id,
            "supplier": period.supplier,
            "start_date": period.start_date,
            "end_date": period.end_date,
            "cause_request_id": period.cause_request_id,
            "recorded_at": period.recorded_at,
        }
        table = schema.supply_history
        period_id = self._connection.execute(table.insert().values(values).returning(table.c.id)).scalar_one()
        return _period(self._connection.execute(select(table).where(table.c.id == period_id)).mappings().one())

    def supply_history(self, service_point_id: str) -> list[SupplyPeriod]:
        """Every recorded period of the point, by start date, then in the order recorded."""
        table = schema.supply_history
        query = select(table).where(table.c.service_point_id == service_point_id).order_by(
            table.c.start_date, table.c.id)
        return [_period(row) for row in self._connection.execute(query).mappings()]

    def supplier_on(self, service_point_id: str, day: date) -> SupplyPeriod | None:
        """The period that decides who supplies the point on ``day``: among those covering it, the
        latest start, ties to the latest recorded (see :class:`~processor.store.records.NewSupplyPeriod`)."""
        row = first(self._connection, _supplier_on(), {"point": service_point_id, "day": day})
        return None if row is None else _period(row)


# The statements run for every 814 a batch handles, built once (processor.store.statements).


@cache
def _add_request() -> Executable:
    table = schema.switch_requests
    return insert(table).returning(table.c.id)


_NEW_REQUEST_FIELDS = tuple(f.name for f in fields(NewSwitchRequest))


@cache
def _find_requests(criteria: tuple[tuple[str, int], ...]) -> Executable:
    """``find_requests`` with the criteria named in ``criteria``: a column and 0, or ``kind``/``status`` and
    how many values its IN list has (bound as ``kind_0``, ``kind_1`` …)."""
    table = schema.switch_requests
    query = select(table).order_by(table.c.id)
    for name, listed in criteria:
        if listed:
            query = query.where(table.c[name].in_([bindparam(f"{name}_{i}") for i in range(listed)]))
        else:
            query = query.where(table.c[name] == bindparam(name))
    return query


@cache
def _supplier_on() -> Executable:
    table = schema.supply_history
    return (
        select(table)
        .where(and_(table.c.service_point_id == bindparam("point"), table.c.start_date <= bindparam("day"),
                    or_(table.c.end_date.is_(None), table.c.end_date >= bindparam("day"))))
        .order_by(table.c.start_date.desc(), table.c.id.desc())
        .limit(1)
    )


def _request(row: Row) -> SwitchRequest:
    return SwitchRequest(
        id=row["id"],
        kind=RequestKind(row["kind"]),
        direction=Direction(row["direction"]),
        supplier=row["supplier"],
        account_number=row["account_number"],
        service_point_id=row["service_point_id"],
        request_ref=row["request_ref"],
        line_ref=row["line_ref"],
        received_at=row["received_at"],
        requested_date=row["requested_date"],
        off_cycle=bool(row["off_cycle"]),
        status=RequestStatus(row["status"]),
        effective_date=row["effective_date"],
        effective_at=row["effective_at"],
        rejection_code=row["rejection_code"],
        rejection_text=row["rejection_text"],
        related_request_id=row["related_request_id"],
        ledger_id=row["ledger_id"],
        source_file=row["source_file"],
        isa13=row["isa13"],
        gs06=row["gs06"],
        st02=row["st02"],
        updated_at=row["updated_at"],
    )


def _period(row: Row) -> SupplyPeriod:
    return SupplyPeriod(
        id=row["id"],
        service_point_id=row["service_point_id"],
        supplier=row["supplier"],
        start_date=row["start_date"],
        end_date=row["end_date"],
        cause_request_id=row["cause_request_id"],
        recorded_at=row["recorded_at"],
    )

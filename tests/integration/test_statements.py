"""``processor.store.statements.rows`` (the per-set statements run on the driver) against SQLAlchemy's own
execution of the same statements, on SQLite and PostgreSQL: the same rows, the same types, the same errors,
and the same transaction."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, DateTime, bindparam, insert, select, update
from sqlalchemy.dialects.sqlite import pysqlite
from sqlalchemy.exc import IntegrityError, StatementError

from processor.store import Store, schema
from processor.store.statements import execute, first, insert_returning, rows, scalar
from tests.integration.postgres import BACKENDS, fresh_database

AT = datetime(2026, 3, 2, 18, 30, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with fresh_database(request.param, tmp_path) as url, Store.open(url) as opened:
        yield opened


def _point(n: int, plc: str | None) -> dict[str, Any]:
    return {"service_point_id": f"70000000{n:02d}", "account_number": "1234567890", "rate_class": "DS1",
            "metering": "interval", "supplier": "BGS", "lighting": n % 2 == 0,
            "plc": None if plc is None else Decimal(plc), "load_profile": None, "rate_zone": None}


POINTS = (_point(1, "4.1"), _point(2, None), _point(3, "12345.6789"))
BY_ACCOUNT = select(schema.service_points).where(schema.service_points.c.account_number == bindparam("key")).order_by(
    schema.service_points.c.service_point_id)
IN_LIST = select(schema.service_points.c.service_point_id).where(
    schema.service_points.c.service_point_id.in_([bindparam("p0"), bindparam("p1")])).order_by(
    schema.service_points.c.service_point_id)
LIMITED = select(schema.service_points).order_by(schema.service_points.c.service_point_id.desc()).limit(1)
ADD_LEDGER = insert(schema.ingest_ledger).returning(*schema.ingest_ledger.columns)
ADD_POINT = insert(schema.service_points).returning(schema.service_points.c.service_point_id)
LEDGER_IDS = select(schema.ingest_ledger.c.id)
RENAME = (update(schema.ingest_ledger).where(schema.ingest_ledger.c.id == bindparam("ledger"))
          .values(file_name=bindparam("name")))
FINISH = (update(schema.ingest_ledger).where(schema.ingest_ledger.c.id == bindparam("ledger"))
          .values(outcome=bindparam("outcome"), finished_at=bindparam("at"))
          .returning(schema.ingest_ledger.c.finished_at))


def _seed(c: Connection) -> None:
    c.execute(insert(schema.accounts).values(
        account_number="1234567890", customer_name="JANE Q CUSTOMER", service_address="100 MAIN ST",
        city="SPRINGFIELD", state="IL", zip="62701", bill_group="05", calendar_billing="none", status="active"))
    c.execute(insert(schema.service_points), list(POINTS))


def _sqlalchemy(c: Connection, statement: Any, values: dict[str, Any]) -> list[dict[str, Any]]:
    return [dict(row) for row in c.execute(statement, values).mappings()]


def test_rows_are_what_sqlalchemy_returns_with_the_same_types(store: Store) -> None:
    with store.unit_of_work() as uow:
        c = uow._connection
        _seed(c)
        for statement, values in ((BY_ACCOUNT, {"key": "1234567890"}), (BY_ACCOUNT, {"key": "nobody"}),
                                  (IN_LIST, {"p0": "7000000003", "p1": "7000000001"}), (LIMITED, {})):
            ours, theirs = rows(c, statement, values), _sqlalchemy(c, statement, values)
            assert ours == theirs
            assert [[type(v) for v in r.values()] for r in ours] == [[type(v) for v in r.values()] for r in theirs]
        got = rows(c, BY_ACCOUNT, {"key": "1234567890"})
        assert [r["plc"] for r in got] == [Decimal("4.1"), None, Decimal("12345.6789")]
        assert [r["lighting"] for r in got] == [False, True, False]
        assert rows(c, LIMITED)[0]["service_point_id"] == "7000000003"  # the LIMIT bound in the statement


def test_inserts_and_updates_return_typed_rows_and_counts(store: Store) -> None:
    with store.unit_of_work() as uow:
        c = uow._connection
        row = first(c, ADD_LEDGER, {"sender": "987654321", "isa13": "000000101", "sha256": "ab" * 32,
                                    "file_name": "in.x12", "claimed_at": AT})
        assert row is not None and isinstance(row["id"], int)
        assert row["claimed_at"] == AT and row["claimed_at"].tzinfo is UTC and row["finished_at"] is None
        later = datetime(2026, 3, 3, 1, 2, 3, 456789, tzinfo=UTC)
        assert scalar(c, FINISH, {"ledger": row["id"], "outcome": "processed", "at": later}) == later
        assert execute(c, RENAME, {"ledger": row["id"], "name": "renamed.x12"}) == 1
        assert execute(c, RENAME, {"ledger": -1, "name": "nobody.x12"}) == 0
        stored = _sqlalchemy(c, select(schema.ingest_ledger), {})
        assert stored[0]["finished_at"] == later and stored[0]["outcome"] == "processed"
        assert stored[0]["file_name"] == "renamed.x12"
        again = insert_returning(c, schema.ingest_ledger, {"sender": "987654321", "isa13": "000000101",
                                                           "sha256": "ab" * 32, "file_name": "x", "claimed_at": AT})
        assert again is None  # conflicted: nothing inserted, nothing raised


def test_a_value_its_type_refuses_is_sqlalchemys_statement_error(store: Store) -> None:
    with pytest.raises(StatementError, match="time zone"), store.unit_of_work() as uow:
        first(uow._connection, ADD_LEDGER, {"sender": "1", "isa13": "2", "sha256": "3", "file_name": "4",
                                            "claimed_at": datetime(2026, 3, 2)})


def test_a_driver_error_is_sqlalchemys_error_and_the_transaction_rolls_back(store: Store) -> None:
    with store.unit_of_work() as uow:
        _seed(uow._connection)
        uow.commit()
    with pytest.raises(IntegrityError), store.unit_of_work() as uow:  # the account is not there
        first(uow._connection, ADD_POINT, {**_point(9, None), "account_number": "nobody"})
    with store.unit_of_work() as uow:
        assert len(rows(uow._connection, BY_ACCOUNT, {"key": "1234567890"})) == len(POINTS)


def test_the_statements_run_in_the_unit_of_works_transaction(store: Store) -> None:
    values = {"sender": "987654321", "isa13": "000000102", "sha256": "cd" * 32, "file_name": "in.x12",
              "claimed_at": AT}
    with store.unit_of_work() as uow:
        assert first(uow._connection, ADD_LEDGER, values) is not None
        uow.rollback()
        assert rows(uow._connection, LEDGER_IDS) == []  # begun again after the rollback
        assert first(uow._connection, ADD_LEDGER, values) is not None
        uow.commit()
    with store.unit_of_work() as uow:
        assert len(rows(uow._connection, LEDGER_IDS)) == 1


@pytest.mark.parametrize("moment", [datetime(2026, 3, 2, 18, 30, tzinfo=UTC), datetime(2026, 11, 1, 6, 59, 59, 999999,
                                                                                          tzinfo=UTC),
                                    datetime(999, 1, 2, 3, 4, 5, 6, tzinfo=UTC)])
def test_instants_are_stored_on_sqlite_as_sqlalchemys_datetime_writes_them(moment: datetime) -> None:
    dialect = pysqlite.dialect()
    ours = schema.UtcDateTime().dialect_impl(dialect).bind_processor(dialect)
    theirs = DateTime().dialect_impl(dialect).bind_processor(dialect)
    assert ours is not None and theirs is not None
    assert ours(moment) == theirs(moment.replace(tzinfo=None))
    assert ours(None) is None
    with pytest.raises(ValueError, match="time zone"):
        ours(moment.replace(tzinfo=None))

"""The store on real SQLite files and a real PostgreSQL server: migrations, unit of work, control numbers,
switching and exactly-once tables. Every test taking ``url`` or ``store`` runs on both databases."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.exc import IntegrityError, StatementError

from processor.calendar import Calendar
from processor.store import Store, StoreError, migrate
from processor.store.database import create_engine, current_revision, head_revision
from processor.store.records import (
    Account,
    AccountStatus,
    CalendarBilling,
    ClaimStatus,
    Direction,
    Holiday,
    LedgerOutcome,
    Meter,
    Metering,
    MeterRole,
    NewOutboxMessage,
    NewSupplyPeriod,
    NewSwitchRequest,
    RateClass,
    RequestKind,
    RequestStatus,
    Sbo,
    ScheduledRead,
    ServicePoint,
    Supplier,
    UcbPor,
    UtilitySupply,
)
from processor.store.schema import metadata
from tests.integration.postgres import BACKENDS, fresh_database, shared_postgres

CPT = ZoneInfo("America/Chicago")
AT = datetime(2026, 3, 2, 18, 30, tzinfo=CPT)
SUPPLIER = Supplier("987654321", "EXAMPLE RES LLC", UcbPor.BILL_READY, Sbo.NONE)
ACCOUNT = Account("1234567890", "JANE Q CUSTOMER", "100 MAIN ST", "SPRINGFIELD", "IL", "62701", "05",
                  CalendarBilling.NONE, AccountStatus.ACTIVE)
POINT = ServicePoint("7000000011", "1234567890", RateClass.DS1, Metering.INTERVAL, "BGS", False, plc=Decimal("4.1"))
METER = Meter("40000011", "7000000011", MeterRole.ADDITIVE, 15, Decimal("1.5"))


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with fresh_database(request.param, tmp_path) as database:
        yield database


@pytest.fixture
def store(url: str) -> Iterator[Store]:
    with Store.open(url) as opened:
        yield opened


def seed(store: Store) -> None:
    with store.unit_of_work() as uow:
        uow.master.upsert_suppliers([SUPPLIER])
        uow.master.upsert_accounts([ACCOUNT])
        uow.master.upsert_service_points([POINT])
        uow.master.upsert_meters([METER])
        uow.commit()


def request(**changes: object) -> NewSwitchRequest:
    values: dict[str, object] = {
        "kind": RequestKind.ENROLLMENT, "direction": Direction.INBOUND, "supplier": "987654321",
        "account_number": "1234567890", "request_ref": "RES20260302000001", "line_ref": "ENR0000001",
        "received_at": AT, "service_point_id": "7000000011", "requested_date": date(2026, 4, 2),
        "source_file": "in/814.x12", "isa13": "000000101", "gs06": "101", "st02": "0001",
    }
    values.update(changes)
    return NewSwitchRequest(**values)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ migrations


def test_open_creates_the_file_and_its_directory_for_a_relative_url(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with Store.open("sqlite:///var/edi.db") as store:
        assert store.url == "sqlite:///var/edi.db"
    assert (tmp_path / "var" / "edi.db").is_file()


def test_migrations_create_every_table(store: Store, url: str) -> None:
    engine = create_engine(url)
    tables = set(sa.inspect(engine).get_table_names())
    engine.dispose()
    assert tables == set(metadata.tables) | {"alembic_version"}
    assert set(metadata.tables) >= {
        "suppliers", "accounts", "service_points", "meters", "read_schedule", "holidays", "switch_requests",
        "supply_history", "ingest_ledger", "ingest_sets", "control_numbers", "outbox", "outbound_files",
        "batch_runs", "batch_files"}


def test_migrating_again_is_a_no_op_that_keeps_the_data(store: Store, url: str) -> None:
    seed(store)
    assert migrate(url) == head_revision()
    with Store.open(url) as again:
        assert again.get_supplier(SUPPLIER.duns) == SUPPLIER
    engine = create_engine(url)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_the_head_revision_matches_the_models(store: Store, url: str) -> None:
    engine = create_engine(url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), metadata)
    engine.dispose()
    assert differences == []


def test_the_check_constraints_match_the_models(store: Store, url: str) -> None:
    """Autogenerate does not compare CHECK constraints; the value sets are compared here.

    PostgreSQL gives the text back rewritten (``(state)::text = ANY (ARRAY['a'::character varying …])``),
    so there the names, columns and literals are compared."""
    engine = create_engine(url)
    inspector = sa.inspect(engine)

    def normal(text: str) -> str:
        if engine.dialect.name == "postgresql":
            words = re.findall(r"'[^']*'|\b[a-z_]+\b|-?\d+(?:\.\d+)?", text.lower())
            keep = {w for w in words if w not in {"text", "character", "varying", "any", "array", "numeric"}}
            return " ".join(sorted(keep - {"in"}))
        return " ".join(text.replace("(", " ( ").replace(")", " ) ").split())

    for table in metadata.sorted_tables:
        reflected = {c["name"]: normal(c["sqltext"]) for c in inspector.get_check_constraints(table.name)}
        modelled = {str(c.name): normal(str(c.sqltext)) for c in table.constraints
                    if isinstance(c, sa.CheckConstraint)}
        assert reflected == modelled, table.name
    engine.dispose()


def test_unsupported_and_malformed_urls_are_store_errors() -> None:
    with pytest.raises(StoreError, match="unsupported database 'mysql'"):
        Store.open("mysql://user:secret@db/edi")
    with pytest.raises(StoreError, match="not a database URL"):
        Store.open("not a url")


def test_a_database_that_cannot_be_created_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a directory")
    with pytest.raises(StoreError, match="cannot create the directory"):
        Store.open(f"sqlite:///{tmp_path / 'file' / 'sub' / 'edi.db'}")
    (tmp_path / "dir.db").mkdir()
    with pytest.raises(StoreError, match="cannot migrate the database"):
        Store.open(f"sqlite:///{tmp_path / 'dir.db'}")


def test_without_create_a_missing_or_empty_database_is_refused_and_nothing_is_created(tmp_path: Path) -> None:
    """What the batch opens with: a new, empty database would reject every request (SECURITY.md)."""
    missing = tmp_path / "gone" / "edi.db"
    with pytest.raises(StoreError, match="does not exist"):
        Store.open(f"sqlite:///{missing}", create=False)
    assert not missing.parent.exists()
    empty = tmp_path / "empty.db"
    empty.touch()
    with pytest.raises(StoreError, match="no gateway schema"):
        Store.open(f"sqlite:///{empty}", create=False)
    assert empty.stat().st_size == 0
    with Store.open(f"sqlite:///{empty}"), Store.open(f"sqlite:///{empty}", create=False) as store:
        assert store.dialect == "sqlite"  # once created (edi load), it opens


def test_an_in_memory_database_works_for_quick_tests() -> None:
    with Store.open("sqlite://") as store:
        seed(store)
        assert store.get_account(ACCOUNT.account_number) == ACCOUNT


# ---------------------------------------------------------------------- master data, upsert


def test_records_come_back_typed(store: Store) -> None:
    seed(store)
    assert store.get_supplier(SUPPLIER.duns) == SUPPLIER
    assert store.get_account(ACCOUNT.account_number) == ACCOUNT
    point = store.get_service_point(POINT.service_point_id)
    assert point == POINT and point is not None
    assert point.utility_supply is UtilitySupply.BGS
    assert str(point.plc) == "4.1"
    assert store.service_points_of(ACCOUNT.account_number) == [POINT]
    assert store.get_meter(METER.meter_number) == METER
    assert store.meters_of(POINT.service_point_id) == [METER]
    assert store.get_account("nope") is None


def test_an_account_read_whole_answers_for_its_points_and_meters_as_the_tables_do(store: Store) -> None:
    seed(store)
    bare = Account("1234567891", "NO POINTS", "1 ELM ST", "SPRINGFIELD", "IL", "62701", "05", CalendarBilling.NONE,
                   AccountStatus.ACTIVE)
    second = replace(POINT, service_point_id="7000000010", plc=None)  # sorts first; no meter
    third = replace(POINT, service_point_id="7000000012")
    meters = [replace(METER, meter_number="40000013", service_point_id="7000000012"),
              replace(METER, meter_number="40000012", service_point_id="7000000012", role=MeterRole.SUBTRACTIVE)]
    with store.unit_of_work() as uow:
        uow.master.upsert_accounts([bare])
        uow.master.upsert_service_points([second, third])
        uow.master.upsert_meters(meters)
        uow.commit()
    points = [second, POINT, third]
    with store.unit_of_work() as uow:  # the tables, each asked on its own
        assert uow.master.service_points_of(ACCOUNT.account_number) == points
        by_point = {sp.service_point_id: uow.master.meters_of(sp.service_point_id) for sp in points}
    assert by_point == {"7000000010": [], "7000000011": [METER], "7000000012": sorted(meters,
                                                                                       key=lambda m: m.meter_number)}
    with store.unit_of_work() as uow:  # the account read whole first
        assert uow.master.get_account(ACCOUNT.account_number) == ACCOUNT
        assert uow.master.service_points_of(ACCOUNT.account_number) == points
        assert {sp: uow.master.meters_of(sp) for sp in by_point} == by_point
        assert uow.master.get_account(bare.account_number) == bare
        assert uow.master.service_points_of(bare.account_number) == []
        assert uow.master.meters_of("7000000012") == by_point["7000000012"]  # not the last account's: read
        uow.master.get_account(ACCOUNT.account_number)
        uow.master.upsert_meters([replace(METER, service_point_id="7000000010")])  # a load moves a meter
        assert uow.master.meters_of("7000000010") == [replace(METER, service_point_id="7000000010")]
        assert uow.master.meters_of("7000000011") == []


def test_decimals_keep_every_digit(store: Store) -> None:
    seed(store)
    values = [Decimal("0.000001"), Decimal("123456.123456"), Decimal("2400"), Decimal("999999.999999")]
    with store.unit_of_work() as uow:
        uow.master.upsert_meters(Meter(f"M{i}", POINT.service_point_id, MeterRole.ADDITIVE, 15, value)
                                 for i, value in enumerate(values))
        uow.commit()
    got = [store.get_meter(f"M{i}") for i in range(len(values))]
    assert [str(meter.multiplier) for meter in got if meter] == ["0.000001", "123456.123456", "2400", "999999.999999"]


def test_upsert_replaces_the_row_with_the_same_key(store: Store) -> None:
    seed(store)
    renamed = Supplier(SUPPLIER.duns, "RENAMED RES", UcbPor.BOTH, Sbo.AGENT)
    with store.unit_of_work() as uow:
        assert uow.master.upsert_suppliers([renamed]) == 1
        uow.master.upsert_schedule([ScheduledRead("05", date(2026, 3, 4))] * 2)
        uow.commit()
    with store.unit_of_work() as uow:
        uow.master.upsert_schedule([ScheduledRead("05", date(2026, 3, 4))])
        uow.commit()
    assert store.get_supplier(SUPPLIER.duns) == renamed
    assert store.calendar_inputs()[1] == {"05": (date(2026, 3, 4),)}


def test_calendar_inputs_build_a_calendar(store: Store) -> None:
    with store.unit_of_work() as uow:
        uow.master.upsert_holidays([Holiday(date(2026, 7, 4), "Independence Day")])
        uow.master.upsert_schedule([ScheduledRead("05", date(2026, 4, 2)), ScheduledRead("05", date(2026, 3, 4)),
                                    ScheduledRead("21", date(2026, 3, 30))])
        uow.commit()
    holidays, schedule = store.calendar_inputs()
    assert schedule == {"05": (date(2026, 3, 4), date(2026, 4, 2)), "21": (date(2026, 3, 30),)}
    calendar = Calendar(holidays, schedule)
    assert calendar.is_holiday(date(2026, 7, 4))
    assert calendar.scheduled_reads("05") == (date(2026, 3, 4), date(2026, 4, 2))


def test_foreign_keys_are_enforced(store: Store) -> None:
    with pytest.raises(IntegrityError), store.unit_of_work() as uow:
        uow.master.upsert_meters([METER])  # its service point does not exist


# ---------------------------------------------------------------------------- unit of work


def test_the_unit_of_work_rolls_back_what_was_not_committed(store: Store) -> None:
    with store.unit_of_work() as uow:
        uow.master.upsert_suppliers([SUPPLIER])
    assert store.get_supplier(SUPPLIER.duns) is None


def test_the_unit_of_work_rolls_back_on_an_exception(store: Store) -> None:
    with pytest.raises(RuntimeError), store.unit_of_work() as uow:
        uow.master.upsert_suppliers([SUPPLIER])
        raise RuntimeError("handler failed")
    assert store.get_supplier(SUPPLIER.duns) is None


def test_what_was_committed_stays_and_what_came_after_goes(store: Store) -> None:
    other = Supplier("123456789", "OTHER RES", UcbPor.NONE, Sbo.NONE)
    with store.unit_of_work() as uow:
        uow.master.upsert_suppliers([SUPPLIER])
        uow.commit()
        uow.master.upsert_suppliers([other])
        uow.rollback()
        assert uow.master.get_supplier(other.duns) is None
        uow.master.upsert_suppliers([other])
    assert store.get_supplier(SUPPLIER.duns) == SUPPLIER
    assert store.get_supplier(other.duns) is None


def test_timestamps_go_in_aware_and_come_out_utc(store: Store) -> None:
    seed(store)
    with store.unit_of_work() as uow:
        stored = uow.switching.add_request(request(effective_at=datetime(2026, 4, 2, 23, 59, 59, tzinfo=CPT)))
        uow.commit()
    assert stored.received_at == AT and stored.received_at.tzinfo is UTC
    assert stored.received_at == datetime(2026, 3, 3, 0, 30, tzinfo=UTC)
    assert stored.effective_at == datetime(2026, 4, 3, 4, 59, 59, tzinfo=UTC)
    with pytest.raises(StatementError, match="time zone"), store.unit_of_work() as uow:
        uow.switching.add_request(request(received_at=datetime(2026, 3, 2, 18, 30)))


# ------------------------------------------------------------------------- control numbers


def test_control_numbers_increase_per_scope_and_start_where_told(store: Store) -> None:
    assert [store.next_control_number("ISA") for _ in range(3)] == [1, 2, 3]
    assert store.next_control_number("GS") == 1
    assert store.next_control_number("ISA:other", start=500) == 500
    assert [store.control_numbers().next("ISA"), store.control_numbers(start=9).next("ISA")] == [4, 5]
    with store.unit_of_work() as uow:
        uow.control_numbers.set_last("GS", 100)
        assert uow.control_numbers.next("GS") == 101
        assert uow.control_numbers.last("GS") == 101
        assert uow.control_numbers.last("never") is None
        uow.commit()


def test_a_rolled_back_control_number_was_never_handed_out(store: Store) -> None:
    with store.unit_of_work() as uow:
        assert uow.control_numbers.next("ISA") == 1
    assert store.next_control_number("ISA") == 1


def test_control_numbers_are_not_reused_across_stores_on_one_file(url: str) -> None:
    with Store.open(url) as first, Store.open(url) as second:
        numbers = [store.next_control_number("ISA") for _ in range(5) for store in (first, second)]
    assert numbers == list(range(1, 11))


def test_control_numbers_are_not_reused_across_threads(store: Store) -> None:
    taken: list[int] = []
    lock = threading.Lock()

    def take() -> None:
        for _ in range(25):
            number = store.next_control_number("ISA")
            with lock:
                taken.append(number)

    threads = [threading.Thread(target=take) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(taken) == list(range(1, 101))


# ------------------------------------------------------------------------------- switching


def test_switch_requests_are_added_found_and_moved_along(store: Store) -> None:
    seed(store)
    with store.unit_of_work() as uow:
        enrollment = uow.switching.add_request(request())
        drop = uow.switching.add_request(request(kind=RequestKind.DROP, request_ref="RES2", line_ref="D1",
                                                 service_point_id=None))
        uow.commit()
    assert enrollment.status is RequestStatus.PENDING and enrollment.updated_at == AT
    assert (enrollment.source_file, enrollment.isa13, enrollment.gs06, enrollment.st02) == (
        "in/814.x12", "000000101", "101", "0001")
    later = AT + timedelta(days=1)
    with store.unit_of_work() as uow:
        accepted = uow.switching.set_status(enrollment.id, RequestStatus.ACCEPTED, at=later,
                                            effective_date=date(2026, 4, 2))
        rejected = uow.switching.set_status(drop.id, RequestStatus.REJECTED, at=later, rejection_code="A13",
                                            rejection_text="NO PENDING DROP")
        pending = uow.switching.find_requests(account_number="1234567890", statuses=[RequestStatus.PENDING])
        enrollments = uow.switching.find_requests(supplier="987654321", kinds=[RequestKind.ENROLLMENT])
        by_ref = uow.switching.find_requests(supplier="987654321", request_ref="RES2")
        on_point = uow.switching.find_requests(service_point_id="7000000011", direction=Direction.INBOUND)
        with pytest.raises(KeyError):
            uow.switching.set_status(999, RequestStatus.ACCEPTED, at=later)
        uow.commit()
    assert accepted.status is RequestStatus.ACCEPTED and accepted.effective_date == date(2026, 4, 2)
    assert accepted.updated_at == later and accepted.requested_date == date(2026, 4, 2)
    assert (rejected.rejection_code, rejected.rejection_text) == ("A13", "NO PENDING DROP")
    assert pending == []
    assert enrollments == [accepted]
    assert by_ref == [rejected]
    assert on_point == [accepted]


def test_supply_history_is_appended_and_the_latest_start_decides(store: Store) -> None:
    seed(store)
    point = POINT.service_point_id
    with store.unit_of_work() as uow:
        enrollment = uow.switching.add_request(request())
        rescission = uow.switching.add_request(request(kind=RequestKind.RESCISSION, request_ref="RES3",
                                                       related_request_id=enrollment.id))
        uow.switching.append_supply(NewSupplyPeriod(service_point_id=point, supplier="BGS",
                                                    start_date=date(2020, 1, 1), recorded_at=AT))
        uow.switching.append_supply(NewSupplyPeriod(service_point_id=point, supplier="987654321",
                                                    start_date=date(2026, 4, 2), recorded_at=AT,
                                                    cause_request_id=enrollment.id))
        assert uow.switching.supplier_on(point, date(2026, 4, 2)).supplier == "987654321"  # type: ignore[union-attr]
        restored = uow.switching.append_supply(NewSupplyPeriod(
            service_point_id=point, supplier="BGS", start_date=date(2026, 4, 2), recorded_at=AT,
            cause_request_id=rescission.id))
        uow.commit()
        assert rescission.related_request_id == enrollment.id
        assert [p.supplier for p in uow.switching.supply_history(point)] == ["BGS", "987654321", "BGS"]
        assert uow.switching.supplier_on(point, date(2026, 4, 1)).supplier == "BGS"  # type: ignore[union-attr]
        assert uow.switching.supplier_on(point, date(2026, 5, 1)) == restored
        assert uow.switching.supplier_on(point, date(2019, 12, 31)) is None
        assert restored.recorded_at.tzinfo is UTC


# --------------------------------------------------------------------------- ingest ledger


def claim(store: Store, sha: str, isa13: str = "000000101") -> tuple[ClaimStatus, int]:
    with store.unit_of_work() as uow:
        result = uow.ledger.claim(sender="987654321", isa13=isa13, sha256=sha, file_name="814.x12", at=AT)
        uow.commit()
    return result.status, result.entry.id


def finish(store: Store, ledger_id: int, outcome: LedgerOutcome) -> None:
    with store.unit_of_work() as uow:
        entry = uow.ledger.finish(ledger_id, outcome, at=AT)
        uow.commit()
    assert entry.outcome is outcome and entry.finished_at == AT


def test_a_new_interchange_is_claimed_and_its_resend_is_a_duplicate(store: Store) -> None:
    status, ledger_id = claim(store, "a" * 64)
    assert status is ClaimStatus.NEW
    assert claim(store, "a" * 64) == (ClaimStatus.RESUME, ledger_id)  # claimed, never finished: a crash
    finish(store, ledger_id, LedgerOutcome.PROCESSED)
    assert claim(store, "a" * 64) == (ClaimStatus.DUPLICATE, ledger_id)


def test_a_quarantined_interchange_may_be_tried_again(store: Store) -> None:
    _, ledger_id = claim(store, "a" * 64)
    finish(store, ledger_id, LedgerOutcome.QUARANTINED)
    assert claim(store, "a" * 64) == (ClaimStatus.RESUME, ledger_id)
    with store.unit_of_work() as uow:
        entry = uow.ledger.get(ledger_id)
    assert entry is not None and entry.finished_at is None and entry.outcome is None


def test_other_bytes_under_a_used_control_number_are_told_apart(store: Store) -> None:
    _, ledger_id = claim(store, "a" * 64)
    finish(store, ledger_id, LedgerOutcome.PROCESSED)
    assert claim(store, "b" * 64) == (ClaimStatus.CONTROL_NUMBER_REUSED, ledger_id)
    assert claim(store, "b" * 64, isa13="000000102")[0] is ClaimStatus.NEW


def test_a_transaction_set_is_recorded_once(store: Store) -> None:
    _, ledger_id = claim(store, "a" * 64)
    with store.unit_of_work() as uow:
        assert uow.ledger.record_set(ledger_id, gs06="101", st02="0001", st01="814", at=AT)
        assert not uow.ledger.record_set(ledger_id, gs06="101", st02="0001", st01="814", at=AT)
        assert uow.ledger.record_set(ledger_id, gs06="101", st02="0002", st01="814", at=AT)
        uow.commit()
    with store.unit_of_work() as uow:
        assert uow.ledger.recorded_sets(ledger_id) == {("101", "0001"), ("101", "0002")}


# ---------------------------------------------------------------------------------- outbox


def message(key: str, **changes: object) -> NewOutboxMessage:
    values: dict[str, object] = {"idempotency_key": key, "receiver": "987654321", "st01": "814",
                                 "kind": "EnrollmentResponse", "payload": '{"accepted": true}', "created_at": AT}
    values.update(changes)
    return NewOutboxMessage(**values)  # type: ignore[arg-type]


def test_the_outbox_enqueues_once_per_key_and_marks_sent(store: Store) -> None:
    _, ledger_id = claim(store, "a" * 64)
    with store.unit_of_work() as uow:
        first = uow.outbox.enqueue(message("k1", ledger_id=ledger_id, source_gs06="101", source_st02="0001"))
        assert uow.outbox.enqueue(message("k1", payload="{}")) is None
        second = uow.outbox.enqueue(message("k2", st01="867", kind="UsageReport"))
        uow.commit()
    assert first is not None and second is not None
    assert (first.ledger_id, first.source_st02, first.payload, first.sent_at) == (ledger_id, "0001",
                                                                                   '{"accepted": true}', None)
    with store.unit_of_work() as uow:
        assert uow.outbox.pending() == [first, second]
        assert uow.outbox.pending(st01="867") == [second]
        assert uow.outbox.pending(receiver="000000000") == []
        assert uow.outbox.mark_sent([first.id], file="987654321_814_000000001.x12", at=AT) == 1
        assert uow.outbox.mark_sent([first.id], file="again.x12", at=AT) == 0
        uow.commit()
    with store.unit_of_work() as uow:
        assert uow.outbox.pending() == [second]
        sent = uow.outbox.get(first.id)
    assert sent is not None and (sent.sent_file, sent.sent_at) == ("987654321_814_000000001.x12", AT)


# -------------------------------------------------------------------- several processes at once
# Two stores on one database stand for two workers: each has its own connections, as processes do.


def test_postgresql_urls_use_psycopg_and_hide_the_password() -> None:
    server = shared_postgres()
    with fresh_database("postgresql", Path(".")) as url, Store.open(url) as store:
        assert store.dialect == "postgresql" and store.shared
        assert store.url.startswith("postgresql+psycopg://")
    hidden = Store  # a wrong password never shows in a message
    with pytest.raises(StoreError) as caught:
        hidden.open(f"postgresql://edi:s3cret@{server.host}:1/edi")
    assert "s3cret" not in str(caught.value) and "***" in str(caught.value)


def test_the_same_interchange_claimed_twice_at_once_is_processed_once(url: str) -> None:
    """The second claim waits for the first one's commit, then sees the entry: a RESUME, never a second NEW;
    and the set the first one recorded is not recorded again."""
    with Store.open(url) as first, Store.open(url) as second:
        seen: dict[str, object] = {}
        started = threading.Event()

        def other() -> None:
            started.set()
            with second.unit_of_work() as uow:
                result = uow.ledger.claim(sender="987654321", isa13="000000101", sha256="a" * 64,
                                          file_name="copy.x12", at=AT)
                seen["claim"] = result.status
                seen["set"] = uow.ledger.record_set(result.entry.id, gs06="101", st02="0001", st01="814", at=AT)
                uow.commit()

        with first.unit_of_work() as uow:
            claimed = uow.ledger.claim(sender="987654321", isa13="000000101", sha256="a" * 64, file_name="814.x12",
                                       at=AT)
            assert claimed.status is ClaimStatus.NEW
            assert uow.ledger.record_set(claimed.entry.id, gs06="101", st02="0001", st01="814", at=AT)
            thread = threading.Thread(target=other)
            thread.start()
            started.wait()
            time.sleep(0.3)  # the other is now waiting for this transaction
            assert "claim" not in seen
            uow.commit()
        thread.join(30)
    assert seen == {"claim": ClaimStatus.RESUME, "set": False}


def test_a_named_lock_lets_one_transaction_at_a_time_read_and_write(url: str) -> None:
    """``unit_of_work(lock=…)``: a read-then-write step (effectuation, staging) never interleaves."""
    with Store.open(url) as first, Store.open(url) as second:
        seed(first)
        order: list[str] = []

        def step(store: Store, name: str) -> None:
            with store.unit_of_work(lock="test-step") as uow:
                supplier = uow.master.get_supplier(SUPPLIER.duns)  # SQLite: BEGIN IMMEDIATE comes with it
                order.append(f"{name} in")
                assert supplier is not None
                time.sleep(0.2)
                uow.master.upsert_suppliers([Supplier(supplier.duns, supplier.name + "+", supplier.ucb_por,
                                                      supplier.sbo)])
                order.append(f"{name} out")
                uow.commit()

        threads = [threading.Thread(target=step, args=(store, name)) for store, name in ((first, "a"), (second, "b"))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        final = first.get_supplier(SUPPLIER.duns)
    assert final is not None and final.name == SUPPLIER.name + "++"  # neither update was lost
    assert order in (["a in", "a out", "b in", "b out"], ["b in", "b out", "a in", "a out"])


def test_control_numbers_are_gap_free_across_stores_and_threads(url: str) -> None:
    with Store.open(url) as first, Store.open(url) as second:
        taken: list[int] = []
        lock = threading.Lock()

        def take(store: Store) -> None:
            for _ in range(20):
                number = store.next_control_number("ISA:012345678>987654321")
                with lock:
                    taken.append(number)

        threads = [threading.Thread(target=take, args=(store,)) for store in (first, second, first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert sorted(taken) == list(range(1, 81))


def test_two_writers_never_take_the_same_outbound_file(url: str) -> None:
    """``next_unwritten_file`` locks the file's row: a second writer skips it (PostgreSQL) or waits (SQLite)."""
    from processor.store.records import OutboundFile

    with Store.open(url) as first, Store.open(url) as second:
        with first.unit_of_work() as uow:
            for n in (1, 2):
                uow.outbox.stage_file(OutboundFile(name=f"f{n}.x12", receiver="987654321", st01="814", isa13=n,
                                                   gs06=n, created_at=AT), 0)
            uow.commit()
        with first.unit_of_work() as uow:
            mine = uow.outbox.next_unwritten_file()
            assert mine is not None and mine.name == "f1.x12"
            if first.shared:
                with second.unit_of_work() as other:
                    theirs = other.outbox.next_unwritten_file()
                    assert theirs is not None and theirs.name == "f2.x12"
            uow.outbox.file_written(mine.name, at=AT)
            uow.commit()
        with second.unit_of_work() as uow:
            left = uow.outbox.next_unwritten_file()
    assert left is not None and left.name == "f2.x12"

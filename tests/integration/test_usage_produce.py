"""867 production against a real store (SQLite and PostgreSQL): loading, idempotency, holding, corrections, and
the batch's flush."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from edi.canonical import render
from edi.guide import GuideValidator
from edi.mapdir import default_map_dir
from edi.messages import Purpose, UsageReport
from edi.reader import X12Reader
from edi.validate import validate_reader
from processor.batch import Batch, Channels, _payload
from processor.calendar import Calendar
from processor.channels import open_folder
from processor.config import Utility
from processor.handlers import handlers
from processor.handlers.base import Outbound
from processor.load import load_csv
from processor.store import Store
from processor.store.records import MeterDataKind, NewOutboxMessage, NewSupplyPeriod, UsageStatus
from processor.usage import load_meter_csv, produce_usage, usage_key
from processor.usage.intervals import CENTRAL
from tests.integration.postgres import BACKENDS, fresh_database
from tests.support import SAMPLES

KINDS = ("suppliers", "accounts", "service-points", "meters", "schedule", "holidays")
POINT, METER = "7000000052", "40000052"
LOADED = datetime(2026, 11, 2, 8, tzinfo=CENTRAL)


def cpt(day: date, hh: int = 0, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=CENTRAL)


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with fresh_database(request.param, tmp_path) as url, Store.open(url) as opened:
        for kind in KINDS:
            assert load_csv(opened, kind, SAMPLES / "master" / f"{kind}.csv").ok
        yield opened


def calendar(store: Store) -> Calendar:
    holidays, schedule = store.calendar_inputs()
    return Calendar(holidays=holidays, schedule=schedule)


def write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def load(store: Store, path: Path) -> None:
    result = load_meter_csv(store, path, at=LOADED).result
    assert result.ok, result.error_lines()


def produce(store: Store, now: datetime) -> list[Outbound]:
    with store.unit_of_work() as uow:
        out = produce_usage(uow, calendar(store), now, Utility())
        uow.commit()
    return out


def reports(out: list[Outbound]) -> list[UsageReport]:
    messages = [o.message for o in out]
    assert all(isinstance(m, UsageReport) for m in messages)
    return [m for m in messages if isinstance(m, UsageReport)]


def load_samples(store: Store) -> None:
    for name in ("interval", "scalar", "read-events"):
        load(store, SAMPLES / "meter" / f"{name}.csv")


# ---------------------------------------------------------------------------------- loading


def test_a_file_with_a_bad_row_loads_nothing(store: Store, tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.csv", "meter_number,interval_end,kwh,quality",
                f"{METER},2026-10-31T00:15:00-05:00,1.0,A",
                f"{METER},2026-10-31T00:20:00-05:00,1.0,A",  # off the 15-minute grid
                "99999999,2026-10-31T00:30:00-05:00,1.0,A")  # unknown meter
    result = load_meter_csv(store, bad, at=LOADED).result
    assert [(e.line, e.column) for e in result.errors] == [(3, "interval_end"), (4, "meter_number")]
    assert result.rows == 0 and "nothing loaded" in result.summary()
    with store.unit_of_work() as uow:
        assert uow.meter_data.intervals(METER, cpt(date(2026, 10, 30)), cpt(date(2026, 11, 3))) == []
        assert uow.meter_data.unchecked_loads() == []


def test_interval_reads_of_a_scalar_meter_and_unknown_points_are_refused(store: Store, tmp_path: Path) -> None:
    result = load_meter_csv(store, write(tmp_path / "i.csv", "meter_number,interval_end,kwh,quality",
                                         "40000029,2026-10-31T00:15:00-05:00,1.0,A"), at=LOADED).result
    assert "scalar meter" in result.errors[0].message
    result = load_meter_csv(store, write(tmp_path / "e.csv", "service_point_id,read_at",
                                         "7999999999,2026-10-31T00:15:00-05:00"), at=LOADED).result
    assert result.errors[0].column == "service_point_id"


def test_a_reload_replaces_the_rows_and_is_a_new_load(store: Store, tmp_path: Path) -> None:
    header = "meter_number,interval_end,kwh,quality"
    load(store, write(tmp_path / "a.csv", header, f"{METER},2026-10-31T00:15:00-05:00,,M"))
    load(store, write(tmp_path / "b.csv", header, f"{METER},2026-10-31T00:15:00-05:00,2.5,A"))
    with store.unit_of_work() as uow:
        (read,) = uow.meter_data.intervals(METER, cpt(date(2026, 10, 30)), cpt(date(2026, 11, 1)))
        assert read.kwh is not None and read.kwh == 2.5 and read.interval_end.tzinfo is UTC
        loads = uow.meter_data.unchecked_loads()
        assert [(load.kind, load.rows) for load in loads] == [(MeterDataKind.INTERVAL_READS, 1)] * 2


# ------------------------------------------------------------------------------- production


def test_the_samples_give_their_867s_once(store: Store) -> None:
    load_samples(store)
    out = produce(store, cpt(date(2026, 11, 3), 2))
    by_point = {r.service_point: r for r in reports(out)}
    assert sorted(by_point) == ["7000000029", "7000000052", "7000000086"]
    assert by_point["7000000086"].final  # a finaled account's last read
    assert not by_point["7000000029"].final
    assert {o.receiver for o in out} == {"987654321"}
    assert produce(store, cpt(date(2026, 11, 3), 2)) == []
    assert produce(store, cpt(date(2026, 11, 4), 2)) == []


def test_a_period_waits_until_its_read_day_is_over(store: Store) -> None:
    load_samples(store)
    out = produce(store, cpt(date(2026, 11, 2), 23, 59))  # the fall-back point's read is Nov 2 00:00
    assert "7000000052" not in {r.service_point for r in reports(out)}
    assert "7000000052" in {r.service_point for r in reports(produce(store, cpt(date(2026, 11, 3))))}


def test_utility_supply_is_decided_once_and_gets_no_867(store: Store, tmp_path: Path) -> None:
    load_samples(store)
    with store.unit_of_work() as uow:  # the sample point went back to BGS on Nov 1 (no read event that day)
        uow.switching.append_supply(NewSupplyPeriod(service_point_id=POINT, supplier="BGS",
                                                    start_date=date(2026, 11, 1), recorded_at=LOADED))
        uow.commit()
    out = produce(store, cpt(date(2026, 11, 3), 2))
    assert POINT not in {r.service_point for r in reports(out)}
    with store.unit_of_work() as uow:
        (record,) = uow.meter_data.usage_records(POINT)
    assert record.status is UsageStatus.NOT_SENT and record.note == "utility supply (BGS)"


def test_a_scalar_period_waits_for_its_register_read(store: Store, tmp_path: Path) -> None:
    load(store, write(tmp_path / "events.csv", "service_point_id,read_at", "7000000094,2026-10-09T08:30:00-05:00",
                      "7000000094,2026-11-09T08:45:00-06:00"))
    load(store, SAMPLES / "meter" / "scalar.csv")  # has 40000094's October read only
    assert produce(store, cpt(date(2026, 11, 10))) == []
    load(store, write(tmp_path / "nov.csv", "meter_number,read_at,register_kwh,read_type",
                      "40000094,2026-11-09T08:45:00-06:00,30980.2,actual"))
    (report,) = reports(produce(store, cpt(date(2026, 11, 10))))
    assert report.summary is not None and report.summary.quantities[0].value == 567.5


def test_corrected_data_cancels_and_replaces_the_867(store: Store, tmp_path: Path) -> None:
    load_samples(store)
    first = {r.service_point: r for r in reports(produce(store, cpt(date(2026, 11, 3), 2)))}["7000000052"]
    load(store, write(tmp_path / "fix.csv", "meter_number,interval_end,kwh,quality",
                      "40000053,2026-10-31T09:45:00-05:00,5.250,A", "40000053,2026-10-31T09:30:00-05:00,5.310,A"))
    cancel, replacement = reports(produce(store, cpt(date(2026, 11, 4), 2)))
    assert cancel.purpose is Purpose.CANCELLATION and replacement.purpose is Purpose.ORIGINAL
    assert cancel.reference != first.reference != replacement.reference
    body = [s for s in render(cancel) if s.id != "BPT"]
    assert body == [s for s in render(first) if s.id != "BPT"]  # the cancel repeats the original
    assert not any(i.estimated for m in replacement.meters for i in m.intervals)
    with store.unit_of_work() as uow:
        original, withdrawn, restated = uow.meter_data.usage_records(POINT)
    assert (original.status, original.reference) == (UsageStatus.CANCELLED, first.reference)
    assert (withdrawn.status, withdrawn.cancels_id, withdrawn.reference) == (UsageStatus.CANCEL, original.id,
                                                                             cancel.reference)
    assert (restated.status, restated.replaces_id) == (UsageStatus.SENT, original.id)
    load(store, tmp_path / "fix.csv")  # the same data again: nothing to restate
    assert produce(store, cpt(date(2026, 11, 5), 2)) == []


def test_the_867s_go_out_through_the_batch_and_pass_our_maps(store: Store, tmp_path: Path) -> None:
    """What Batch.run() is to do before it flushes: enqueue what produce_usage returns, then flush."""
    load_samples(store)
    now = cpt(date(2026, 11, 3), 2)
    with store.unit_of_work() as uow:
        for out in produce_usage(uow, calendar(store), now, Utility()):
            assert isinstance(out.message, UsageReport)
            uow.outbox.enqueue(NewOutboxMessage(
                idempotency_key=usage_key(out), receiver=out.receiver, st01="867",
                kind="UsageReport", payload=_payload(render(out.message)), created_at=now))
        uow.commit()
    folders = {name: tmp_path / name for name in ("inbox", "outbox", "archive", "quarantine")}
    for folder in folders.values():
        folder.mkdir()
    guide = GuideValidator.from_map_dir(default_map_dir())
    opened = {name: open_folder(str(path)) for name, path in folders.items()}
    channels = Channels(inbox=opened["inbox"], outbox=opened["outbox"], archive=opened["archive"],
                        quarantine=opened["quarantine"])
    batch = Batch(store=store, channels=channels, guide=guide, calendar=calendar(store), utility=Utility(),
                  handlers=handlers(), now=now)
    batch.flush_outbox()
    (name,) = sorted(p.name for p in folders["outbox"].iterdir())
    assert name.startswith("987654321_867_")
    data = (folders["outbox"] / name).read_bytes()
    assert validate_reader(X12Reader(io.BytesIO(data), name), guide).valid
    assert data.count(b"ST*867*") == 3


def test_a_first_read_event_reaches_back_45_days_at_most(store: Store, tmp_path: Path) -> None:
    first = cpt(date(2026, 5, 1))
    ends = [first + timedelta(minutes=15 * n) for n in range(1, 60 * 96 + 1)]
    write(tmp_path / "i.csv", "meter_number,interval_end,kwh,quality",
          *(f"40000060,{e.isoformat()},1.000,A" for e in ends))
    load(store, tmp_path / "i.csv")
    load(store, write(tmp_path / "e.csv", "service_point_id,read_at", f"7000000060,{ends[-1].isoformat()}"))
    (report,) = reports(produce(store, ends[-1] + timedelta(days=1)))
    assert report.summary is not None
    assert report.summary.period.start == (ends[-1] - timedelta(days=45)).date()
    assert len(report.meters[0].intervals) == 45 * 24

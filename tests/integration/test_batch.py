"""The nightly batch end to end, on SQLite and PostgreSQL: every file accounted for, every set answered once, nothing
sent twice."""

from __future__ import annotations

import json
import os
import stat
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from edi.guide import GuideValidator
from edi.validate import validate_file
from processor.batch import Batch, Channels, _Prepared
from processor.channels import ChannelError, LocalFolder
from processor.config import Utility
from processor.store import Store
from processor.store.records import Claim, ClaimStatus, LedgerEntry
from tests.integration.batch_env import BatchEnv, inbound_samples, make_env
from tests.integration.postgres import BACKENDS, sample_database
from tests.support import MAPS, ROOT, SAMPLES, arrive

AS_OF = "2026-10-22T08:00:00"
BAD = SAMPLES / "bad"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> BatchEnv:
    """Master data loaded once through `edi load`; each test gets a copy of the database."""
    return make_env(tmp_path_factory.mktemp("template"))


@pytest.fixture(params=BACKENDS)
def env(request: pytest.FixtureRequest, tmp_path: Path, loaded: BatchEnv) -> Iterator[BatchEnv]:
    """A site with the sample master data on SQLite (a copy of ``loaded``) or on PostgreSQL."""
    if request.param == "sqlite":
        yield make_env(tmp_path / "site", template=loaded)
        return
    with sample_database() as url:
        yield make_env(tmp_path / "site", url=url)


def test_every_inbound_file_is_archived_or_quarantined(env: BatchEnv) -> None:
    inbound = inbound_samples()
    env.drop(*inbound, BAD / "bad_se01_count.x12", BAD / "bad_empty.x12", BAD / "bad_mixed.x12")
    done = env.edi("batch", "--as-of", AS_OF)
    assert done.returncode == 1, done.stderr  # something was quarantined
    assert env.files("inbox") == {}
    archived = {Path(name).name for name in env.files("archive")}
    assert archived == {p.name for p in inbound}
    quarantined = env.files("quarantine")
    for name in ("bad_se01_count.x12", "bad_empty.x12", "bad_mixed.x12"):
        assert name in quarantined
        error = json.loads(quarantined[name + ".error.json"])
        assert error["file"] == name and error["reason"] and error["findings"]
    [report] = env.reports()
    assert report["files"]["quarantined"] == 3 and report["files"]["archived"] == len(inbound)
    assert "quarantined" in done.stdout and "outbound files" in done.stdout
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    handled = [line for line in lines if line["event"] == "transaction set handled"]
    assert handled and all(line["code"] for line in handled), "by default only rejected sets get a line each"
    assert not any(line["level"] == "debug" for line in lines)


def test_outbound_files_are_named_complete_private_and_valid(env: BatchEnv) -> None:
    env.drop(*inbound_samples())
    assert env.edi("batch", "--as-of", AS_OF).returncode == 0
    guide = GuideValidator.from_map_dir(MAPS)
    outbox = env.folder("outbox")
    names = sorted(p.name for p in outbox.iterdir())
    assert names and not [n for n in names if n.startswith(".")]  # no temporary or claimed leftovers
    for name in names:
        receiver, st01, isa13 = name.removesuffix(".x12").split("_")
        path = outbox / name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        result = validate_file(path, guide)
        assert result.valid, [str(f) for f in result.findings]
        isa = result.interchanges[0]
        assert isa.receiver[1] == receiver and isa.isa13 == isa13
        assert st01 == "TA1" or isa.groups[0].sets[0].st01 == st01


def test_one_997_per_inbound_group_and_a_bad_set_does_not_stop_the_good_ones(env: BatchEnv) -> None:
    env.drop(BAD / "bad_mixed.x12")
    env.edi("batch", "--as-of", AS_OF)
    [ack] = [data for name, data in env.files("outbox").items() if "_997_" in name]
    text = ack.decode()
    assert text.count("AK1*") == 1
    assert "AK2*814*0001~\nAK5*A~" in text  # the good set was accepted and handled
    assert "AK9*P*3*3*1~" in text
    [report] = env.reports()
    assert sum(sum(v.values()) for v in report["transaction_sets"].values()) == 1


def test_a_rerun_sends_nothing_twice(env: BatchEnv) -> None:
    inbound = inbound_samples()
    env.drop(*inbound)
    env.edi("batch", "--as-of", AS_OF)
    first_outbox, first_state = env.files("outbox"), env.state()
    env.drop(*inbound)  # the RES re-sends everything
    env.drop(inbound[0], rename="renamed-copy.x12")
    done = env.edi("batch", "--as-of", AS_OF)
    assert done.returncode == 0
    assert env.files("outbox") == first_outbox
    assert env.state() == first_state
    report = env.reports()[-1]
    assert report["files"]["duplicates"] == len(inbound) + 1 and report["outbound_files"] == []


def test_a_reused_isa13_with_other_content_is_quarantined_with_a_ta1(env: BatchEnv, tmp_path: Path) -> None:
    original = inbound_samples()[0]
    env.drop(original)
    env.edi("batch", "--as-of", AS_OF)
    changed = tmp_path / "changed.x12"
    changed.write_bytes(original.read_bytes().replace(b"REF*11*", b"REF*11*X", 1))
    env.drop(changed)
    assert env.edi("batch", "--as-of", AS_OF).returncode == 1
    assert "changed.x12" in env.files("quarantine")
    ta1 = [data for name, data in env.files("outbox").items() if "_TA1_" in name]
    assert ta1 and b"*R*025~" in ta1[0]


def test_a_second_batch_exits_at_once_while_one_runs(env: BatchEnv) -> None:
    lock = os.open(env.root / "batch.lock", os.O_RDWR | os.O_CREAT)
    import fcntl

    fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        env.drop(inbound_samples()[0])
        started = time.monotonic()
        done = env.edi("batch", "--as-of", AS_OF)
        assert done.returncode == 2 and "another batch is running" in done.stderr
        assert time.monotonic() - started < 10
        assert len(env.files("inbox")) == 1  # untouched
    finally:
        os.close(lock)


def test_a_claimed_file_left_by_a_crashed_run_is_resumed(env: BatchEnv) -> None:
    sample = inbound_samples()[0]
    env.drop(sample, rename=".claimed." + sample.name)
    assert env.edi("batch", "--as-of", AS_OF).returncode == 0
    assert env.files("inbox") == {}
    assert [Path(n).name for n in env.files("archive")] == [sample.name]
    assert env.reports()[-1]["files"]["resumed"] == 1


def test_infrastructure_failure_exits_3(env: BatchEnv) -> None:
    unusable = "sqlite:////proc/nope/edi.db" if env.url is None else "postgresql://edi@127.0.0.1:1/edi"
    env.config.write_text(env.config.read_text().replace(env.db_url, unusable))
    done = env.edi("batch", "--as-of", AS_OF)
    assert done.returncode == 3 and "database" in done.stderr


@pytest.mark.parametrize(("received_time", "read_date"), [("arrival", "20261106"), ("run", "20261207")])
def test_the_cut_off_applies_to_when_the_file_arrived_unless_configured_otherwise(
        env: BatchEnv, received_time: str, read_date: str) -> None:
    """Dropped Fri 10-23 18:44, read by the 2 a.m. Saturday batch: received Friday before the cut-off
    (read of 11-06), or, with ``received_time = "run"``, at 2 a.m. Saturday, so Monday (read of 12-07)."""
    if received_time == "run":
        env.config.write_text(env.config.read_text() + '[utility]\nreceived_time = "run"\n')
    env.drop(ROOT / "tests/golden/scenarios/cutoff-1844-mm-friday/inbound/enroll.x12")
    arrive(env.folder("inbox") / "enroll.x12", "2026-10-23T18:44:00")
    assert env.edi("batch", "--as-of", "2026-10-24T02:00:00").returncode == 0
    (response,) = (p for p in env.folder("outbox").iterdir() if "_814_" in p.name)
    assert f"DTM*150*{read_date}" in response.read_text()


def _lone_batch(tmp_path: Path, store: Store | None = None) -> tuple[Batch, dict[str, LocalFolder]]:
    """A batch over local folders in ``tmp_path`` (and ``store``), for the steps that need no more."""
    folders = {name: LocalFolder(tmp_path / name) for name in ("inbox", "outbox", "archive", "quarantine")}
    batch = Batch(store=store, channels=Channels(**folders), guide=GuideValidator.from_map_dir(MAPS),  # type: ignore[arg-type]
                  calendar=None, utility=Utility(), handlers={},  # type: ignore[arg-type]
                  now=datetime(2026, 10, 22, 13, 0, tzinfo=UTC))
    return batch, folders


def test_a_claimed_file_that_changes_while_it_is_processed_is_not_archived(tmp_path: Path) -> None:
    """The batch reads an inbound file as a stream, more than once: what it archives must be what it read."""
    batch, folders = _lone_batch(tmp_path)
    (tmp_path / "inbox" / "in.x12").write_bytes(b"ISA*first content~")
    claimed = folders["inbox"].claim("in.x12")
    assert claimed is not None
    prepared = _Prepared(claimed=claimed, name="in.x12", digest="0" * 64, hashes=[], interchanges=[], findings=[],
                         unreadable=False, received_at=batch.now)
    with pytest.raises(ChannelError, match="changed while it was processed"):
        batch._archive(prepared)
    assert folders["inbox"].exists(claimed), "the inbox copy stays for the next run"


def test_a_claimed_file_that_changes_between_the_two_passes_stops_its_handling(tmp_path: Path) -> None:
    with Store.open(f"sqlite:///{tmp_path}/edi.db") as store:
        batch, folders = _lone_batch(tmp_path, store)
        enroll = SAMPLES / "valid" / "814_enroll_request_oncycle.x12"
        (tmp_path / "inbox" / "in.x12").write_bytes(enroll.read_bytes())
        claimed = folders["inbox"].claim("in.x12")
        assert claimed is not None
        prepared = batch._prepare(claimed, "in.x12")
        assert not prepared.findings
        changed = enroll.read_text().replace("\nST*", "\nREF*ZZ*X~\nST*", 1)  # one more segment before the set
        assert changed != enroll.read_text()
        (tmp_path / "inbox" / claimed).write_text(changed)
        entry = LedgerEntry(id=1, sender="x", isa13="1", sha256="0", file_name="in.x12", claimed_at=batch.now,
                            finished_at=None, outcome=None)
        claims = [Claim(ClaimStatus.NEW, entry) for _ in prepared.interchanges]
        with pytest.raises(ChannelError, match="changed while it was processed"):
            batch._handle_sets(prepared, claims)
        with store.unit_of_work() as uow:
            assert uow.ledger.recorded_sets(1) == set(), "nothing of it was handled"

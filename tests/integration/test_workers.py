"""``edi batch --workers N`` on a real PostgreSQL server: several processes, one night, nothing done twice.

The reference is one process on SQLite over the same drop folder of 2,000 files (issue 9's acceptance check).
Four workers on PostgreSQL must leave the same outbox byte for byte (they apply files in the same order, so
they decide the same), archive and quarantine the same files, leave the same rows in the database (every
interchange and set recorded once, every decision and response the same, every response in exactly one
sent file), and number their files per partner 1, 2, 3 … with none missing or twice; also when one worker
is SIGKILLed in the middle.

The two 2,000-file runs share the SQLite reference (half a minute or more of work): the first pytest-xdist
worker that needs it computes it, the other reads it (:func:`reference`).
"""

from __future__ import annotations

import dataclasses
import fcntl
import json
import os
import pickle
import re
import shutil
import signal
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Select, select

from processor.store import schema
from processor.store.database import READ_ONLY, create_engine
from tests.integration.batch_env import EDI, BatchEnv, make_env
from tests.integration.many_files import fill_inbox
from tests.integration.postgres import (
    BACKENDS,
    PostgresServer,
    fresh_database,
    load_sample_master_data,
    shared_postgres,
)
from tests.support import SAMPLES, arrive

AS_OF = "2026-10-22T08:00:00"
FILES = 2000
@dataclass(frozen=True)
class Run:
    process: subprocess.Popen[str]
    out: Path
    err: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def returncode(self) -> int | None:
        return self.process.returncode

    def communicate(self, timeout: float) -> tuple[str, str]:
        self.process.wait(timeout)
        return self.out.read_text(), self.err.read_text()


@dataclass(frozen=True)
class PgEnv:
    """A site like :class:`BatchEnv` whose database is a fresh PostgreSQL database with the master data."""

    site: BatchEnv
    url: str

    def edi(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return self.site.edi(*args, timeout=timeout)

    def start(self, *args: str) -> Run:
        """Start ``edi`` in the background, its output going to files (a full pipe would stall the run)."""
        n = len(list(self.site.root.glob("run-*.out")))
        out, err = self.site.root / f"run-{n}.out", self.site.root / f"run-{n}.err"
        with out.open("w") as stdout, err.open("w") as stderr:
            process = subprocess.Popen([EDI, "--config", str(self.site.config), "--log-format", "json", *args],
                                       cwd=self.site.root, stdout=stdout, stderr=stderr, text=True)
        return Run(process, out, err)

    def query(self, sql: str) -> list[tuple[object, ...]]:
        with psycopg.connect(self.url.replace("postgresql+psycopg://", "postgresql://")) as connection:
            return list(connection.execute(sql).fetchall())


def pg_env(root: Path, server: PostgresServer, inbox: Path | None = None, *, lock: str = "batch.lock",
           url: str | None = None, folders: Path | None = None) -> PgEnv:
    """A site under ``root``; with ``folders``, it shares the drop folders under that directory."""
    root.mkdir(parents=True, exist_ok=True)
    url = url or server.database(server.template("sample-master-data", load_sample_master_data))
    site = BatchEnv(root)
    shared = folders or root
    site.config.write_text(
        "[paths]\n"
        + "".join(f'{k} = "{shared / k}"\n' for k in ("inbox", "outbox", "archive", "quarantine"))
        + f'reports = "{root / "reports"}"\n'
        + f'lock = "{root / lock}"\n'
        + f'[database]\nurl = "{url}"\n')
    if inbox is not None:
        shutil.copytree(inbox, root / "inbox")
    return PgEnv(site, url)


@dataclass(frozen=True)
class Night:
    """What a night leaves: the folders (names of archived and quarantined files, outbound bytes), the run's
    report, and the database's rows (:func:`db_state`)."""

    inbox: list[str]
    outbox: dict[str, bytes]
    archive: list[str]
    quarantine: list[str]
    report: dict[str, Any]
    state: dict[str, list[tuple[object, ...]]]
    #: temporary files of writes cut short (``.tmp.NAME.…``): a SIGKILLed worker's half-written archive copy,
    #: never read by anyone and swept by a later run once an hour old (``processor/channels/local.py``)
    debris: list[str]


def night_of(site: BatchEnv, url: str) -> Night:
    def split(folder: str) -> tuple[dict[str, bytes], list[str]]:
        files = site.files(folder)
        return ({n: data for n, data in files.items() if not Path(n).name.startswith(".tmp.")},
                [n for n in files if Path(n).name.startswith(".tmp.")])

    (outbox, out_debris), (archive, archive_debris), (quarantine, quarantine_debris) = (
        split("outbox"), split("archive"), split("quarantine"))
    return Night(inbox=sorted(site.files("inbox")), outbox=outbox, archive=sorted(Path(n).name for n in archive),
                 quarantine=sorted(quarantine), report=site.reports()[-1], state=db_state(url),
                 debris=sorted(out_debris + archive_debris + quarantine_debris))


def db_state(url: str) -> dict[str, list[tuple[object, ...]]]:
    """What the night recorded, decided and sent, without ids and run times, as sorted rows: equal on both
    databases when every file was processed once and in the same order."""
    s, h = schema.switch_requests, schema.supply_history
    ledger, sets, outbox, files = schema.ingest_ledger, schema.ingest_sets, schema.outbox, schema.outbound_files
    queries: dict[str, Select[tuple[object, ...]]] = {
        "ledger": select(ledger.c.sender, ledger.c.isa13, ledger.c.sha256, ledger.c.outcome),
        "sets": select(ledger.c.sha256, sets.c.gs06, sets.c.st02, sets.c.st01).join(ledger),
        "switch_requests": select(s.c.kind, s.c.direction, s.c.supplier, s.c.account_number, s.c.service_point_id,
                                  s.c.request_ref, s.c.line_ref, s.c.received_at, s.c.requested_date, s.c.off_cycle,
                                  s.c.status, s.c.effective_date, s.c.rejection_code, s.c.rejection_text,
                                  s.c.source_file, s.c.isa13, s.c.gs06, s.c.st02),
        "supply_history": select(h.c.service_point_id, h.c.supplier, h.c.start_date, h.c.end_date),
        "outbox": select(outbox.c.idempotency_key, outbox.c.receiver, outbox.c.st01, outbox.c.payload,
                         outbox.c.sent_file, outbox.c.sent_at.is_not(None).label("sent")),
        "outbound_files": select(files.c.name, files.c.receiver, files.c.st01, files.c.isa13, files.c.gs06,
                                 files.c.written_at.is_not(None).label("written")),
    }
    engine = create_engine(url)
    try:
        with engine.connect().execution_options(**{READ_ONLY: True}) as connection:
            return {name: sorted((tuple(row) for row in connection.execute(query)), key=repr)
                    for name, query in queries.items()}
    finally:
        engine.dispose()


def assert_gap_free(outbox: dict[str, bytes]) -> None:
    """Per partner, the outbound files' ISA13 (and the GS06 of those with a group) run 1, 2, 3 … with none
    missing and none twice, and each file is named after the ISA13 inside it."""
    isa13s: dict[str, list[int]] = {}
    gs06s: dict[str, list[int]] = {}
    for name, data in outbox.items():
        receiver, _, isa13 = name.removesuffix(".x12").split("_")
        segments = [raw.strip().split("*") for raw in data.decode().split("~") if raw.strip()]
        [inside] = [seg[13] for seg in segments if seg[0] == "ISA"]
        assert inside == isa13, name
        isa13s.setdefault(receiver, []).append(int(isa13))
        gs06s.setdefault(receiver, []).extend(int(seg[6]) for seg in segments if seg[0] == "GS")
    for receiver in isa13s:
        assert sorted(isa13s[receiver]) == list(range(1, len(isa13s[receiver]) + 1)), f"ISA13 to {receiver}"
        assert sorted(gs06s[receiver]) == list(range(1, len(gs06s[receiver]) + 1)), f"GS06 to {receiver}"


def worker_of(line: str) -> int | None:
    try:
        event = json.loads(line)
    except ValueError:
        return None
    return event.get("worker") if event.get("event") in ("archived", "quarantined") else None


@pytest.fixture(scope="module")
def server() -> PostgresServer:
    return shared_postgres()


@pytest.fixture(scope="module")
def drop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The night's drop folder: 2,000 small files (a few broken, a few re-sent), made once per pytest worker,
    the same bytes and arrival times each time (the cut-off goes by arrival)."""
    inbox = tmp_path_factory.mktemp("drop") / "inbox"
    for name in fill_inbox(inbox, FILES):
        arrive(inbox / name, AS_OF)
    return inbox


def one_process_night(root: Path, drop: Path) -> Night:
    """One process on SQLite over the files: what the workers must match."""
    site = make_env(root)
    shutil.rmtree(site.folder("inbox"))
    shutil.copytree(drop, site.folder("inbox"))
    done = site.edi("batch", "--as-of", AS_OF, timeout=600)
    assert done.returncode == 1, done.stderr[-2000:]  # the broken files are quarantined
    night = night_of(site, f"sqlite:///{site.db}")
    assert_gap_free(night.outbox)
    assert night.debris == []
    return night


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, drop: Path) -> Night:
    """:func:`one_process_night`, computed once per pytest session: under pytest-xdist the first worker to get
    here computes it into the session's shared temporary directory, under a lock, and the others read it."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):  # one pytest process
        return one_process_night(tmp_path_factory.mktemp("sqlite"), drop)
    shared = tmp_path_factory.getbasetemp().parent / "workers-reference.pickle"
    with open(f"{shared}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if shared.exists():
            return Night(**pickle.loads(shared.read_bytes()))
        night = one_process_night(tmp_path_factory.mktemp("sqlite"), drop)
        shared.write_bytes(pickle.dumps(dataclasses.asdict(night)))
        return night


def check_exactly_once(env: PgEnv, expected: Night) -> Night:
    """The workers' night against one process's: the same folders, the same rows, nothing left over."""
    got = night_of(env.site, env.url)
    assert got.inbox == [], "an inbound file was left behind"
    assert sorted(got.outbox) == sorted(expected.outbox), "other outbound files than one process's"
    assert got.outbox == expected.outbox, "an outbound file differs from one process's"
    assert got.archive == expected.archive, "archived files differ"  # each name once: nothing twice
    assert got.quarantine == expected.quarantine, "quarantined files differ"
    assert env.query("SELECT count(*) FROM batch_files") == [(0,)], "files left in the work queue"
    assert env.query("SELECT count(*) FROM outbox WHERE sent_at IS NULL OR sent_file IS NULL") == [(0,)]
    for table, rows in expected.state.items():  # table by table, so that a failure names the table
        assert got.state[table] == rows, f"{table} differs from one process's"
    assert len(got.state["ledger"]) == expected.report["interchanges"]["processed"]
    assert_gap_free(got.outbox)
    return got


@pytest.mark.slow
def test_four_workers_leave_what_one_process_leaves(tmp_path: Path, server: PostgresServer, drop: Path,
                                                     reference: Night) -> None:
    env = pg_env(tmp_path / "site", server, drop)
    done = env.edi("batch", "--as-of", AS_OF, "--workers", "4", timeout=600)
    assert done.returncode == 1, done.stderr[-3000:]
    got = check_exactly_once(env, reference)
    assert got.debris == [], "a temporary file left behind without a crash"
    report = got.report
    for key in ("files", "interchanges", "transaction_sets", "rejections"):
        assert report[key] == reference.report[key], key
    assert sorted(report["outbound_files"]) == sorted(reference.report["outbound_files"])
    by_worker = Counter(w for line in done.stderr.splitlines() if (w := worker_of(line)) is not None)
    assert sorted(by_worker) == [1, 2, 3, 4] and sum(by_worker.values()) == FILES, by_worker  # all four worked


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


@pytest.mark.slow
def test_a_worker_killed_midway_loses_and_doubles_nothing(tmp_path: Path, server: PostgresServer, drop: Path,
                                                          reference: Night) -> None:
    env = pg_env(tmp_path / "site", server, drop)
    run = env.start("batch", "--as-of", AS_OF, "--workers", "4")
    victim = None
    deadline = time.monotonic() + 300
    while victim is None and time.monotonic() < deadline:  # midway: once a quarter of the files are done
        time.sleep(0.05)
        pids = set(children(run.pid))
        left = env.query("SELECT count(*) FROM batch_files")
        busy = env.query("SELECT owner_name FROM batch_files WHERE state = 'claimed'")
        if left and int(str(left[0][0])) <= FILES * 3 // 4 and busy:
            owners = {int(str(name).rsplit(":", 1)[1]) for (name,) in busy}
            victim = next(iter(sorted(owners & pids)), None)
    assert victim is not None, "no worker to kill (did the run start?)"
    os.kill(victim, signal.SIGKILL)
    # What it held as it died (nobody takes a dead worker's file within the 0.2 s a waiting worker first
    # gives the notification it waits for): almost always the file it was on; none if it died between two.
    held = env.query(f"SELECT name FROM batch_files WHERE owner_name LIKE '%:{victim}'")
    _, err = run.communicate(timeout=600)
    assert run.returncode == 1, err[-3000:]
    assert any("ended abnormally" in line for line in err.splitlines())
    if held:
        assert any("took over" in line for line in err.splitlines()), f"nobody took over {held}"
    got = check_exactly_once(env, reference)
    assert len(got.debris) <= 1, got.debris  # the victim's write cut short, if it was writing
    report = got.report  # the killed worker's counts are saved after each of its files
    assert FILES - 1 <= report["files"]["archived"] + report["files"]["quarantined"] <= FILES


# ---------------------------------------------------------------------------------- smaller races


@pytest.fixture(scope="module")
def small_drop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    inbox = tmp_path_factory.mktemp("small") / "inbox"
    fill_inbox(inbox, 150, broken_every=0)
    return inbox


def test_two_machines_share_one_night_through_the_database(tmp_path: Path, server: PostgresServer,
                                                           small_drop: Path) -> None:
    """Two runs (each its own lock, as on two machines), two workers each, one database, one inbox: every
    file is taken by one of them, every set answered once, and control numbers stay unique and gap-free."""
    first = pg_env(tmp_path / "a", server, small_drop)
    second = pg_env(tmp_path / "b", server, url=first.url, lock="other.lock", folders=first.site.root)
    runs = [env.start("batch", "--as-of", AS_OF, "--workers", "2") for env in (first, second)]
    results = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], [err[-2000:] for _, err in results]
    assert first.site.files("inbox") == {}
    archived = [Path(n).name for n in first.site.files("archive")]
    assert sorted(archived) == sorted(p.name for p in small_drop.iterdir())  # each file archived once
    ledger = first.query("SELECT count(*), count(DISTINCT sha256) FROM ingest_ledger")
    assert ledger[0][0] == ledger[0][1]
    assert first.query("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == [(0,)]
    reports = [json.loads(p.read_text()) for env in (first, second) for p in env.site.folder("reports").glob("*.json")]
    assert sum(r["files"].get("claimed", 0) for r in reports) == 150  # nothing claimed by both
    assert all(r["files"].get("claimed", 0) for r in reports), "one of the runs did nothing"
    assert_gap_free(first.site.files("outbox"))  # control numbers unique and gap-free per partner
    acks: Counter[str] = Counter()
    for data in first.site.files("outbox").values():
        for group in re.findall(rb"AK1\*GE\*(\d+)", data):
            acks[group.decode()] += 1
    groups = set()  # GS06 is unique per inbound group here
    for path in small_drop.iterdir():
        data = path.read_bytes()
        e = re.escape(data[3:4])
        pattern = rb"GS" + e + rb"GE" + e + rb"(?:\w+" + e + rb"){4}(\d+)" + e
        groups |= {gs06.decode() for gs06 in re.findall(pattern, data)}
    assert set(acks) == groups and max(acks.values()) == 1  # every inbound group acknowledged, once


def test_two_workers_racing_for_one_file_one_wins(tmp_path: Path, small_drop: Path) -> None:
    from processor.channels import LocalFolder

    shutil.copytree(small_drop, tmp_path / "inbox")
    folders = [LocalFolder(tmp_path / "inbox") for _ in range(4)]
    won: list[tuple[int, str]] = []
    lock = threading.Lock()
    together = threading.Barrier(len(folders))

    def race(index: int) -> None:
        together.wait()
        for name in sorted(p.name for p in small_drop.iterdir()):
            if folders[index].claim(name) is not None:
                with lock:
                    won.append((index, name))

    threads = [threading.Thread(target=race, args=(i,)) for i in range(len(folders))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(name for _, name in won) == sorted(p.name for p in small_drop.iterdir())


def test_a_second_run_exits_while_the_workers_of_the_first_work(tmp_path: Path, server: PostgresServer,
                                                                small_drop: Path) -> None:
    env = pg_env(tmp_path / "site", server, small_drop)
    run = env.start("batch", "--as-of", AS_OF, "--workers", "2")
    try:
        deadline = time.monotonic() + 60
        while not children(run.pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        second = env.edi("batch", "--as-of", AS_OF, "--workers", "2")
        assert second.returncode == 2 and "another batch is running" in second.stderr
    finally:
        run.communicate(timeout=300)
    assert run.returncode == 0 and env.site.files("inbox") == {}


def test_workers_on_sqlite_are_refused_with_a_reason(tmp_path: Path) -> None:
    site = BatchEnv(tmp_path)
    site.config.write_text(f'[paths]\nlock = "{tmp_path / "batch.lock"}"\n'
                           f'inbox = "{tmp_path / "inbox"}"\n[database]\nurl = "sqlite:///{tmp_path / "edi.db"}"\n')
    site.edi("load", "suppliers", str(SAMPLES / "master" / "suppliers.csv"), check=True)  # a database in use
    done = site.edi("batch", "--workers", "4")
    assert done.returncode == 2
    assert "needs PostgreSQL" in done.stderr and "--workers 1" in done.stderr



@pytest.mark.parametrize("backend", BACKENDS)
def test_processes_flushing_at_once_stage_each_response_once_numbered_gap_free(tmp_path: Path, backend: str) -> None:
    """Two processes (two stores, as on two machines) write the outbox at the same moment, round after round:
    every response goes out in exactly one file, no file is written twice, and each partner's ISA13 and GS06
    run 1, 2, 3 … (staging takes the numbers under one lock; writing claims a file ``FOR UPDATE SKIP LOCKED``)."""
    from processor.bootstrap import bootstrap
    from processor.clock import FixedClock, parse_as_of
    from processor.store import Store
    from processor.store.records import NewOutboxMessage

    receivers, rounds, per_round = ("987654321", "123456789", "555000111"), 6, 12
    at = parse_as_of(AS_OF)
    with fresh_database(backend, tmp_path) as url:
        config = tmp_path / "edi.toml"
        config.write_text(f'[paths]\noutbox = "{tmp_path / "outbox"}"\ninbox = "{tmp_path / "inbox"}"\n'
                          f'[database]\nurl = "{url}"\n')
        app = bootstrap(config, as_of=FixedClock(at))
        with Store.open(url) as first, Store.open(url) as second:
            batches = [app.batch(store, app.channels()) for store in (first, second)]
            together = threading.Barrier(len(batches))
            failures: list[BaseException] = []

            def night(index: int) -> None:
                batch = batches[index]
                try:
                    for r in range(rounds):
                        with batch.store.unit_of_work() as uow:
                            for n in range(per_round):
                                group = f"{index}{r:02d}{n:03d}"
                                uow.outbox.enqueue(NewOutboxMessage(
                                    idempotency_key=f"test:{group}", receiver=receivers[(r + n) % len(receivers)],
                                    st01="997", kind="FunctionalAck", created_at=at,
                                    payload=json.dumps([["AK1", "GE", group], ["AK9", "A", "1", "1", "1"]])))
                            uow.commit()
                        together.wait(60)
                        batch.flush_outbox()
                except BaseException as exc:  # reported in the main thread
                    failures.append(exc)
                    together.abort()

            threads = [threading.Thread(target=night, args=(i,)) for i in range(len(batches))]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(120)
            assert not failures, failures
        written = [name for batch in batches for name in batch.report.outbound_files]
        outbox = {p.name: p.read_bytes() for p in (tmp_path / "outbox").iterdir()}
    assert sorted(written) == sorted(outbox), "a file written twice, or by nobody"
    assert all(batch.report.outbound_files for batch in batches), "one of the two never wrote a file"
    groups = Counter(g.decode() for data in outbox.values() for g in re.findall(rb"AK1\*GE\*(\d+)", data))
    assert len(groups) == len(batches) * rounds * per_round and set(groups.values()) == {1}
    assert_gap_free(outbox)

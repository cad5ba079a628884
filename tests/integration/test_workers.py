"""``edi batch --workers N`` on a real PostgreSQL server: several processes, one night, nothing done twice.

The reference is one process on SQLite over the same drop folder. Four workers on PostgreSQL must leave the
same outbox byte for byte (they apply files in the same order, so they decide the same), archive and
quarantine the same files, and process every file and answer every set exactly once, also when one worker
is SIGKILLed in the middle.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from tests.integration.batch_env import EDI, KINDS, BatchEnv, make_env
from tests.integration.many_files import fill_inbox
from tests.integration.postgres import PostgresServer, shared_postgres
from tests.support import SAMPLES

AS_OF = "2026-10-22T08:00:00"
FILES = 2000


def load_samples(url: str) -> None:
    from processor.load import load_csv
    from processor.store import Store

    with Store.open(url) as store:
        for kind in KINDS:
            assert load_csv(store, kind, SAMPLES / "master" / f"{kind}.csv").ok


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
            return list(connection.execute(sql).fetchall())  # type: ignore[arg-type]


def pg_env(root: Path, server: PostgresServer, inbox: Path | None = None, *, lock: str = "batch.lock",
           url: str | None = None, folders: Path | None = None) -> PgEnv:
    """A site under ``root``; with ``folders``, it shares the drop folders under that directory."""
    root.mkdir(parents=True, exist_ok=True)
    url = url or server.database(server.template("sample-master-data", load_samples))
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


def outcome(site: BatchEnv) -> dict[str, object]:
    """What a night leaves in the folders (names of archived and quarantined files, outbound bytes)."""
    return {
        "inbox": sorted(site.files("inbox")),
        "outbox": site.files("outbox"),
        "archive": sorted(Path(n).name for n in site.files("archive")),
        "quarantine": sorted(site.files("quarantine")),
    }


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
    """The night's drop folder: 2,000 small files (a few broken, a few re-sent), made once."""
    inbox = tmp_path_factory.mktemp("drop") / "inbox"
    fill_inbox(inbox, FILES)
    return inbox


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, drop: Path) -> dict[str, object]:
    """One process on SQLite over the same files: what the workers must match."""
    site = make_env(tmp_path_factory.mktemp("sqlite"))
    shutil.rmtree(site.folder("inbox"))
    shutil.copytree(drop, site.folder("inbox"))
    done = site.edi("batch", "--as-of", AS_OF, timeout=600)
    assert done.returncode == 1, done.stderr[-2000:]  # the broken files are quarantined
    result = outcome(site)
    result["report"] = site.reports()[-1]
    return result


def check_exactly_once(env: PgEnv, expected: dict[str, object], got: dict[str, object]) -> None:
    assert got["inbox"] == [], "an inbound file was left behind"
    assert sorted(got["outbox"]) == sorted(expected["outbox"]), "other outbound files than one process's"  # type: ignore[call-overload]
    assert got["outbox"] == expected["outbox"], "an outbound file differs from one process's"
    assert got["archive"] == expected["archive"], "archived files differ"  # each name once: nothing twice
    assert got["quarantine"] == expected["quarantine"], "quarantined files differ"
    assert env.query("SELECT count(*) FROM batch_files") == [(0,)], "files left in the work queue"
    assert env.query("SELECT count(*) FROM outbox WHERE sent_at IS NULL OR sent_file IS NULL") == [(0,)]
    sets = env.query("SELECT ledger_id, gs06, st02, count(*) FROM ingest_sets GROUP BY 1, 2, 3 HAVING count(*) > 1")
    assert sets == []
    report = expected["report"]
    assert isinstance(report, dict)
    processed = report["interchanges"]["processed"]
    assert env.query("SELECT count(*) FROM ingest_ledger") == [(processed,)]


@pytest.mark.slow
def test_four_workers_leave_what_one_process_leaves(tmp_path: Path, server: PostgresServer, drop: Path,
                                                     reference: dict[str, object]) -> None:
    env = pg_env(tmp_path / "site", server, drop)
    done = env.edi("batch", "--as-of", AS_OF, "--workers", "4", timeout=600)
    assert done.returncode == 1, done.stderr[-3000:]
    check_exactly_once(env, reference, outcome(env.site))
    report = env.site.reports()[-1]
    expected = reference["report"]
    assert isinstance(expected, dict)
    for key in ("files", "interchanges", "transaction_sets", "rejections"):
        assert report[key] == expected[key], key
    assert sorted(report["outbound_files"]) == sorted(expected["outbound_files"])
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
                                                          reference: dict[str, object]) -> None:
    env = pg_env(tmp_path / "site", server, drop)
    run = env.start("batch", "--as-of", AS_OF, "--workers", "4")
    victim = None
    deadline = time.monotonic() + 300
    while victim is None and time.monotonic() < deadline:  # midway: once a quarter of the files are done
        time.sleep(0.05)
        left = env.query("SELECT count(*) FROM batch_files")
        busy = env.query("SELECT owner_name FROM batch_files WHERE state = 'claimed'")
        pids = set(children(run.pid))
        if left and int(left[0][0]) <= FILES * 3 // 4 and busy:  # type: ignore[call-overload]
            owners = {int(str(name).rsplit(":", 1)[1]) for (name,) in busy}
            victim = next(iter(sorted(owners & pids)), None)
    assert victim is not None, "no worker to kill (did the run start?)"
    os.kill(victim, signal.SIGKILL)
    _, err = run.communicate(timeout=600)
    assert run.returncode == 1, err[-3000:]
    assert any("ended abnormally" in line for line in err.splitlines())
    assert any("took over" in line for line in err.splitlines()), "nobody took over the killed worker's file"
    check_exactly_once(env, reference, outcome(env.site))
    report = env.site.reports()[-1]  # the killed worker's counts are saved after each of its files
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
    numbers: dict[str, list[int]] = {}
    acks: Counter[str] = Counter()
    for name, data in first.site.files("outbox").items():
        receiver, _, isa13 = name.removesuffix(".x12").split("_")
        numbers.setdefault(receiver, []).append(int(isa13))
        for group in re.findall(rb"AK1\*GE\*(\d+)", data):
            acks[group.decode()] += 1
    for receiver, taken in numbers.items():
        assert sorted(taken) == list(range(1, len(taken) + 1)), receiver  # unique and gap-free per partner
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
    done = site.edi("batch", "--workers", "4")
    assert done.returncode == 2
    assert "needs PostgreSQL" in done.stderr and "--workers 1" in done.stderr


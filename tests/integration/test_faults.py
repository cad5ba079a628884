"""Faults survived, each injected for real; after each, a rerun ends exactly like one clean run.

* disk full while writing outbound files: the outbox on a tiny tmpfs of its own (needs root and
  CAP_SYS_ADMIN to mount; skipped, saying so, elsewhere), and everywhere at once with ``ulimit -f``
  (RLIMIT_FSIZE: every write past the limit fails with EFBIG, the database's included);
* the database locked by another process holding SQLite's write lock, briefly (the batch waits) and
  for longer than the busy timeout (the batch stops, exit 3, touching nothing);
* the database gone: its file deleted (the batch must refuse to start on a new, empty database) or
  replaced by garbage;
* SFTP dropped mid-run: every session process of a real OpenSSH server SIGKILLed at random points,
  and the server itself stopped (then started again);
* SIGTERM, SIGINT and SIGKILL at random points of a run.

"Exactly like one clean run": the same outbound files byte for byte (nothing lost, nothing sent
twice), the same files archived and quarantined (with their error files), nothing left in the inbox,
the same database state. A faulted run itself must end with exit 3 and a one-line reason, never a
traceback (the signals excepted: they end the process from outside).
"""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

import pytest

from processor.store import Store
from processor.store.records import NewOutboxMessage
from tests.fuzz.batch_harness import template_db
from tests.integration.batch_env import EDI, BatchEnv, inbound_samples, make_env
from tests.integration.sshd import SSHD, SshServer, running_sshd
from tests.support import SAMPLES

AS_OF = "2026-10-22T08:00:00"
BROKEN = ["bad_se01_count.x12", "bad_mixed.x12", "bad_empty.x12", "bad_truncated.x12", "bad_gzip.x12"]


def fill(inbox: Path) -> None:
    inbox.mkdir(parents=True, exist_ok=True)
    for path in [*inbound_samples(), *(SAMPLES / "bad" / name for name in BROKEN)]:
        shutil.copy(path, inbox / path.name)
    shutil.copy(inbound_samples()[0], inbox / "zz-resent-copy.x12")


def visible(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}


def snapshot(env: BatchEnv, outbox: Path | None = None, inbox: Path | None = None) -> dict[str, object]:
    quarantine = visible(env.folder("quarantine"))
    return {
        "outbox": visible(outbox or env.folder("outbox")),
        "inbox": sorted((inbox or env.folder("inbox")).iterdir()) if (inbox or env.folder("inbox")).exists() else [],
        "archive": sorted(visible(env.folder("archive"))),
        "quarantine": sorted(n for n in quarantine if not n.endswith(".error.json")),
        "error_files": sorted(n for n in quarantine if n.endswith(".error.json")),
        "state": env.state(),
    }


def assert_like_clean(got: dict[str, object], clean: dict[str, object]) -> None:
    assert got["inbox"] == [], f"left in the inbox: {got['inbox']}"
    assert sorted(got["outbox"]) == sorted(clean["outbox"]), "outbound files differ from a clean run"  # type: ignore[call-overload]
    assert got["outbox"] == clean["outbox"], "an outbound file's bytes differ from a clean run"
    assert got["archive"] == clean["archive"]
    assert got["quarantine"] == clean["quarantine"] and got["error_files"] == clean["error_files"]
    assert got["state"] == clean["state"]


def assert_stopped_cleanly(done: subprocess.CompletedProcess[str], *words: str) -> None:
    """Exit 3 (infrastructure), a one-line reason naming what failed (the last line), no traceback."""
    assert done.returncode == 3, (done.returncode, done.stdout[-1500:], done.stderr[-3000:])
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    lines = done.stderr.strip().splitlines()
    assert [line for line in lines if line.startswith("error: ")] == lines[-1:], done.stderr[-3000:]
    for word in words:
        assert word.lower() in done.stderr.lower(), (word, done.stderr[-2000:])


def finish(env: BatchEnv) -> subprocess.CompletedProcess[str]:
    """Rerun until a run completes, as the next night's cron would (at most three nights)."""
    for _ in range(3):
        done = env.edi("batch", "--as-of", AS_OF)
        if done.returncode in (0, 1):
            assert "Traceback" not in done.stderr, done.stderr[-3000:]
            return done
    raise AssertionError(f"the rerun did not complete: {done.returncode} {done.stderr[-2000:]}")


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> BatchEnv:
    """A database with the sample master data (loaded in process: `edi load` six times costs ~18 s)."""
    env = BatchEnv(tmp_path_factory.mktemp("faults-template"))
    shutil.copy(template_db(), env.db)
    return env


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory, loaded: BatchEnv) -> tuple[dict[str, object], float]:
    env = make_env(tmp_path_factory.mktemp("faults-clean"), template=loaded)
    fill(env.folder("inbox"))
    started = time.monotonic()
    done = env.edi("batch", "--as-of", AS_OF)
    assert done.returncode == 1, done.stderr[-2000:]  # the broken files are quarantined
    return snapshot(env), time.monotonic() - started


def site(tmp_path: Path, loaded: BatchEnv) -> BatchEnv:
    env = make_env(tmp_path / "site", template=loaded)
    fill(env.folder("inbox"))
    return env


def test_the_clean_run_writes_answers_archives_and_quarantines(clean: tuple[dict[str, object], float]) -> None:
    expected, _ = clean
    assert len(expected["outbox"]) >= 3  # type: ignore[arg-type]
    assert len(expected["quarantine"]) == len(BROKEN)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------------------- disk full


@contextmanager
def tiny_tmpfs(mountpoint: Path, size: str) -> Iterator[Path]:
    mountpoint.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (the ulimit -f test covers disk full without it)")
    got = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(mountpoint)],
                         capture_output=True, text=True)
    if got.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({got.stderr.strip()}); the ulimit -f test covers disk full")
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], check=False)


def originals() -> dict[str, bytes]:
    """What was dropped into the inbox, by name: an archived or quarantined file must be exactly that."""
    dropped = {p.name: p.read_bytes() for p in [*inbound_samples(), *(SAMPLES / "bad" / n for n in BROKEN)]}
    return {**dropped, "zz-resent-copy.x12": inbound_samples()[0].read_bytes()}


@pytest.mark.parametrize("folder", ["outbox", "archive", "quarantine"])
def test_disk_full_in_the_outbox_archive_or_quarantine(folder: str, tmp_path: Path, loaded: BatchEnv,
                                                clean: tuple[dict[str, object], float]) -> None:
    """The folder on an 8 KiB tmpfs of its own (two pages): the third file written there fails with ENOSPC."""
    env = site(tmp_path, loaded)
    with tiny_tmpfs(env.folder(folder), "8k") as full:
        done = env.edi("batch", "--as-of", AS_OF)
        assert_stopped_cleanly(done, "No space left on device", str(full))
        written = visible(full)
        assert written, "the fault hit before anything was written there"
        for name, data in written.items():  # what made it out is complete, never a torso
            if folder == "outbox":
                assert data == clean[0]["outbox"][name]  # type: ignore[index]
            elif name.endswith(".error.json"):
                json.loads(data)
            else:
                assert data == originals()[Path(name).name]
        assert not [p for p in full.rglob(".tmp.*")], "a temp file was left behind"
        subprocess.run(["mount", "-o", "remount,size=4m", str(full)], check=True)
        finish(env)
        assert_like_clean(snapshot(env), clean[0])


def _file_size_limit(limit: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


@pytest.mark.parametrize("limit", [1_500, 60_000, 250_000])
def test_disk_full_everywhere_with_ulimit_f(limit: int, tmp_path: Path, loaded: BatchEnv,
                                            clean: tuple[dict[str, object], float]) -> None:
    """RLIMIT_FSIZE: every file the run writes (the SQLite database, its WAL and shared memory first: they
    are the largest) hits the wall at ``limit`` bytes: at the start (1.5 KB), at the first transaction
    set (60 KB), a few files into the run (250 KB)."""
    env = site(tmp_path, loaded)
    done = subprocess.run([EDI, "--config", str(env.config), "--log-format", "json", "batch", "--as-of", AS_OF],
                          cwd=env.root, capture_output=True, text=True, timeout=120,
                          preexec_fn=_file_size_limit(limit))
    assert_stopped_cleanly(done, "database")
    finish(env)
    assert_like_clean(snapshot(env), clean[0])


# ----------------------------------------------------------------------------------------- the database


@contextmanager
def sqlite_write_lock(db: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding SQLite's write lock on DB (BEGIN EXCLUSIVE) until the block ends."""
    code = ("import sqlite3, sys, time\n"
            "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "c.execute('BEGIN EXCLUSIVE')\n"
            "c.execute('CREATE TABLE IF NOT EXISTS lock_holder (x)')\n"
            "print('locked', flush=True)\n"
            "time.sleep(3600)\n")
    holder = subprocess.Popen([sys.executable, "-c", code, str(db)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield holder
    finally:
        holder.kill()
        holder.wait()


def test_database_locked_briefly_the_batch_waits(tmp_path: Path, loaded: BatchEnv,
                                                 clean: tuple[dict[str, object], float]) -> None:
    env = site(tmp_path, loaded)
    with sqlite_write_lock(env.db) as holder:
        started = time.monotonic()
        process = env.start_batch(AS_OF)
        time.sleep(3)
        assert process.poll() is None, "the run ended while the database was locked"
        holder.kill()
    _, err = process.communicate(timeout=120)
    assert process.returncode == 1, err[-3000:]
    assert time.monotonic() - started >= 3
    state = snapshot(env)
    with sqlite3.connect(env.db) as db:
        db.execute("DROP TABLE IF EXISTS lock_holder")  # the locker's table, never committed anyway
    assert_like_clean(state, clean[0])


@pytest.mark.slow
def test_database_locked_past_the_busy_timeout_stops_the_run(tmp_path: Path, loaded: BatchEnv,
                                                            clean: tuple[dict[str, object], float]) -> None:
    env = site(tmp_path, loaded)
    with sqlite_write_lock(env.db):
        started = time.monotonic()
        done = env.edi("batch", "--as-of", AS_OF, timeout=180)
        assert time.monotonic() - started < 120
    assert_stopped_cleanly(done, "database", "locked")
    finish(env)
    assert_like_clean(snapshot(env), clean[0])


def test_database_file_deleted_the_batch_refuses_to_start_on_an_empty_one(
        tmp_path: Path, loaded: BatchEnv, clean: tuple[dict[str, object], float]) -> None:
    """A missing database is a missing volume or a wrong path: a run on a new, empty database would
    reject every enrollment (no accounts) and send those rejections. The run must stop instead."""
    env = site(tmp_path, loaded)
    saved = tmp_path / "saved.db"
    shutil.move(env.db, saved)
    for suffix in ("-wal", "-shm"):
        with suppress(FileNotFoundError):
            Path(str(env.db) + suffix).unlink()
    done = env.edi("batch", "--as-of", AS_OF)
    assert_stopped_cleanly(done, "database")
    assert not env.db.exists(), "the batch created a new, empty database"
    assert visible(env.folder("outbox")) == {}, "answers were sent from an empty database"
    dropped = [p.name for p in [*inbound_samples(), *(SAMPLES / "bad" / n for n in BROKEN)]]
    assert sorted(p.name for p in env.folder("inbox").iterdir()) == sorted([*dropped, "zz-resent-copy.x12"])
    shutil.move(saved, env.db)
    finish(env)
    assert_like_clean(snapshot(env), clean[0])


def test_database_file_unreadable_stops_the_run(tmp_path: Path, loaded: BatchEnv,
                                                clean: tuple[dict[str, object], float]) -> None:
    env = site(tmp_path, loaded)
    saved = tmp_path / "saved.db"
    shutil.copy(env.db, saved)
    env.db.write_bytes(b"this is not a database, it was overwritten by mistake\n" * 100)
    done = env.edi("batch", "--as-of", AS_OF)
    assert_stopped_cleanly(done, "database")
    assert visible(env.folder("outbox")) == {} and visible(env.folder("archive")) == {}
    shutil.copy(saved, env.db)
    finish(env)
    assert_like_clean(snapshot(env), clean[0])


def test_an_answer_failing_our_own_maps_is_never_sent(tmp_path: Path, loaded: BatchEnv) -> None:
    """Our own bug, staged: every outbound file is re-read against our maps before it is written; one that
    fails stops the run (exit 3, naming the file) and nothing of it reaches the partner."""
    env = make_env(tmp_path / "site", template=loaded)
    with Store.open(f"sqlite:///{env.db}") as store, store.unit_of_work() as uow:
        uow.outbox.enqueue(NewOutboxMessage(
            idempotency_key="bug:997", receiver="987654321", st01="997", kind="FunctionalAck",
            payload=json.dumps([["AK1", "ZZ", "1"], ["AK9", "R", "0", "0", "0"]]),
            created_at=datetime(2026, 10, 22, 13, 0, tzinfo=UTC)))
        uow.commit()
    done = env.edi("batch", "--as-of", AS_OF)
    assert_stopped_cleanly(done, "987654321_997_", "fails our own maps")
    assert visible(env.folder("outbox")) == {}
    assert not list(env.folder("outbox").iterdir()), "not even a temporary file"


# ----------------------------------------------------------------------------------------- signals


@pytest.mark.parametrize(("sig", "trial"), [(signal.SIGTERM, 0), (signal.SIGTERM, 1), (signal.SIGINT, 0),
                                            (signal.SIGKILL, 0)])
def test_a_signal_at_a_random_point_then_rerun_equals_one_clean_run(
        sig: signal.Signals, trial: int, tmp_path: Path, loaded: BatchEnv,
        clean: tuple[dict[str, object], float]) -> None:
    """The signal is sent after a random number of the run's log lines (one or more per file, 18 files), so
    it always lands mid-run. SIGTERM and SIGINT stop the run with exit 3 and a one-line reason; SIGKILL
    gives no chance to say anything."""
    expected, _ = clean
    lines = random.Random(f"{sig.name}:{trial}").randint(1, 15)
    env = site(tmp_path, loaded)
    process = env.start_batch(AS_OF)
    assert process.stderr is not None
    for _ in range(lines):
        assert process.stderr.readline(), "the run ended before the signal"
    process.send_signal(sig)
    _, err = process.communicate(timeout=120)
    if sig == signal.SIGKILL:
        assert process.returncode == -signal.SIGKILL
    else:
        assert process.returncode == 3, err[-2000:]
        assert f"interrupted by {sig.name}" in err and "Traceback" not in err, err[-2000:]
    finish(env)
    assert_like_clean(snapshot(env), expected)


# ----------------------------------------------------------------------------------------- SFTP


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshServer]:
    with running_sshd(tmp_path_factory.mktemp("faults-sshd")) as server:
        yield server


def sftp_site(root: Path, loaded: BatchEnv, server: SshServer, remote: Path) -> BatchEnv:
    env = make_env(root, template=loaded)
    config = env.config.read_text()
    for name in ("inbox", "outbox"):
        config = config.replace(f'{name} = "{root / name}"', f'{name} = "{server.url(remote / name)}"')
    config += f'[sftp]\nknown_hosts = "{server.known_hosts}"\nkey_file = "{server.key_file}"\n'
    env.config.write_text(config)
    fill(remote / "inbox")
    return env


@pytest.fixture(scope="module")
def clean_sftp(tmp_path_factory: pytest.TempPathFactory, loaded: BatchEnv,
               sshd: SshServer) -> tuple[dict[str, object], float]:
    root = tmp_path_factory.mktemp("faults-sftp-clean")
    env = sftp_site(root / "site", loaded, sshd, root / "remote")
    started = time.monotonic()
    done = env.edi("batch", "--as-of", AS_OF)
    assert done.returncode == 1, done.stderr[-2000:]
    return snapshot(env, root / "remote" / "outbox", root / "remote" / "inbox"), time.monotonic() - started


@pytest.mark.parametrize("trial", range(3))
def test_sftp_sessions_killed_mid_run_then_rerun_equals_one_clean_run(
        trial: int, tmp_path: Path, loaded: BatchEnv, sshd: SshServer,
        clean_sftp: tuple[dict[str, object], float]) -> None:
    expected, _ = clean_sftp
    remote = tmp_path / "remote"
    env = sftp_site(tmp_path / "site", loaded, sshd, remote)
    process = env.start_batch(AS_OF)
    if trial == 0:  # the moment the first inbound file is claimed: the batch is about to read it
        deadline = time.monotonic() + 60
        while not any(p.name.startswith(".claimed.") for p in (remote / "inbox").iterdir()):
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.001)
    else:  # after a random number of the run's log lines: mid-run, files still to read and answers to write
        assert process.stderr is not None
        for _ in range(random.Random(trial).randint(1, 15)):
            assert process.stderr.readline(), "the run ended before the fault"
    killed = sshd.kill_sessions()
    _, err = process.communicate(timeout=180)
    assert killed, "no SFTP session to kill: the fault was not injected"
    assert_stopped_cleanly(subprocess.CompletedProcess(process.args, process.returncode, "", err), sshd.host)
    finish(env)
    assert_like_clean(snapshot(env, remote / "outbox", remote / "inbox"), expected)


def test_sftp_server_stopped_then_started_again(tmp_path: Path, loaded: BatchEnv) -> None:
    """The whole server down (not just a session): the run stops at once with exit 3 naming the server,
    touches nothing; with the server back, the next run does the night's work."""
    with running_sshd(tmp_path / "sshd") as server:
        remote = tmp_path / "remote"
        env = sftp_site(tmp_path / "site", loaded, server, remote)
        before = sorted(p.name for p in (remote / "inbox").iterdir())
        os.kill(server.pid, signal.SIGTERM)
        server.kill_sessions()
        with suppress(ChildProcessError):
            os.waitpid(server.pid, 0)
        done = env.edi("batch", "--as-of", AS_OF)
        assert_stopped_cleanly(done, server.host)
        assert sorted(p.name for p in (remote / "inbox").iterdir()) == before
        again = subprocess.Popen([SSHD, "-D", "-e", "-f", str(tmp_path / "sshd" / "sshd_config")],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 20
            while True:
                with suppress(OSError), __import__("socket").create_connection((server.host, server.port), 1):
                    break
                assert time.monotonic() < deadline, "sshd did not come back"
                time.sleep(0.05)
            done = finish(env)
            assert done.returncode == 1
            assert list((remote / "inbox").iterdir()) == []
            assert visible(remote / "outbox")
        finally:
            again.terminate()
            again.wait(timeout=10)

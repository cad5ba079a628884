"""Fuzz inputs through the whole batch, in process: a real SQLite store with the sample master data,
real local drop folders, the real handlers. Slower than ``harness.check`` (a run costs tens of
milliseconds), so it takes a handful of files per run.

``run_batch(files)`` drops the files, runs the batch, and checks what must hold after any night:
no exception, the inbox empty, every file archived or quarantined under its own name (the quarantined
ones with their ``.error.json``), every outbound file valid against our maps; then runs again and
checks that the second run sent nothing (nothing sent twice).
"""

from __future__ import annotations

import atexit
import io
import shutil
import sqlite3
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from edi.reader import X12Reader
from edi.validate import validate_reader
from processor.batch import Batch, Channels
from processor.bootstrap import bootstrap
from processor.channels.local import LocalFolder
from processor.clock import FixedClock
from processor.load import KINDS, load_csv
from processor.store import Store
from tests.fuzz.harness import NOW, guide

MASTER = Path(__file__).resolve().parents[2] / "samples" / "master"


@cache
def template_db() -> Path:
    """A SQLite file with the sample master data loaded, made once per process and copied per run."""
    folder = Path(tempfile.mkdtemp(prefix="fuzz-template-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / "edi.db"
    with Store.open(f"sqlite:///{path}") as store:
        for kind in KINDS:
            result = load_csv(store, kind, MASTER / f"{kind}.csv")
            assert result.ok, result.error_lines()
    return path


@dataclass(frozen=True)
class Night:
    archived: list[str]
    quarantined: list[str]
    outbound: list[str]
    exit_code: int


def _visible(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def _run(root: Path, db: Path) -> int:
    app = bootstrap(None, f"sqlite:///{db}", FixedClock(NOW))
    folders = {k: LocalFolder(root / k) for k in ("inbox", "outbox", "archive", "quarantine")}
    channels = Channels(**folders)
    try:
        with Store.open(f"sqlite:///{db}") as store:
            batch = Batch(store=store, channels=channels, guide=guide(), calendar=app.calendar(store),
                          utility=app.config.utility, handlers=app.batch(store, channels).handlers, now=NOW)
            return batch.run().exit_code
    finally:
        for folder in folders.values():
            folder.close()


def run_batch(files: Sequence[tuple[str, bytes]]) -> Night:
    """Two nights over ``files`` (name, bytes) in a fresh installation; asserts the promises above."""
    root = Path(tempfile.mkdtemp(prefix="fuzz-batch-"))
    try:
        db = root / "edi.db"
        shutil.copy(template_db(), db)
        inbox = root / "inbox"
        inbox.mkdir()
        for name, data in files:
            (inbox / name).write_bytes(data)
        code = _run(root, db)
        assert code in (0, 1), code
        assert _visible(inbox) == [] and list(inbox.iterdir()) == [], "a file was left in the inbox"
        archived = _visible(root / "archive")
        quarantined = _visible(root / "quarantine")
        for name, _ in files:
            in_archive = any(Path(a).name in (name,) or Path(a).name.endswith("." + name) for a in archived)
            in_quarantine = name in quarantined and f"{name}.error.json" in quarantined
            assert in_archive != in_quarantine, f"{name}: archived {in_archive}, quarantined {in_quarantine}"
        with sqlite3.connect(db) as c:
            unwritten = [row[0] for row in c.execute("SELECT name FROM outbound_files WHERE written_at IS NULL")]
        assert unwritten == [], f"staged outbound files never written: {unwritten}"
        outbound = _visible(root / "outbox")
        for name in outbound:
            data = (root / "outbox" / name).read_bytes()
            result = validate_reader(X12Reader(io.BytesIO(data), name), guide())
            assert result.valid, f"outbound {name}: {[str(f) for f in result.findings[:3]]}"
        for name, data in files:  # the same files again, a night later: answered once, never twice
            (inbox / f"again-{name}").write_bytes(data)
        again = _run(root, db)
        assert again in (0, 1), again
        assert _visible(root / "outbox") == outbound, "the second night sent something again"
        return Night(archived, quarantined, outbound, code)
    finally:
        shutil.rmtree(root, ignore_errors=True)

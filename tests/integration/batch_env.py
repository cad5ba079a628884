"""A throwaway batch installation for tests: config, database, folders, master data loaded.

Everything real: the `edi` console script in a subprocess (so SIGKILL is a real SIGKILL), a SQLite
file (or, given a ``url``, a database on the tests' PostgreSQL server), local drop folders on disk.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from processor.load import KINDS
from tests.support import SAMPLES

EDI = str(Path(sys.executable).parent / "edi")
UTILITY = "012345678"


@dataclass(frozen=True)
class BatchEnv:
    root: Path
    url: str | None = None  #: a PostgreSQL database's URL; None: the SQLite file :attr:`db`

    @property
    def config(self) -> Path:
        return self.root / "edi.toml"

    @property
    def db(self) -> Path:
        return self.root / "edi.db"

    @property
    def db_url(self) -> str:
        return self.url or f"sqlite:///{self.db}"

    def folder(self, name: str) -> Path:
        return self.root / name

    def edi(self, *args: str, check: bool = False, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run([EDI, "--config", str(self.config), "--log-format", "json", *args], cwd=self.root,
                              capture_output=True, text=True, check=check, timeout=timeout)

    def start_batch(self, as_of: str) -> subprocess.Popen[str]:
        return subprocess.Popen([EDI, "--config", str(self.config), "--log-format", "json", "batch", "--as-of", as_of],
                                cwd=self.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def drop(self, *paths: Path, rename: str | None = None) -> None:
        for path in paths:
            shutil.copy(path, self.folder("inbox") / (rename or path.name))

    def files(self, folder: str) -> dict[str, bytes]:
        base = self.folder(folder)
        return {str(p.relative_to(base)): p.read_bytes() for p in sorted(base.rglob("*")) if p.is_file()}

    def state(self) -> dict[str, list[list[object]]]:
        """What was decided and sent, without run ids or timestamps of the run itself."""
        queries = {
            "switch_requests": "SELECT * FROM switch_requests ORDER BY id",
            "supply_history": "SELECT * FROM supply_history ORDER BY 1, 2, 3",
            "ledger": "SELECT sender, isa13, sha256, outcome FROM ingest_ledger ORDER BY sender, isa13",
            "sets": "SELECT l.isa13, s.gs06, s.st02, s.st01 FROM ingest_sets s JOIN ingest_ledger l "
                    "ON l.id = s.ledger_id ORDER BY 1, 2, 3",
            "outbox": "SELECT idempotency_key, receiver, st01, kind, payload, sent_file, sent_at IS NOT NULL "
                      "FROM outbox ORDER BY idempotency_key",
            "outbound_files": "SELECT name, receiver, st01, isa13, gs06, written_at IS NOT NULL FROM outbound_files "
                              "ORDER BY name",
        }
        if self.url is not None:
            import psycopg

            with psycopg.connect(self.url) as connection:
                return {name: [list(row) for row in connection.execute(sql)]
                        for name, sql in queries.items()}
        with sqlite3.connect(self.db) as db:
            return {name: [list(row) for row in db.execute(sql)] for name, sql in queries.items()}

    def reports(self) -> list[dict[str, object]]:
        return [json.loads(p.read_text()) for p in sorted(self.folder("reports").glob("run-*.json"),
                                                          key=lambda p: p.stat().st_mtime_ns)]


def make_env(root: Path, template: BatchEnv | None = None, *, url: str | None = None) -> BatchEnv:
    """A new installation; with ``template``, its loaded database is copied instead of loading again; with
    ``url``, the database is that one (PostgreSQL, master data already loaded: ``postgres.sample_database``)."""
    env = BatchEnv(root, url)
    root.mkdir(parents=True, exist_ok=True)
    env.config.write_text(
        "[paths]\n"
        + "".join(f'{k} = "{root / k}"\n' for k in ("inbox", "outbox", "archive", "quarantine", "reports"))
        + f'lock = "{root / "batch.lock"}"\n'
        + f'[database]\nurl = "{env.db_url}"\n')
    if url is None and template is not None:
        for suffix in ("", "-wal", "-shm"):
            source = Path(str(template.db) + suffix)
            if source.exists():
                shutil.copy(source, str(env.db) + suffix)
    elif url is None:
        for kind in KINDS:
            env.edi("load", kind, str(SAMPLES / "master" / f"{kind}.csv"), check=True)
    env.folder("inbox").mkdir(exist_ok=True)
    return env


def inbound_samples() -> list[Path]:
    """The valid samples addressed to the utility: what RESs send us."""
    def receiver(path: Path) -> str:
        head = path.read_bytes()[:106].decode("latin-1")
        return head[54:69].strip()

    return [p for p in sorted((SAMPLES / "valid").glob("*.x12")) if receiver(p) == UTILITY]

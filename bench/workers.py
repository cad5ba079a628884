"""Batch throughput with N workers: ``batch_throughput(db_url, workers, files)``, for ``make bench``.

A drop folder of ``files`` small inbound files (the samples renumbered into distinct interchanges, a few
broken, a few re-sent: ``tests/integration/many_files.py``) is processed by ``edi batch --workers N`` in a
subprocess against ``db_url`` (an empty database: migrated and loaded with the sample master data here),
and the wall time of that command is measured. ``postgres()`` starts a throwaway PostgreSQL server (the
same one the tests use) and hands out empty database URLs::

    from bench.workers import batch_throughput, postgres
    with postgres() as new_database:
        for n in (1, 2, 4):
            print(batch_throughput(new_database(), n, 2000))
    print(batch_throughput("sqlite:////tmp/bench-edi.db", 1, 2000))

The batch subprocess may use every CPU (a measurement process pinned to one core does not pin it), since
workers are the point. The server runs with its default, durable settings (fsync on), like SQLite.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-10-22T08:00:00"


def _every_cpu() -> None:
    os.sched_setaffinity(0, range(os.cpu_count() or 1))


def batch_throughput(db_url: str, workers: int, files: int) -> dict[str, Any]:
    """Run ``edi batch --workers WORKERS`` over ``files`` generated files against ``db_url``; the figures.

    Returns ``{"database", "workers", "files", "seconds", "files_per_second", "exit_code",
    "outbound_files"}``. Exit code 1 is expected (the broken files are quarantined); anything else
    raises, with the command's last output.
    """
    sys.path.insert(0, str(ROOT))
    from processor.load import KINDS, load_csv
    from processor.store import Store
    from tests.integration.many_files import fill_inbox

    site = Path(tempfile.mkdtemp(prefix="bench-workers-"))
    try:
        with Store.open(db_url) as store:
            for kind in KINDS:
                assert load_csv(store, kind, ROOT / "samples" / "master" / f"{kind}.csv").ok
        fill_inbox(site / "inbox", files)
        config = site / "edi.toml"
        config.write_text(
            "[paths]\n"
            + "".join(f'{k} = "{site / k}"\n' for k in ("inbox", "outbox", "archive", "quarantine", "reports"))
            + f'lock = "{site / "batch.lock"}"\n[database]\nurl = "{db_url}"\n')
        edi = str(Path(sys.executable).parent / "edi")
        started = time.perf_counter()
        done = subprocess.run([edi, "--config", str(config), "--log-format", "json", "batch", "--as-of", AS_OF,
                               "--workers", str(workers)], capture_output=True, text=True, cwd=site,
                              preexec_fn=_every_cpu, check=False)
        seconds = time.perf_counter() - started
        if done.returncode not in (0, 1):
            raise RuntimeError(f"edi batch --workers {workers} exited {done.returncode}: {done.stderr[-2000:]}")
        return {
            "database": db_url.split(":", 1)[0].split("+", 1)[0],
            "workers": workers,
            "files": files,
            "seconds": round(seconds, 3),
            "files_per_second": round(files / seconds, 1),
            "exit_code": done.returncode,
            "outbound_files": len(list((site / "outbox").glob("*.x12"))),
        }
    finally:
        shutil.rmtree(site, ignore_errors=True)


@contextmanager
def postgres(*, durable: bool = True) -> Iterator[Callable[[], str]]:
    """A throwaway PostgreSQL server on 127.0.0.1 (Debian's package, ``tools/ensure-postgres.sh``); yields a
    function returning a new empty database's URL. Stopped and deleted at the end."""
    sys.path.insert(0, str(ROOT))
    from tests.integration.postgres import FAST, start_postgres

    server = start_postgres(settings={} if durable else FAST)
    try:
        yield server.database
    finally:
        server.stop()


if __name__ == "__main__":  # python -m bench.workers [FILES]: the table's rows, one JSON line each
    import json

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    with tempfile.TemporaryDirectory() as folder:
        print(json.dumps(batch_throughput(f"sqlite:///{folder}/edi.db", 1, count)), flush=True)
    with postgres() as new_database:
        for n in (1, 2, 4):
            print(json.dumps(batch_throughput(new_database(), n, count)), flush=True)

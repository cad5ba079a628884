"""``edi batch --workers N``: N forked processes share one run's inbox through the database.

The run (the process cron started, holding the machine's batch lock) queues the inbox, then forks the
workers; each opens its own database connections and drop folders and works on the queue
(:meth:`processor.batch.Batch.work`) until it is empty; the run waits for them, adds their reports to its
own, takes over whatever a worker that died left behind, and writes the outbox. Forked children inherit
the batch lock's file descriptor, so the machine's lock stays held until the last worker is gone: a cron
run started meanwhile still exits at once.

Why fork and not new interpreters: the maps are compiled and the code imported once, and a worker
starts in milliseconds. A child never returns into the parent's code: it leaves through ``os._exit``,
which also keeps it from closing the parent's database session or SFTP connection that it inherited.

PostgreSQL only: SQLite takes one writer at a time and cannot be shared across machines, so several
processes would only queue behind each other (see README, "Scaling").
"""

from __future__ import annotations

import copy
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import structlog

if TYPE_CHECKING:
    from processor.batch import Batch

log = structlog.get_logger("edi.workers")

#: Exit codes of a worker process (the run reads them; a SIGKILLed worker has none).
WORKER_OK, WORKER_FAILED = 0, 3


class WorkersNeedPostgres(ValueError):
    """``--workers`` above 1 on a database only one process can write to."""


def check_workers(shared: bool, count: int) -> None:
    """Refuse ``count`` workers where they cannot help (a usage error, exit 2)."""
    if count < 1:
        raise WorkersNeedPostgres(f"--workers must be at least 1, not {count}")
    if count > 1 and not shared:
        raise WorkersNeedPostgres(
            f"--workers {count} needs PostgreSQL (--db postgresql://…): SQLite takes one writer at a time, "
            "so more workers would only wait for each other; run with --workers 1")


def run_workers(batch: Batch, count: int, run_id: str) -> None:
    """Fork ``count`` workers on the queued run ``run_id`` and wait for all of them; merge their reports."""
    check_workers(batch.store.shared, count)
    # Several processes share stderr: each log line must go out in one write, or lines interleave mid-line
    # (structlog's PrintLogger writes the message and its newline separately when stderr is unbuffered).
    structlog.configure(logger_factory=structlog.WriteLoggerFactory(file=sys.stderr))
    batch.store.before_fork()
    sys.stdout.flush()
    sys.stderr.flush()
    children: dict[int, Path] = {}
    for index in range(count):
        fd, temp = tempfile.mkstemp(prefix="edi-worker-", suffix=".json")
        os.close(fd)
        pid = os.fork()
        if pid == 0:  # the child: never returns
            code = WORKER_FAILED
            try:
                code = _worker(batch, run_id, index + 1, Path(temp))
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        children[pid] = Path(temp)
    log.info("workers started", workers=count, pids=sorted(children))
    for pid, report_path in children.items():
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        try:
            text = report_path.read_text()
            if text:
                batch.report.merge(json.loads(text))
        finally:
            report_path.unlink(missing_ok=True)
            report_path.with_name(report_path.name + ".part").unlink(missing_ok=True)
        if code != WORKER_OK:
            how = f"killed by signal {-code}" if code < 0 else f"exit {code}"
            log.warning("a worker ended abnormally; the run takes over its files", pid=pid, how=how)


def _worker(batch: Batch, run_id: str, number: int, report_path: Path) -> int:
    """One worker's life in the forked child: its own connections and folders, the queue until it is empty."""
    from processor.batch import Report

    store = batch.store
    store.after_fork()
    structlog.contextvars.bind_contextvars(worker=number)
    worker = copy.copy(batch)
    worker.report = Report(run_id=batch.report.run_id, started_at=batch.report.started_at,
                           as_of=batch.report.as_of)

    def save(done: int, total: int, name: str) -> None:  # after every file: a killed worker's counts survive it
        partial = report_path.with_name(report_path.name + ".part")
        partial.write_text(json.dumps(worker.report.to_json()))
        os.replace(partial, report_path)

    worker.progress = save
    reopened = None
    code = WORKER_OK
    try:
        if batch.reopen_channels is not None:
            reopened = worker.channels = batch.reopen_channels()
        with store.presence() as me:
            worker.work(store.batch_queue(), me, run_id)
    except Exception as exc:  # reported to the run, which takes over the files and decides the exit code
        log.error("worker failed", error=f"{type(exc).__name__}: {exc}")
        code = WORKER_FAILED
    finally:
        if reopened is not None:  # only what this child opened: the parent's connections are not ours to close
            for folder in (reopened.inbox, reopened.outbox, reopened.archive, reopened.quarantine):
                folder.close()
        report_path.write_text(json.dumps(worker.report.to_json()))
    return code

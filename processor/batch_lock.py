"""One batch at a time on a machine: an exclusive, non-blocking lock on a file.

The kernel drops the lock when the process dies, SIGKILL included, so a crashed run never
leaves a stale lock behind.

With ``edi batch --workers N`` the run takes this lock and forks its workers, which inherit the locked
file description: the lock is held until the run and every worker are gone (a worker left running by a
killed run still keeps cron's next run out). Workers coordinate among themselves through the database
(:mod:`processor.store.batch_queue`), and so do runs on other machines, each with its own lock file.
"""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass
from pathlib import Path


class BatchRunning(Exception):
    """Another batch holds the lock."""


@dataclass
class Lock:
    fd: int

    def release(self) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


def acquire_lock(path: str | Path) -> Lock:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(p, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(fd, 200).decode(errors="replace").strip() or "unknown"
        os.close(fd)
        raise BatchRunning(f"another batch is running (lock {p} held by {holder}); this run did nothing") from None
    os.ftruncate(fd, 0)
    os.write(fd, f"pid {os.getpid()}\n".encode())
    return Lock(fd)

"""A real PostgreSQL server on 127.0.0.1 for the store tests: a throwaway cluster, a free port, stopped at the end.

It installs nothing. Without Debian's ``postgresql`` package the PostgreSQL tests skip locally with the
reason, but fail under CI (``CI`` set): there ``make test`` runs ``tools/ensure-postgres.sh`` first, so a
missing server is a broken install step, not a reason to go green without testing PostgreSQL.

PostgreSQL refuses to run as root, so when the tests run as root the cluster's directory is given to the
``postgres`` user (created by the package) and the server runs as that user (``runuser``). The cluster
trusts local connections (it listens on 127.0.0.1 only, on a port nobody else uses, and lives minutes).

One server per test process (pytest-xdist gives each worker its own), started on first use and stopped
when the process exits; every test gets its own database, copied from a migrated template so that it
does not pay for the migrations again.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SERVER_USER = "postgres"  #: the account Debian's package creates; the server runs as it when we are root
#: Settings that make a throwaway test cluster fast. Not for a real database: fsync off loses data on a crash
#: of the machine (killing a client, which is what the tests do, is unaffected).
FAST = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


def bin_dir() -> Path | None:
    """Where ``initdb`` and ``pg_ctl`` are: Debian keeps them out of PATH, under /usr/lib/postgresql/N/bin."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                        key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0)
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("pg_ctl")
    return Path(found).parent if found else None


def require_postgres() -> Path:
    """The server's bin directory; skip (locally) or fail (CI) when PostgreSQL is not installed."""
    found = bin_dir()
    if found is not None and (found / "initdb").exists():
        return found
    reason = "PostgreSQL is not installed: run tools/ensure-postgres.sh (apt-get install postgresql)"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; under CI the PostgreSQL tests must run, so `make test` must call it before pytest")
    pytest.skip(reason)


@dataclass
class PostgresServer:
    """A running cluster. ``database()`` hands out a fresh database URL."""

    host: str
    port: int
    user: str
    directory: Path
    bin: Path
    _templates: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{database}"

    def execute(self, sql: str, database: str = "postgres") -> None:
        """One statement outside a transaction (CREATE/DROP DATABASE cannot run inside one)."""
        import psycopg

        with psycopg.connect(host=self.host, port=self.port, user=self.user, dbname=database,
                             autocommit=True) as connection:
            connection.execute(sql)

    def database(self, template: str | None = None) -> str:
        """A new empty database (or a copy of ``template``); its URL."""
        name = f"t_{uuid.uuid4().hex[:16]}"
        with self._lock:  # CREATE DATABASE … TEMPLATE needs the template free of other sessions
            self.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.url(name)

    def migrated(self) -> str:
        """A fresh database already migrated to head (copied from a template migrated once)."""
        return self.database(self.template("migrated", _migrate))

    def template(self, key: str, fill: Callable[[str], None]) -> str:
        """The name of a template database built once by ``fill(url)`` (e.g. migrated, master data loaded)."""
        with self._lock:
            name = self._templates.get(key)
        if name is None:
            url = self.database()
            fill(url)
            name = url.rsplit("/", 1)[1]
            with self._lock:
                self._templates.setdefault(key, name)
                name = self._templates[key]
        return name

    def drop(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        _run_as_server([str(self.bin / "pg_ctl"), "stop", "-D", str(self.directory / "data"), "-m", "immediate",
                        "-w"], check=False)
        shutil.rmtree(self.directory, ignore_errors=True)


def _migrate(url: str) -> None:
    from processor.store import migrate

    migrate(url)


def _server_uid() -> tuple[int, int] | None:
    """The (uid, gid) the server runs as: ours, unless we are root."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(SERVER_USER)
    except KeyError:
        pytest.fail(f"running as root, PostgreSQL needs the {SERVER_USER!r} user (created by the postgresql package)")
    return entry.pw_uid, entry.pw_gid


def _run_as_server(command: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
    if os.geteuid() == 0:
        command = ["runuser", "-u", SERVER_USER, "--", *command]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def _free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        port: int = s.getsockname()[1]
        return port


def start_postgres(*, host: str = "127.0.0.1", settings: dict[str, str] | None = None) -> PostgresServer:
    """initdb a cluster in a new temporary directory and start it on ``host`` and a free port."""
    binaries = require_postgres()
    directory = Path(tempfile.mkdtemp(prefix="edi-pg-"))
    owner = _server_uid()
    if owner is not None:
        os.chown(directory, *owner)
    directory.chmod(0o700)
    data = directory / "data"
    _run_as_server([str(binaries / "initdb"), "-D", str(data), "-U", SERVER_USER, "--auth=trust",
                    "--encoding=UTF8", "--locale=C", "--no-sync"])
    options = {"listen_addresses": f"'{host}'", "unix_socket_directories": f"'{directory}'",
               "max_connections": "100", "shared_buffers": "'64MB'", **(settings if settings is not None else FAST)}
    last = ""
    for _ in range(5):  # the free port can be taken between our probe and the server's bind: try again
        port = _free_port(host)
        conf = "".join(f"{k} = {v}\n" for k, v in {**options, "port": str(port)}.items())
        (data / "postgresql.auto.conf").write_text(conf)
        if owner is not None:
            os.chown(data / "postgresql.auto.conf", *owner)
        started = _run_as_server([str(binaries / "pg_ctl"), "start", "-D", str(data), "-w", "-t", "60",
                                  "-l", str(directory / "server.log")], check=False)
        if started.returncode == 0:
            return PostgresServer(host, port, SERVER_USER, directory, binaries)
        last = (directory / "server.log").read_text(errors="replace") if (directory / "server.log").exists() else ""
        last += started.stdout + started.stderr
    shutil.rmtree(directory, ignore_errors=True)
    raise RuntimeError(f"PostgreSQL did not start; its log:\n{last}")


_shared: PostgresServer | None = None
_shared_lock = threading.Lock()


def shared_postgres() -> PostgresServer:
    """This process's server: started on first use, stopped when the process exits."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = start_postgres()
            atexit.register(_shared.stop)
        return _shared



#: The databases every store test runs against (``@pytest.fixture(params=BACKENDS)``).
BACKENDS = ("sqlite", "postgresql")


def load_sample_master_data(url: str) -> None:
    """Load ``samples/master`` (every kind, in dependency order) into the database at ``url``."""
    from processor.load import KINDS, load_csv
    from processor.store import Store

    samples = Path(__file__).resolve().parents[2] / "samples" / "master"
    with Store.open(url) as store:
        for kind in KINDS:
            assert load_csv(store, kind, samples / f"{kind}.csv").ok, kind


@contextmanager
def sample_database() -> Iterator[str]:
    """A new database on this process's PostgreSQL server holding the sample master data (copied from a
    template loaded once), dropped afterwards: what ``edi load`` of ``samples/master`` would leave."""
    server = shared_postgres()
    url = server.database(server.template("sample-master-data", load_sample_master_data))
    try:
        yield url
    finally:
        server.drop(url)


@contextmanager
def fresh_database(backend: str, directory: Path, *, migrated: bool = True) -> Iterator[str]:
    """A new database's URL: a SQLite file in ``directory``, or a database on this process's PostgreSQL
    server (migrated to head unless ``migrated=False``), dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'edi.db'}"
        return
    server = shared_postgres()
    url = server.migrated() if migrated else server.database()
    try:
        yield url
    finally:
        server.drop(url)

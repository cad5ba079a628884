"""A real OpenSSH ``sshd`` on 127.0.0.1 for the SFTP tests: throwaway keys, a free port, killed at the end.

It installs nothing. Without ``/usr/sbin/sshd`` the tests skip locally with the reason, but fail under CI
(``CI`` set): there ``make test`` runs ``tools/ensure-sshd.sh`` first, so a missing sshd is a broken
install step, not a reason to go green without testing SFTP.

The server listens on two ports: ``port`` is a stock OpenSSH SFTP server; ``legacy_port`` serves SFTP
with the ``posix-rename`` request denied, like servers that lack the extension.
"""

from __future__ import annotations

import getpass
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

SSHD = "/usr/sbin/sshd"
PRIVSEP_DIR = "/run/sshd"  #: sshd's runtime directory (its service creates it at boot; we do when it is missing)


@dataclass(frozen=True)
class SshServer:
    """A running sshd and the client material to reach it."""

    host: str
    port: int
    legacy_port: int
    user: str
    pid: int
    known_hosts: Path  #: holds the server's real host key for both ports
    key_file: Path  #: an authorized client key (0o600)
    host_public_key: str  #: ``ssh-ed25519 AAAA…``
    log: Path

    def url(self, remote_dir: Path | str, *, legacy: bool = False) -> str:
        port = self.legacy_port if legacy else self.port
        return f"sftp://{self.user}@{self.host}:{port}{remote_dir}"

    def session_pids(self) -> list[int]:
        """Processes serving connections: every descendant of the listening sshd."""
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with suppress(OSError, IndexError, ValueError):
                    ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                    children.setdefault(ppid, []).append(int(entry.name))
        found, todo = [], [self.pid]
        while todo:
            kids = children.get(todo.pop(), [])
            found += kids
            todo += kids
        return found

    def kill_sessions(self) -> list[int]:
        """SIGKILL every session process: the client sees its connection drop mid-flight."""
        pids = self.session_pids()
        for pid in pids:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return pids


def require_sshd() -> None:
    """Skip (locally) or fail (CI) when OpenSSH's server is not installed."""
    if os.access(SSHD, os.X_OK):
        return
    reason = f"{SSHD} not installed: run tools/ensure-sshd.sh (apt-get install openssh-server)"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; under CI the SFTP tests must run, so `make test` must call it before pytest")
    pytest.skip(reason)


def new_key(path: Path) -> str:
    """Write a fresh Ed25519 private key (OpenSSH format, 0o600) to PATH; return its public line."""
    key = Ed25519PrivateKey.generate()
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                       serialization.NoEncryption()))
    path.chmod(0o600)
    return key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()


def known_hosts_line(host: str, port: int, public_key: str) -> str:
    return f"[{host}]:{port} {public_key}\n"


@contextmanager
def running_sshd(workdir: Path, host: str = "127.0.0.1") -> Iterator[SshServer]:
    """Start sshd under WORKDIR (keys, config, log) and stop it, with every session, on exit."""
    require_sshd()
    if os.geteuid() == 0 and not os.path.isdir(PRIVSEP_DIR):
        os.makedirs(PRIVSEP_DIR, mode=0o755, exist_ok=True)
    workdir.mkdir(parents=True, exist_ok=True)
    host_pub = new_key(workdir / "ssh_host_ed25519_key")
    client_pub = new_key(workdir / "client_key")
    (workdir / "authorized_keys").write_text(client_pub + "\n")
    last_error = ""
    for _ in range(5):  # a free port can be taken between our probe and sshd's bind: try again
        port, legacy = _free_port(host), _free_port(host)
        config = workdir / "sshd_config"
        config.write_text(_config(workdir, host, port, legacy))
        log = workdir / f"sshd-{port}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stdout=out, stderr=out,
                                    stdin=subprocess.DEVNULL)
        try:
            if _wait_ready(proc, host, port) and _wait_ready(proc, host, legacy):
                known = workdir / "known_hosts"
                known.write_text(known_hosts_line(host, port, host_pub) + known_hosts_line(host, legacy, host_pub))
                server = SshServer(host, port, legacy, getpass.getuser(), proc.pid, known,
                                   workdir / "client_key", host_pub, log)
                try:
                    yield server
                finally:
                    server.kill_sessions()
                return
            last_error = log.read_text(errors="replace")
        finally:
            _stop(proc)
    raise RuntimeError(f"sshd did not start; its log:\n{last_error}")


def _config(workdir: Path, host: str, port: int, legacy: int) -> str:
    return f"""\
ListenAddress {host}:{port}
ListenAddress {host}:{legacy}
HostKey {workdir / "ssh_host_ed25519_key"}
PidFile none
AuthorizedKeysFile {workdir / "authorized_keys"}
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
LogLevel VERBOSE
Subsystem sftp internal-sftp
Match LocalPort {legacy}
    ForceCommand internal-sftp -P posix-rename
"""


def _free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        port: int = s.getsockname()[1]
        return port


def _wait_ready(proc: subprocess.Popen[bytes], host: str, port: int, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        with suppress(OSError), socket.create_connection((host, port), timeout=1) as s:
            if s.recv(4).startswith(b"SSH-"):
                return True
        time.sleep(0.05)
    return False


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

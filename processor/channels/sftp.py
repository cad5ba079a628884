"""A drop folder on an SFTP server (``sftp://user@host:port/dir``), through paramiko.

Trust is explicit: the host key must already be in the configured known_hosts (an unknown or changed key
is refused, never added), and we log in with the configured key file only: no agent, no password, no
prompt, because the run is unattended. A dropped connection is a ``ChannelError``; the folder does not
reconnect by itself (the next run recovers claimed files), and a write interrupted by it leaves at most a
hidden temp file, never a partial file under its final name.

SFTP cannot open a file without following a symlink, so every name is ``lstat``-ed first and anything
but a regular file (or, on the way to it, a real directory) is refused. Durability after the rename is
the server's business: paramiko offers no ``fsync@openssh.com``.
"""

from __future__ import annotations

import builtins
import errno
import getpass
import io
import os
import stat
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any, BinaryIO
from urllib.parse import unquote, urlsplit

import paramiko

from processor.channels.base import (
    CLAIM_PREFIX,
    COPY_CHUNK,
    ChannelError,
    ClaimConflict,
    Source,
    check_name,
    guarded_reader,
    is_stale_temp,
    takeable_names,
    temp_name,
)

_CHUNK = 32768  #: paramiko's largest SFTP request; feeding it whole chunks avoids copying the tail
_READ_AHEAD = 8 << 20  #: how far a read prefetches: bounds what paramiko may buffer of a file being read


def _quiet_prefetch_failures() -> None:
    """Keep a dropped connection's traceback from paramiko's read-ahead thread off stderr.

    ``prefetch`` reads ahead in a thread of its own; when the connection drops, that thread dies with a
    traceback while the read itself fails with a :class:`ChannelError` saying the same in one line (the
    batch's promise: exit 3, one line, never a traceback). Any other thread's exception still reaches the
    previous hook. Installed on the first read, not at import.
    """
    previous = threading.excepthook
    if getattr(previous, "quiets_prefetch", False):
        return

    def hook(args: threading.ExceptHookArgs) -> None:
        thread = args.thread
        if thread is not None and thread.name.endswith("(_prefetch_thread)") and isinstance(
                args.exc_value, OSError | EOFError | paramiko.SSHException):
            return
        previous(args)

    hook.quiets_prefetch = True  # type: ignore[attr-defined]
    threading.excepthook = hook


class _ReadAhead:
    """A remote file read front to back with paramiko's prefetch (no round trip per request), one window
    of :data:`_READ_AHEAD` at a time. Prefetching the whole file at once, as paramiko offers, lets any
    other request on the connection (or closing the file early) pull all of the rest into memory."""

    def __init__(self, file: Any, size: int) -> None:
        self._file, self._size, self._ahead = file, size, 0

    def read(self, size: int, /) -> bytes:
        here = self._file.tell()
        if here >= self._ahead and self._ahead < self._size:  # the window is used up: ask for the next
            self._ahead = min(self._size, here + _READ_AHEAD)
            self._file.prefetch(self._ahead)  # (paramiko's "file size": where the read-ahead stops)
        data: bytes = self._file.read(min(size, _CHUNK))
        return data

    def close(self) -> None:
        self._file.close()


@dataclass(frozen=True, slots=True)
class SftpAddress:
    """Where an ``sftp://`` folder is. ``path`` is absolute on the server; ``/~/x`` is ``x`` under the login home."""

    user: str
    host: str
    port: int
    path: str

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"sftp://{self.user}@{host}:{self.port}{self.path}"

    @property
    def known_hosts_name(self) -> str:
        """How OpenSSH (and paramiko) write this server in known_hosts."""
        return self.host if self.port == 22 else f"[{self.host}]:{self.port}"


def parse_sftp_url(url: str) -> SftpAddress:
    """``sftp://user@host:port/dir``; port 22 and the local user name by default, as with ``ssh``."""
    parts = urlsplit(url)
    shown = f"sftp://{parts.hostname or '?'}{parts.path}"  # never echo a password
    if parts.scheme.lower() != "sftp" or not parts.hostname:
        raise ChannelError(f"{shown}: not an sftp://user@host:port/dir URL")
    if parts.password is not None:
        raise ChannelError(f"{shown}: a password in the URL is refused; the key comes from [sftp] key_file")
    if parts.query or parts.fragment:
        raise ChannelError(f"{shown}: an sftp URL takes no query or fragment")
    try:
        port = parts.port or 22
    except ValueError:
        raise ChannelError(f"{shown}: bad port") from None
    user = unquote(parts.username) if parts.username else _local_user()
    return SftpAddress(user=user, host=parts.hostname, port=port, path=unquote(parts.path) or "/~")


class _NotADirectory(ChannelError):
    """A subfolder on the way is a file or a symlink (which is never followed)."""


class _UnknownHostKey(Exception):
    def __init__(self, key: Any) -> None:
        super().__init__("unknown host key")
        self.key = key


class _RefuseUnknown(paramiko.RejectPolicy):  # type: ignore[misc]
    """RejectPolicy that keeps the offered key, so the message can show its fingerprint."""

    def missing_host_key(self, client: Any, hostname: str, key: Any) -> None:
        raise _UnknownHostKey(key)


class SftpFolder:
    """A directory on an SFTP server; connect with :meth:`connect`."""

    def __init__(self, address: SftpAddress, client: Any, sftp: Any, base: str) -> None:
        self.url = address.url
        self._client = client
        self._sftp = sftp
        self._base = base.rstrip("/")
        self._dirs: set[tuple[str, ...]] = set()  #: subfolders already seen to be real directories
        self._swept: set[tuple[str, ...]] = set()

    @classmethod
    def connect(cls, address: SftpAddress, known_hosts: str, key_file: str, *, timeout: float = 30.0) -> SftpFolder:
        """Log in (host key from KNOWN_HOSTS, key from KEY_FILE), create the folder if missing, sweep old temps."""
        url = address.url
        known_hosts = os.path.expanduser(known_hosts)
        pkey = _load_key(url, os.path.expanduser(key_file))
        client = paramiko.SSHClient()
        try:
            try:
                client.load_system_host_keys(known_hosts)  # read-only: our known_hosts is never written
            except OSError as exc:
                raise ChannelError(f"{url}: cannot read known_hosts file {known_hosts}: {exc.strerror}") from None
            client.set_missing_host_key_policy(_RefuseUnknown())
            _login(client, address, known_hosts, key_file, pkey, timeout)
            sftp = client.open_sftp()
            sftp.get_channel().settimeout(timeout)
            client.get_transport().set_keepalive(15)
            folder = cls(address, client, sftp, _base_dir(url, sftp, address.path))
            folder.sweep_temp()
            return folder
        except BaseException:
            client.close()
            raise

    # -- the Folder protocol -------------------------------------------------------------------------

    def list(self) -> builtins.list[str]:
        with self._guard("list files"):
            return takeable_names(self.url, [n for n, a in self._entries(()).items()
                                             if not n.startswith(".") and _is_reg(a)])

    def claimed(self) -> builtins.list[str]:
        with self._guard("list claimed files"):
            return takeable_names(self.url, [n for n, a in self._entries(()).items() if n.startswith(CLAIM_PREFIX)
                                        and _is_reg(a)], claimed=True)

    def claim(self, name: str) -> str | None:
        parts = check_name(name, self.url)
        target_parts = (*parts[:-1], CLAIM_PREFIX + parts[-1])
        with self._guard(f"claim {name}"):
            sftp = self._live()
            try:
                self._check_dirs(parts, create=False)
                if not _is_reg(sftp.lstat(self._path(parts))):
                    raise ChannelError(f"{self.url}: cannot claim {name}: not a regular file")
            except FileNotFoundError:
                return None
            src, dst = self._path(parts), self._path(target_parts)
            if self._lexists(dst):  # checked first too: some servers' plain rename would replace it
                if self._vanished(src):
                    return None
                raise self._conflict(name, target_parts[-1])
            try:
                # Plain SFTP rename, never posix-rename: it refuses an existing target, so a claimed file
                # left by a crashed run is never replaced (OpenSSH does it as link + unlink: atomic).
                sftp.rename(src, dst)
            except FileNotFoundError:
                return None
            except OSError:
                if self._vanished(src):
                    return None
                if self._lexists(dst):
                    raise self._conflict(name, target_parts[-1]) from None
                raise
        return "/".join(target_parts)

    def read(self, name: str) -> bytes:
        with self.open(name) as f:
            return f.read()

    @contextmanager
    def open(self, name: str) -> Iterator[BinaryIO]:
        parts = check_name(name, self.url, claimed_ok=True)
        what = f"read {name}"
        with self._guard(what):
            sftp = self._live()
            self._check_dirs(parts, create=False)
            path = self._path(parts)
            attrs = sftp.lstat(path)
            if not _is_reg(attrs):
                raise ChannelError(f"{self.url}: cannot read {name}: not a regular file")
            _quiet_prefetch_failures()
            file = _ReadAhead(sftp.open(path, "rb"), attrs.st_size or 0)
        with guarded_reader(file, lambda: self._guard(what), self._live) as reader:
            yield reader

    def modified(self, name: str) -> float:
        parts = check_name(name, self.url, claimed_ok=True)
        with self._guard(f"look at {name}"):
            sftp = self._live()
            self._check_dirs(parts, create=False)
            attrs = sftp.lstat(self._path(parts))
            if not _is_reg(attrs):
                raise ChannelError(f"{self.url}: cannot look at {name}: not a regular file")
            return float(attrs.st_mtime)

    def write(self, name: str, data: bytes) -> None:
        self.write_from(name, io.BytesIO(data))

    def write_from(self, name: str, source: Source) -> None:
        parts = check_name(name, self.url)
        with self._guard(f"write {name}"):
            sftp = self._live()
            self._check_dirs(parts, create=True)
            if parts[:-1] not in self._swept:
                self._sweep(parts[:-1])
                self._swept.add(parts[:-1])
            tmp = self._path((*parts[:-1], temp_name(parts[-1])))
            renaming = False
            try:
                with sftp.open(tmp, "wbx") as f:  # x: O_EXCL, never someone else's file
                    f.chmod(0o600)  # before any byte of customer data goes in
                    f.set_pipelined(True)
                    copied = _upload(source, f)
                size = sftp.stat(tmp).st_size
                if size != copied:
                    raise ChannelError(f"{self.url}: cannot write {name}: server stored {size} of {copied} bytes")
                renaming = True
                self._replace(tmp, self._path(parts))
            except BaseException:
                if not renaming and self._alive():  # once renaming began, TMP may be the only copy: keep it
                    with suppress(OSError, EOFError, paramiko.SSHException):
                        sftp.remove(tmp)
                raise

    def remove(self, name: str) -> None:
        parts = check_name(name, self.url, claimed_ok=True)
        with self._guard(f"remove {name}"):
            sftp = self._live()
            try:
                self._check_dirs(parts, create=False)
                sftp.remove(self._path(parts))
            except FileNotFoundError:
                pass

    def exists(self, name: str) -> bool:
        parts = check_name(name, self.url, claimed_ok=True)
        with self._guard(f"look for {name}"):
            sftp = self._live()
            try:
                self._check_dirs(parts, create=False)
                return _is_reg(sftp.lstat(self._path(parts)))
            except (FileNotFoundError, _NotADirectory):
                return False  # nothing there that can be reached without following a symlink

    def close(self) -> None:
        with suppress(Exception):
            self._sftp.close()
        self._client.close()

    def __enter__(self) -> SftpFolder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- housekeeping ------------------------------------------------------------------------------

    def sweep_temp(self) -> builtins.list[str]:
        """Delete temp files of crashed writes (untouched for an hour) at the top level; their names."""
        with self._guard("clean stale temp files"):
            return self._sweep(())

    def _sweep(self, sub: tuple[str, ...]) -> builtins.list[str]:
        sftp, now, gone = self._live(), time.time(), []
        for n, a in self._entries(sub).items():
            if _is_reg(a) and a.st_mtime is not None and is_stale_temp(n, a.st_mtime, now):
                with suppress(FileNotFoundError):
                    sftp.remove(self._path((*sub, n)))
                    gone.append(n)
        return sorted(gone)

    # -- internals ---------------------------------------------------------------------------------

    def _replace(self, tmp: str, final: str) -> None:
        """Rename TMP onto FINAL atomically (posix-rename); servers without it get remove + rename."""
        sftp = self._live()
        try:
            sftp.posix_rename(tmp, final)
            return
        except OSError as exc:
            refused = exc.errno == errno.EACCES or (exc.errno is None and "unsupported" in str(exc).lower())
            if not refused:
                raise
        try:
            sftp.rename(tmp, final)  # no posix-rename: plain rename works when FINAL is not there yet
        except OSError:
            if not self._lexists(final):
                raise
            sftp.remove(final)  # a re-write of the same file: brief gap, the new content waits in TMP
            sftp.rename(tmp, final)

    def _entries(self, sub: tuple[str, ...]) -> dict[str, Any]:
        sftp = self._live()
        out = {}
        for a in sftp.listdir_attr(self._path(sub)):
            out[a.filename] = a if a.st_mode is not None else sftp.lstat(self._path((*sub, a.filename)))
        return out

    def _check_dirs(self, parts: Sequence[str], *, create: bool) -> None:
        """Each subfolder on the way to the last part must be a real directory (a symlink is refused)."""
        sftp = self._live()
        for i in range(1, len(parts)):
            sub = tuple(parts[:i])
            if sub in self._dirs:
                continue
            path = self._path(sub)
            try:
                attrs = sftp.lstat(path)
            except FileNotFoundError:
                if not create:
                    raise
                with suppress(OSError):
                    sftp.mkdir(path, 0o700)
                attrs = sftp.lstat(path)
            if attrs.st_mode is None or not stat.S_ISDIR(attrs.st_mode):
                raise _NotADirectory(f"{self.url}: {'/'.join(sub)} is not a directory (a symlink is never followed)")
            self._dirs.add(sub)

    def _path(self, parts: Sequence[str]) -> str:
        return "/".join((self._base, *parts)) if parts else self._base or "/"

    def _lexists(self, path: str) -> bool:
        try:
            self._live().lstat(path)
        except FileNotFoundError:
            return False
        return True

    def _vanished(self, src: str) -> bool:
        """Whether SRC is gone, allowing a moment for another worker between its link and unlink."""
        for attempt in range(3):
            if not self._lexists(src):
                return True
            if attempt < 2:
                time.sleep(0.2)
        return False

    def _conflict(self, name: str, target: str) -> ClaimConflict:
        return ClaimConflict(f"{self.url}: cannot claim {name}: {target} already exists from an earlier run; "
                             "recover the claimed files first")

    def _alive(self) -> bool:
        transport = self._client.get_transport()
        return transport is not None and bool(transport.is_active())

    def _live(self) -> Any:
        if not self._alive():
            raise ChannelError(f"{self.url}: the connection is closed or was lost; open the folder again")
        return self._sftp

    @contextmanager
    def _guard(self, what: str) -> Iterator[None]:
        try:
            yield
        except ChannelError:
            raise
        except (OSError, EOFError, paramiko.SSHException, paramiko.SFTPError) as exc:
            reason = str(exc) or type(exc).__name__
            if isinstance(exc, OSError) and exc.strerror:
                reason = exc.strerror
            if isinstance(exc, EOFError | ConnectionError) or "dropped" in reason or not self._alive():
                reason = f"connection lost ({reason})"
            raise ChannelError(f"{self.url}: cannot {what}: {reason}") from exc


def _upload(source: Source, f: Any) -> int:
    """SOURCE into the remote file F a chunk at a time, in paramiko's largest requests; the bytes copied."""
    copied = 0
    while chunk := source.read(COPY_CHUNK):
        for i in range(0, len(chunk), _CHUNK):
            f.write(chunk[i:i + _CHUNK])
        copied += len(chunk)
    return copied


def _login(client: Any, address: SftpAddress, known_hosts: str, key_file: str, pkey: Any, timeout: float) -> None:
    url, who = address.url, address.known_hosts_name
    try:
        client.connect(
            address.host, port=address.port, username=address.user, pkey=pkey,
            allow_agent=False, look_for_keys=False, password=None, passphrase=None,
            timeout=timeout, banner_timeout=timeout, auth_timeout=timeout, channel_timeout=timeout,
        )
    except _UnknownHostKey as exc:
        raise ChannelError(
            f"{url}: host {who} is not in known_hosts file {known_hosts} (it offers {_describe(exc.key)}); "
            "refusing to connect: add its key there after checking the fingerprint with the server's owner"
        ) from None
    except paramiko.BadHostKeyException as exc:
        raise ChannelError(
            f"{url}: host key of {who} CHANGED: known_hosts file {known_hosts} has {_describe(exc.expected_key)}, "
            f"the server offers {_describe(exc.key)}; refusing to connect (possible man-in-the-middle)"
        ) from None
    except paramiko.AuthenticationException:
        raise ChannelError(f"{url}: key authentication as {address.user} failed with key file {key_file}") from None
    except (OSError, EOFError, paramiko.SSHException) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else (str(exc) or type(exc).__name__)
        raise ChannelError(f"{url}: cannot connect to {who}: {reason}") from None


def _load_key(url: str, key_file: str) -> Any:
    """The private key, refused (like ssh does) when others may read it or when it needs a passphrase."""
    try:
        mode = os.stat(key_file).st_mode
    except OSError as exc:
        raise ChannelError(f"{url}: cannot read key file {key_file}: {exc.strerror}") from None
    if mode & 0o077:
        raise ChannelError(f"{url}: key file {key_file} is accessible by others (mode {stat.S_IMODE(mode):o}); "
                           "chmod 600 it")
    try:
        return paramiko.PKey.from_path(key_file)
    except paramiko.PasswordRequiredException:
        raise ChannelError(f"{url}: key file {key_file} needs a passphrase; an unattended run needs a key "
                           "without one (restrict it on the server instead)") from None
    except (OSError, ValueError, paramiko.SSHException) as exc:
        raise ChannelError(f"{url}: cannot load key file {key_file}: {type(exc).__name__}") from None


def _base_dir(url: str, sftp: Any, path: str) -> str:
    """The folder's absolute path on the server, created (0o700) if missing."""
    rel = "." if path in ("/~", "/~/") else path[3:] if path.startswith("/~/") else path
    prefix = "/" if rel.startswith("/") else ""
    done: list[str] = []
    try:
        for part in [p for p in rel.split("/") if p and p != "."]:
            done.append(part)
            here = prefix + "/".join(done)
            try:
                sftp.stat(here)
            except FileNotFoundError:
                with suppress(OSError):
                    sftp.mkdir(here, 0o700)
        base: str = sftp.normalize(rel)
        mode = sftp.stat(base).st_mode
    except (OSError, EOFError, paramiko.SSHException) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ChannelError(f"{url}: cannot open the folder: {reason}") from None
    if mode is None or not stat.S_ISDIR(mode):
        raise ChannelError(f"{url}: not a directory")
    return base


def _is_reg(attrs: Any) -> bool:
    return attrs.st_mode is not None and stat.S_ISREG(attrs.st_mode)


def _describe(key: Any) -> str:
    return f"{key.get_name()} {key.fingerprint}" if key is not None else "no key"


def _local_user() -> str:
    return getpass.getuser()

"""A drop folder on the local file system.

Everything below the configured folder is reached through directory file descriptors with
``O_NOFOLLOW``, so a symlink planted in the inbox (or a symlinked subfolder) is never followed and
nothing outside the folder is read or written. The configured folder itself is trusted (operations
wrote the config) and may be a symlink, e.g. to a mount: it is resolved once, when the folder is
opened, and the run keeps that directory even if the link is changed later.
"""

from __future__ import annotations

import builtins
import errno
import io
import os
import stat
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import BinaryIO

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

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
#: file systems without hard links answer link() with one of these; claims then fall back to rename
_NO_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOSYS, errno.EXDEV, errno.EMLINK}


class LocalFolder:
    """A local directory, created (mode 0o700) if missing."""

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True) -> None:
        self.url = os.path.abspath(os.path.expanduser(os.fspath(path)))
        self._fd: int | None = None
        self._swept: set[tuple[str, ...]] = set()
        with self._guard("open the folder"):
            if create:
                os.makedirs(self.url, mode=0o700, exist_ok=True)
            self._fd = os.open(self.url, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        self.sweep_temp()

    # -- the Folder protocol -------------------------------------------------------------------------

    def list(self) -> builtins.list[str]:
        with self._guard("list files"):
            entries = self._entries(self._root())
            self._finish_interrupted_claims(self._root(), entries)
            return takeable_names(self.url, [n for n, st in entries.items() if not n.startswith(".")
                                        and stat.S_ISREG(st.st_mode)])

    def claimed(self) -> builtins.list[str]:
        with self._guard("list claimed files"):
            entries = self._entries(self._root())
            self._finish_interrupted_claims(self._root(), entries)
            return takeable_names(self.url, [n for n, st in entries.items() if n.startswith(CLAIM_PREFIX)
                                        and stat.S_ISREG(st.st_mode)], claimed=True)

    def claim(self, name: str) -> str | None:
        parts = check_name(name, self.url)
        base, target = parts[-1], CLAIM_PREFIX + parts[-1]
        with self._guard(f"claim {name}"):
            try:
                with self._parent(parts, create=False) as d:
                    st = os.stat(base, dir_fd=d, follow_symlinks=False)
                    if not stat.S_ISREG(st.st_mode):
                        raise ChannelError(f"{self.url}: cannot claim {name}: not a regular file")
                    if not self._claim_in(d, base, target, name):
                        return None
                    os.fsync(d)
            except FileNotFoundError:
                return None
        return "/".join((*parts[:-1], target))

    def read(self, name: str) -> bytes:
        with self.open(name) as f:
            return f.read()

    @contextmanager
    def open(self, name: str) -> Iterator[BinaryIO]:
        parts = check_name(name, self.url, claimed_ok=True)
        what = f"read {name}"
        with self._guard(what), self._parent(parts, create=False) as d:
            # O_NONBLOCK: a FIFO planted in the folder must not hang the run; it is refused below.
            fd = os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=d)
            try:
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    raise ChannelError(f"{self.url}: cannot read {name}: not a regular file")
                file = io.FileIO(fd, "rb")  # owns FD from here on
            except BaseException:
                os.close(fd)
                raise
        with guarded_reader(file, lambda: self._guard(what), self._root) as reader:
            yield reader

    def modified(self, name: str) -> float:
        parts = check_name(name, self.url, claimed_ok=True)
        with self._guard(f"look at {name}"), self._parent(parts, create=False) as d:
            found = os.stat(parts[-1], dir_fd=d, follow_symlinks=False)
            if not stat.S_ISREG(found.st_mode):
                raise ChannelError(f"{self.url}: cannot look at {name}: not a regular file")
            return found.st_mtime

    def write(self, name: str, data: bytes) -> None:
        self.write_from(name, io.BytesIO(data))

    def write_from(self, name: str, source: Source) -> None:
        parts = check_name(name, self.url)
        with self._guard(f"write {name}"), self._parent(parts, create=True) as d:
            if parts[:-1] not in self._swept:
                self._sweep(d)
                self._swept.add(parts[:-1])
            tmp = temp_name(parts[-1])
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=d)
            try:
                try:
                    os.fchmod(fd, 0o600)  # exactly 0o600 whatever the umask
                    _copy(source, fd)
                    os.fsync(fd)  # the content is on disk before the name says it is complete
                finally:
                    os.close(fd)
                os.rename(tmp, parts[-1], src_dir_fd=d, dst_dir_fd=d)
            except BaseException:
                with suppress(OSError):
                    os.unlink(tmp, dir_fd=d)
                raise
            os.fsync(d)  # and the rename too

    def remove(self, name: str) -> None:
        parts = check_name(name, self.url, claimed_ok=True)
        with self._guard(f"remove {name}"):
            try:
                with self._parent(parts, create=False) as d:
                    os.unlink(parts[-1], dir_fd=d)
                    os.fsync(d)
            except FileNotFoundError:
                pass

    def exists(self, name: str) -> bool:
        parts = check_name(name, self.url, claimed_ok=True)
        with self._guard(f"look for {name}"):
            try:
                with self._parent(parts, create=False) as d:
                    return stat.S_ISREG(os.stat(parts[-1], dir_fd=d, follow_symlinks=False).st_mode)
            except OSError as exc:
                if exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.ELOOP):
                    return False  # nothing there that can be reached without following a symlink
                raise

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> LocalFolder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- housekeeping ------------------------------------------------------------------------------

    def sweep_temp(self) -> builtins.list[str]:
        """Delete temp files of crashed writes (untouched for an hour) at the top level; their names."""
        with self._guard("clean stale temp files"):
            return self._sweep(self._root())

    def _sweep(self, d: int) -> builtins.list[str]:
        now = time.time()
        gone = []
        for n, st in self._entries(d).items():
            if stat.S_ISREG(st.st_mode) and is_stale_temp(n, st.st_mtime, now):
                with suppress(FileNotFoundError):
                    os.unlink(n, dir_fd=d)
                    gone.append(n)
        return sorted(gone)

    # -- internals ---------------------------------------------------------------------------------

    def _claim_in(self, d: int, base: str, target: str, name: str) -> bool:
        """Link BASE to TARGET (fails if TARGET exists: a leftover is never replaced), then unlink BASE."""
        try:
            os.link(base, target, src_dir_fd=d, dst_dir_fd=d, follow_symlinks=False)
        except FileExistsError:
            if self._finish_interrupted_claim(d, base, target) or not _lexists(base, d):
                return False  # another worker's claim (or a crashed one of ours) already holds it
            raise ClaimConflict(
                f"{self.url}: cannot claim {name}: {target} already holds a different file from an earlier run; "
                "recover the claimed files first") from None
        except OSError as exc:
            if exc.errno not in _NO_LINKS:
                raise
            # No hard links on this file system: check, then rename (a small race remains).
            if _lexists(target, d):
                raise ClaimConflict(f"{self.url}: cannot claim {name}: {target} already exists") from None
            os.rename(base, target, src_dir_fd=d, dst_dir_fd=d)
            return True
        with suppress(FileNotFoundError):  # a concurrent list() may have finished our claim for us
            os.unlink(base, dir_fd=d)
        return True

    def _finish_interrupted_claims(self, d: int, entries: dict[str, os.stat_result]) -> None:
        """A run killed between link and unlink leaves NAME and .claimed.NAME as one file: drop NAME."""
        for n in [n for n in entries if n.startswith(CLAIM_PREFIX)]:
            base = n[len(CLAIM_PREFIX):]
            if base in entries and os.path.samestat(entries[base], entries[n]) and self._finish_interrupted_claim(
                    d, base, n):
                del entries[base]

    def _finish_interrupted_claim(self, d: int, base: str, target: str) -> bool:
        try:
            a = os.stat(base, dir_fd=d, follow_symlinks=False)
            b = os.stat(target, dir_fd=d, follow_symlinks=False)
        except FileNotFoundError:
            return False
        if not os.path.samestat(a, b):
            return False
        with suppress(FileNotFoundError):
            os.unlink(base, dir_fd=d)
        return True

    def _entries(self, d: int) -> dict[str, os.stat_result]:
        out = {}
        for n in os.listdir(d):
            with suppress(FileNotFoundError):
                out[n] = os.stat(n, dir_fd=d, follow_symlinks=False)
        return out

    def _root(self) -> int:
        if self._fd is None:
            raise ChannelError(f"{self.url}: folder is closed")
        return self._fd

    @contextmanager
    def _parent(self, parts: Sequence[str], *, create: bool) -> Iterator[int]:
        """The directory holding the last part, each step opened with O_NOFOLLOW (a symlink fails: ELOOP)."""
        opened: list[int] = []
        cur = self._root()
        try:
            for part in parts[:-1]:
                try:
                    nxt = os.open(part, _DIR_FLAGS, dir_fd=cur)
                except FileNotFoundError:
                    if not create:
                        raise
                    with suppress(FileExistsError):
                        os.mkdir(part, 0o700, dir_fd=cur)
                        os.fsync(cur)
                    nxt = os.open(part, _DIR_FLAGS, dir_fd=cur)
                opened.append(nxt)
                cur = nxt
            yield cur
        finally:
            for fd in opened:
                os.close(fd)

    @contextmanager
    def _guard(self, what: str) -> Iterator[None]:
        try:
            yield
        except ChannelError:
            raise
        except OSError as exc:
            reason = exc.strerror or str(exc)
            if exc.errno == errno.ELOOP:
                reason += " (a symlink is never followed)"
            elif exc.errno == errno.ENOTDIR:
                reason += " (a file or a symlink, which is never followed, stands where a folder should)"
            raise ChannelError(f"{self.url}: cannot {what}: {reason}") from exc


def _copy(source: Source, fd: int) -> None:
    """SOURCE into FD a chunk at a time, so writing a file of any size holds one chunk of it."""
    while chunk := source.read(COPY_CHUNK):
        view = memoryview(chunk)
        while view:
            view = view[os.write(fd, view):]


def _lexists(name: str, d: int) -> bool:
    try:
        os.stat(name, dir_fd=d, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return True

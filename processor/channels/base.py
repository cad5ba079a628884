"""The drop-folder port: what the batch may do with a folder, and which names it may use.

Kept apart from the local and SFTP adapters (Bots: channels apart from grammars) so the batch and its
fakes depend on this page only. Names are checked here once, for both adapters, because a name that
escapes the configured folder is a security bug, not a transport detail.
"""

from __future__ import annotations

import builtins
import io
import secrets
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, BinaryIO, Protocol

import structlog

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

log = structlog.get_logger("edi.channels")

CLAIM_PREFIX = ".claimed."  #: a claimed inbound file: ``.claimed.`` + its name, in the same folder
TEMP_PREFIX = ".tmp."  #: a file being written: ``.tmp.`` + its name + a random suffix, in the same folder
STALE_TEMP_SECONDS = 3600.0  #: temp files untouched this long are debris of a crashed write
#: the longest inbound name taken (bytes): its claimed (``.claimed.``) and archived (12-digit digest + ``.``)
#: forms must still fit the 255 bytes of a file name
MAX_NAME_BYTES = 200
#: how much a streamed copy or read holds at a time: a file of any size costs this much memory, not its size
COPY_CHUNK = 1 << 20


class ChannelError(Exception):
    """A folder operation failed; the message names the folder URL (never a secret) and what failed.

    The batch maps it to exit code 3: the run cannot go on, whoever's fault it is is in the message.
    """


class ClaimConflict(ChannelError):
    """``.claimed.NAME`` already holds a different file (an earlier run crashed and was not recovered).

    Claiming would replace that file and lose it, so the claim is refused; recover ``claimed()`` first.
    """


class Source(Protocol):
    """What :meth:`Folder.write_from` copies from: anything with ``read(size)`` (a file, a hashing wrapper)."""

    def read(self, size: int = -1, /) -> bytes: ...


class Folder(Protocol):
    """A drop folder: a local directory or a directory on an SFTP server."""

    url: str  #: for messages and the run report (no secrets)

    def list(self) -> builtins.list[str]:
        """Regular files ready to process, sorted; never directories, symlinks, hidden, temp or claimed names."""
        ...

    def claimed(self) -> builtins.list[str]:
        """Claimed names (``.claimed.X``) left by a run that never released them (it crashed)."""
        ...

    def claim(self, name: str) -> str | None:
        """Atomically rename NAME to its claimed name; ``None`` when NAME vanished (someone else got it)."""
        ...

    def read(self, name: str) -> bytes:
        """The whole content of a (claimed) regular file; never through a symlink."""
        ...

    def open(self, name: str) -> AbstractContextManager[BinaryIO]:
        """A (claimed) regular file to read in chunks, never through a symlink: what ``read`` does for a file
        too big to hold. A failure while reading, the folder closed included, is a ``ChannelError``."""
        ...

    def modified(self, name: str) -> float:
        """When NAME was last written (POSIX seconds): for an inbound file, when it arrived in the folder.

        A claim is a rename, which keeps it, so a claimed file still says when it arrived."""
        ...

    def write(self, name: str, data: bytes) -> None:
        """Write under a temp name, then rename onto NAME (replacing it); mode 0o600; makes subfolders."""
        ...

    def write_from(self, name: str, source: Source) -> None:
        """``write`` with the content read from SOURCE a chunk at a time, so it is never held whole."""
        ...

    def remove(self, name: str) -> None:
        """Delete a file (a claimed one, once archived or quarantined); a missing file is fine."""
        ...

    def exists(self, name: str) -> bool:
        """Whether NAME is a regular file (a symlink does not count and is not followed)."""
        ...

    def close(self) -> None:
        """Release the directory handle or connection; later calls raise ``ChannelError``."""
        ...


class _Readable(Protocol):
    def read(self, size: int, /) -> bytes: ...

    def close(self) -> None: ...


class _GuardedRaw(io.RawIOBase):
    """The raw end under the buffer :func:`guarded_reader` hands out: each read of FILE checks the folder is
    still open (``live``) and runs in the adapter's ``guard``, so a failure while the caller reads is a
    ``ChannelError`` naming the file, as ``read``'s are. An exception of the caller's own code in its
    ``with`` body is never relabelled: only these reads are guarded."""

    def __init__(self, file: _Readable, guard: Callable[[], AbstractContextManager[None]],
                 live: Callable[[], object]) -> None:
        super().__init__()
        self._file, self._guard, self._live = file, guard, live

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        data = self._read(len(view))
        view[:len(data)] = data
        return len(data)

    def readall(self) -> bytes:
        """The rest, a chunk at a time, without the default's 8 KiB reads."""
        chunks = []
        while chunk := self._read(COPY_CHUNK):
            chunks.append(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        if self.closed:
            return
        try:
            with self._guard():
                self._file.close()
        finally:
            super().close()

    def _read(self, size: int) -> bytes:
        with self._guard():
            self._live()
            return self._file.read(size)


def guarded_reader(file: _Readable, guard: Callable[[], AbstractContextManager[None]],
                   live: Callable[[], object]) -> io.BufferedReader:
    """FILE as a buffered binary stream whose reads go through ``guard`` once ``live()`` passes (see
    :class:`_GuardedRaw`). Bytes already buffered are still returned after a failure; the next read that
    needs the folder raises, so a stream never ends early."""
    return io.BufferedReader(_GuardedRaw(file, guard, live), COPY_CHUNK)


def check_name(name: str, url: str, *, claimed_ok: bool = False) -> tuple[str, ...]:
    """The parts of NAME, or ``ChannelError`` if it could reach outside the folder or hide from ``list()``.

    Refused: empty parts, absolute paths, ``.``/``..``, backslashes, NUL and other control characters (a
    line break in a name would forge log lines), and a leading ``.`` in any part except, where
    ``claimed_ok``, the protocol's own ``.claimed.X`` as the last part.
    """
    if not isinstance(name, str) or not name:
        raise ChannelError(f"{url}: refused empty or non-text file name {name!r}")
    if "\x00" in name or "\\" in name or name.startswith("/"):
        raise ChannelError(f"{url}: refused file name {name!r} (absolute, backslash or NUL)")
    if any(ch < " " or ch == "\x7f" for ch in name):
        raise ChannelError(f"{url}: refused file name {name!r} (control character)")
    parts = tuple(name.split("/"))
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if not part or part in (".", ".."):
            raise ChannelError(f"{url}: refused file name {name!r} (empty, '.' or '..' part)")
        if part.startswith("."):
            rest = part[len(CLAIM_PREFIX):]
            if not (last and claimed_ok and part.startswith(CLAIM_PREFIX) and rest and not rest.startswith(".")):
                raise ChannelError(f"{url}: refused hidden file name {name!r}")
    return parts


def takeable(name: str, *, claimed: bool = False) -> bool:
    """Whether a name found in a folder may be handed to the batch: it passes :func:`check_name` (as a
    ``.claimed.X`` name when ``claimed``), is UTF-8 and at most :data:`MAX_NAME_BYTES` long. Anything else a
    partner uploads is left where it is, untouched, rather than stop every night at its claim."""
    try:
        check_name(name, "", claimed_ok=claimed)
    except ChannelError:
        return False
    base = name.removeprefix(CLAIM_PREFIX) if claimed else name
    try:
        return len(base.encode("utf-8")) <= MAX_NAME_BYTES
    except UnicodeEncodeError:  # bytes that are not UTF-8 (read as surrogates): no database or report takes them
        return False


def takeable_names(url: str, names: builtins.list[str], *, claimed: bool = False) -> builtins.list[str]:
    """``names`` that are :func:`takeable`, sorted; each other one is logged as left alone."""
    taken = []
    for name in sorted(names):
        if takeable(name, claimed=claimed):
            taken.append(name)
        else:
            log.warning("file name refused, the file is left where it is", folder=url, file=name)
    return taken


def claimed_name(name: str) -> str:
    """The name NAME has once claimed: the prefix goes on its last part, so it stays in the same folder."""
    head, _, base = name.rpartition("/")
    return f"{head}/{CLAIM_PREFIX}{base}" if head else CLAIM_PREFIX + base


def original_name(claimed: str) -> str:
    """The inbound name a claimed name stands for (for archive and quarantine, which keep the name)."""
    head, _, base = claimed.rpartition("/")
    if not base.startswith(CLAIM_PREFIX):
        raise ValueError(f"not a claimed name: {claimed!r}")
    base = base[len(CLAIM_PREFIX):]
    return f"{head}/{base}" if head else base


def temp_name(base: str) -> str:
    """A fresh hidden name to write BASE under before the rename; random so two writers never share it."""
    return f"{TEMP_PREFIX}{base[:200]}.{secrets.token_hex(6)}"


def is_stale_temp(name: str, mtime: float, now: float) -> bool:
    """A temp file nobody has touched for an hour: a write that crashed, safe to delete."""
    return name.startswith(TEMP_PREFIX) and now - mtime > STALE_TEMP_SECONDS

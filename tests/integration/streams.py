"""Checks of the streamed folder operations (``write_from``, ``open``), shared by the local and SFTP tests.

Both adapters' folders are directories of this machine (the test sshd serves the local file system), so
one check takes the folder and the directory it stands for. Contents are a ramp computed from the
offset: big files are written, read and compared without the test holding them either.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, cast

import pytest

from processor.channels import ChannelError, Folder
from processor.channels.base import COPY_CHUNK

_RAMP = bytes(range(251))  #: a prime length, so a chunk written or read at the wrong offset shows


def ramp(offset: int, size: int) -> bytes:
    """SIZE bytes of the endless 0..250 ramp, from OFFSET."""
    start = offset % len(_RAMP)
    return (_RAMP * (size // len(_RAMP) + 2))[start:start + size]


def ramp_digest(size: int) -> str:
    digest = hashlib.sha256()
    for offset in range(0, size, COPY_CHUNK):
        digest.update(ramp(offset, min(COPY_CHUNK, size - offset)))
    return digest.hexdigest()


class Source:
    """SIZE bytes of the ramp, only ever handed out in pieces of at most COPY_CHUNK: a writer that asks for
    everything at once (``read()``, ``read(-1)``, more than a chunk) fails the test. With ``fail_at`` it
    raises FAILURE once that many bytes went out, as a source disk failing mid-copy."""

    def __init__(self, size: int, *, fail_at: int | None = None, failure: BaseException | None = None) -> None:
        self.size, self.pos, self.fail_at = size, 0, fail_at
        self.failure = failure or OSError(errno.EIO, "the source disk failed")

    def read(self, n: int = -1) -> bytes:
        assert 0 < n <= COPY_CHUNK, f"the writer asked for {n} bytes at once"
        if self.fail_at is not None and self.pos >= self.fail_at:
            raise self.failure
        n = min(n, self.size - self.pos)
        self.pos += n
        return ramp(self.pos - n, n)

    def stream(self) -> BinaryIO:
        """Itself, as what ``write_from`` takes (it needs ``read(n)`` only)."""
        return cast(BinaryIO, self)


def digest_in_chunks(stream: BinaryIO, n: int) -> tuple[str, int]:
    """The stream's SHA-256 and length, read N bytes at a time (each read must keep to N)."""
    digest, total = hashlib.sha256(), 0
    while chunk := stream.read(n):
        assert len(chunk) <= n
        digest.update(chunk)
        total += len(chunk)
    return digest.hexdigest(), total


@contextmanager
def peak_memory() -> Iterator[list[int]]:
    """The most Python memory allocated during the block (every thread's: paramiko's too), in bytes."""
    seen: list[int] = []
    tracemalloc.start()
    try:
        yield seen
        seen.append(tracemalloc.get_traced_memory()[1])
    finally:
        tracemalloc.stop()


def files_in(path: Path) -> list[str]:
    return sorted(os.listdir(path))


# -- the checks --------------------------------------------------------------------------------------


def check_round_trip(folder: Folder, root: Path) -> None:
    """A multi-MB file written from a chunked source and read back through ``open`` in chunks: same bytes,
    mode 0o600, no temp left; ``read`` gives the same; a claimed name can be opened too."""
    size = 5 * COPY_CHUNK + 4321
    source = Source(size)
    folder.write_from("sub/big.x12", source.stream())
    assert source.pos == size
    path = root / "sub" / "big.x12"
    assert path.stat().st_size == size and path.stat().st_mode & 0o777 == 0o600
    assert files_in(root / "sub") == ["big.x12"]
    with folder.open("sub/big.x12") as f:
        assert f.read(0) == b"" and f.read(7) == ramp(0, 7)
        assert digest_in_chunks(f, 65536) == (hashlib.sha256(ramp(7, size - 7)).hexdigest(), size - 7)
    assert hashlib.sha256(folder.read("sub/big.x12")).hexdigest() == ramp_digest(size)
    folder.write_from("sub/big.x12", Source(10).stream())  # replaces, like write
    assert path.read_bytes() == ramp(0, 10) and files_in(root / "sub") == ["big.x12"]
    (root / ".claimed.in.x12").write_bytes(b"ISA*00")
    with folder.open(".claimed.in.x12") as f:
        assert f.read() == b"ISA*00"


def check_write_from_umask(folder: Folder, root: Path) -> None:
    old = os.umask(0)
    try:
        folder.write_from("a.x12", Source(100).stream())
    finally:
        os.umask(old)
    assert (root / "a.x12").stat().st_mode & 0o777 == 0o600


def check_failing_source(folder: Folder, root: Path) -> None:
    """A source failing mid-copy leaves no temp; the target keeps its old content, a new one is not created.
    An OSError of the source is a ChannelError of the write; anything else goes through unchanged."""
    folder.write("out.x12", b"old")
    for name in ("out.x12", "new.x12"):
        with pytest.raises(ChannelError, match=f"cannot write {name}: the source disk failed"):
            folder.write_from(name, Source(3 * COPY_CHUNK, fail_at=2 * COPY_CHUNK).stream())
        with pytest.raises(KeyboardInterrupt):
            folder.write_from(name, Source(3 * COPY_CHUNK, fail_at=COPY_CHUNK, failure=KeyboardInterrupt()).stream())
    assert files_in(root) == ["out.x12"] and (root / "out.x12").read_bytes() == b"old"


def plant_symlinks(root: Path, tmp_path: Path) -> tuple[Path, Path]:
    """What a hostile partner could leave in a folder: ``evil.x12`` and ``.claimed.evil2.x12`` linking to a
    secret outside it, and ``sub`` linking to another folder (which holds ``victim.x12``). Returns the secret
    and the other folder."""
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"customer data")
    (root / "evil.x12").symlink_to(secret)
    (root / ".claimed.evil2.x12").symlink_to(secret)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "victim.x12").write_bytes(b"v")
    (root / "sub").symlink_to(outside)
    return secret, outside


def check_open_refusals(folder: Folder, root: Path, tmp_path: Path) -> None:
    """``open`` never follows a symlink (file or folder on the way), refuses FIFOs and directories without
    hanging, says a missing file is missing, and refuses bad names before touching anything."""
    secret, outside = plant_symlinks(root, tmp_path)
    os.mkfifo(root / "pipe.x12")
    (root / "dir.x12").mkdir()
    for name in ["evil.x12", ".claimed.evil2.x12", "sub/victim.x12", "pipe.x12", "dir.x12"]:
        with pytest.raises(ChannelError, match=re.escape(str(root))), folder.open(name):
            pass
    for name in ["pipe.x12", "dir.x12"]:
        with pytest.raises(ChannelError, match="not a regular file"), folder.open(name):
            pass
    with pytest.raises(ChannelError, match=re.escape("cannot read missing.x12")), folder.open("missing.x12"):
        pass
    for name in ["../x", "/etc/passwd", "a\\b", ".hidden", ""]:
        with pytest.raises(ChannelError, match="refused"), folder.open(name):
            pass
    assert secret.read_bytes() == b"customer data" and files_in(outside) == ["victim.x12"]


def check_read_after_close(folder: Folder, root: Path, closed: str) -> None:
    """Closing the folder ends its open streams: the next read that needs it is a ChannelError (never an
    early end of file); opening after the close is one too."""
    (root / "a.x12").write_bytes(ramp(0, 3 * COPY_CHUNK))
    with folder.open("a.x12") as f:
        assert f.read(10) == ramp(0, 10)
        folder.close()
        with pytest.raises(ChannelError, match=closed):
            f.read()
    with pytest.raises(ChannelError, match=closed), folder.open("a.x12"):
        pass


def check_callers_errors_pass_through(folder: Folder, root: Path) -> None:
    """Only the stream's own reads are guarded: the caller's errors in the ``with`` body stay its own."""
    (root / "a.x12").write_bytes(b"ISA")
    for error in (ValueError("the caller's"), OSError(errno.ENOSPC, "the caller's disk")):
        with pytest.raises(type(error)) as info, folder.open("a.x12") as f:
            f.read(1)
            raise error
        assert info.value is error
    with folder.open("a.x12") as f:  # and the file was closed each time: it opens again
        assert f.read() == b"ISA"


class _FailingFile:
    def read(self, size: int, /) -> bytes:
        raise OSError(errno.EIO, "Input/output error")

    def close(self) -> None:
        pass


def check_read_error_mid_stream(folder: Folder, root: Path) -> None:
    """An OSError while the caller reads (here the disk failing under the stream's file) is a ChannelError
    naming the folder and the file, as ``read``'s are."""
    (root / "a.x12").write_bytes(ramp(0, 3 * COPY_CHUNK))
    with folder.open("a.x12") as f:
        assert f.read(10) == ramp(0, 10)
        raw = f.raw  # type: ignore[attr-defined]
        real, raw._file = raw._file, _FailingFile()
        try:
            with pytest.raises(ChannelError, match=re.escape(f"{root}: cannot read a.x12: Input/output error")):
                f.read()
        finally:
            raw._file = real


def check_flat_memory(folder: Folder, root: Path, bound: int,
                      between: Callable[[], object] = lambda: None) -> None:
    """Writing and reading a file many times BOUND costs less than BOUND of memory: the issue 7 promise.
    BETWEEN runs with a stream open and partly read (e.g. another request on the same connection); then
    the stream is closed before its end."""
    size = 48 << 20
    expected = (ramp_digest(size), size)
    with peak_memory() as writing:
        folder.write_from("big.x12", Source(size).stream())
    with peak_memory() as reading, folder.open("big.x12") as f:
        got = digest_in_chunks(f, COPY_CHUNK)
    assert got == expected
    with peak_memory() as stopping, folder.open("big.x12") as f:
        f.read(COPY_CHUNK)
        between()
    assert (root / "big.x12").stat().st_size == size
    assert max(writing + reading + stopping) < bound, (writing, reading, stopping)

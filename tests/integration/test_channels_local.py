"""Local drop folders on the real file system: listing, claiming, symlinks, names, atomic writes, leftovers."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from processor.channels import (
    ChannelError,
    ClaimConflict,
    LocalFolder,
    claimed_name,
    open_folder,
    original_name,
)
from tests.integration import streams
from tests.support import ROOT

BAD_NAMES = ["../x", "/etc/passwd", "a/../../x", "a/..", "a\\b", "x\x00y", ".hidden", "a/.b/c", "", ".", "a//b",
             "a/", ".tmp.x.123", ".claimed.", ".claimed..x", "sub/.claimed./x", "line\nbreak", "del\x7f"]


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    return tmp_path / "inbox"


@pytest.fixture
def folder(inbox: Path) -> Iterator[LocalFolder]:
    f = LocalFolder(inbox)
    yield f
    f.close()


def test_folder_is_created_0700(tmp_path: Path) -> None:
    with LocalFolder(tmp_path / "var" / "outbox") as f:
        assert f.list() == []
    assert (tmp_path / "var" / "outbox").stat().st_mode & 0o777 == 0o700


def test_list_keeps_only_regular_visible_files(folder: LocalFolder, inbox: Path, tmp_path: Path) -> None:
    for name in ["b.x12", "a.x12", ".hidden", ".tmp.c.x12.abc", ".claimed.d.x12"]:
        (inbox / name).write_bytes(b"ISA")
    (inbox / "subdir").mkdir()
    (tmp_path / "outside.x12").write_bytes(b"secret")
    (inbox / "link.x12").symlink_to(tmp_path / "outside.x12")
    (inbox / "dangling.x12").symlink_to(tmp_path / "nowhere")
    os.mkfifo(inbox / "pipe.x12")
    assert folder.list() == ["a.x12", "b.x12"]
    assert folder.claimed() == [".claimed.d.x12"]


def test_claim_renames_atomically_and_only_once(folder: LocalFolder, inbox: Path) -> None:
    (inbox / "814.x12").write_bytes(b"ISA*00")
    assert folder.claim("814.x12") == ".claimed.814.x12"
    assert folder.claim("814.x12") is None
    assert folder.list() == []
    assert folder.claimed() == [".claimed.814.x12"]
    assert folder.read(".claimed.814.x12") == b"ISA*00"
    assert folder.claim("never-there.x12") is None
    folder.remove(".claimed.814.x12")
    folder.remove(".claimed.814.x12")  # missing is fine
    assert folder.claimed() == [] and os.listdir(inbox) == []


def test_concurrent_claims_give_each_file_to_exactly_one_worker(inbox: Path) -> None:
    names = [f"f{i:03}.x12" for i in range(200)]
    inbox.mkdir()
    for n in names:
        (inbox / n).write_bytes(n.encode())
    workers = [LocalFolder(inbox) for _ in range(4)]
    won: list[list[str]] = [[] for _ in workers]

    def run(i: int) -> None:
        for n in names:
            if workers[i].claim(n) is not None:
                won[i].append(n)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(workers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(n for w in won for n in w) == names
    assert workers[0].claimed() == [claimed_name(n) for n in names]
    for w in workers:
        w.close()


def test_a_symlink_in_the_inbox_is_never_followed(folder: LocalFolder, inbox: Path, tmp_path: Path) -> None:
    secret, outside = streams.plant_symlinks(inbox, tmp_path)
    assert folder.list() == [] and folder.claimed() == []
    with pytest.raises(ChannelError, match="not a regular file"):
        folder.claim("evil.x12")
    for name in ["evil.x12", ".claimed.evil2.x12", "sub/secret.txt"]:
        with pytest.raises(ChannelError, match="inbox"):
            folder.read(name)
        assert not folder.exists(name)
    with pytest.raises(ChannelError, match="symlink"):
        folder.write("sub/x.x12", b"data")
    (outside / "victim.x12").write_bytes(b"v")
    with pytest.raises(ChannelError, match="symlink"):
        folder.remove("sub/victim.x12")
    assert os.listdir(outside) == ["victim.x12"] and secret.read_bytes() == b"customer data"
    assert (inbox / "evil.x12").is_symlink()


def test_write_over_a_planted_symlink_replaces_the_link_not_its_target(folder: LocalFolder, inbox: Path,
                                                                       tmp_path: Path) -> None:
    target = tmp_path / "target.txt"
    target.write_bytes(b"keep")
    (inbox / "out.x12").symlink_to(target)
    folder.write("out.x12", b"new")
    assert target.read_bytes() == b"keep"
    assert not (inbox / "out.x12").is_symlink() and (inbox / "out.x12").read_bytes() == b"new"


@pytest.mark.parametrize("name", BAD_NAMES)
def test_bad_names_are_refused_before_touching_anything(folder: LocalFolder, inbox: Path, name: str) -> None:
    before = sorted(os.listdir(inbox.parent))
    for op in (folder.claim, folder.read, folder.remove, folder.exists, lambda n: folder.write(n, b"x")):
        with pytest.raises(ChannelError, match="refused"):
            op(name)
    assert sorted(os.listdir(inbox.parent)) == before and os.listdir(inbox) == []


def test_names_no_claim_could_take_are_left_out_of_the_listings(folder: LocalFolder, inbox: Path) -> None:
    """A partner may upload any name; one the batch could not claim, archive or log safely is left where it
    is (and logged), instead of stopping every night at its claim."""
    refused = [b"back\\slash.x12", b"line\nbreak.x12", b"tab\there.x12", b"x" * 201, b"\xff\xfe-not-utf8.x12",
               b".claimed.", b".claimed.back\\slash.x12"]
    for raw in [*refused, b"ok.x12", b"x" * 200, b".claimed.left.x12"]:
        (inbox / os.fsdecode(raw)).write_bytes(b"x")
    assert folder.list() == sorted(["ok.x12", "x" * 200])
    assert folder.claimed() == [".claimed.left.x12"]
    assert sorted(os.listdir(os.fsencode(inbox))) == sorted([*refused, b"ok.x12", b"x" * 200, b".claimed.left.x12"])


def test_claimed_names_are_allowed_where_the_protocol_uses_them(folder: LocalFolder, inbox: Path) -> None:
    (inbox / ".claimed.a.x12").write_bytes(b"a")
    assert folder.exists(".claimed.a.x12") and folder.read(".claimed.a.x12") == b"a"
    for op in (folder.claim, lambda n: folder.write(n, b"x")):
        with pytest.raises(ChannelError, match="refused"):
            op(".claimed.a.x12")
    assert original_name(".claimed.a.x12") == "a.x12" and claimed_name("d/a.x12") == "d/.claimed.a.x12"


def test_write_is_0600_makes_subfolders_0700_and_replaces(folder: LocalFolder, inbox: Path) -> None:
    folder.write("2026-11-24/012345678_814_000000001.x12", b"first")
    folder.write("2026-11-24/012345678_814_000000001.x12", b"second")  # idempotent re-write
    path = inbox / "2026-11-24" / "012345678_814_000000001.x12"
    assert path.read_bytes() == b"second"
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    assert os.listdir(path.parent) == [path.name]  # no temp left behind
    assert folder.exists("2026-11-24/012345678_814_000000001.x12") and not folder.exists("2026-11-24/nope")
    assert folder.list() == []  # subfolders are not inbound files


def test_write_keeps_0600_under_a_permissive_umask(folder: LocalFolder, inbox: Path) -> None:
    old = os.umask(0)
    try:
        folder.write("a.x12", b"x")
    finally:
        os.umask(old)
    assert (inbox / "a.x12").stat().st_mode & 0o777 == 0o600


_CRASHING_WRITER = """
import os, sys, time
from processor.channels import LocalFolder
folder = LocalFolder(sys.argv[1])
real_fsync = os.fsync
def stall(fd):  # the data is written; stop here, just before the rename, until killed
    real_fsync(fd)
    print("written", flush=True)
    time.sleep(60)
os.fsync = stall
folder.write("out.x12", b"x" * (8 << 20))
"""


def test_a_writer_killed_mid_write_leaves_no_final_file(folder: LocalFolder, inbox: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", _CRASHING_WRITER, str(inbox)], cwd=ROOT,
                            stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert proc.stdout is not None and proc.stdout.readline() == b"written\n"
    finally:
        proc.kill()
        proc.wait()
    leftovers = os.listdir(inbox)
    assert "out.x12" not in leftovers and not folder.exists("out.x12")
    assert len(leftovers) == 1 and leftovers[0].startswith(".tmp.out.x12.")
    assert folder.list() == [] and folder.claimed() == []
    folder.write("out.x12", b"complete")  # the next run writes it again
    assert folder.read("out.x12") == b"complete"


def test_a_writer_killed_at_a_random_moment_never_leaves_a_partial_final_file(inbox: Path) -> None:
    code = ("import sys\nfrom processor.channels import LocalFolder\n"
            "LocalFolder(sys.argv[1]).write('big.x12', b'x' * (256 << 20))")
    inbox.mkdir()
    proc = subprocess.Popen([sys.executable, "-c", code, str(inbox)], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.monotonic() + 30
    while not any(n.startswith(".tmp.") for n in os.listdir(inbox)) and time.monotonic() < deadline:
        time.sleep(0.001)
    proc.kill()
    proc.wait()
    final = inbox / "big.x12"
    assert not final.exists() or final.stat().st_size == 256 << 20


def test_claimed_finds_leftovers_of_a_crashed_run(inbox: Path) -> None:
    inbox.mkdir()
    (inbox / "a.x12").write_bytes(b"a")
    (inbox / "b.x12").write_bytes(b"b")
    crashed = LocalFolder(inbox)
    assert crashed.claim("a.x12") == ".claimed.a.x12"
    crashed.close()  # never removed: the run died here
    with LocalFolder(inbox) as again:
        assert again.claimed() == [".claimed.a.x12"]
        assert again.list() == ["b.x12"]
        assert original_name(again.claimed()[0]) == "a.x12"


def test_a_claim_interrupted_between_link_and_unlink_is_finished(folder: LocalFolder, inbox: Path) -> None:
    (inbox / "a.x12").write_bytes(b"a")
    os.link(inbox / "a.x12", inbox / ".claimed.a.x12")  # what a kill between the two steps leaves
    assert folder.claimed() == [".claimed.a.x12"]
    assert folder.list() == []
    assert sorted(os.listdir(inbox)) == [".claimed.a.x12"]


def test_modified_says_when_the_file_arrived_and_a_claim_keeps_it(folder: LocalFolder, inbox: Path,
                                                                  tmp_path: Path) -> None:
    (inbox / "814.x12").write_bytes(b"ISA*00")
    arrived = 1_790_000_000.0  # 2026-09-21: the RES's upload, not our run
    os.utime(inbox / "814.x12", (arrived, arrived))
    assert folder.modified("814.x12") == arrived
    claimed = folder.claim("814.x12")
    assert claimed is not None and folder.modified(claimed) == arrived
    (tmp_path / "elsewhere").write_bytes(b"x")
    os.symlink(tmp_path / "elsewhere", inbox / "link.x12")
    with pytest.raises(ChannelError, match="not a regular file"):
        folder.modified("link.x12")
    with pytest.raises(ChannelError):
        folder.modified("../escape.x12")


def test_claim_never_replaces_a_different_leftover(folder: LocalFolder, inbox: Path) -> None:
    (inbox / ".claimed.a.x12").write_bytes(b"old, unrecovered")
    (inbox / "a.x12").write_bytes(b"new")
    with pytest.raises(ClaimConflict, match="recover"):
        folder.claim("a.x12")
    assert (inbox / ".claimed.a.x12").read_bytes() == b"old, unrecovered"
    assert (inbox / "a.x12").read_bytes() == b"new"


def test_stale_temp_files_are_swept_fresh_ones_kept(inbox: Path) -> None:
    inbox.mkdir()
    stale, fresh = inbox / ".tmp.a.x12.0123456789ab", inbox / ".tmp.b.x12.0123456789ab"
    stale.write_bytes(b"half")
    fresh.write_bytes(b"being written")
    old = time.time() - 7200
    os.utime(stale, (old, old))
    (inbox / "sub").mkdir()
    sub_stale = inbox / "sub" / ".tmp.c.x12.0123456789ab"
    sub_stale.write_bytes(b"half")
    os.utime(sub_stale, (old, old))
    with LocalFolder(inbox) as f:
        assert not stale.exists() and fresh.exists() and sub_stale.exists()
        f.write("sub/c.x12", b"c")  # the first write into a subfolder sweeps it too
        assert sorted(os.listdir(inbox / "sub")) == ["c.x12"]


def test_a_symlinked_configured_folder_is_resolved_once(tmp_path: Path) -> None:
    real, other = tmp_path / "mnt-a", tmp_path / "mnt-b"
    real.mkdir()
    other.mkdir()
    (real / "a.x12").write_bytes(b"a")
    link = tmp_path / "inbox"
    link.symlink_to(real)
    with LocalFolder(link) as f:
        assert f.list() == ["a.x12"]
        link.unlink()
        link.symlink_to(other)  # swapped mid-run: we stay on the directory we opened
        f.write("b.x12", b"b")
    assert sorted(os.listdir(real)) == ["a.x12", "b.x12"] and os.listdir(other) == []


def test_a_fifo_is_refused_without_hanging(folder: LocalFolder, inbox: Path) -> None:
    os.mkfifo(inbox / "pipe.x12")
    with pytest.raises(ChannelError, match="not a regular file"):
        folder.read("pipe.x12")


def test_closed_folder_refuses_work(inbox: Path) -> None:
    f = LocalFolder(inbox)
    f.close()
    f.close()
    with pytest.raises(ChannelError, match="closed"):
        f.list()


def test_open_folder_picks_local_and_refuses_other_schemes(tmp_path: Path) -> None:
    f = open_folder(str(tmp_path / "box"))
    assert isinstance(f, LocalFolder) and f.url == str(tmp_path / "box")
    f.close()
    with pytest.raises(ChannelError, match="unsupported"):
        open_folder("ftp://host/dir")
    with pytest.raises(ChannelError) as info:
        open_folder("sftp://user:hunter2@host/dir")
    assert "hunter2" not in str(info.value) and "password" in str(info.value)


def test_an_unusable_path_is_a_channel_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(ChannelError, match="cannot open the folder"):
        LocalFolder(tmp_path / "file")


# -- streaming: write_from and open ------------------------------------------------------------------


def test_write_from_and_open_stream_a_multi_mb_file(folder: LocalFolder, inbox: Path) -> None:
    streams.check_round_trip(folder, inbox)


def test_write_from_keeps_0600_under_a_permissive_umask(folder: LocalFolder, inbox: Path) -> None:
    streams.check_write_from_umask(folder, inbox)


def test_a_source_failing_mid_copy_leaves_no_temp_and_no_target(folder: LocalFolder, inbox: Path) -> None:
    streams.check_failing_source(folder, inbox)


def test_open_refuses_symlinks_fifos_directories_and_missing_files(folder: LocalFolder, inbox: Path,
                                                                   tmp_path: Path) -> None:
    streams.check_open_refusals(folder, inbox, tmp_path)


def test_reading_a_stream_after_the_folder_closed_is_a_channel_error(folder: LocalFolder, inbox: Path) -> None:
    streams.check_read_after_close(folder, inbox, "folder is closed")


def test_the_callers_own_errors_in_an_open_stream_are_not_relabelled(folder: LocalFolder, inbox: Path) -> None:
    streams.check_callers_errors_pass_through(folder, inbox)


def test_streaming_a_big_file_keeps_memory_flat(folder: LocalFolder, inbox: Path) -> None:
    streams.check_flat_memory(folder, inbox, 8 << 20)


def test_a_read_error_mid_stream_is_a_channel_error(folder: LocalFolder, inbox: Path) -> None:
    streams.check_read_error_mid_stream(folder, inbox)

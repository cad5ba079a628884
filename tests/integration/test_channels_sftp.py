"""SFTP drop folders against a real OpenSSH sshd on 127.0.0.1: the local behaviours, plus host keys,
key authentication and a connection dropped in the middle of an upload."""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import paramiko
import pytest

from processor.channels import ChannelError, ClaimConflict, Folder, LocalFolder, claimed_name, open_folder
from processor.channels.sftp import SftpFolder
from processor.config import Sftp
from tests.integration import streams
from tests.integration.sshd import SshServer, known_hosts_line, new_key, running_sshd


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshServer]:
    with running_sshd(tmp_path_factory.mktemp("sshd")) as server:
        yield server


@pytest.fixture
def settings(sshd: SshServer) -> Sftp:
    return Sftp(known_hosts=str(sshd.known_hosts), key_file=str(sshd.key_file))


@pytest.fixture
def box(tmp_path: Path) -> Path:
    """The served directory, seen from the server's side (it is this machine's file system)."""
    return tmp_path / "box"


@pytest.fixture
def folder(sshd: SshServer, settings: Sftp, box: Path) -> Iterator[Folder]:
    f = open_folder(sshd.url(box), settings, timeout=10)
    yield f
    f.close()


def test_connects_with_the_key_and_creates_the_folder_0700(folder: Folder, sshd: SshServer, box: Path) -> None:
    assert isinstance(folder, SftpFolder)
    assert folder.url == f"sftp://{sshd.user}@127.0.0.1:{sshd.port}{box}"
    assert box.is_dir() and box.stat().st_mode & 0o777 == 0o700
    assert folder.list() == []


def test_list_keeps_only_regular_visible_files(folder: Folder, box: Path, tmp_path: Path) -> None:
    for name in ["b.x12", "a.x12", ".hidden", ".tmp.c.x12.abc", ".claimed.d.x12"]:
        (box / name).write_bytes(b"ISA")
    (box / "subdir").mkdir()
    (tmp_path / "outside.x12").write_bytes(b"secret")
    (box / "link.x12").symlink_to(tmp_path / "outside.x12")
    (box / "dangling.x12").symlink_to(tmp_path / "nowhere")
    for name in ["back\\slash.x12", "line\nbreak.x12", "x" * 201, ".claimed.", ".claimed.tab\t.x12"]:
        (box / name).write_bytes(b"ISA")  # names no claim could take: left where they are
    assert folder.list() == ["a.x12", "b.x12"]
    assert folder.claimed() == [".claimed.d.x12"]


def test_claim_renames_atomically_and_only_once(folder: Folder, box: Path) -> None:
    (box / "814.x12").write_bytes(b"ISA*00")
    assert folder.claim("814.x12") == ".claimed.814.x12"
    assert folder.claim("814.x12") is None
    assert folder.list() == [] and folder.claimed() == [".claimed.814.x12"]
    assert folder.read(".claimed.814.x12") == b"ISA*00"
    folder.remove(".claimed.814.x12")
    folder.remove(".claimed.814.x12")
    assert os.listdir(box) == []


def test_two_connections_claiming_at_once_each_file_goes_to_one(sshd: SshServer, settings: Sftp, box: Path) -> None:
    box.mkdir()
    names = [f"f{i:02}.x12" for i in range(40)]
    for n in names:
        (box / n).write_bytes(n.encode())
    workers = [open_folder(sshd.url(box), settings) for _ in range(2)]
    won: list[list[str]] = [[], []]

    def run(i: int) -> None:
        for n in names:
            if workers[i].claim(n) is not None:
                won[i].append(n)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(won[0] + won[1]) == names
    assert workers[0].claimed() == [claimed_name(n) for n in names]
    for w in workers:
        w.close()


def test_modified_says_when_the_file_arrived_and_a_claim_keeps_it(folder: Folder, box: Path,
                                                                  tmp_path: Path) -> None:
    (box / "814.x12").write_bytes(b"ISA*00")
    arrived = 1_790_000_000.0  # 2026-09-21: the RES's upload, not our run
    os.utime(box / "814.x12", (arrived, arrived))
    assert folder.modified("814.x12") == arrived
    claimed = folder.claim("814.x12")
    assert claimed is not None and folder.modified(claimed) == arrived
    (tmp_path / "elsewhere").write_bytes(b"x")
    os.symlink(tmp_path / "elsewhere", box / "link.x12")
    with pytest.raises(ChannelError, match="not a regular file"):
        folder.modified("link.x12")
    with pytest.raises(ChannelError):
        folder.modified("../escape.x12")


def test_claim_never_replaces_a_different_leftover(folder: Folder, box: Path) -> None:
    (box / ".claimed.a.x12").write_bytes(b"old, unrecovered")
    (box / "a.x12").write_bytes(b"new")
    with pytest.raises(ClaimConflict, match="recover"):
        folder.claim("a.x12")
    assert (box / ".claimed.a.x12").read_bytes() == b"old, unrecovered" and (box / "a.x12").read_bytes() == b"new"


def test_claimed_finds_leftovers_after_reconnecting(sshd: SshServer, settings: Sftp, box: Path) -> None:
    box.mkdir()
    (box / "a.x12").write_bytes(b"a")
    crashed = open_folder(sshd.url(box), settings)
    assert crashed.claim("a.x12") == ".claimed.a.x12"
    crashed.close()
    with closing(open_folder(sshd.url(box), settings)) as again:
        assert again.claimed() == [".claimed.a.x12"] and again.list() == []


def test_a_symlink_on_the_server_is_never_followed(folder: Folder, box: Path, tmp_path: Path) -> None:
    secret, outside = streams.plant_symlinks(box, tmp_path)
    assert folder.list() == [] and folder.claimed() == []
    with pytest.raises(ChannelError, match="not a regular file"):
        folder.claim("evil.x12")
    for name in ["evil.x12", ".claimed.evil2.x12", "sub/victim.x12"]:
        with pytest.raises(ChannelError, match=re.escape(str(box))):
            folder.read(name)
        assert not folder.exists(name)
    with pytest.raises(ChannelError, match="symlink"):
        folder.write("sub/x.x12", b"data")
    with pytest.raises(ChannelError, match="symlink"):
        folder.remove("sub/victim.x12")
    assert os.listdir(outside) == ["victim.x12"] and secret.read_bytes() == b"customer data"


@pytest.mark.parametrize("name", ["../x", "/etc/passwd", "a/../../x", "a\\b", "x\x00y", ".hidden", "a/.b/c", "",
                                  "a//b", ".tmp.x.123"])
def test_bad_names_are_refused(folder: Folder, box: Path, name: str) -> None:
    for op in (folder.claim, folder.read, folder.remove, folder.exists, lambda n: folder.write(n, b"x")):
        with pytest.raises(ChannelError, match="refused"):
            op(name)
    assert os.listdir(box) == []


def test_write_is_0600_makes_subfolders_0700_and_replaces(folder: Folder, box: Path) -> None:
    folder.write("2026-11-24/012345678_814_000000001.x12", b"first")
    folder.write("2026-11-24/012345678_814_000000001.x12", b"second")
    path = box / "2026-11-24" / "012345678_814_000000001.x12"
    assert path.read_bytes() == b"second"
    assert path.stat().st_mode & 0o777 == 0o600 and path.parent.stat().st_mode & 0o777 == 0o700
    assert os.listdir(path.parent) == [path.name]
    assert folder.exists("2026-11-24/012345678_814_000000001.x12") and not folder.exists("2026-11-24/nope")
    assert not folder.exists("nowhere/nope")
    assert folder.list() == []


def test_a_server_without_posix_rename_still_gets_replaced_files(sshd: SshServer, settings: Sftp, box: Path) -> None:
    host, port, user, key = sshd.host, sshd.legacy_port, sshd.user, str(sshd.key_file)
    client = paramiko.SSHClient()
    client.load_system_host_keys(str(sshd.known_hosts))
    client.connect(host, port=port, username=user, key_filename=key, allow_agent=False, look_for_keys=False)
    try:  # the legacy port really lacks posix-rename
        box.mkdir()
        (box / "a").write_bytes(b"a")
        with pytest.raises(PermissionError):
            client.open_sftp().posix_rename(str(box / "a"), str(box / "b"))
    finally:
        client.close()
    with closing(open_folder(sshd.url(box, legacy=True), settings)) as f:
        f.write("out.x12", b"one")
        f.write("out.x12", b"two")
    assert (box / "out.x12").read_bytes() == b"two" and sorted(os.listdir(box)) == ["a", "out.x12"]


def test_an_unknown_host_key_is_refused(sshd: SshServer, tmp_path: Path, box: Path) -> None:
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    with pytest.raises(ChannelError) as info:
        open_folder(sshd.url(box), Sftp(known_hosts=str(empty), key_file=str(sshd.key_file)))
    message = str(info.value)
    assert f"[127.0.0.1]:{sshd.port}" in message and str(empty) in message and "not in known_hosts" in message
    assert empty.read_text() == "" and not box.exists()  # never added, never logged in


def test_a_changed_host_key_is_refused(sshd: SshServer, tmp_path: Path, box: Path) -> None:
    other = new_key(tmp_path / "impostor_key")
    known = tmp_path / "known_hosts"
    known.write_text(known_hosts_line("127.0.0.1", sshd.port, other))
    with pytest.raises(ChannelError) as info:
        open_folder(sshd.url(box), Sftp(known_hosts=str(known), key_file=str(sshd.key_file)))
    message = str(info.value)
    assert "CHANGED" in message and f"[127.0.0.1]:{sshd.port}" in message and str(known) in message
    assert known.read_text() == known_hosts_line("127.0.0.1", sshd.port, other) and not box.exists()


def test_a_missing_known_hosts_file_is_refused(sshd: SshServer, tmp_path: Path, box: Path) -> None:
    with pytest.raises(ChannelError, match="known_hosts"):
        open_folder(sshd.url(box), Sftp(known_hosts=str(tmp_path / "nope"), key_file=str(sshd.key_file)))


def test_only_the_configured_key_is_used(sshd: SshServer, tmp_path: Path, box: Path) -> None:
    stranger = tmp_path / "stranger_key"
    new_key(stranger)
    with pytest.raises(ChannelError, match=r"key authentication .* failed"):
        open_folder(sshd.url(box), Sftp(known_hosts=str(sshd.known_hosts), key_file=str(stranger)))
    stranger.chmod(0o644)
    with pytest.raises(ChannelError, match="accessible by others"):
        open_folder(sshd.url(box), Sftp(known_hosts=str(sshd.known_hosts), key_file=str(stranger)))
    with pytest.raises(ChannelError, match="cannot read key file"):
        open_folder(sshd.url(box), Sftp(known_hosts=str(sshd.known_hosts), key_file=str(tmp_path / "none")))


def test_a_dropped_read_ahead_leaves_no_traceback_on_stderr(monkeypatch: pytest.MonkeyPatch) -> None:
    """paramiko's prefetch thread dies with the connection; the read says so in one ChannelError line."""
    from processor.channels.sftp import _quiet_prefetch_failures

    seen: list[threading.ExceptHookArgs] = []
    monkeypatch.setattr(threading, "excepthook", seen.append)
    _quiet_prefetch_failures()
    _quiet_prefetch_failures()  # once is enough: not a second layer
    for name, exc in [("Thread-3 (_prefetch_thread)", EOFError()), ("Thread-4 (_prefetch_thread)", OSError()),
                      ("Thread-5 (_prefetch_thread)", ValueError()), ("Thread-6 (worker)", EOFError())]:
        threading.excepthook(threading.ExceptHookArgs((type(exc), exc, None, threading.Thread(name=name))))
    assert [a.thread.name for a in seen if a.thread] == ["Thread-5 (_prefetch_thread)", "Thread-6 (worker)"]


def test_nothing_listening_is_a_channel_error(sshd: SshServer, settings: Sftp, box: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ChannelError, match="cannot connect"):
        open_folder(f"sftp://{sshd.user}@127.0.0.1:{port}{box}", settings, timeout=5)


def test_a_connection_dropped_mid_upload_leaves_no_final_file(sshd: SshServer, settings: Sftp, box: Path) -> None:
    folder = open_folder(sshd.url(box), settings, timeout=10)
    data = os.urandom(96 << 20)
    errors: list[BaseException] = []

    def upload() -> None:
        try:
            folder.write("big.x12", data)
        except BaseException as exc:
            errors.append(exc)

    writer = threading.Thread(target=upload)
    writer.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any(
            n.startswith(".tmp.big.x12.") and (box / n).stat().st_size > (1 << 20) for n in _names(box)):
        time.sleep(0.002)
    killed = sshd.kill_sessions()
    writer.join(30)
    assert killed and not writer.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], ChannelError), errors
    assert "connection lost" in str(errors[0]) and sshd.url(box) in str(errors[0])
    assert "big.x12" not in _names(box)  # at most a hidden temp name
    with pytest.raises(ChannelError, match="connection"):  # the broken folder stays broken, loudly
        folder.list()
    folder.close()
    with closing(open_folder(sshd.url(box), settings)) as again:
        assert again.list() == []
        again.write("big.x12", data)
        assert again.read("big.x12") == data


def test_stale_temp_files_are_swept_on_connect(sshd: SshServer, settings: Sftp, box: Path) -> None:
    box.mkdir()
    stale, fresh = box / ".tmp.a.x12.0123456789ab", box / ".tmp.b.x12.0123456789ab"
    stale.write_bytes(b"half")
    fresh.write_bytes(b"being written")
    old = time.time() - 7200
    os.utime(stale, (old, old))
    with closing(open_folder(sshd.url(box), settings)):
        assert not stale.exists() and fresh.exists()


def test_a_read_error_names_the_folder(folder: Folder, box: Path) -> None:
    with pytest.raises(ChannelError, match=re.escape(f"{box}: cannot read missing.x12")):
        folder.read("missing.x12")  # an error, never an empty read


# -- streaming: write_from and open ------------------------------------------------------------------


def test_write_from_and_open_stream_a_multi_mb_file(folder: Folder, box: Path) -> None:
    streams.check_round_trip(folder, box)


def test_write_from_keeps_0600_under_a_permissive_umask(folder: Folder, box: Path) -> None:
    streams.check_write_from_umask(folder, box)


def test_a_source_failing_mid_copy_leaves_no_temp_and_no_target(folder: Folder, box: Path) -> None:
    streams.check_failing_source(folder, box)


def test_open_refuses_symlinks_fifos_directories_and_missing_files(folder: Folder, box: Path,
                                                                   tmp_path: Path) -> None:
    streams.check_open_refusals(folder, box, tmp_path)


def test_reading_a_stream_after_the_folder_closed_is_a_channel_error(folder: Folder, box: Path) -> None:
    streams.check_read_after_close(folder, box, "connection is closed")


def test_the_callers_own_errors_in_an_open_stream_are_not_relabelled(folder: Folder, box: Path) -> None:
    streams.check_callers_errors_pass_through(folder, box)


def test_a_read_error_mid_stream_is_a_channel_error(folder: Folder, box: Path) -> None:
    streams.check_read_error_mid_stream(folder, box)


def test_streaming_a_big_file_keeps_memory_flat(folder: Folder, box: Path) -> None:
    """Also with another request on the connection while a stream is open, and a stream closed early:
    either would make paramiko take in all of the file's prefetched rest, were it prefetched whole."""
    def another_request() -> None:
        time.sleep(0.3)  # time for the read-ahead to be asked of the server and sent
        assert folder.exists("big.x12")

    streams.check_flat_memory(folder, box, 16 << 20, between=another_request)


def test_streams_between_a_local_and_an_sftp_folder(folder: Folder, box: Path, tmp_path: Path) -> None:
    """What the archive does: one folder's open stream is another's write_from source."""
    size = 3 * (1 << 20) + 17
    with LocalFolder(tmp_path / "local") as local:
        local.write_from("in.x12", streams.Source(size).stream())
        with local.open("in.x12") as f:
            folder.write_from("archive/in.x12", f)
        with folder.open("archive/in.x12") as f:
            local.write_from("back.x12", f)
    assert (box / "archive" / "in.x12").read_bytes() == streams.ramp(0, size)
    assert (tmp_path / "local" / "back.x12").read_bytes() == streams.ramp(0, size)


def test_a_connection_dropped_mid_read_is_a_channel_error_never_an_early_end(
        sshd: SshServer, settings: Sftp, box: Path, capfd: pytest.CaptureFixture[str]) -> None:
    box.mkdir()
    (box / "big.x12").write_bytes(streams.ramp(0, 64 << 20))
    folder = open_folder(sshd.url(box), settings, timeout=10)
    with pytest.raises(ChannelError) as info, folder.open("big.x12") as f:
        assert f.read(1 << 20) == streams.ramp(0, 1 << 20)
        assert sshd.kill_sessions()
        streams.digest_in_chunks(f, 1 << 20)
    assert "connection lost" in str(info.value) and f"{box}: cannot read big.x12" in str(info.value)
    folder.close()
    assert "Traceback" not in capfd.readouterr().err


def _names(box: Path) -> list[str]:
    try:
        return os.listdir(box)
    except FileNotFoundError:
        return []

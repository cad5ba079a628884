"""The whole catalogue of broken files in one inbox, with what cannot be committed made here: a 100 MB
segment, a directory, symlinks (out of the inbox, into it, dangling), a FIFO, a hidden file, odd names.

One real `edi batch` run (the console script, a SQLite file, local folders) must:

* end with exit 1 (files quarantined) and no traceback, in bounded time and memory;
* account for every regular file: archived, or quarantined with its ``.error.json``; none left behind;
* leave what is not a regular file exactly where it is, unread (a symlink is never followed: the data
  it points to outside the inbox appears nowhere);
* write only outbound files that validate against our maps, every file and folder it creates private
  (files 0o600, folders 0o700).
"""

from __future__ import annotations

import io
import json
import os
import re
import resource
import shutil
import stat
import subprocess
import time
from pathlib import Path

import pytest

from edi.guide import GuideValidator
from edi.reader import MAX_SEGMENT, X12Reader
from edi.validate import validate_reader
from tests.fuzz.batch_harness import template_db
from tests.integration.batch_env import EDI, BatchEnv, inbound_samples, make_env
from tests.support import MAPS, SAMPLES

AS_OF = "2026-10-22T08:00:00"
HUGE = 100 * 1024 * 1024
OUTSIDE_SECRET = b"OUTSIDE-THE-INBOX-6f1c2a"
CATALOGUE = sorted([*(SAMPLES / "bad").glob("*.x12"), *(SAMPLES / "bad" / "beyond-pyx12").glob("*.x12")])
ODD_NAMES = ["name with spaces.x12", "\u00fcn\u00efc\u00f6d\u00e9.x12", "-leading-dash.x12", "quote'in-name.x12",
             "no-extension", "UPPER.X12"]
#: names a partner can upload but no claim could take (they would stop every night at their claim): left alone
REFUSED_NAMES = [b"back\\slash.x12", b"line\nbreak.x12", b"x" * 240 + b".x12", b"\xff\xfe-not-utf8.x12", b".claimed."]
#: senders (ISA06, 15 characters) no answer can be addressed to: an answer's file is named after its receiver
HOSTILE_SENDERS = {"sender-dotdot.x12": b"../../../etc/x ", "sender-slash.x12": b"98765/4321     ",
                   "sender-space.x12": b"98765 4321     ", "sender-hidden.x12": b".profile       "}
TA1_ONLY = (b"ISA*00*          *00*          *01*987654321      *01*012345678      "
            b"*261003*0745*U*00401*000002150*0*T*>~\nTA1*000005101*261002*0600*A*000~\nIEA*0*000002150~\n")


def write_huge_segment_file(path: Path, size: int = HUGE) -> None:
    """A drop request whose N1*8R name is ``size`` bytes long, written in 1 MB pieces (never in memory)."""
    head, tail = (SAMPLES / "valid" / "814_drop_request.x12").read_bytes().split(b"N1*8R*", 1)
    rest = tail.split(b"~", 1)[1]
    piece = b"A" * (1 << 20)
    with path.open("wb") as f:
        f.write(head + b"N1*8R*")
        for _ in range(size // len(piece)):
            f.write(piece)
        f.write(b"~" + rest)


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> tuple[BatchEnv, subprocess.CompletedProcess[str], float, int]:
    root = tmp_path_factory.mktemp("bad-inbox")
    template = BatchEnv(root / "template")
    template.root.mkdir()
    shutil.copy(template_db(), template.db)
    env = make_env(root / "site", template=template)
    inbox = env.folder("inbox")
    for path in CATALOGUE:
        shutil.copy(path, inbox / path.name)
    write_huge_segment_file(inbox / "huge_segment_100mb.x12")
    sample = inbound_samples()[0].read_bytes()
    for name in ODD_NAMES:
        (inbox / name).write_bytes(sample)
    (inbox / "ta1_only.x12").write_bytes(TA1_ONLY)
    for raw in REFUSED_NAMES:
        (inbox / os.fsdecode(raw)).write_bytes(sample)
    for name, sender in HOSTILE_SENDERS.items():
        (inbox / name).write_bytes(sample.replace(b"*01*987654321      *", b"*01*" + sender + b"*", 1))
    (inbox / "subdir").mkdir()
    (inbox / "subdir" / "inner.x12").write_bytes(sample)
    outside = root / "outside-secret.x12"
    outside.write_bytes(sample.replace(b"SUSAN P DROPPER", OUTSIDE_SECRET))
    os.symlink(outside, inbox / "link-outside.x12")
    os.symlink(outside.parent, inbox / "link-outside-dir")
    os.symlink("name with spaces.x12", inbox / "link-inside.x12")
    os.symlink(root / "does-not-exist.x12", inbox / "dangling.x12")
    os.mkfifo(inbox / "pipe.x12")
    (inbox / ".hidden.x12").write_bytes(sample)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.monotonic()
    done = env.edi("batch", "--as-of", AS_OF, timeout=600)
    seconds = time.monotonic() - started
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return env, done, seconds, peak_kib if peak_kib > before else 0


def regular_files() -> list[str]:
    return sorted([*(p.name for p in CATALOGUE), "huge_segment_100mb.x12", *ODD_NAMES, "ta1_only.x12",
                   *HOSTILE_SENDERS])


def test_the_run_ends_with_exit_1_and_no_traceback(night: tuple[BatchEnv, subprocess.CompletedProcess[str],
                                                                float, int]) -> None:
    _, done, seconds, peak = night
    assert done.returncode == 1, done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-5000:]
    assert seconds < 240, f"the run took {seconds:.0f} s"
    assert peak < 1_500_000, f"peak memory {peak / 1024:.0f} MiB"  # 100 MB of input, streamed


def test_every_regular_file_is_archived_or_quarantined(night: tuple[BatchEnv, subprocess.CompletedProcess[str],
                                                                    float, int]) -> None:
    env, _, _, _ = night
    archived = {Path(n).name for n in env.files("archive")}
    quarantine = env.files("quarantine")
    for name in regular_files():
        in_archive = name in archived or any(a.endswith("." + name) for a in archived)
        in_quarantine = name in quarantine
        assert in_archive != in_quarantine, f"{name}: archived {in_archive}, quarantined {in_quarantine}"
        if in_quarantine:
            error = json.loads(quarantine[f"{name}.error.json"])
            assert error["file"] == name and error["reason"] and error["findings"], name
    assert all(p.name in regular_files() for p in CATALOGUE)
    report = env.reports()[-1]
    files = report["files"]
    assert isinstance(files, dict)
    assert files["seen"] == files["claimed"] == len(regular_files())
    assert files["archived"] + files["quarantined"] == len(regular_files())


def test_the_huge_segment_is_skipped_and_reported(night: tuple[BatchEnv, subprocess.CompletedProcess[str],
                                                                 float, int]) -> None:
    env, _, _, _ = night
    error = json.loads(env.files("quarantine")["huge_segment_100mb.x12.error.json"])
    assert any(f["rule"] == "read.segment-too-long" for f in error["findings"]), error["findings"]
    assert len(json.dumps(error)) < 100_000, "the 100 MB value leaked into the error file"


def test_a_sender_no_answer_can_be_addressed_to_is_quarantined_unanswered(
        night: tuple[BatchEnv, subprocess.CompletedProcess[str], float, int]) -> None:
    """An answer's file is named ``<receiver>_<ST01>_<ISA13>.x12``: an ISA06 with ``..``, ``/``, a space or a
    leading dot must never get that far (a refused name would stop every night's outbox, not just this one)."""
    env, _, _, _ = night
    quarantine = env.files("quarantine")
    for name in HOSTILE_SENDERS:
        error = json.loads(quarantine[f"{name}.error.json"])
        assert [f["rule"] for f in error["findings"]] == ["batch.isa06-unaddressable"], error["findings"]
    senders = {s.decode().strip() for s in HOSTILE_SENDERS.values()}
    assert not [n for n in env.files("outbox") if any(n.startswith(s) for s in senders)]
    named = re.compile(r"[A-Za-z0-9]{1,15}_(997|TA1|814|810|824|867)_[0-9]{9}\.x12")
    assert all(named.fullmatch(n) for n in env.files("outbox"))


def test_what_is_not_a_regular_file_is_left_alone_and_never_followed(
        night: tuple[BatchEnv, subprocess.CompletedProcess[str], float, int]) -> None:
    """Nor a file whose name no claim could take: it is left as it is, and the log says so."""
    env, done, _, _ = night
    refused = [json.loads(line) for line in done.stderr.splitlines() if "file name refused" in line]
    assert sorted(r["file"] for r in refused) == sorted(map(os.fsdecode, REFUSED_NAMES))
    inbox = env.folder("inbox")
    left = sorted(p.name for p in inbox.iterdir())
    assert left == sorted([".hidden.x12", "dangling.x12", "link-inside.x12", "link-outside-dir", "link-outside.x12",
                           "pipe.x12", "subdir", *map(os.fsdecode, REFUSED_NAMES)])
    for raw in REFUSED_NAMES:
        assert (inbox / os.fsdecode(raw)).read_bytes() == inbound_samples()[0].read_bytes()
    assert (inbox / "link-outside.x12").is_symlink() and stat.S_ISFIFO((inbox / "pipe.x12").lstat().st_mode)
    assert (inbox / "subdir" / "inner.x12").read_bytes() == inbound_samples()[0].read_bytes()
    for folder in ("archive", "quarantine", "outbox"):
        for name, data in env.files(folder).items():
            assert OUTSIDE_SECRET not in data, f"{folder}/{name} holds data from outside the inbox"


def test_outbound_files_are_valid_and_everything_written_is_private(
        night: tuple[BatchEnv, subprocess.CompletedProcess[str], float, int]) -> None:
    env, _, _, _ = night
    guide = GuideValidator.from_map_dir(MAPS)
    outbound = env.files("outbox")
    assert outbound
    for name, data in outbound.items():
        result = validate_reader(X12Reader(io.BytesIO(data), name), guide)
        assert result.valid, (name, [str(f) for f in result.findings[:3]])
    for folder in ("archive", "quarantine", "outbox"):
        base = env.folder(folder)
        assert stat.S_IMODE(base.stat().st_mode) == 0o700, folder
        for path in base.rglob("*"):
            mode = stat.S_IMODE(path.stat().st_mode)
            assert mode == (0o700 if path.is_dir() else 0o600), (str(path), oct(mode))


def test_edi_validate_and_translate_on_a_100_mb_segment(tmp_path: Path) -> None:
    path = tmp_path / "huge.x12"
    write_huge_segment_file(path)
    started = time.monotonic()
    done = subprocess.run([EDI, "validate", "--json", str(path)], capture_output=True, text=True, timeout=300)
    assert time.monotonic() - started < 120
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr[-2000:]
    findings = json.loads(done.stdout)["findings"]
    assert any(f["rule"] == "read.segment-too-long" for f in findings)
    assert len(done.stdout) < 100_000
    # Translation is lossless or refused: a file whose segment was skipped cannot be translated faithfully.
    out = tmp_path / "huge.json"
    done = subprocess.run([EDI, "translate", str(path), "-o", str(out)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, "a segment was dropped from the translation without an error"
    assert "Traceback" not in done.stderr and not out.exists()
    assert MAX_SEGMENT < HUGE

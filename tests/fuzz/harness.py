"""One fuzz input through everything the batch does with a file before the database is involved.

``check(data)`` runs, on real code and in the batch's own order:

1. read and validate exactly as ``processor.batch`` does (its hashing reader, the compiled guide);
2. the batch's second pass: the same positions, every accepted set classified and parsed;
3. the acknowledgments the batch would queue (997 per group, TA1, the "ISA13 reused" TA1), turned
   into outbound files by the batch's own ``_render_file`` (our separators, re-validated against our
   maps) under the file name the batch would give them, checked by the channel's name rules;
4. ``edi translate`` both ways (X12 -> JSON -> X12 and X12 -> XML -> X12): the same segments back.

Allowed outcomes: a valid file, or findings; a ``TranslateError`` or ``ParseError`` is a finding in
another form. Anything else raised is a bug (it would stop the night's batch). ``bounded()`` runs a
check with a wall-clock limit, so a hang fails instead of hanging the test run.
"""

from __future__ import annotations

import io
import json
import re
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TypeVar
from zoneinfo import ZoneInfo

from edi import translate as tr
from edi.acks import acknowledge
from edi.canonical import ParseError, parse, render
from edi.classify import classify
from edi.envelope import Envelope
from edi.guide import GuideValidator
from edi.messages import SourceRef
from edi.reader import X12Reader
from edi.segments import Segment
from edi.validate import validate_reader
from processor.batch import Batch, _payload
from processor.channels.base import check_name
from processor.config import Utility
from processor.store.records import OutboundFile
from tests.fuzz.generate import MAPS

T = TypeVar("T")
#: an ISA06 an answer can be addressed to (and an outbound file named after)
ADDRESS = re.compile(r"[A-Za-z0-9]{1,15}")
NOW = datetime(2026, 10, 22, 8, 0, tzinfo=ZoneInfo("America/Chicago"))
#: a single input taking longer than this is a hang (the slowest real input, a 1 MB segment, takes ~0.1 s)
TIME_LIMIT = 10.0


class Hang(Exception):
    """An input ran past the time limit."""


@dataclass(frozen=True)
class Result:
    valid: bool
    findings: int
    interchanges: int
    outbound: int  #: acknowledgment files the batch would write for this input
    translated: bool  #: X12 -> JSON -> X12 gave the same segments (False: refused with a TranslateError)


@cache
def guide() -> GuideValidator:
    return GuideValidator.from_map_dir(MAPS)


@cache
def _batch() -> Batch:
    """A batch for its pure rendering step only (no store, no folders: ``_render_file`` needs neither)."""
    return Batch(store=None, channels=None, guide=guide(), calendar=None, utility=Utility(),  # type: ignore[arg-type]
                 handlers={}, now=NOW)


def check(data: bytes, name: str = "fuzz.x12") -> Result:
    """Everything above for one input; raises only on a bug."""
    validation = validate_reader(X12Reader(io.BytesIO(data), name), guide(), digests=True)
    assert all(isa.digest is not None for isa in validation.interchanges), "the batch claims each by its digest"
    outbound = 0
    if not (validation.unreadable or not validation.interchanges):
        _second_pass(data, name, validation.interchanges)
        outbound = _outbound(validation.interchanges)
    return Result(validation.valid, len(validation.findings), len(validation.interchanges), outbound,
                  _round_trip(data, name))


def _second_pass(data: bytes, name: str, interchanges: list) -> None:  # type: ignore[type-arg]
    """``Batch._handle_sets`` without the database: the positions it looks up, classify, parse."""
    by_position = {s.position: s for isa in interchanges for g in isa.groups for s in g.sets}
    index_of = {isa.position: i for i, isa in enumerate(interchanges)}
    for ts in Envelope(X12Reader(io.BytesIO(data), name)):
        assert ts.interchange.position in index_of, "the batch indexes interchanges by position"
        summary = by_position[ts.summary.position]
        if not summary.accepted:
            continue
        kind = classify(ts.segments)
        if kind is None:
            continue
        source = SourceRef(file=name, isa13=ts.interchange.isa13, gs06=ts.group.gs06, st02=ts.summary.st02)
        try:
            message = parse(ts.segments, source, ts.separators.component, kind=kind)
        except ParseError:
            continue
        render(message)  # the canonical view renders back (what a handler would echo)


def _outbound(interchanges: list) -> int:  # type: ignore[type-arg]
    """``Batch._acknowledge`` + ``Batch.flush_outbox`` for this file's acknowledgments, no database."""
    files: dict[tuple[str, str], list[str]] = {}
    for isa in interchanges:
        ta1, acks = acknowledge(isa, isa.separators)
        receiver = isa.sender[1]
        if not ADDRESS.fullmatch(receiver):
            continue  # no answer can be addressed to it: the batch-level fuzz checks what the batch does then
        for ack in acks:
            files.setdefault((receiver, "997"), []).append(_payload(render(ack)))
        if ta1 is not None:
            files.setdefault((receiver, "TA1"), []).append(_payload([ta1]))
        reused = Segment("TA1", (isa.isa13, isa.isa.get(9), isa.isa.get(10), "R", "025"))
        files.setdefault((receiver, "TA1 reused"), []).append(_payload([reused]))
    for n, ((receiver, st01), payloads) in enumerate(sorted(files.items()), 1):
        st01 = st01.split()[0]
        name = f"{receiver}_{st01}_{n:09d}.x12"
        check_name(name, "outbox")
        _batch()._render_file(OutboundFile(name=name, receiver=receiver, st01=st01, isa13=n, gs06=n,
                                           created_at=NOW), payloads, io.BytesIO())
    return len(files)


def _segments(data: bytes) -> list[tuple[str, tuple[str, ...]]]:
    return [(s.id, s.elements) for s in X12Reader(io.BytesIO(data), "-")]


def _round_trip(data: bytes, name: str) -> bool:
    """X12 -> JSON -> X12 and X12 -> XML -> X12 give the segments back, or refuse with TranslateError."""
    try:
        text = io.StringIO()
        tr.x12_to_json(io.BytesIO(data), text, name)
    except tr.TranslateError:
        return False
    doc = text.getvalue()
    json.loads(doc)
    back = io.StringIO()
    tr.json_to_x12(io.StringIO(doc), back, name)
    original = _segments(data)
    assert _segments(back.getvalue().encode("utf-8", "surrogateescape")) == original, "JSON round trip"
    xml = io.BytesIO()
    try:
        tr.x12_to_xml(io.BytesIO(data), xml, name)
    except tr.TranslateError:
        return True  # characters XML cannot carry: refused, with a message
    back = io.StringIO()
    tr.xml_to_x12(io.BytesIO(xml.getvalue()), back, name)
    assert _segments(back.getvalue().encode("utf-8", "surrogateescape")) == original, "XML round trip"
    return True


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    def expire(signum: int, frame: object) -> None:
        raise Hang(f"input still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def bounded(fn: Callable[[], T], seconds: float = TIME_LIMIT) -> tuple[T, float]:
    """``fn()`` and how long it took; raises :class:`Hang` past ``seconds`` (main thread only)."""
    started = time.perf_counter()
    with _deadline(seconds):
        got = fn()
    return got, time.perf_counter() - started

"""Hypothesis strategies that break valid interchanges the ways real files break.

Segment-level: dropped, duplicated, repeated many times, moved, swapped, element cleared or replaced
by drawn text, counts and control numbers changed. Byte-level after rendering: truncated anywhere,
random bytes inserted or overwritten, bits flipped, one separator replaced by another (mixed
separators), non-ASCII text and invalid UTF-8, NUL and control bytes, a BOM or whitespace in front,
CR/LF noise, a huge element (up to just over the reader's ``MAX_SEGMENT``), the ISA stretched or
shrunk, a second interchange in other separators appended, or gzip / XML / JSON where X12 belongs.

Starting points are generated from the maps (``generate.py``) or taken from ``samples/valid``
(realistic business content: known accounts, so the handlers run too).
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hypothesis import strategies as st

from edi.reader import MAX_SEGMENT, X12Reader
from tests.fuzz.generate import ROOT, Generated, interchanges, render
from tests.fuzz.generate import SEPARATOR_SETS as _SEPARATOR_SETS

VALID_SAMPLES = tuple(sorted((ROOT / "samples" / "valid").glob("*.x12")))
HUGE_SIZES = (1_000, 70_000, MAX_SEGMENT + 17)
NON_ASCII = ("é", "ÄÖÜ", "€", "\u200b", "😀", "\ufeff", "ß")
INVALID_UTF8 = (b"\xff", b"\xfe\xff", b"\x80", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80")
CONTROL = (b"\x00", b"\x1a", b"\x07", b"\x1b", b"\x7f", b"\x0b", b"\x0c")


@dataclass(frozen=True)
class Mutant:
    """A broken file and the list of what was done to it (for the report of a failure)."""

    data: bytes
    origin: str
    ops: tuple[str, ...]

    def __repr__(self) -> str:  # what hypothesis prints for a falsifying example
        return f"Mutant(origin={self.origin!r}, ops={self.ops!r}, size={len(self.data)}, head={self.data[:120]!r})"


def sample(path: Path) -> Generated:
    """A file of ``samples/valid`` as if it had been generated: its segments and separators."""
    data = path.read_bytes()
    reader = X12Reader(_Bytes(data), path.name)
    segments = [[s.id, *s.elements] for s in reader]
    seps = reader.separators
    assert seps is not None, path
    return Generated(data, (seps.element, seps.component, seps.segment, seps.suffix), segments)


class _Bytes:
    def __init__(self, data: bytes) -> None:
        self._data, self._at = data, 0

    def read(self, n: int = -1) -> bytes:
        chunk = self._data[self._at:] if n < 0 else self._data[self._at:self._at + n]
        self._at += len(chunk)
        return chunk


def starting_points() -> st.SearchStrategy[tuple[str, Generated]]:
    from_maps = interchanges().map(lambda g: (f"generated seed {g.seed}", g))
    from_samples = st.sampled_from(VALID_SAMPLES).map(lambda p: (f"samples/valid/{p.name}", sample(p)))
    return st.one_of(from_maps, from_samples)


# --------------------------------------------------------------------------- segment-level mutations

Segs = list[list[str]]
SegOp = Callable[[st.DrawFn, Segs], str]


def _index(draw: st.DrawFn, segs: Segs) -> int:
    return draw(st.integers(0, max(0, len(segs) - 1)))


def _drop(draw: st.DrawFn, segs: Segs) -> str:
    i = _index(draw, segs)
    n = draw(st.integers(1, 3))
    gone = [s[0] for s in segs[i:i + n]]
    del segs[i:i + n]
    return f"dropped segments {i + 1}..{i + n} {gone}"


def _duplicate(draw: st.DrawFn, segs: Segs) -> str:
    i = _index(draw, segs)
    times = draw(st.sampled_from([1, 1, 2, 50, 1200]))
    segs[i + 1:i + 1] = [list(segs[i]) for _ in range(times)]
    return f"segment {i + 1} ({segs[i][0]}) repeated {times} more time(s)"


def _move(draw: st.DrawFn, segs: Segs) -> str:
    i, j = _index(draw, segs), _index(draw, segs)
    s = segs.pop(i)
    segs.insert(j, s)
    return f"segment {i + 1} ({s[0]}) moved to {j + 1}"


def _swap(draw: st.DrawFn, segs: Segs) -> str:
    i, j = _index(draw, segs), _index(draw, segs)
    segs[i], segs[j] = segs[j], segs[i]
    return f"segments {i + 1} and {j + 1} swapped"


def _reverse(draw: st.DrawFn, segs: Segs) -> str:
    i, j = sorted((_index(draw, segs), _index(draw, segs)))
    segs[i:j + 1] = segs[i:j + 1][::-1]
    return f"segments {i + 1}..{j + 1} reversed"


def _element(draw: st.DrawFn, segs: Segs) -> str:
    i = _index(draw, segs)
    seg = segs[i]
    if seg[0] == "ISA":
        return "ISA left alone"
    k = draw(st.integers(1, len(seg) + 1))
    new = draw(st.one_of(
        st.just(""),
        st.text(st.characters(codec="ascii", exclude_characters="\r\n"), max_size=12),
        st.text(max_size=8),
        st.sampled_from(["0", "-1", "999999999999", "ZZ", "20261131", "2460", "1.2.3", "   ", "A" * 31]),
    ))
    while len(seg) <= k:
        seg.append("")
    seg[k] = new
    return f"segment {i + 1} ({seg[0]}) element {k} = {new!r}"


def _segment_id(draw: st.DrawFn, segs: Segs) -> str:
    i = _index(draw, segs)
    new = draw(st.one_of(st.sampled_from(["ISA", "IEA", "GS", "GE", "ST", "SE", "TA1", "XYZ", "", "N", "REFX"]),
                         st.text(max_size=4)))
    old = segs[i][0]
    segs[i][0] = new
    return f"segment {i + 1} id {old!r} -> {new!r}"


def _count(draw: st.DrawFn, segs: Segs) -> str:
    trailers = [i for i, s in enumerate(segs) if s[0] in ("SE", "GE", "IEA")]
    if not trailers:
        return "no trailer to change"
    i = draw(st.sampled_from(trailers))
    k = draw(st.integers(1, 2))
    new = draw(st.sampled_from(["0", "1", "2", "999999999", "", "X", "-1", "00001"]))
    while len(segs[i]) <= k:
        segs[i].append("")
    segs[i][k] = new
    return f"{segs[i][0]}{k:02d} = {new!r}"


def _extra_segment(draw: st.DrawFn, segs: Segs) -> str:
    i = _index(draw, segs)
    new = draw(st.sampled_from([["TA1", "000000001", "261028", "0900", "A", "000"], ["ISA"], ["GS", "GE"],
                                ["ST", "814", "0001"], ["SE", "2", "0001"], ["GE", "1", "1"], ["IEA", "1", "1"],
                                ["BGN", "13"], ["LIN"], ["XYZ", "1"]]))
    segs.insert(i, list(new))
    return f"{new[0]} inserted at {i + 1}"


SEG_OPS: tuple[SegOp, ...] = (_drop, _duplicate, _move, _swap, _reverse, _element, _segment_id, _count,
                              _extra_segment)


# --------------------------------------------------------------------------- byte-level mutations

ByteOp = Callable[[st.DrawFn, bytes, Generated], tuple[bytes, str]]


def _offset(draw: st.DrawFn, data: bytes) -> int:
    return draw(st.integers(0, len(data)))


def _truncate(draw: st.DrawFn, data: bytes, g: Generated) -> tuple[bytes, str]:
    k = _offset(draw, data)
    return data[:k], f"truncated at byte {k}"


def _insert(draw: st.DrawFn, data: bytes, g: Generated) -> tuple[bytes, str]:
    k = _offset(draw, data)
    blob = draw(st.one_of(st.binary(min_size=1, max_size=16), st.sampled_from(INVALID_UTF8 + CONTROL),
                          st.sampled_from(NON_ASCII).map(lambda t: t.encode()),
                          st.sampled_from([b"\r\n", b"\n\n\n", b"\r", b"   ", b"\xef\xbb\xbf"])))
    return data[:k] + blob + data[k:], f"inserted {blob!r} at byte {k}"


def _overwrite(draw: st.DrawFn, data: bytes, g: Generated) -> tuple[bytes, str]:
    if not data:
        return data, "nothing to overwrite"
    k = draw(st.integers(0, len(data) - 1))
    blob = draw(st.binary(min_size=1, max_size=8))
    return data[:k] + blob + data[k + len(blob):], f"overwrote bytes at {k} with {blob!r}"


def _flip(draw: st.DrawFn, data: bytes, g: Generated) -> tuple[bytes, str]:
    if not data:
        return data, "nothing to flip"
    k = draw(st.integers(0, len(data) - 1))
    bit = draw(st.integers(0, 7))
    return data[:k] + bytes([data[k] ^ (1 << bit)]) + data[k + 1:], f"flipped bit {bit} of byte {k}"


def _separator(draw: st.DrawFn, data: bytes, g: Generated) -> tuple[bytes, str]:
    """One separator replaced by another character: once, from some point on, or everywhere."""
    element, component, terminator, _ = g.separators
    old = draw(st.sampled_from([element, component, terminator])).encode()
    new = draw(st.sampled_from(["*", "|", "~", ">", ":", "^", "\n", " ", "A", "\x1d", "'", "!"])).encode()
    positions = [i for i in range(len(data)) if data[i:i + len(old)] == old]
    if not positions or old == new:
        return data, "separator unchanged"
    how = draw(st.sampled_from(["once", "from", "all"]))
    if how == "all":
        return data.replace(old, new), f"every {old!r} -> {new!r}"
    k = draw(st.sampled_from(positions))
    if how == "once":
        return data[:k] + new + data[k + len(old):], f"{old!r} at byte {k} -> {new!r}"
    return data[:k] + data[k:].replace(old, new), f"{old!r} -> {new!r} from byte {k} on"


def _huge(draw: st.DrawFn, data: bytes, g: Generated) -> tuple[bytes, str]:
    """A huge element: a long run of text (or digits, or one byte) inside a segment."""
    element = g.separators[0].encode()
    positions = [i for i in range(107, len(data)) if data[i:i + 1] == element] or [len(data)]
    k = draw(st.sampled_from(positions)) + 1
    size = draw(st.sampled_from(HUGE_SIZES))
    fill = draw(st.sampled_from([b"A", b"9", b"\xc3\xa9", b"\xff", b" "]))
    return data[:k] + fill * (size // len(fill)) + data[k:], f"{size} bytes of {fill!r} at byte {k}"


def _isa_length(draw: st.DrawFn, data: bytes, g: Generated) -> tuple[bytes, str]:
    """ISA06 one or more characters longer or shorter: the ISA is no longer 106 characters."""
    start = data.find(b"ISA")
    if start < 0:
        return data, "no ISA"
    k = start + 35  # inside ISA06, the sender id padding
    delta = draw(st.sampled_from([-5, -1, 1, 2, 40]))
    if delta < 0:
        return data[:k] + data[k - delta:], f"ISA shortened by {-delta}"
    return data[:k] + b" " * delta + data[k:], f"ISA lengthened by {delta}"


def _prepend(draw: st.DrawFn, data: bytes, g: Generated) -> tuple[bytes, str]:
    head = draw(st.sampled_from([b"\xef\xbb\xbf", b"\r\n\r\n", b"   ", b"\x00", b"GARBAGE", b"\xff\xfe",
                                 b"isa", b"\x1f\x8b", b"<?xml version='1.0'?>"]))
    return head + data, f"prepended {head!r}"


def _append(draw: st.DrawFn, data: bytes, g: Generated) -> tuple[bytes, str]:
    other = draw(st.one_of(interchanges(1).map(lambda x: x.data),
                           st.sampled_from([b"\x1a", b"IEA*1*000000001~", b"\n\n", b"TA1*1~", b"ISA*00*"])))
    return data + other, f"appended {len(other)} bytes ({other[:16]!r}...)"


def _container(draw: st.DrawFn, data: bytes, g: Generated) -> tuple[bytes, str]:
    """Not X12 at all, though it came in as X12: gzip, XML (with an entity bomb), JSON, a zip header."""
    kind = draw(st.sampled_from(["gzip", "xml", "json", "zip", "utf16"]))
    if kind == "gzip":
        return gzip.compress(data, mtime=0), "gzip-compressed"
    if kind == "xml":
        bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><x>&b;</x>'
        return bomb, "an XML entity bomb"
    if kind == "json":
        return b'{"format": "x12-json/1", "interchanges": []}', "JSON"
    if kind == "zip":
        return b"PK\x03\x04" + data, "zip header"
    return data.decode("utf-8", "surrogateescape").encode("utf-16", "surrogatepass"), "UTF-16"


BYTE_OPS: tuple[ByteOp, ...] = (_truncate, _insert, _overwrite, _flip, _separator, _huge, _isa_length,
                                _prepend, _append, _container)


@st.composite
def mutants(draw: st.DrawFn, huge: bool = True) -> Mutant:
    """A valid file broken by one to four mutations (segment-level, then byte-level)."""
    origin, g = draw(starting_points())
    segs = [list(s) for s in g.segments]
    ops: list[str] = []
    for op in draw(st.lists(st.sampled_from(SEG_OPS), max_size=2)):
        ops.append(op(draw, segs))
    data = render(segs, g.separators) if ops else g.data
    byte_ops = BYTE_OPS if huge else tuple(op for op in BYTE_OPS if op is not _huge)
    for bop in draw(st.lists(st.sampled_from(byte_ops), min_size=0 if ops else 1, max_size=2)):
        data, what = bop(draw, data, g)
        ops.append(what)
    return Mutant(data, origin, tuple(ops))


def files() -> st.SearchStrategy[Mutant]:
    """What the fuzzer feeds: mostly mutants, some untouched valid files, some pure noise."""
    valid = starting_points().map(lambda og: Mutant(og[1].data, og[0], ()))
    noise = st.binary(max_size=600).map(lambda b: Mutant(b, "random bytes", ()))
    return st.one_of(mutants(), mutants(), mutants(), valid, noise)


def reseparate(g: Generated, seps: tuple[str, str, str, str]) -> Generated | None:
    """The same interchange written with other separators; None when a value holds one of them."""
    old_component = g.separators[1]
    used = {ch for s in g.segments if s[0] != "ISA" for e in s[1:] for ch in e} - {old_component}
    if used & set(seps[:3]):
        return None
    segs: Segs = [[*s[:16], seps[1]] if s[0] == "ISA" else [s[0], *(e.replace(old_component, seps[1]) for e in s[1:])]
                  for s in g.segments]
    return Generated(render(segs, seps), seps, segs)


#: characters that are valid X12 data (AN) and also somebody's separator
FOREIGN = ("*", "~", "|", ">", ":", "!", "'")


@st.composite
def business_files(draw: st.DrawFn) -> Mutant:
    """Valid samples as other partners would write them: other separators, and values holding characters
    that are another file's separators ('*' is a valid AN character in a file written with '|').
    Most stay valid, so they reach the handlers and come back out in our answers."""
    path = draw(st.sampled_from(VALID_SAMPLES))
    g = sample(path)
    seps = draw(st.sampled_from((g.separators, *tuple(s for s in _SEPARATOR_SETS if s != g.separators))))
    again = reseparate(g, seps) or g
    segs = [list(s) for s in again.segments]
    ops = [f"written with {again.separators!r}"]
    for _ in range(draw(st.integers(0, 3))):
        i = draw(st.integers(1, len(segs) - 1))
        if segs[i][0] in ("ISA", "IEA", "GS", "GE", "ST", "SE") or len(segs[i]) < 2:
            continue
        k = draw(st.integers(1, len(segs[i]) - 1))
        char = draw(st.sampled_from([c for c in FOREIGN if c not in again.separators[:3]]))
        value = segs[i][k]
        at = draw(st.integers(0, len(value)))
        segs[i][k] = value[:at] + char + value[at:]
        ops.append(f"{char!r} put into {segs[i][0]}{k:02d}")
    return Mutant(render(segs, again.separators), f"samples/valid/{path.name}", tuple(ops))

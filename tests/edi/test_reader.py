"""The streaming reader: separators from the ISA, tolerance of real-world formatting."""

from __future__ import annotations

import io

import pytest

from edi.reader import X12Reader
from edi.segments import Separators
from tests.support import ENROLL, ISA, interchange

IDS = ["ISA", "GS", "ST", "BGN", "N1", "N1", "N1", "N3", "N4", "PER", "LIN", "ASI", "REF", "REF", "REF", "REF",
       "SE", "GE", "IEA"]


def read(data: str | bytes, **kw: int) -> X12Reader:
    raw = data.encode() if isinstance(data, str) else data
    reader = X12Reader(io.BytesIO(raw), "test.x12", **kw)
    reader.segments = list(reader)  # type: ignore[attr-defined]
    return reader


VARIANTS = {
    "plain": lambda t: t,
    "lf": lambda t: t.replace("~", "~\n"),
    "crlf": lambda t: t.replace("~", "~\r\n"),
    "bom": lambda t: "\ufeff" + t,
    "newline-terminator": lambda t: t.replace("~", "\n"),
    "crlf-terminator": lambda t: t.replace("~", "\r\n"),
    "blank-lines": lambda t: "\n\n" + t.replace("~", "~\n\n"),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("chunk", [1, 7, 100, 1 << 20])
def test_formatting_variants_read_the_same_segments(variant: str, chunk: int) -> None:
    reader = read(VARIANTS[variant](interchange(ENROLL)), chunk_size=chunk)
    segments = reader.segments  # type: ignore[attr-defined]
    assert [s.id for s in segments] == IDS
    assert [s.pos for s in segments] == list(range(1, len(IDS) + 1))
    assert segments[0].elements[15] == ">"
    assert segments[3].elements == ("13", "RES20240301000001", "20240301")
    assert reader.findings == []


def test_separators_come_from_the_isa() -> None:
    text = interchange(ENROLL).replace("*", "|").replace(">", "^").replace("~", "'\r\n")
    reader = read(text)
    assert reader.separators == Separators("|", "^", "'", "\r\n")
    assert [s.id for s in reader.segments] == IDS  # type: ignore[attr-defined]


def test_several_interchanges_with_different_separators() -> None:
    first = interchange(ENROLL)
    second = first.replace("*", "|").replace(">", "^").replace("000000101", "000000102")
    reader = read(first + "\n" + second, chunk_size=13)
    ids = [s.id for s in reader.segments]  # type: ignore[attr-defined]
    assert ids == IDS + IDS
    assert reader.separators == Separators("|", "^", "~", "")


def test_empty_file_is_a_finding_not_an_exception() -> None:
    reader = read(b"")
    assert [f.rule for f in reader.findings] == ["read.empty"]
    assert reader.stopped is not None


@pytest.mark.parametrize("data", [b"\x1f\x8b\x08\x00gzip", b"<xml/>", b"GS*GE*1~", b"   \n\n"])
def test_not_x12_is_reported(data: bytes) -> None:
    reader = read(data)
    assert reader.segments == []  # type: ignore[attr-defined]
    assert reader.findings and reader.findings[0].position == 0
    assert reader.findings[0].rule in ("read.no-isa", "read.empty")


def test_truncated_file_reports_the_unterminated_segment() -> None:
    text = interchange(ENROLL)
    cut = text[: text.index("REF*12") + 8]
    reader = read(cut)
    last = reader.segments[-1]  # type: ignore[attr-defined]
    assert last.id == "REF" and last.elements == ("12", "1")
    assert [(f.rule, f.position) for f in reader.findings] == [("read.unterminated", last.pos)]


def test_final_iea_without_terminator_is_tolerated() -> None:
    reader = read(interchange(ENROLL)[:-1])
    assert reader.segments[-1].id == "IEA"  # type: ignore[attr-defined]
    assert reader.findings == []


def test_short_isa_is_read_but_reported() -> None:
    text = interchange(ENROLL).replace("987654321      ", "987654321", 1)
    reader = read(text)
    assert [s.id for s in reader.segments] == IDS  # type: ignore[attr-defined]
    assert [(f.rule, f.ta1) for f in reader.findings] == [("read.isa-length", "024")]


def test_broken_isa_stops_the_reader_with_a_reason() -> None:
    reader = read(ISA[:50])
    assert reader.stopped is not None and reader.stopped.rule == "read.isa-elements"


def test_a_huge_segment_is_skipped_not_held() -> None:
    text = interchange(ENROLL.replace("REF*11*RESACCT778", "REF*11*" + "X" * 5000))
    reader = read(text, chunk_size=64, max_segment=1000)
    ids = [s.id for s in reader.segments]  # type: ignore[attr-defined]
    assert ids.count("REF") == 3
    assert [(f.rule, f.segment_id) for f in reader.findings] == [("read.segment-too-long", "REF")]


def test_undecodable_bytes_survive() -> None:
    raw = interchange(ENROLL).replace("JANE Q", "J\xc9NE").encode("latin-1")
    reader = read(raw)
    names = [s for s in reader.segments if s.id == "N1" and s.get(1) == "8R"]  # type: ignore[attr-defined]
    assert names[0].get(2).encode("utf-8", "surrogateescape") == b"J\xc9NE CUSTOMER"

"""Changing any count or control number of a valid file is caught, named, and acknowledged.

For every valid sample and every trailer count / control number in it, bump the value by one and
check that validation fails with the right rule at the right segment, and that the 997 or TA1
built from the result carries the same code.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from edi.acks import acknowledge
from edi.canonical import render
from edi.guide import GuideValidator
from edi.reader import X12Reader
from edi.segments import Segment
from edi.validate import validate_stream
from tests.support import MAPS, SAMPLES

# segment id, element, rule, the code attribute and value it must carry
TARGETS = [
    ("SE", 1, "envelope.se01-count", "ak5", "4"),
    ("SE", 2, "envelope.se02-st02", "ak5", "3"),
    ("GE", 1, "envelope.ge01-count", "ak9", "5"),
    ("GE", 2, "envelope.ge02-gs06", "ak9", "4"),
    ("IEA", 1, "envelope.iea01-count", "ta1", "021"),
    ("IEA", 2, "envelope.iea02-isa13", "ta1", "001"),
]


def bump(value: str) -> str:
    return str(int(value) + 1).zfill(len(value)) if value.isdigit() else value + "1"


def rewrite(path: Path, position: int, element: int) -> bytes:
    """The file with one element of one segment bumped, written back with its own separators."""
    reader = X12Reader(io.BytesIO(path.read_bytes()), path.name)
    out = []
    for segment in reader:
        assert reader.separators is not None
        if segment.pos == position:
            values = list(segment.elements)
            values[element - 1] = bump(values[element - 1])
            segment = Segment(segment.id, tuple(values), segment.pos)
        out.append(reader.separators.render(segment))
    return "".join(out).encode("utf-8", "surrogateescape")


def cases() -> list[object]:
    found = []
    for path in sorted((SAMPLES / "valid").glob("*.x12")):
        with open(path, "rb") as f:
            for segment in X12Reader(f, path.name):
                for seg_id, element, rule, attr, code in TARGETS:
                    if segment.id == seg_id:
                        found.append(pytest.param(path, segment.pos, element, rule, attr, code,
                                                  id=f"{path.stem}-{seg_id}{element:02d}@{segment.pos}"))
    return found


@pytest.fixture(scope="module")
def guide() -> GuideValidator:
    return GuideValidator.from_map_dir(MAPS)


@pytest.mark.parametrize("path, position, element, rule, attr, code", cases())
def test_a_bumped_count_or_control_number_is_named_and_acknowledged(
        path: Path, position: int, element: int, rule: str, attr: str, code: str, guide: GuideValidator) -> None:
    result = validate_stream(io.BytesIO(rewrite(path, position, element)), path.name, guide)
    assert not result.valid
    hits = [f for f in result.findings if f.rule == rule and f.position == position and f.element == element]
    assert hits and getattr(hits[0], attr) == code
    acks = [acknowledge(isa, isa.separators) for isa in result.interchanges]
    if attr == "ta1":
        assert any(ta1 is not None and ta1.elements[3:] == ("R", code) for ta1, _ in acks)
    else:
        segments = [s for _, group_acks in acks for ack in group_acks for s in render(ack)]
        wanted, first_code = ("AK5", 1) if attr == "ak5" else ("AK9", 4)
        assert any(s.id == wanted and code in s.elements[first_code:] for s in segments)


def test_there_are_enough_mutations() -> None:
    assert len(cases()) >= 150

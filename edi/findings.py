"""Findings: problems found in a file, kept as data with an exact location.

A finding is never an exception. It says which file, which segment (by its
ordinal in the file and, inside a transaction set, by its position counted from
ST = 1, as AK3 wants), which element, which rule, and which X12 acknowledgment
codes it maps to, so the same object feeds the CLI, the 997, the TA1 and the
run report.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Level(StrEnum):
    """What a finding spoils: the whole file, an interchange, a group, a set."""

    FILE = "file"
    INTERCHANGE = "interchange"
    GROUP = "group"
    TRANSACTION = "transaction"


@dataclass(frozen=True, slots=True)
class Finding:
    file: str
    position: int  #: ordinal of the segment in the file (first ISA = 1); 0 = the file itself
    segment_id: str  #: the segment's id as read ("" when there is none)
    rule: str  #: our rule name, e.g. "envelope.se01-count" or "map.element-code"
    message: str  #: one sentence for a person
    level: Level = Level.TRANSACTION
    element: int | None = None  #: element position (1-based) when an element is at fault
    component: int | None = None  #: component position inside a composite
    value: str | None = None  #: the offending value, when there is one (shortened)
    data_ele: str | None = None  #: the X12 data element number (AK402)
    loop: str | None = None  #: the map loop id, when known (AK303)
    set_position: int | None = None  #: position inside the transaction set, ST = 1 (AK302)
    isa13: str | None = None
    gs06: str | None = None
    st02: str | None = None
    ta1: str | None = None  #: TA105 interchange note code
    ak9: str | None = None  #: AK905.. functional group error code
    ak5: str | None = None  #: AK502.. transaction set syntax error code
    ak3: str | None = None  #: AK304 segment syntax error code
    ak4: str | None = None  #: AK403 element syntax error code

    def where(self) -> str:
        """``file:segment N (ID)`` and the element, for a person reading a log."""
        at = f"{self.file}: segment {self.position}" if self.position else f"{self.file}"
        if self.segment_id:
            at += f" ({self.segment_id}"
            if self.element is not None:
                at += f"{self.element:02d}"
                if self.component is not None:
                    at += f"-{self.component}"
            at += ")"
        return at

    def __str__(self) -> str:
        return f"{self.where()}: {self.message} [{self.rule}]"

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def shorten(value: str, limit: int = 40) -> str:
    """A value fit for a finding: clipped (a 100 MB element must not become a 100 MB log
    line) and with undecodable or non-printable bytes shown as escapes."""
    clipped = value if len(value) <= limit else value[: limit - 3] + "..."
    if clipped.isprintable():
        return clipped
    return "".join(_escape(ch) for ch in clipped)


def _escape(ch: str) -> str:
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    return ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")

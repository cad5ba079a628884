"""Presence rules the pyx12 map format cannot express.

pyx12 reports a required loop as missing as soon as a sibling sharing its position comes first,
so our maps leave the N1 party loops (which may come in any order) optional. The Illinois guides
still require the utility (N1*8S) and the supplier (N1*SJ) in every 814, 867, 810 and 824, and an
867 without a single PTD loop carries no usage at all. These checks add exactly that, as
"mandatory segment missing" (AK3 code 3) findings placed where the segment was expected.
"""

from __future__ import annotations

from collections.abc import Sequence

from edi.findings import Finding, Level
from edi.segments import Segment

#: ST01 -> (segment id, first element, what it is, the segment ids that start the detail area)
REQUIRED: dict[str, tuple[tuple[str, str, str], ...]] = {
    "814": (("N1", "8S", "the utility (N1*8S)"), ("N1", "SJ", "the supplier (N1*SJ)")),
    "867": (("N1", "8S", "the utility (N1*8S)"), ("N1", "SJ", "the supplier (N1*SJ)"),
            ("PTD", "", "a usage loop (PTD)")),
    "810": (("N1", "8S", "the utility (N1*8S)"), ("N1", "SJ", "the supplier (N1*SJ)")),
    "824": (("N1", "8S", "the utility (N1*8S)"), ("N1", "SJ", "the supplier (N1*SJ)")),
}
#: where the heading ends: a missing party is reported at the first of these (else at SE)
DETAIL_START = frozenset({"LIN", "PTD", "IT1", "OTI", "SE"})


def check_presence(segments: Sequence[Segment], file: str = "") -> list[Finding]:
    """Findings for required segments missing from one transaction set (ST..SE)."""
    presence = Presence()
    presence.feed(segments)
    return presence.findings(file)


class Presence:
    """:func:`check_presence` fed a set's segments in pieces (a set too long to hold is checked as it is read)."""

    __slots__ = ("_at", "_last", "_present", "_required", "_st")

    def __init__(self) -> None:
        self._st: Segment | None = None
        self._required: tuple[tuple[str, str, str], ...] = ()
        self._present: set[tuple[str, str]] = set()
        self._at: Segment | None = None  #: the first segment of the detail area
        self._last: Segment | None = None

    def feed(self, segments: Sequence[Segment]) -> None:
        if not segments:
            return
        body = segments
        if self._st is None:
            self._st, body = segments[0], segments[1:]
            self._required = REQUIRED.get(self._st.get(1), ())
        if not self._required:
            return
        self._present |= {(s.id, s.get(1)) for s in segments} | {(s.id, "") for s in segments}
        if self._at is None:
            self._at = next((s for s in body if s.id in DETAIL_START), None)
        self._last = segments[-1]

    def findings(self, file: str = "") -> list[Finding]:
        if self._st is None or not self._required:
            return []
        at = self._at or self._last
        assert at is not None
        first = self._st.pos
        return [
            Finding(file, at.pos, seg_id, "guide.required-missing", f"mandatory segment missing: {what}",
                    level=Level.TRANSACTION, set_position=at.pos - first + 1, ak3="3")
            for seg_id, code, what in self._required if (seg_id, code) not in self._present
        ]

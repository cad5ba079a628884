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
    if not segments:
        return []
    required = REQUIRED.get(segments[0].get(1), ())
    if not required:
        return []
    present = {(s.id, s.get(1)) for s in segments} | {(s.id, "") for s in segments}
    at = next((s for s in segments[1:] if s.id in DETAIL_START), segments[-1])
    first = segments[0].pos
    return [
        Finding(file, at.pos, seg_id, "guide.required-missing", f"mandatory segment missing: {what}",
                level=Level.TRANSACTION, set_position=at.pos - first + 1, ak3="3")
        for seg_id, code, what in required if (seg_id, code) not in present
    ]

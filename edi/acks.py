"""997 functional acknowledgments and TA1 interchange acknowledgments, from findings.

We build our own acknowledgments rather than pyx12's (see the pyx12 notes: its 997
writer gets GS08, delimiters, addressing and ISA13 wrong). One 997 per inbound
functional group: AK1, then per transaction set AK2, AK3/AK4 for each segment in
error, AK5; and AK9 for the group. A TA1 answers an interchange whose envelope is
bad (or whose ISA14 asks for one).
"""

from __future__ import annotations

from collections.abc import Iterable

from edi.envelope import GroupSummary, InterchangeSummary, SetSummary
from edi.findings import Finding
from edi.messages import AckStatus, ElementNote, FunctionalAck, SegmentNote, SetAck
from edi.segments import Segment, Separators, seg

MAX_AK3 = 999  # X12: the AK3 loop repeats at most 999 times
MAX_AK4 = 99  # and AK4 at most 99 times per AK3
MAX_CODES = 5  # AK502..AK506, AK905..AK909


def _clean(value: str, separators: Separators, limit: int = 99) -> str:
    """A copy of bad data that is safe to put back into X12 (AK404 is AN 1/99)."""
    banned = {separators.element, separators.component, separators.segment, "\r", "\n"}
    text = "".join(ch if ch not in banned and ch.isprintable() and ch.isascii() else "?" for ch in value)
    return text[:limit]


def _codes(findings: Iterable[Finding], attr: str) -> list[str]:
    seen: list[str] = []
    for f in findings:
        code = getattr(f, attr)
        if code and code not in seen:
            seen.append(code)
    return seen[:MAX_CODES]


def set_response(summary: SetSummary, separators: Separators) -> SetAck:
    """AK2 .. AK5 for one transaction set: one AK3 per segment in error, its AK4s under it."""
    by_segment: dict[tuple[int, str], list[Finding]] = {}
    for f in summary.findings:
        if f.ak3 or f.ak4:
            by_segment.setdefault((f.set_position or 0, f.segment_id), []).append(f)
    notes = []
    for (position, segment_id), findings in list(by_segment.items())[:MAX_AK3]:
        loop = next((f.loop for f in findings if f.loop), None)
        notes.append(SegmentNote(
            segment_id=_clean(segment_id, separators, 3) or "UNK",
            position=max(position, 1),
            loop=loop[:6] if loop and loop.isalnum() else None,
            code=next((f.ak3 for f in findings if f.ak3), "8"),  # 8: segment has data element errors
            elements=tuple(
                ElementNote(position=f.element or 1, component=f.component, data_element=f.data_ele,
                            code=f.ak4 or "", value=_clean(f.value or "", separators) or None)
                for f in findings if f.ak4)[:MAX_AK4],
        ))
    codes = _codes(summary.findings, "ak5")
    if summary.findings and not codes:
        codes = ["5"]  # one or more segments in error
    return SetAck(set_id=summary.st01, control=summary.st02,
                  status=AckStatus.ACCEPTED if summary.accepted else AckStatus.REJECTED,
                  codes=tuple(codes), segments=tuple(notes))


def functional_ack(group: GroupSummary, separators: Separators) -> FunctionalAck:
    """The 997 answering one functional group."""
    accepted = sum(1 for s in group.sets if s.accepted)
    received = len(group.sets)
    codes = _codes(group.findings, "ak9")
    if codes or accepted == 0:
        status = AckStatus.REJECTED
    elif accepted < received:
        status = AckStatus.PARTIAL
    else:
        status = AckStatus.ACCEPTED
    ge01 = group.ge.get(1) if group.ge is not None else ""
    return FunctionalAck(
        functional_id=group.gs01, group_control=group.gs06,
        sets=tuple(set_response(s, separators) for s in group.sets),
        status=status, included=int(ge01) if ge01.isdigit() else received, received=received,
        accepted=accepted, codes=tuple(codes))


def ta1(interchange: InterchangeSummary) -> Segment | None:
    """A TA1 when the interchange envelope is bad, or when ISA14 asked for one."""
    codes = _codes(interchange.findings, "ta1")
    if not codes and interchange.isa.get(14) != "1":
        return None
    status = "R" if codes else "A"
    isa = interchange.isa
    return seg("TA1", isa.get(13), isa.get(9), isa.get(10), status, codes[0] if codes else "000")


def acknowledge(interchange: InterchangeSummary, separators: Separators) -> tuple[Segment | None,
                                                                                 list[FunctionalAck]]:
    """The TA1 (or None) and one 997 per functional group of an interchange."""
    return ta1(interchange), [functional_ack(g, separators) for g in interchange.groups]

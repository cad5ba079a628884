"""997 functional acknowledgments and TA1 interchange acknowledgments, from findings.

We build our own acknowledgments rather than pyx12's (see the pyx12 notes: its 997
writer gets GS08, delimiters, addressing and ISA13 wrong). One 997 per inbound
functional group: AK1, then per transaction set AK2, AK3/AK4 for each segment in
error, AK5; and AK9 for the group. A TA1 answers an interchange whose envelope is
bad (or whose ISA14 asks for one).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from edi.envelope import GroupSummary, InterchangeSummary, SetSummary
from edi.findings import Finding
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


def set_response(summary: SetSummary, separators: Separators) -> list[Segment]:
    """AK2 .. AK5 for one transaction set."""
    out = [seg("AK2", summary.st01, summary.st02)]
    by_segment: dict[tuple[int, str], list[Finding]] = {}
    for f in summary.findings:
        if f.ak3 or f.ak4:
            key = (f.set_position or 0, f.segment_id)
            by_segment.setdefault(key, []).append(f)
    for (position, segment_id), findings in list(by_segment.items())[:MAX_AK3]:
        segment_code = next((f.ak3 for f in findings if f.ak3), "8")
        loop = next((f.loop for f in findings if f.loop), "")
        out.append(seg("AK3", _clean(segment_id, separators, 3) or "UNK", str(max(position, 1)), loop[:6]
                       if loop and loop.isalnum() else "", segment_code))
        for f in [f for f in findings if f.ak4][:MAX_AK4]:
            where = str(f.element or 1)
            if f.component:
                where += separators.component + str(f.component)
            out.append(seg("AK4", where, f.data_ele or "", f.ak4 or "", _clean(f.value or "", separators)))
    codes = _codes(summary.findings, "ak5")
    if summary.findings and not codes:
        codes = ["5"]  # one or more segments in error
    out.append(seg("AK5", "A" if summary.accepted else "R", *codes))
    return out


def functional_ack(group: GroupSummary, separators: Separators) -> list[Segment]:
    """The body (AK1 .. AK9) of the 997 answering one functional group."""
    body = [seg("AK1", group.gs01, group.gs06)]
    for summary in group.sets:
        body.extend(set_response(summary, separators))
    accepted = sum(1 for s in group.sets if s.accepted)
    received = len(group.sets)
    codes = _codes(group.findings, "ak9")
    if codes or accepted == 0:
        status = "R"
    elif accepted < received:
        status = "P"
    else:
        status = "A"
    ge01 = group.ge.get(1) if group.ge is not None else ""
    included = ge01 if ge01.isdigit() else str(received)
    body.append(seg("AK9", status, included, str(received), str(accepted), *codes))
    return body


def ta1(interchange: InterchangeSummary) -> Segment | None:
    """A TA1 when the interchange envelope is bad, or when ISA14 asked for one."""
    codes = _codes(interchange.findings, "ta1")
    if not codes and interchange.isa.get(14) != "1":
        return None
    status = "R" if codes else "A"
    isa = interchange.isa
    return seg("TA1", isa.get(13), isa.get(9), isa.get(10), status, codes[0] if codes else "000")


def acknowledge(interchange: InterchangeSummary, separators: Separators) -> tuple[Segment | None,
                                                                                 Sequence[list[Segment]]]:
    """The TA1 (or None) and one 997 body per functional group of an interchange."""
    return ta1(interchange), [functional_ack(g, separators) for g in interchange.groups]

"""997 functional acknowledgments and TA1 interchange acknowledgments, from findings.

We build our own acknowledgments rather than pyx12's (see the pyx12 notes: its 997
writer gets GS08, delimiters, addressing and ISA13 wrong). One 997 per inbound
functional group: AK1, then per transaction set AK2, AK3/AK4 for each segment in
error, AK5; and AK9 for the group. A TA1 answers an interchange whose envelope is
bad (or whose ISA14 asks for one).

A 997 echoes the partner's data (GS01, GS06, ST01, ST02, segment ids, bad values), and the
batch refuses to send a file our own 997 map rejects. So every echoed value is made to fit
that map here: cleaned, trimmed, padded or left out, and a group that cannot be named in an
AK1 at all (GS01 not one of ours, GS06 not a number) is answered by a TA1 (024) instead.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Iterator, Sequence
from typing import overload

from edi.envelope import FUNCTIONAL_IDS, GroupSummary, InterchangeSummary, SetSummary
from edi.findings import Finding
from edi.messages import AckStatus, ElementNote, FunctionalAck, SegmentNote, SetAck
from edi.segments import Segment, Separators, seg

MAX_AK3 = 999  # X12: the AK3 loop repeats at most 999 times
MAX_AK4 = 99  # and AK4 at most 99 times per AK3
MAX_CODES = 5  # AK502..AK506, AK905..AK909

# What maps/997.4010.IL.xml allows in the elements we fill (tests/edi/test_acks.py checks them against it).
#: AN/ID characters of X12 4010 (the basic and extended sets, as our validator reads them)
AN_CHARACTERS = frozenset(string.ascii_letters + string.digits + "!\"&'()*+,-./:;?= %~@[]_{}\\|<>#$")
SET_IDS = frozenset(FUNCTIONAL_IDS.values())  #: AK201
AK304_CODES = frozenset("12345678")
AK403_CODES = frozenset({"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"})
AK502_CODES = frozenset({*map(str, range(1, 14)), "15", "16", "17", "18", "19", "23", "24", "25", "26", "27"})
AK905_CODES = frozenset({*map(str, range(1, 7)), *map(str, range(10, 27))})
TA105_CODES = frozenset(f"{n:03d}" for n in range(32))  #: I18 of X12 4010
_MAX_N6 = 999_999  #: AK302, AK902..AK904 are N0 1/6


def _clean(value: str, separators: Separators, limit: int = 99) -> str:
    """A copy of bad data that is safe to put back into X12 (AK404 is AN 1/99).

    Characters outside the X12 character set, and the separators of both the partner's interchange
    and ours (the batch renders the 997 in its own), become ``?``; trailing spaces are dropped (AN
    data may not end in a space).
    """
    ours = Separators()
    banned = {separators.element, separators.component, separators.segment,
              ours.element, ours.component, ours.segment}
    text = "".join(ch if ch in AN_CHARACTERS and ch not in banned else "?" for ch in value)
    return text[:limit].rstrip(" ")


def _count(n: int) -> int:
    return min(max(n, 0), _MAX_N6)


def _number(value: str | None, digits: int) -> bool:
    """``value`` is an X12 N0 of 1 to ``digits`` ASCII digits."""
    return value is not None and 0 < len(value) <= digits and value.isascii() and value.isdigit()


def _codes(findings: Iterable[Finding], attr: str, allowed: frozenset[str]) -> list[str]:
    seen: list[str] = []
    for f in findings:
        code = getattr(f, attr)
        if code in allowed and code not in seen:
            seen.append(code)
    return seen[:MAX_CODES]


def _control(st02: str, separators: Separators) -> str:
    """AK202 (AN 4/9): ST02 as sent when it fits, else cut to 9 or padded with zeros to 4 (its AK5 says 7).

    The partner finds the set by this number; a short numeric one padded (``1`` -> ``0001``) still
    reads as the same number in their translator, which is the best a 997 can do for it.
    """
    return _clean(st02, separators, 9).zfill(4)


def _segment_note(position: int, segment_id: str, findings: list[Finding], separators: Separators) -> SegmentNote:
    """AK3 (and its AK4s) for one segment in error, every value inside what AK3/AK4 allow."""
    loop = next((f.loop for f in findings if f.loop), None)  # AK303: AN 1/6, only a plain id (not "N1_CUST")
    sid = _clean(segment_id, separators, 3).replace(" ", "")
    code = next((f.ak3 for f in findings if f.ak3), "8")  # 8: segment has data element errors
    elements = [
        ElementNote(position=min(max(f.element or 1, 1), 99),  # AK401: N0 1/2
                    component=None if f.component is None else min(max(f.component, 1), 99),
                    data_element=f.data_ele if _number(f.data_ele, 4) else None,  # AK402: N0 1/4 (not "I12")
                    code=f.ak4, value=_clean(f.value or "", separators) or None)
        for f in findings if f.ak4 in AK403_CODES]
    return SegmentNote(
        segment_id=sid if len(sid) >= 2 else "UNK", position=min(max(position, 1), _MAX_N6),
        loop=loop[:6] if loop and loop.isascii() and loop.isalnum() else None,
        code=code if code in AK304_CODES else "8", elements=tuple(elements[:MAX_AK4]))


def set_response(summary: SetSummary, separators: Separators, st01: str | None = None) -> SetAck:
    """AK2 .. AK5 for one transaction set: one AK3 per segment in error, its AK4s under it.

    ``st01``: what AK201 says when the set's own ST01 is not one of ours (the group's set id; AK5 says 6).
    """
    by_segment: dict[tuple[int, str], list[Finding]] = {}
    for f in summary.findings:
        if f.ak3 or f.ak4:
            by_segment.setdefault((f.set_position or 0, f.segment_id), []).append(f)
    notes = [_segment_note(position, segment_id, findings, separators)
             for (position, segment_id), findings in list(by_segment.items())[:MAX_AK3]]
    codes = _codes(summary.findings, "ak5", AK502_CODES)
    set_id, control = summary.st01, _control(summary.st02, separators)
    if set_id not in SET_IDS:
        set_id = st01 if st01 in SET_IDS else "997"
        codes.append("6")
    if control != summary.st02:
        codes.append("7")
    codes = list(dict.fromkeys(codes))[:MAX_CODES] if summary.findings else []
    if summary.findings and not codes:
        codes = ["5"]  # one or more segments in error
    return SetAck(set_id=set_id, control=control,
                  status=AckStatus.ACCEPTED if summary.accepted else AckStatus.REJECTED,
                  codes=tuple(codes), segments=tuple(notes))


class SetAcks(Sequence[SetAck]):
    """A group's AK2 loops, each made from its set's summary when it is read: the 997 answering 100,000 sets
    is written (:func:`edi.canonical.render_stream`) without ever holding 100,000 of them. Equal to any
    sequence of the same :class:`SetAck` s."""

    __slots__ = ("_separators", "_sets", "_st01")

    def __init__(self, sets: Sequence[SetSummary], separators: Separators, st01: str | None) -> None:
        self._sets, self._separators, self._st01 = sets, separators, st01

    def __len__(self) -> int:
        return len(self._sets)

    @overload
    def __getitem__(self, index: int) -> SetAck: ...

    @overload
    def __getitem__(self, index: slice) -> list[SetAck]: ...

    def __getitem__(self, index: int | slice) -> SetAck | list[SetAck]:
        if isinstance(index, slice):
            return [set_response(s, self._separators, self._st01) for s in self._sets[index]]
        return set_response(self._sets[index], self._separators, self._st01)

    def __iter__(self) -> Iterator[SetAck]:
        return (set_response(s, self._separators, self._st01) for s in self._sets)

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Sequence) and len(other) == len(self)
                and all(a == b for a, b in zip(self, other, strict=True)))

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"SetAcks({list(self)!r})"


def answerable(group: GroupSummary) -> bool:
    """Whether a 997 can name the group: AK101 is one of our functional ids, AK102 is N0 1/9."""
    return group.gs01 in FUNCTIONAL_IDS and _number(group.gs06, 9)


def functional_ack(group: GroupSummary, separators: Separators) -> FunctionalAck:
    """The 997 answering one functional group (which must be :func:`answerable`)."""
    accepted = sum(1 for s in group.sets if s.accepted)
    received = len(group.sets)
    codes = _codes(group.findings, "ak9", AK905_CODES)
    if codes or accepted == 0:
        status = AckStatus.REJECTED
    elif accepted < received:
        status = AckStatus.PARTIAL
    else:
        status = AckStatus.ACCEPTED
    ge01 = group.ge.get(1) if group.ge is not None else ""
    included = int(ge01) if _number(ge01, 6) else received
    st01 = FUNCTIONAL_IDS.get(group.gs01)
    return FunctionalAck(
        functional_id=group.gs01, group_control=group.gs06, sets=SetAcks(group.sets, separators, st01),
        status=status, included=included, received=_count(received), accepted=_count(accepted),
        codes=tuple(codes))


def ta1(interchange: InterchangeSummary) -> Segment | None:
    """A TA1 when the interchange envelope is bad, when a group cannot be answered by a 997 (024), or
    when ISA14 asked for one."""
    codes = _codes(interchange.findings, "ta1", TA105_CODES)
    unanswered = any(not answerable(g) for g in interchange.groups)
    if not codes and not unanswered and interchange.isa.get(14) != "1":
        return None
    status = "R" if codes else "E" if unanswered else "A"
    note = codes[0] if codes else "024" if unanswered else "000"
    isa = interchange.isa
    return seg("TA1", isa.get(13), isa.get(9), isa.get(10), status, note)


def acknowledge(interchange: InterchangeSummary, separators: Separators) -> tuple[Segment | None,
                                                                                 list[FunctionalAck]]:
    """The TA1 (or None) and one 997 per functional group a 997 can name."""
    return ta1(interchange), [functional_ack(g, separators) for g in interchange.groups if answerable(g)]

"""Envelope checks, streamed: ISA/IEA, GS/GE and ST/SE nesting, counts and control numbers.

The walker turns a stream of segments into a stream of :class:`TransactionSet`
objects (one ST..SE at a time, so memory stays flat) and keeps a small summary of
every interchange, group and set, which is what the 997 and TA1 are built from.
Codes follow X12 (and pyx12, our reference): TA105 for the interchange, AK905 for
the group, AK502 for the set.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from edi.findings import Finding, Level, shorten
from edi.guide import FastLane, GuideValidator
from edi.reader import X12Reader
from edi.segments import Segment, Separators

#: X12 479 functional identifier -> transaction set (143) it groups.
FUNCTIONAL_IDS: dict[str, str] = {"GE": "814", "PT": "867", "IN": "810", "AG": "824", "FA": "997"}
VERSION = "004010"

_DIGITS = re.compile(r"^[0-9]+$")
_ISA_CODES: tuple[tuple[int, frozenset[str], str, str], ...] = (
    # element, allowed values, TA105 code, what it is
    (1, frozenset({"00", "03"}), "010", "authorization information qualifier"),
    (3, frozenset({"00", "01"}), "012", "security information qualifier"),
    (5, frozenset({"01", "14", "20", "27", "28", "29", "30", "33", "ZZ"}), "005", "sender ID qualifier"),
    (7, frozenset({"01", "14", "20", "27", "28", "29", "30", "33", "ZZ"}), "007", "receiver ID qualifier"),
    (11, frozenset({"U"}), "016", "interchange standards identifier"),
    (12, frozenset({"00401"}), "017", "interchange version"),
    (14, frozenset({"0", "1"}), "019", "acknowledgment requested"),
    (15, frozenset({"P", "T"}), "020", "usage indicator"),
)


@dataclass(slots=True)
class SetSummary:
    """One transaction set, as the 997 sees it.

    Kept for every set of a file until its 997 is built, so it is small: a clean set has no findings list
    (:meth:`add` makes one) and its ST01 is the one string all sets share (100,000 sets in one file).
    """

    st01: str
    st02: str
    position: int
    closed: bool = False
    found: list[Finding] | None = None  #: None until something is found (see :attr:`findings`)

    @property
    def findings(self) -> Sequence[Finding]:
        """What was found in the set; to file a finding, :meth:`add` it."""
        return self.found if self.found is not None else ()

    def add(self, finding: Finding) -> None:
        if self.found is None:
            self.found = []
        self.found.append(finding)

    @property
    def accepted(self) -> bool:
        return not self.found


@dataclass(slots=True)
class GroupSummary:
    gs: Segment
    position: int
    sets: list[SetSummary] = field(default_factory=list)  #: empty when the envelope keeps no sets (see Envelope)
    count: int = 0  #: sets in the group
    findings: list[Finding] = field(default_factory=list)
    ge: Segment | None = None

    @property
    def gs01(self) -> str:
        return self.gs.get(1)

    @property
    def gs06(self) -> str:
        return self.gs.get(6)

    @property
    def gs08(self) -> str:
        return self.gs.get(8)


_WHITESPACE = " \t\r\n"  #: what the reader skips between segments (edi.reader)


def _digest_input(seg: Segment) -> bytes:
    """A segment as its digest sees it: id and elements joined by GS (0x1D), ended by RS (0x1E)."""
    return ("\x1d".join((seg.id, *seg.elements)) + "\x1e").encode("utf-8", "surrogateescape")


def digest_text(text: str, separators: Separators) -> bytes:
    """:func:`_digest_input` of every segment in ``text``, complete segments as the reader splits them: the
    whitespace it skips between segments dropped, and with a newline terminator one CR before it."""
    out = []
    newline = separators.segment == "\n"
    for piece in text.split(separators.segment):
        piece = piece.lstrip(_WHITESPACE)
        if newline and piece.endswith("\r"):
            piece = piece[:-1]
        if piece:
            out.append(piece.replace(separators.element, "\x1d"))
    return ("\x1e".join(out) + "\x1e").encode("utf-8", "surrogateescape") if out else b""


@dataclass(slots=True)
class InterchangeSummary:
    isa: Segment
    separators: Separators
    position: int
    groups: list[GroupSummary] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    iea: Segment | None = None
    ta1s: list[Segment] = field(default_factory=list)  #: TA1s received in this interchange
    #: SHA-256 of the interchange's segments, whatever their separators and line breaks (``Envelope(digests=True)``)
    digest: str | None = None

    @property
    def isa13(self) -> str:
        return self.isa.get(13)

    @property
    def sender(self) -> tuple[str, str]:
        """(qualifier, id) of the sender, id without its padding."""
        return self.isa.get(5), self.isa.get(6).strip()

    @property
    def receiver(self) -> tuple[str, str]:
        return self.isa.get(7), self.isa.get(8).strip()


@dataclass(frozen=True, slots=True)
class TransactionSet:
    """One ST..SE with where it came from; the unit that is validated and processed.

    ``prevalidated``: the envelope's fast lane proved the set clean against the guide and the
    presence rules from its raw text, and ``segments`` holds only its ST and SE (see :class:`Envelope`).
    ``complete`` False: ``segments`` are the next piece of a set too long to hold (``Envelope(spill_at=…)``);
    the set's last piece, up to its SE, comes as complete.
    """

    segments: list[Segment]
    interchange: InterchangeSummary
    group: GroupSummary
    summary: SetSummary
    prevalidated: bool = False
    complete: bool = True

    @property
    def separators(self) -> Separators:
        return self.interchange.separators


class Envelope:
    """Walks a reader's segments; iterate it for the transaction sets.

    After iteration, :attr:`interchanges` holds the summaries and :attr:`findings`
    every envelope finding (also filed in the summary it belongs to), reader
    findings included.

    With ``guide`` (for a caller that validates every set against it and needs no more than the
    findings of a clean set), sets are first offered to the guide's fast lane
    (:class:`edi.guide.FastLane`): one the lane proves clean from the raw text is skipped by the
    reader without making a segment of its body, and comes out ``prevalidated`` with only its ST
    and SE. The envelope checks themselves are the same either way. Sets the lane does not know are
    read as usual, and once the caller has checked them, the clean ones teach the lane their shape.
    A reader subclass that overrides ``__iter__`` (to see every segment) turns the lane off.

    With ``digests``, each interchange's :attr:`InterchangeSummary.digest` is the SHA-256 of its segments
    (from its ISA up to the next ISA) as element lists: the same interchange re-sent with other separators
    or line breaks has the same digest (a batch's ingest ledger tells a re-send from new content by it).
    Sets the fast lane took are hashed from their raw text, split as the reader would split it
    (:func:`digest_text`), so the lane stays on.

    Without ``keep_sets``, groups count their sets but keep no summary of them (findings are kept all the
    same): for a caller that needs no 997, such as the check of an outbound file of 100,000 sets.

    With ``spill_at``, a set that reaches that many segments comes out in pieces (``complete`` False, then
    True for the piece with its SE), so that it is never held whole: for a caller that checks sets as they
    come (:func:`edi.validate.check_sets`), such as the check of a 997 answering 100,000 sets (one set of
    200,000 segments). Such a set teaches the fast lane nothing.
    """

    def __init__(self, reader: X12Reader, guide: GuideValidator | None = None, *, digests: bool = False,
                 keep_sets: bool = True, spill_at: int | None = None) -> None:
        self.reader = reader
        self._digests = digests
        self._keep_sets = keep_sets
        self._spill_at = spill_at
        self._spilled = 0  #: segments of the open set already given out in pieces
        self._digest: Any = None  #: the hash of the interchange being read (the last of :attr:`interchanges`)
        self._guide = guide if guide is not None and type(reader).__iter__ is X12Reader.__iter__ else None
        self._lanes: dict[int, FastLane | None] = {}  #: group position -> its lane
        self._lane_open = False  #: the open set was offered to the lane (see _lane_sets)
        self._lane_last = 0  #: position of the last SE the lane took
        self.file = reader.name
        self.interchanges: list[InterchangeSummary] = []
        self.findings: list[Finding] = []
        self._isa13s: set[str] = set()
        self._gs06s: set[str] = set()
        self._isa: InterchangeSummary | None = None
        self._group: GroupSummary | None = None
        self._set: list[Segment] | None = None
        self._set_summary: SetSummary | None = None
        self._st02s: set[str] = set()
        self._after_iea = False
        self._absorbed = 0

    # -- findings ---------------------------------------------------------------
    def _find(self, seg: Segment | None, position: int, rule: str, message: str, level: Level,
              element: int | None = None, value: str | None = None, ta1: str | None = None,
              ak9: str | None = None, ak5: str | None = None, segment_id: str | None = None,
              ak3: str | None = None) -> Finding:
        isa, grp, st = self._isa, self._group, self._set_summary
        if segment_id is None:
            segment_id = shorten(seg.id, 12) if seg else ""
        finding = Finding(
            self.file, position, segment_id, rule, message, level=level, element=element,
            value=shorten(value) if value is not None else None, ak3=ak3,
            isa13=isa.isa13 if isa else None,
            gs06=grp.gs06 if grp and level in (Level.GROUP, Level.TRANSACTION) else None,
            st02=st.st02 if st and level is Level.TRANSACTION else None,
            ta1=ta1, ak9=ak9, ak5=ak5,
            set_position=position - st.position + 1 if st and level is Level.TRANSACTION and position else None)
        self.findings.append(finding)
        if level is Level.TRANSACTION and st is not None:
            st.add(finding)
        elif level is Level.GROUP and grp is not None:
            grp.findings.append(finding)
        elif level in (Level.INTERCHANGE, Level.GROUP, Level.TRANSACTION) and isa is not None:
            isa.findings.append(finding)
        return finding

    # -- walking --------------------------------------------------------------------
    def __iter__(self) -> Iterator[TransactionSet]:
        last = 0
        reader = self.reader
        reader_findings = reader.findings
        digests = self._digests
        for seg in reader:
            if self._lane_open and reader.hooked is not None:  # the lane took the set and maybe more
                yield from self._lane_sets()
            last = seg.pos
            sid = seg.id
            if digests:
                self._hash(seg)
            if sid == "ISA":
                yield from self._close_all(seg.pos)
                self._open_isa(seg)
            elif self._set is not None and sid not in ("SE", "ST", "GE", "GS", "IEA"):
                self._set.append(seg)
                if self._spill_at is not None and len(self._set) >= self._spill_at:
                    yield self._spill()
            elif sid == "SE":
                if self._set is None:
                    self._stray(seg)
                else:
                    ts = self._close_set(seg)
                    yield ts
                    if self._guide is not None:
                        self._learn(ts)
            elif sid == "ST":
                if self._set is not None:
                    yield from self._close_set_missing(seg.pos)
                self._open_set(seg)
            elif sid == "GS":
                yield from self._open_group(seg)
            elif sid == "GE":
                yield from self._close_group(seg)
            elif sid == "IEA":
                yield from self._close_isa(seg)
            elif sid == "TA1" and self._isa is not None and self._group is None and not self._after_iea:
                self._isa.ta1s.append(seg)  # an interchange acknowledgment, between ISA and GS
            else:
                self._stray(seg)
            if len(reader_findings) > self._absorbed:
                self._absorb()
        if self._lane_open and reader.hooked is not None:
            yield from self._lane_sets()
            last = max(last, self._lane_last)
        self._absorb()
        yield from self._close_all(last + 1)
        self._end_digest()

    def _hash(self, seg: Segment) -> None:
        if seg.id == "ISA":
            self._end_digest()
            self._digest = hashlib.sha256()
        if self._digest is not None:  # nothing before the first ISA belongs to an interchange
            self._digest.update(_digest_input(seg))

    def _end_digest(self) -> None:
        if self._digest is not None:  # begun at an ISA, whose summary _open_isa added last
            self.interchanges[-1].digest = self._digest.hexdigest()
        self._digest = None

    def _lane_sets(self) -> Iterator[TransactionSet]:
        """The sets the fast lane took after the open set's ST: that set's SE, then whole sets, read
        from the text they were matched on. Positions follow from the segment counts."""
        hooked, self.reader.hooked = self.reader.hooked, None
        self._lane_open = False
        assert hooked is not None and self._set is not None
        (index, _, sets), buf, start = hooked
        assert self._isa is not None
        element, terminator = self._isa.separators.element, self._isa.separators.segment
        if self._digest is not None:
            self._digest.update(digest_text(buf[start:index], self._isa.separators))
        pos = self._set[0].pos
        new = tuple.__new__
        cr = terminator == "\n"  # the reader drops a CR before a newline terminator
        for k, (st, se, stop, body) in enumerate(sets):
            if k:
                text = buf[st:buf.index(terminator, st)]
                sid, _, rest = (text[:-1] if cr and text.endswith("\r") else text).partition(element)
                self._open_set(new(Segment, (sid, tuple(rest.split(element)), pos)), hook=False)
            pos += body + 1
            text = buf[se:stop - 1]
            sid, _, rest = (text[:-1] if cr and text.endswith("\r") else text).partition(element)
            self._lane_last = pos
            yield self._close_set(new(Segment, (sid, tuple(rest.split(element)), pos)), body)
            pos += 1

    def _absorb(self) -> None:
        """File the reader's findings where they occurred, with their envelope context."""
        for finding in self.reader.findings[self._absorbed:]:
            self._find(None, finding.position, finding.rule, finding.message, finding.level,
                       element=finding.element, value=finding.value, ta1=finding.ta1,
                       segment_id=finding.segment_id, ak3=finding.ak3)
        self._absorbed = len(self.reader.findings)

    def _stray(self, seg: Segment) -> None:
        if self._after_iea or self._isa is None:
            self._find(seg, seg.pos, "envelope.outside-interchange",
                       "data after the IEA or before the ISA is not part of any interchange",
                       Level.FILE, value=seg.id, ta1="024")
        else:
            self._find(seg, seg.pos, "envelope.outside-transaction",
                       f"segment {shorten(seg.id, 10)} is outside any transaction set",
                       Level.INTERCHANGE, ta1="024")

    def _open_isa(self, seg: Segment) -> None:
        assert self.reader.separators is not None  # the reader set them before yielding ISA
        self._isa = InterchangeSummary(seg, self.reader.separators, seg.pos)
        self.interchanges.append(self._isa)
        self._after_iea = False
        for n, allowed, code, what in _ISA_CODES:
            if seg.get(n) not in allowed:
                self._find(seg, seg.pos, "envelope.isa-code", f"ISA{n:02d} {what} {seg.get(n)!r} is not valid",
                           Level.INTERCHANGE, element=n, value=seg.get(n), ta1=code)
        isa13 = seg.get(13)
        if not (_DIGITS.match(isa13) and len(isa13) == 9):
            self._find(seg, seg.pos, "envelope.isa13-syntax", "ISA13 must be a 9-digit control number",
                       Level.INTERCHANGE, element=13, value=isa13, ta1="018")
        if not _is_date(seg.get(9), short=True):
            self._find(seg, seg.pos, "envelope.isa-date", "ISA09 is not a valid YYMMDD date",
                       Level.INTERCHANGE, element=9, value=seg.get(9), ta1="014")
        if not _is_time(seg.get(10)):
            self._find(seg, seg.pos, "envelope.isa-time", "ISA10 is not a valid HHMM time",
                       Level.INTERCHANGE, element=10, value=seg.get(10), ta1="015")
        if isa13 in self._isa13s:
            self._find(seg, seg.pos, "envelope.isa13-duplicate",
                       f"ISA13 {isa13} is used by another interchange in this file",
                       Level.INTERCHANGE, element=13, value=isa13, ta1="025")
        self._isa13s.add(isa13)

    def _open_group(self, seg: Segment) -> Iterator[TransactionSet]:
        yield from self._close_set_missing(seg.pos)
        yield from self._close_group_missing(seg.pos)
        if self._isa is None or self._after_iea:
            self._stray(seg)
            return
        group = GroupSummary(seg, seg.pos)
        self._group = group
        self._isa.groups.append(group)
        self._st02s = set()
        gs06 = seg.get(6)
        if not (_DIGITS.match(gs06) and len(gs06) <= 9):
            self._find(seg, seg.pos, "envelope.gs06-syntax", "GS06 must be a number of 1 to 9 digits",
                       Level.GROUP, element=6, value=gs06, ak9="6")
        elif gs06 in self._gs06s:
            self._find(seg, seg.pos, "envelope.gs06-duplicate",
                       f"GS06 {gs06} is used by another functional group in this file",
                       Level.GROUP, element=6, value=gs06, ak9="6")
        self._gs06s.add(gs06)
        if seg.get(1) not in FUNCTIONAL_IDS:
            self._find(seg, seg.pos, "envelope.gs01-unsupported",
                       f"functional group {seg.get(1)!r} is not one we exchange", Level.GROUP,
                       element=1, value=seg.get(1), ak9="1")
        if seg.get(8) != VERSION:
            self._find(seg, seg.pos, "envelope.gs08-version", f"GS08 must be {VERSION}", Level.GROUP,
                       element=8, value=seg.get(8), ak9="2")

    def _open_set(self, seg: Segment, hook: bool = True) -> None:
        group = self._group
        if group is None:
            self._stray(seg)
            return
        els = seg.elements
        st01 = els[0] if els else ""
        st02 = els[1] if len(els) > 1 else ""
        summary = SetSummary(sys.intern(st01), st02, seg.pos)
        group.count += 1
        if self._keep_sets:
            group.sets.append(summary)
        self._set_summary = summary
        self._set = [seg]
        self._spilled = 0
        expected = FUNCTIONAL_IDS.get(group.gs01)
        if expected is not None and st01 != expected:
            self._find(seg, seg.pos, "envelope.st01-gs01",
                       f"ST01 {st01!r} does not belong in a GS01 {group.gs01} group (expects {expected})",
                       Level.TRANSACTION, element=1, value=st01, ak5="6")
        if not 4 <= len(st02) <= 9:
            self._find(seg, seg.pos, "envelope.st02-syntax", "ST02 must be 4 to 9 characters",
                       Level.TRANSACTION, element=2, value=st02, ak5="7")
        if st02 in self._st02s:
            self._find(seg, seg.pos, "envelope.st02-duplicate",
                       f"ST02 {st02} is used by another transaction set in this group",
                       Level.TRANSACTION, element=2, value=st02, ak5="23")
        self._st02s.add(st02)
        if hook and self._guide is not None and not summary.findings:
            if group.position in self._lanes:
                lane = self._lanes[group.position]
            else:
                lane = self._lanes[group.position] = self._group_lane(group)
            if lane is not None and lane.shapes:
                self.reader.hook = lane.match
                self.reader.hooked = None
                self._lane_open = True

    def _group_lane(self, group: GroupSummary) -> FastLane | None:
        if self._guide is None or self._isa is None:
            return None
        return self._guide.lane(group.gs01, group.gs08, self._isa.separators)

    def _spill(self) -> TransactionSet:
        """The open set's segments so far, as a piece of it; the set goes on with none held."""
        assert self._set is not None and self._set_summary is not None
        assert self._isa is not None and self._group is not None
        piece, self._set = self._set, []
        self._spilled += len(piece)
        return TransactionSet(piece, self._isa, self._group, self._set_summary, complete=False)

    def _close_set(self, seg: Segment, skipped: int = -1) -> TransactionSet:
        """``skipped``: the body segments the fast lane took (-1: it did not take the set)."""
        assert self._set is not None and self._set_summary is not None
        self._set.append(seg)
        summary = self._set_summary
        count = len(self._set) + max(skipped, 0) + self._spilled
        els = seg.elements
        se01 = els[0] if els else ""
        se02 = els[1] if len(els) > 1 else ""
        if se02 != summary.st02:
            self._find(seg, seg.pos, "envelope.se02-st02",
                       f"SE02 {se02!r} does not match ST02 {summary.st02!r}",
                       Level.TRANSACTION, element=2, value=se02, ak5="3")
        if se01 != str(count):
            self._find(seg, seg.pos, "envelope.se01-count",
                       f"SE01 says {se01!r} segments, the set has {count}",
                       Level.TRANSACTION, element=1, value=se01, ak5="4")
        summary.closed = True
        return self._transaction_set(prevalidated=skipped >= 0)

    def _close_set_missing(self, position: int) -> Iterator[TransactionSet]:
        if self._set is None or self._set_summary is None:
            return
        self._find(None, position, "envelope.se-missing",
                   f"transaction set {self._set_summary.st02} has no SE trailer",
                   Level.TRANSACTION, ak5="2", segment_id="SE")
        yield self._transaction_set(prevalidated=False)

    def _transaction_set(self, prevalidated: bool) -> TransactionSet:
        assert self._set is not None and self._set_summary is not None
        assert self._isa is not None and self._group is not None
        ts = TransactionSet(self._set, self._isa, self._group, self._set_summary, prevalidated)
        self._set = None
        self._set_summary = None
        return ts

    def _learn(self, ts: TransactionSet) -> None:
        """After the caller has seen a set the lane did not take: if nothing was found in it, the lane
        learns its shape (and checks it again itself: it does not rely on the caller)."""
        summary = ts.summary
        if not ts.prevalidated and summary.closed and not summary.findings and not self._spilled:
            lane = self._lanes.get(ts.group.position) or self._group_lane(ts.group)
            if lane is not None:
                lane.learn(ts.segments)

    def _close_group(self, seg: Segment) -> Iterator[TransactionSet]:
        yield from self._close_set_missing(seg.pos)
        group = self._group
        if group is None:
            self._stray(seg)
            return
        group.ge = seg
        if seg.get(2) != group.gs06:
            self._find(seg, seg.pos, "envelope.ge02-gs06",
                       f"GE02 {seg.get(2)!r} does not match GS06 {group.gs06!r}",
                       Level.GROUP, element=2, value=seg.get(2), ak9="4")
        if seg.get(1) != str(group.count):
            self._find(seg, seg.pos, "envelope.ge01-count",
                       f"GE01 says {seg.get(1)!r} transaction sets, the group has {group.count}",
                       Level.GROUP, element=1, value=seg.get(1), ak9="5")
        self._group = None

    def _close_group_missing(self, position: int) -> Iterator[TransactionSet]:
        yield from self._close_set_missing(position)
        if self._group is not None:
            self._find(None, position, "envelope.ge-missing",
                       f"functional group {self._group.gs06} has no GE trailer", Level.GROUP, ak9="3",
                       segment_id="GE")
            self._group = None

    def _close_isa(self, seg: Segment) -> Iterator[TransactionSet]:
        yield from self._close_group_missing(seg.pos)
        isa = self._isa
        if isa is None or self._after_iea:
            self._stray(seg)
            return
        isa.iea = seg
        if seg.get(2) != isa.isa13:
            self._find(seg, seg.pos, "envelope.iea02-isa13",
                       f"IEA02 {seg.get(2)!r} does not match ISA13 {isa.isa13!r}",
                       Level.INTERCHANGE, element=2, value=seg.get(2), ta1="001")
        if seg.get(1) != str(len(isa.groups)):
            self._find(seg, seg.pos, "envelope.iea01-count",
                       f"IEA01 says {seg.get(1)!r} functional groups, the interchange has {len(isa.groups)}",
                       Level.INTERCHANGE, element=1, value=seg.get(1), ta1="021")
        self._after_iea = True

    def _close_all(self, position: int) -> Iterator[TransactionSet]:
        yield from self._close_group_missing(position)
        if self._isa is not None and not self._after_iea:
            self._find(None, position, "envelope.iea-missing",
                       f"interchange {self._isa.isa13} has no IEA trailer (file truncated?)",
                       Level.INTERCHANGE, ta1="023", segment_id="IEA")
            self._after_iea = True


def _is_date(value: str, short: bool = False) -> bool:
    """CCYYMMDD, or YYMMDD when ``short``; calendar-checked."""
    import datetime as dt

    fmt = "%y%m%d" if short else "%Y%m%d"
    if len(value) != (6 if short else 8) or not value.isdigit():
        return False
    try:
        dt.datetime.strptime(value, fmt)
    except ValueError:
        return False
    return True


def _is_time(value: str) -> bool:
    """HHMM with an optional SS and decimal seconds, as X12 TM."""
    if not value.isdigit() or len(value) not in (4, 6, 7, 8):
        return False
    hh, mm = int(value[:2]), int(value[2:4])
    ss = int(value[4:6]) if len(value) >= 6 else 0
    return hh < 24 and mm < 60 and ss < 60

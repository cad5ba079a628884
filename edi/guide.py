"""Validate transaction sets against our pyx12 maps, fast, finding what pyx12 finds.

pyx12 validates at ~0.3 MB/s because, for every segment, it walks its map tree, allocates path
objects and error nodes, and re-derives element rules. We read the same maps once
(:mod:`edi.guide_compile`) and derive per-(node, segment) *plans* lazily; then a segment costs two
dict lookups to find its plan, a few list operations for the counts, and an element check that is
memoised on the segment's exact elements or, failing that, proved clean by one compiled regex
(pyx12's ordered checks only run for segments that have a problem).

Speed, one shared core, a generated 50,000-segment 867 interval file (1.1 MB; throwaway script),
segments per second, "cold" = first file of a process, "warm" = after another file:

====================================  ===========  ==================  ==================
867 file and map                      pyx12        ours, cold          ours, warm
====================================  ===========  ==================  ==================
example map, reads repeat             12,800       1,450,000 (114x)    1,780,000 (139x)
Illinois map, ~1,500 distinct reads   9,700        1,030,000 (106x)    1,400,000 (145x)
Illinois map, every read unique       9,550        696,000 (73x)       779,000 (82x)
====================================  ===========  ==================  ==================

The last row is the worst case (large C&I meters, 3-decimal kWh that never repeat): each QTY then
needs its regex proof (~0.5 us) on top of the ~0.55 us walk step. ``tests/edi/test_guide_vs_pyx12.py``
proves the findings are pyx12's, and lists the few places where ours are deliberately more precise.

That walk is the *exact path*. In front of it, :class:`FastLane` proves whole sets clean with one
regex match on their raw text (shapes learned from sets the exact path found clean; see there), so
that with :func:`edi.validate.validate_stream` a clean 50 MB 867 validates in well under a second of
CPU (~300x pyx12, ``bench/results.md``); a set the lane does not take goes the exact way, and
``tests/edi/test_fast_lane.py`` proves both ways find the same.

What is reported, per segment of one ST..SE set (AK3 / AK4 codes as pyx12 uses them):

* AK3 1 segment not found (no map node reachable from where the walker stands; it stays there),
  2 segment/loop marked not used, 3 mandatory segment/loop missing (reported at the segment being
  read when the walker notices, with the missing segment's id), 4 loop over max, 5 segment over
  max use, 8 segment has element errors;
* AK4 1..10 per element (mandatory missing, syntax P/R/C/L, too many, too short/long, invalid
  character, invalid code/regex, invalid date/time, not used / exclusion E).

Envelope counts and control numbers (SE01, SE02 = ST02, GE/IEA) are :mod:`edi.envelope`'s job.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from edi.findings import Finding, Level, shorten
from edi.guide_compile import (
    BY_FIRST,
    BY_NOTHING,
    ENTER,
    NOT_FOUND,
    SEG,
    Check,
    CompiledMap,
    ElementSpec,
    MapError,
    Plan,
    Problem,
    SegProblem,
    child_srcs,
    compile_map,
    load_codes,
    load_dataele,
    load_index,
    segment_src,
)
from edi.presence import REQUIRED, check_presence
from edi.reader import MORE
from edi.segments import Segment, Separators

__all__ = ["SEGMENT_LEVEL_RULES", "FastLane", "GuideValidator", "MapError"]

ICVN: Final = "00401"

#: rules pyx12 reports as a bare AK3 8 (no element): ours add the AK4 code and element position
SEGMENT_LEVEL_RULES: Final = frozenset({
    "map.element-too-many", "map.element-conditional", "map.element-exclusion",
    "map.composite-missing", "map.composite-not-used",
})
#: AK5 code for an element error in the set's own header/trailer
_AK5_ST_SE: Final = {("ST", 1): "6", ("ST", 2): "7", ("SE", 1): "4", ("SE", 2): "7"}
_SEG_ID: Final = re.compile(r"^[A-Z][A-Z0-9]{1,2}$")
_MEMO_LIMIT: Final = 8_192

Item = Problem | SegProblem


@dataclass(frozen=True, slots=True)
class GuideValidator:
    """The compiled maps of one map directory, keyed by (GS08, GS01) for ISA12 00401."""

    map_dir: str
    guides: Mapping[tuple[str, str], CompiledMap]

    @classmethod
    def from_map_dir(cls, path: str | os.PathLike[str]) -> GuideValidator:
        """Compile ``path`` once; later calls reuse it until a file in it changes."""
        real = os.path.realpath(path)
        return _load(real, _stamps(real))

    def validate(
        self,
        gs01: str,
        gs08: str,
        segments: Sequence[Segment],
        component_separator: str,
        *,
        file: str = "",
    ) -> list[Finding]:
        """Findings for one transaction set (``segments`` = ST..SE, file positions in ``.pos``)."""
        return self.walk(gs01, gs08, segments[0] if segments else None, component_separator, file=file).feed(segments)

    def walk(self, gs01: str, gs08: str, st: Segment | None, component_separator: str, *, file: str = "") -> SetWalk:
        """The check of one transaction set, fed its segments (from ``st``) in pieces: a set too long to hold
        whole is checked as it is read (:class:`edi.envelope.Envelope`'s ``spill_at``)."""
        return SetWalk(self, gs01, gs08, st, component_separator, file)

    def lane(self, gs01: str, gs08: str, separators: Separators) -> FastLane | None:
        """The fast lane for sets of this group and separators (None: no map, or separators it cannot use)."""
        guide = self.guides.get((gs08, gs01))
        if guide is None:
            return None
        key = (separators.element, separators.component, separators.segment)
        lane = guide.lanes.get(key)
        if lane is None:
            lane = guide.lanes[key] = FastLane(guide, *key)
        assert isinstance(lane, FastLane)
        return lane if lane.usable else None


class SetWalk:
    """What :meth:`GuideValidator.validate` does for one set, in pieces: :meth:`feed` the set's segments in
    order, as many times as it takes; each call returns the findings so far."""

    __slots__ = ("_found", "_run")

    def __init__(self, validator: GuideValidator, gs01: str, gs08: str, st: Segment | None, component: str,
                 file: str) -> None:
        st02 = st.get(2) if st is not None and st.id == "ST" else None
        guide = validator.guides.get((gs08, gs01))
        self._run = None if guide is None else _Run(guide, component, file, st02)
        self._found: list[Finding] = []
        if guide is None:
            msg = f"No map for GS08 {gs08!r} / GS01 {gs01!r}: transaction set not supported"
            self._found = [Finding(file, st.pos if st is not None else 0, "ST", "map.transaction-set-not-supported",
                                   msg, set_position=1, st02=st02, ak5="1")]

    def feed(self, segments: Iterable[Segment]) -> list[Finding]:
        return self._found if self._run is None else self._run.walk(segments)


class _Run:
    """One walk over one transaction set: counts, the current node, and the findings so far. A set may be
    walked in pieces, each :meth:`walk` going on where the last one stopped."""

    __slots__ = ("counts", "done", "file", "guide", "n", "node", "out", "sep", "st02")

    def __init__(self, guide: CompiledMap, sep: str, file: str, st02: str | None) -> None:
        self.guide, self.sep, self.file, self.st02 = guide, sep, file, st02
        self.out: list[Finding] = []
        self.counts = [0] * guide.n_counters
        for k, start_count in guide.initial.items():
            self.counts[k] = start_count
        self.node = guide.start
        self.n = 0  #: segments walked
        self.done = False  #: the ST was not this map's: nothing more to check

    def walk(self, segments: Iterable[Segment], trace: list[tuple[int, Plan] | None] | None = None) -> list[Finding]:
        """The findings of the set so far, after ``segments`` (the set's next ones); with ``trace``, also each
        segment's (node before, plan), None when the segment was not placed (for :class:`FastLane`)."""
        if self.done:
            return self.out
        guide, sep = self.guide, self.sep
        counts, node, n = self.counts, self.node, self.n
        specs = guide.specs
        memos = guide.memos(sep)
        rows = guide.rows(sep)
        for seg in segments:
            sid, els, _ = seg
            n += 1
            # 1. which plan: by segment id, then (usually) by the raw value of element 01
            _, fixed, table = rows[node].get(sid) or guide.entry(node, sid, sep)
            if table is not None:
                plan = table.get(els[0] if els else None) or guide.lookup(node, sid, els, sep)
            else:
                plan = fixed or guide.lookup(node, sid, els, sep)
            kind, target, checks, counter, first_counter, max_use, usage_n, resets, loop, watch = plan
            # 2. replay it against the counts (checks look at counts before this segment changes them)
            missing = None
            for w in watch:
                if counts[w] < 1:
                    missing = [m for m in checks if counts[m.counter] < 1]
                    break
            if kind == SEG:
                cnt = counts[counter] = counts[counter] + 1
                if cnt > max_use or usage_n:
                    if usage_n:
                        self._seg(seg, n, "2", "map.segment-not-used", f"Segment {sid} is marked as not used", loop)
                    else:
                        self._seg(seg, n, "5", "map.segment-max",
                                  f"Segment {sid} exceeds its maximum use: {cnt} > {max_use}", loop)
                if missing:
                    self._missing(seg, n, missing)
            elif kind == ENTER:
                if usage_n:
                    self._seg(seg, n, "2", "map.segment-not-used", f"Loop {loop} is marked as not used", loop)
                else:
                    for r in resets:
                        counts[r] = 0
                    cnt = counts[counter] = counts[counter] + 1
                    if cnt > max_use:
                        self._seg(seg, n, "4", "map.loop-max",
                                  f"Loop {loop} exceeds its maximum repeat: {cnt} > {max_use}", loop)
                counts[first_counter] += 1
                if missing:
                    self._missing(seg, n, missing)
            elif kind == NOT_FOUND:
                if n == 1 and sid == "ST":
                    self.out, self.done = [self._st_mismatch(seg)], True
                    return self.out
                self._seg(seg, n, "1", "map.segment-not-found",
                          f"Segment {sid}*{shorten(seg.get(1), 20)} not found in the map here", loop)
                self._items(seg, n, _reader_items(sid, els, sep), loop)
                if trace is not None:
                    trace.append(None)
                continue
            else:  # LOST: pyx12 matched a loop but found no segment in it; it reports nothing
                if trace is not None:
                    trace.append(None)
                continue
            if trace is not None:
                trace.append((node, plan))
            node = target
            # 3. the elements, memoised on their exact text
            memo = memos[node]
            items = memo.get(els)
            if items is None:
                if len(memo) > _MEMO_LIMIT:
                    memo.clear()
                spec = specs[node]
                items = () if spec.clean(els, sep) else spec.problems(els, sep)
                if not els or not els[-1]:  # only then can the segment be empty or end in a separator
                    items = _reader_items(sid, els, sep) + items
                memo[els] = items
            if items:
                self._items(seg, n, items, specs[node].loop)
        self.node, self.n = node, n
        return self.out

    # ---- findings

    def _seg(self, seg: Segment, n: int, ak3: str, rule: str, msg: str, loop: str) -> None:
        self.out.append(Finding(self.file, seg.pos, seg.id, rule, msg, set_position=n, loop=loop or None,
                                st02=self.st02, ak3=ak3))

    def _missing(self, seg: Segment, n: int, missing: list[Check]) -> None:
        for c in missing:
            self.out.append(Finding(self.file, seg.pos, c.seg_id, "map.segment-missing", c.message,
                                    set_position=n, loop=c.loop or None, st02=self.st02, ak3="3"))

    def _items(self, seg: Segment, n: int, items: Sequence[Item], loop: str) -> None:
        envelope = seg.id in ("ST", "SE")
        for it in items:
            if isinstance(it, SegProblem):
                self.out.append(Finding(self.file, seg.pos, seg.id, it.rule, it.message, set_position=n,
                                        loop=loop or None, st02=self.st02, ak3=it.ak3))
                continue
            self.out.append(Finding(
                self.file, seg.pos, seg.id, it.rule, it.message, Level.TRANSACTION,
                element=it.element, component=it.component,
                value=shorten(it.value) if it.value is not None else None, data_ele=it.data_ele,
                loop=loop or None, set_position=n, st02=self.st02,
                ak3=None if envelope else "8", ak4=it.ak4,
                ak5=_AK5_ST_SE.get((seg.id, it.element or 0), "5") if envelope else None,
            ))

    def _st_mismatch(self, seg: Segment) -> Finding:
        msg = f"ST01 {seg.get(1)!r} is not a transaction set of this functional group's map ({self.guide.name})"
        return Finding(self.file, seg.pos, "ST", "map.transaction-set-not-supported", msg, element=1,
                       value=shorten(seg.get(1)), set_position=1, st02=self.st02, ak5="1")


# --------------------------------------------------------------------------- the fast lane

_WS: Final = " \t\r\n"  #: what the reader skips between segments
_MAX_SHAPES: Final = 32  #: shapes kept (and tried) per lane, most recently matched first
_MAX_SEEN: Final = 512  #: shape sources remembered before their second sighting
_MAX_LEARN: Final = 200_000  #: longer sets are not learned (compiling their shape costs more than it saves)
_MAX_TOKENS: Final = 3_000  #: nor are sets that do not compress to fewer distinct steps than this
_MAX_PERIOD: Final = 12  #: longest repeated run of steps looked for
_MISS_LIMIT: Final = 256  #: after this many sets learned in vain in a row, learn only one set in _SAMPLE
_SAMPLE: Final = 16
_RUN: Final = 4096  #: most sets one call of the hook takes

#: what :meth:`FastLane.match` returns: (index after the last SE, segments consumed, each set's
#: (ST start, SE start, end, body segments))
LaneRun = tuple[int, int, list[tuple[int, int, int, int]]]


class FastLane:
    """Whole transaction sets proved clean by one regular-expression match on the raw text.

    The exact walk (:class:`_Run`) stays the definition. A lane *learns* from sets the exact walk
    found clean: their sequence of steps (segment id, the value its plan was chosen on, the node it
    landed on) becomes a *shape*, a regex over the raw text in which each segment's elements are held
    to the pattern that proves them clean (:func:`edi.guide_compile.segment_src`, the one
    :meth:`SegmentSpec.clean` uses, with the separators excluded from every value). Runs of repeated
    steps (interval QTY/DTM pairs, repeated meter loops) become possessive repetitions, but only where
    the walk's counters prove that one more repetition changes nothing: the state after the first and
    after the second repetition agree on every counter, except counters that are compared only with an
    unlimited maximum, and those are at least 1 in both. Since every set starts from the same counters,
    a set that matches a shape walks exactly like the set it was learned from: same plans, no
    "missing" or "over max" checks firing, elements clean, the presence rules met; it has no finding.

    A set that matches no shape takes the exact path, so a lane can only make validation faster,
    never different. ``tests/edi/test_fast_lane.py`` checks that over the corpus and its mutants.

    Costs: learning a set costs about one more exact walk, compiling a shape ~1.5 ms per KB of
    pattern, so a shape is compiled the second time a set of that shape is learned, and a lane whose
    sets never repeat soon learns only one set in :data:`_SAMPLE`.
    """

    def __init__(self, guide: CompiledMap, element: str, component: str, terminator: str) -> None:
        self.guide = guide
        self.element, self.component, self.terminator = element, component, terminator
        seps = element + component + terminator
        #: separators the reader might skip or mistake for data are left to the exact path
        unusable = _WS + "\x00"
        self.usable = (not any(c in unusable or c.isalnum() for c in element + component)
                       and (terminator == "\n" or not (terminator in unusable or terminator.isalnum()))
                       and len(set(seps)) == 3)
        #: how a segment ends: the terminator; with a newline terminator the reader also drops one CR before it
        self._end = "\r?\n" if terminator == "\n" else re.escape(terminator)
        #: the characters that end a value (never part of one)
        self._ends = element + terminator + ("\r" if terminator == "\n" else "")
        self.shapes: list[_Shape] = []  #: most recently matched or learned first
        #: shape sources learned: their compiled shape, or None when seen once (or not compilable)
        self.known: dict[str, _Shape | None] = {}
        self.misses = 0  #: sets learned in a row without a shape to show for it
        # between segments: what the reader skips; with a newline terminator, no blank lines (they would
        # not be segments, and segments are counted by their terminators)
        self._ws = "[ \t]*" if terminator == "\n" else "[" + re.escape(_WS) + "]*"
        self._se_ahead = re.compile(re.escape(terminator) + self._ws + "SE(?=[" + re.escape(element + terminator)
                                    + "])")
        self._next_st = re.compile(self._ws + "ST" + re.escape(element))
        self._bodies: dict[int, list[str] | None] = {}
        self._tokens: dict[tuple[int, str, Hashable, tuple[bool, ...] | None], str] = {}
        st = guide.st_codes or frozenset()
        self._pinned = frozenset(sid for code in st if code for sid, _, _ in REQUIRED.get(code, ()))

    # ---- matching

    def match(self, buf: str, start: int, end: int, final: bool) -> LaneRun | None:
        """The reader's hook (:data:`edi.reader.Hook`) after an ST at ``buf[start]``.

        When a shape proves the set clean, the sets right after it are tried too, so that a run of
        them costs one call. Returns ``(index after the last SE, segments consumed, sets)`` where each
        of ``sets`` is ``(ST start, SE start, end, body segments)`` (the first set's ST was read
        already); :data:`edi.reader.MORE` to see more of the set first; None when no shape fits it.
        """
        shapes = self.shapes
        if not shapes:
            return None
        terminator, count = self.terminator, buf.count
        sets: list[tuple[int, int, int, int]] = []
        at = start
        while len(sets) < _RUN:
            for shape in shapes:
                m = shape.pattern.match(buf, at)
                if m is not None:
                    break
            else:
                break
            shape.hits += 1
            if shape is not shapes[0]:
                shapes = self.shapes = [shape, *(s for s in shapes if s is not shape)]
            se, stop = m.start("se"), m.end()
            sets.append((at, se, stop, count(terminator, at, se) - 1))
            nxt = self._next_st.match(buf, stop)
            if nxt is None:
                break
            at = nxt.end() - 2 - len(self.element)
        if not sets:
            if not final and self._se_ahead.search(buf, start) is None:
                return _MORE
            return None
        consumed = sum(n + 2 for _, _, _, n in sets) - 1  # every ST and SE but the first ST
        return sets[-1][2], consumed, sets

    # ---- learning

    def learn(self, segments: Sequence[Segment]) -> bool:
        """Learn the shape of ``segments`` (one ST..SE as read) if the exact walk finds it clean; True
        when a new shape was added."""
        if not 2 <= len(segments) <= _MAX_LEARN or segments[-1].id != "SE":
            return False
        self.misses += 1
        if self.misses > _MISS_LIMIT and self.misses % _SAMPLE:
            return False
        trace: list[tuple[int, Plan] | None] = []
        if _Run(self.guide, self.component, "", None).walk(segments, trace) or check_presence(segments):
            return False
        steps: list[tuple[int, Plan]] = []
        keys: list[str] = []
        for seg, step in zip(segments, trace, strict=True):
            if step is None:
                return False
            steps.append(step)
            keys.append(self._token(step[0], step[1], seg))
        source = self._compress(keys, steps)
        if source is None:
            return False
        if source not in self.known:  # the first of its shape: compiled only if another one comes
            if len(self.known) >= _MAX_SEEN:
                del self.known[next(iter(self.known))]
            self.known[source] = None
            return False
        shape = self.known[source]
        if shape is _BROKEN:
            return False
        if shape is None:
            try:
                shape = _Shape(re.compile(source, re.ASCII | re.S))
            except (re.error, RecursionError, OverflowError):
                self.known[source] = _BROKEN
                return False
            self.known[source] = shape
        self.shapes = [shape, *(s for s in self.shapes if s is not shape)][:_MAX_SHAPES]
        self.misses = 0
        return True

    def _token(self, node: int, plan: Plan, seg: Segment) -> str:
        """The pattern of one step: the segment id, the values its plan is chosen on, its elements."""
        sid, els = seg.id, seg.elements
        spec = self.guide.specs[plan.target]
        presence = tuple(bool(e.rstrip(self.component)) for e in els) if spec.syntax else None
        pin: Hashable = None  # None: nothing to pin; ("codes", (code, ...)); ("literal", text)
        mode = self.guide.entry(node, sid, self.component)[0]
        if mode == BY_FIRST and els and sid not in self._pinned:
            pin = ("codes", self._same_plan(node, sid, plan))
        elif mode == BY_FIRST and els:
            pin = ("codes", (els[0],))
        elif mode != BY_NOTHING:
            pin = ("literal", self.element.join((sid, *els)))
        key = (node, sid, pin, presence)
        token = self._tokens.get(key)
        if token is None:
            token = self._tokens[key] = self._build_token(node, plan, seg, spec.index, pin, presence)
        return token

    def _same_plan(self, node: int, sid: str, plan: Plan) -> tuple[str, ...]:
        """The codes of the element ``sid`` is matched on that lead to the same plan at ``node``."""
        codes = self.guide.discriminators[sid][0][2]
        return tuple(sorted((c for c in codes if c and self.guide.plan(node, sid, c) == plan),
                            key=lambda c: (-len(c), c)))

    def _build_token(self, node: int, plan: Plan, seg: Segment, index: int, pin: Hashable,
                     presence: tuple[bool, ...] | None) -> str:
        """The general pattern of a step when one can be had, else the segment's own text (which is
        clean where it stands, but only matches itself). Either way it matches the segment it came from."""
        text = self.element.join((seg.id, *seg.elements)) + self.terminator
        literal = re.escape(text[:-1]) + self._end
        token = self._general_token(node, plan, seg, index, pin, presence)
        if token is None:
            return literal
        try:
            if re.fullmatch(token, text, re.ASCII | re.S) is None:
                return literal
        except re.error:
            return literal
        return token

    def _general_token(self, node: int, plan: Plan, seg: Segment, index: int, pin: Hashable,
                       presence: tuple[bool, ...] | None) -> str | None:
        e, c = self.element, self.component
        sid, els = seg.id, seg.elements
        ends = self._ends
        x = re.escape(ends)
        head = re.escape(sid)
        if isinstance(pin, tuple):
            kind, values = pin
            if kind != "codes" or not els or els[0] not in values:
                return None
            for v in values:  # the plan is chosen on the value as the walker normalises it
                if self.guide.signature(sid, (v,), c) != v or self.guide.plan(node, sid, v) != plan:
                    return None
            head += f"(?={re.escape(e)}(?:{'|'.join(re.escape(v) for v in values)})[{x}])"
        spec = self.guide.specs[index]
        if presence is None:
            body = segment_src(spec, c, e, ends)
            if body is None:
                return None
            return f"{head}{re.escape(e)}(?:{body})(?<!{re.escape(e)}){self._end}"
        if index not in self._bodies:
            self._bodies[index] = child_srcs(spec, c, ends)
        srcs = self._bodies[index]
        if srcs is None or len(els) > len(srcs) or not presence or not presence[-1]:
            return None
        parts = []
        for value, present, src, kid in zip(els, presence, srcs, spec.children, strict=False):
            if present and src and isinstance(kid, ElementSpec):  # never empty, never a separator
                parts.append(f"(?:{src})")
            elif present:
                parts.append(f"(?=[^{x}]*[^{x}{re.escape(c)}])(?:{src})")
            elif value:
                return None  # only component separators: leave it to the exact words
            else:
                parts.append("")
        return head + "".join(re.escape(e) + p for p in parts) + self._end

    def _compress(self, keys: list[str], steps: list[tuple[int, Plan]]) -> str | None:
        """The shape's source: the steps in order, repeated runs folded where the walk provably cycles.

        A run of steps repeated (same start node, same pattern, so the same plans) is folded into a
        possessive repetition when the counters after its first and its second time agree (see the
        class docstring): then any number of times walks alike, and so does what follows.
        """
        guide = self.guide
        counts = [0] * guide.n_counters
        for k, v in guide.initial.items():
            counts[k] = v
        states = [tuple(counts)]
        for _, plan in steps:
            if plan.kind == SEG:
                counts[plan.counter] += 1
            else:
                for r in plan.resets:
                    counts[r] = 0
                counts[plan.counter] += 1
                counts[plan.first_counter] += 1
            states.append(tuple(counts))
        unbounded = guide.unbounded

        def same(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
            return a == b or all(x == y or (x >= 1 and y >= 1 and i in unbounded)
                                 for i, (x, y) in enumerate(zip(a, b, strict=True)))

        ws = self._ws
        # (identity, source, first step, step after) per element; the ST opens, the SE closes. A step's
        # identity includes the node it starts from: equal runs then start and end at the same node
        # (a real cycle), whatever the text of their patterns.
        elems: list[tuple[Hashable, str, int, int]] = [((steps[i][0], key), key, i, i + 1)
                                                       for i, key in enumerate(keys)]
        head, body, tail = elems[0], elems[1:-1], elems[-1]
        for _ in range(3):
            folded: list[tuple[Hashable, str, int, int]] = []
            k, n = 0, len(body)
            ids = [b[0] for b in body]
            while k < n:
                best: tuple[int, int] | None = None
                for p in range(1, _MAX_PERIOD + 1):
                    if k + 2 * p > n or ids[k + p : k + 2 * p] != ids[k : k + p]:
                        continue
                    r = 2
                    while k + (r + 1) * p <= n and ids[k + r * p : k + (r + 1) * p] == ids[k : k + p]:
                        r += 1
                    if (best is None or r * p > best[0] * best[1]) and same(states[body[k + p - 1][3]],
                                                                           states[body[k + 2 * p - 1][3]]):
                        best = (p, r)
                if best is None:
                    folded.append(body[k])
                    k += 1
                    continue
                p, r = best
                run = body[k : k + p]
                src = "(?:" + "".join(ws + b[1] for b in run) + ")++"
                folded.append((("run", tuple(ids[k : k + p])), src, run[0][2], body[k + p * r - 1][3]))
                k += p * r
            if len(folded) == len(body):
                break
            body = folded
        if len(body) > _MAX_TOKENS:
            return None
        return head[1] + "".join(ws + b[1] for b in body) + ws + "(?P<se>)" + tail[1]


@dataclass(slots=True)
class _Shape:
    pattern: re.Pattern[str]
    hits: int = 0


_MORE: Final = MORE
_BROKEN: Final = _Shape(re.compile("(?!)"))  #: a shape source that did not compile


def _reader_items(sid: str, els: tuple[str, ...], sep: str) -> tuple[Item, ...]:
    """What pyx12's tokenizer says about a segment before any map is consulted."""
    out: list[Item] = []
    if not "".join(els).strip(sep):
        out.append(SegProblem("8", "syntax.segment-empty", f"Segment {sid} is empty"))
    if not _SEG_ID.match(sid):
        out.append(SegProblem("1", "syntax.segment-id", f"Segment identifier {sid!r} is invalid"))
    if els and els[-1] == "":
        out.append(SegProblem("8", "syntax.trailing-separator", f"Segment {sid} ends with an element separator"))
    return tuple(out)


# --------------------------------------------------------------------------- loading + cache


def _stamps(real: str) -> tuple[tuple[str, int, int], ...]:
    try:
        names = sorted(n for n in os.listdir(real) if n.endswith(".xml"))
    except OSError as exc:
        raise MapError(f"cannot read map directory {real}: {exc}") from exc
    out = []
    for name in names:
        st = os.stat(os.path.join(real, name))
        out.append((name, st.st_mtime_ns, st.st_size))
    return tuple(out)


@functools.lru_cache(maxsize=8)
def _load(real: str, stamps: tuple[tuple[str, int, int], ...]) -> GuideValidator:
    """Parse and compile a map directory; cached on (path, file stamps) so edits are picked up."""
    dataele = load_dataele(real)
    codes = load_codes(real)
    by_file: dict[str, CompiledMap] = {}
    guides: dict[tuple[str, str], CompiledMap] = {}
    for (icvn, gs08, gs01), fname in load_index(real).items():
        if icvn != ICVN or not gs08 or not gs01:
            continue
        if fname not in by_file:
            by_file[fname] = compile_map(os.path.join(real, fname), dataele, codes)
        guides[(gs08, gs01)] = by_file[fname]
    return GuideValidator(real, guides)

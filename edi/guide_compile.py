"""Compile pyx12 maps into flat tables the fast walker in :mod:`edi.guide` can use.

The maps stay the single source of truth; this module reads them once (lxml) and turns them into

* a node table (loops and segments, in pyx12's ``pos`` order) from which *plans* are derived:
  for "the walker stands at node N and reads a segment with id S whose discriminating element
  holds V", a plan says which node matches, how it is entered (segment or new loop iteration) and
  which "mandatory segment/loop missing" checks pyx12 would make on the way. Matching never
  depends on counts, only the checks do, so a plan is computed once and then replayed with a few
  list lookups per segment;
* one :class:`SegmentSpec` per segment node: ``problems`` reproduces pyx12's element validation
  (``segment_if.is_valid_errors`` and friends, in its order); ``clean`` is a sufficient test
  that lets the usual, faultless segment skip it: per-element sets of values known clean, and
  one compiled regex per segment that proves every element clean in a single C call.
  ``tests/edi/test_guide.py`` checks that ``clean`` never vouches for a segment with problems.

Everything here mirrors pyx12 4.0.0 (``map_walker.walk_tree``, ``map_if``, ``validation``,
``syntax``), quirks included: node equality by (id, parent id), counters keyed by path
(``REF[12]``), the ``pos`` comparison used when flushing missing segments, and so on. Where
pyx12 loses or misplaces an error, :mod:`edi.guide` reports it where it belongs, and
``tests/edi/test_guide_vs_pyx12.py`` lists those places.
"""

from __future__ import annotations

import functools
import os
import re
import string
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from lxml import etree

MAXINT = 2147483647

#: plan kinds
SEG, ENTER, NOT_FOUND, LOST = 0, 1, 2, 3

#: the normalised value of a discriminating element that matches no code anywhere in the map
OTHER = "\x00other"


class MapError(Exception):
    """A map directory that cannot be compiled (missing file, undefined data element...)."""


class Problem(NamedTuple):
    """One element-validation result, before it becomes a :class:`~edi.findings.Finding`."""

    ak4: str  #: AK403 code pyx12 would use (or ours, for segment-level ones; see ``seg_level``)
    rule: str
    message: str
    element: int | None = None
    component: int | None = None
    value: str | None = None
    data_ele: str | None = None
    seg_level: bool = False  #: pyx12 folds this one into AK3 8 with no AK4


class SegProblem(NamedTuple):
    """A tokenizer-level problem with the segment itself (pyx12's X12Reader errors)."""

    ak3: str
    rule: str
    message: str


# --------------------------------------------------------------------------- data elements


@dataclass(frozen=True, slots=True)
class DataEle:
    data_type: str | None
    min_len: int
    max_len: int


def load_dataele(map_dir: str) -> dict[str, DataEle]:
    out: dict[str, DataEle] = {}
    for e in _parse(os.path.join(map_dir, "dataele.xml")).iter("data_ele"):
        num = e.get("ele_num")
        if num:
            out[num] = DataEle(e.get("data_type"), int(e.get("min_len", "0")), int(e.get("max_len", "0")))
    return out


def load_codes(map_dir: str) -> dict[str, frozenset[str | None]]:
    out: dict[str, frozenset[str | None]] = {}
    for cs in _parse(os.path.join(map_dir, "codes.xml")).iter("codeset"):
        key = cs.findtext("id")
        if key is not None:
            out[key] = frozenset(c.text for c in cs.iterfind("version/code"))
    return out


def load_index(map_dir: str) -> dict[tuple[str, str, str], str]:
    """(ISA12, GS08, GS01) -> map file name; the first ``<map>`` wins, as in pyx12."""
    out: dict[tuple[str, str, str], str] = {}
    for v in _parse(os.path.join(map_dir, "maps.xml")).iter("version"):
        for m in v.iterfind("map"):
            key = (v.get("icvn") or "", m.get("vriic") or "", m.get("fic") or "")
            if m.text and key not in out:
                out[key] = m.text.strip()
    return out


def _parse(path: str) -> etree._ElementTree:
    try:
        return etree.parse(path)
    except (OSError, etree.XMLSyntaxError) as exc:
        raise MapError(f"cannot read {path}: {exc}") from exc


def _attr(elem: etree._Element, name: str) -> str | None:
    """pyx12 reads every property as an attribute, or failing that as a child element."""
    v = elem.get(name)
    return v if v else elem.findtext(name)


# --------------------------------------------------------------------------- value checks
# Re-implementations of pyx12.validation, kept byte-for-byte equivalent in what they accept.

_A = re.S | re.ASCII
_REC_N = re.compile(r"^-?[0-9]+", _A)
_REC_R = re.compile(r"^-?[0-9]*(\.[0-9]+)?", _A)
_REC_AN_E = re.compile(r"""[^A-Z0-9!"&'()*+,\-\./:;?= a-z%~@\[\]_{}\\|<>#$]""", _A)
_REC_AN_E5 = re.compile(r"""[^A-Z0-9!"&'()*+,\-\./:;?= a-z%~@\[\]_{}\\|<>^`#$]""", _A)
_REC_DIGITS = re.compile(r"[^0-9]+", _A)
_CONTROL = (
    ("\x07", "BEL"), ("\x09", "HT"), ("\x0a", "LF"), ("\x0b", "VT"), ("\x0c", "FF"), ("\x0d", "CR"),
    ("\x1c", "FS"), ("\x1d", "GS"), ("\x1e", "RS"), ("\x1f", "US"), ("\x01", "SOH"), ("\x02", "STX"),
    ("\x03", "ETX"), ("\x04", "EOT"), ("\x05", "ENQ"), ("\x06", "ACK"), ("\x11", "DC1"), ("\x12", "DC2"),
    ("\x13", "DC3"), ("\x14", "DC4"), ("\x15", "NAK"), ("\x16", "SYN"), ("\x17", "ETB"),
)
_DATE_TYPES = ("RD8", "DT", "D8", "D6")
_DTP_TYPES = ("RD8", "D8", "D6", "DT", "TM")
_VALUE_MEMO = 8192


def _whole(rec: re.Pattern[str], val: str) -> bool:
    m = rec.search(val)
    return m is not None and m.group(0) == val


def valid_time(val: str) -> bool:
    if _REC_DIGITS.search(val) or val[0:2] > "23" or val[2:4] > "59":
        return False
    return len(val) <= 4 or (len(val) >= 6 and val[4:6] <= "59" and len(val) <= 8)


def valid_date(data_type: str, val: str) -> bool:
    if (data_type == "D8" and len(val) != 8) or (data_type == "D6" and len(val) != 6):
        return False
    if _REC_DIGITS.search(val) or len(val) not in (6, 8, 12):
        return False
    if len(val) == 6:
        val = ("20" if int(val[0:2]) < 50 else "19") + val
    year, month, day = int(val[0:4]), int(val[4:6]), int(val[6:8])
    if year < 1800 or not 1 <= month <= 12:
        return False
    if month in (4, 6, 9, 11):
        last = 30
    elif month == 2:
        last = 29 if year % 4 == 0 and not (year % 100 == 0 and year % 400) else 28
    else:
        last = 31
    if not 1 <= day <= last:
        return False
    return len(val) != 12 or valid_time(val[8:12])


def valid_type(val: str, data_type: str | None, icvn: str = "00401") -> bool:
    """pyx12's ``IsValidDataType`` with its default extended character set."""
    if not data_type:
        return True
    if data_type[0] == "N":
        return _whole(_REC_N, val)
    if data_type == "R":
        return _whole(_REC_R, val)
    if data_type in ("ID", "AN"):
        return (_REC_AN_E5 if icvn == "00501" else _REC_AN_E).search(val) is None
    if data_type == "RD8":
        parts = val.split("-")
        return len(parts) == 2 and valid_date("D8", parts[0]) and valid_date("D8", parts[1])
    if data_type in ("DT", "D8", "D6"):
        return valid_date(data_type, val)
    if data_type == "TM":
        return valid_time(val)
    return data_type == "B"


# --------------------------------------------------------------------------- element specs


@dataclass(frozen=True, slots=True)
class ElementSpec:
    """One ``<element>`` of a segment or composite, with its data element resolved."""

    xid: str
    name: str
    data_ele: str
    usage: str
    pos: int  #: element position (the composite's for a component)
    component: int | None  #: component position inside a composite
    empty_is_missing: bool  #: usage R and not an optional composite's first component
    data_type: str | None
    min_len: int
    max_len: int
    numeric: bool
    allowed: frozenset[str | None] | None  #: valid_codes plus the external list, None = any
    codes: tuple[str | None, ...]  #: the map's own valid_codes, in order (for 1250 and matching)
    regex: re.Pattern[str] | None
    regex_src: str | None
    icvn: str
    #: value -> problems, for values checked without a 1250 type list (bounded; see ``check``)
    memo: dict[str, tuple[Problem, ...]] = field(default_factory=dict, compare=False, repr=False)
    #: values known to be clean: the map's clean codes, then values found clean (bounded)
    ok: set[str] = field(default_factory=set, compare=False, repr=False)
    #: a C-level ``fullmatch`` that proves a value clean (type, characters and length at once)
    proof: Callable[[str], object] | None = field(default=None, compare=False, repr=False)

    def quick_ok(self, val: str) -> bool:
        """True when ``val`` is certainly clean; False means "run the exact checks" (not "bad").

        Every type check that passes here also rules out control characters and trailing spaces,
        so :meth:`check` may skip pyx12's ordered sequence of checks for the common case.
        """
        n = len(val.replace("-", "").replace(".", "")) if self.numeric else len(val)
        if n < self.min_len or n > self.max_len or self.usage == "N":
            return False
        if self.allowed is not None and val not in self.allowed:
            return False
        if self.regex is not None and not self.regex.search(val):
            return False
        dt = self.data_type
        if dt in ("AN", "ID"):
            return val[-1] != " " and valid_type(val, dt, self.icvn)
        return dt is not None and dt != "B" and valid_type(val, dt, self.icvn)

    def check(self, val: str | None, type_list: Sequence[str | None] = ()) -> tuple[Problem, ...]:
        """pyx12's ``element_if.is_valid_errors`` on one simple value (``None`` = absent).

        Results are memoised per value: most values (codes, dates, units) repeat even when the
        segment around them does not. The memo stops growing at ``_VALUE_MEMO`` entries.
        """
        if type_list or not val:
            return tuple(self._check(val, type_list))
        got = self.memo.get(val)
        if got is None:
            got = () if self.quick_ok(val) else tuple(self._check(val, type_list))
            if len(self.memo) < _VALUE_MEMO:
                self.memo[val] = got
                if not got:
                    self.ok.add(val)
        return got

    def _check(self, val: str | None, type_list: Sequence[str | None]) -> list[Problem]:
        if val is None or val == "":
            if self.empty_is_missing:
                return [self._p("1", "map.element-missing", f"mandatory data element {self._ref} is missing")]
            return []
        if self.usage == "N":
            return [self._p("10", "map.element-not-used", f"data element {self._ref} is marked as not used")]
        out: list[Problem] = []
        n = len(val.replace("-", "").replace(".", "")) if self.numeric else len(val)
        if n < self.min_len:
            out.append(self._p("4", "map.element-too-short", f"{self._ref} is too short ({n} < {self.min_len})", val))
        if n > self.max_len:
            out.append(self._p("5", "map.element-too-long", f"{self._ref} is too long ({n} > {self.max_len})", val))
        for ch, label in _CONTROL:
            if ch in val:
                out.append(self._p("6", "map.element-char", f"{self._ref} contains a control character", f"<{label}>"))
                return out
        dt = self.data_type
        if dt in ("AN", "ID") and val[-1] == " " and len(val.rstrip()) >= self.min_len:
            out.append(self._p("6", "map.element-char", f"{self._ref} has trailing spaces", val))
        if self.allowed is not None and val not in self.allowed:
            out.append(self._p("7", "map.element-code", f"{val!r} is not a valid code for {self._ref}", val))
        if not valid_type(val, dt, self.icvn):
            if dt in _DATE_TYPES:
                out.append(self._p("8", "map.element-date", f"{self._ref} holds an invalid date", val))
            elif dt == "TM":
                out.append(self._p("9", "map.element-time", f"{self._ref} holds an invalid time", val))
            else:
                msg = f"{self._ref} is type {dt} and holds an invalid character"
                out.append(self._p("6", "map.element-char", msg, val))
        if type_list and not any(t is not None and valid_type(val, t) for t in type_list):
            if "TM" in type_list:
                out.append(self._p("9", "map.element-time", f"{self._ref} holds an invalid time", val))
            elif any(t in type_list for t in _DATE_TYPES):
                out.append(self._p("8", "map.element-date", f"{self._ref} holds an invalid date", val))
        if self.regex is not None and not self.regex.search(val):
            out.append(self._p("7", "map.element-code", f"{self._ref} does not match {self.regex_src}", val))
        return out

    @property
    def _ref(self) -> str:
        return f'"{self.name}" ({self.xid})'

    def _p(self, code: str, rule: str, msg: str, value: str | None = None) -> Problem:
        return Problem(code, rule, msg[0].upper() + msg[1:], self.pos, self.component, value, self.data_ele)


@dataclass(frozen=True, slots=True)
class CompositeSpec:
    xid: str
    name: str
    usage: str
    pos: int
    parts: tuple[ElementSpec, ...]

    #: separator + value -> problems (bounded)
    memo: dict[str, tuple[Problem, ...]] = field(default_factory=dict, compare=False, repr=False)
    #: separator + value, for values known to be clean
    ok: set[str] = field(default_factory=set, compare=False, repr=False)

    def check(self, raw: str | None, sep: str) -> tuple[Problem, ...]:
        """pyx12's ``composite_if.is_valid_errors``, memoised per (non-empty) value and separator."""
        if not raw:
            return tuple(self._check(raw, sep))
        key = sep + raw
        got = self.memo.get(key)
        if got is None:
            got = tuple(self._check(raw, sep))
            if len(self.memo) < _VALUE_MEMO:
                self.memo[key] = got
                if not got:
                    self.ok.add(key)
        return got

    def _check(self, raw: str | None, sep: str) -> list[Problem]:
        """(Plus the segment's own component count check, which in pyx12 4.0.0 raises IndexError.)"""
        comps = raw.split(sep) if raw is not None else None
        empty = comps is None or not any(comps)
        if empty and self.usage in ("N", "S"):
            return []
        ref = f'"{self.name}" ({self.xid})'
        if self.usage == "R" and empty:
            return [Problem("1", "map.composite-missing", f"Mandatory composite {ref} is missing",
                            self.pos, seg_level=True)]
        if comps is None:
            return []
        if self.usage == "N":
            return [Problem("10", "map.composite-not-used", f"Composite {ref} is marked as not used",
                            self.pos, seg_level=True)]
        out: list[Problem] = []
        n = len(self.parts)
        if len(comps) > n:
            # pyx12 4.0.0 raises IndexError here (segment_if indexes children[n + 1])
            out.append(Problem("3", "map.element-too-many", f"Too many components in composite {ref}",
                               self.pos, n + 1, sep.join(comps[n:]), seg_level=True))
        for i, part in enumerate(self.parts):
            out += part.check(comps[i] if i < len(comps) else None)
        return out


@dataclass(frozen=True, slots=True)
class SegmentSpec:
    """A segment node: what the walker needs to count it and what ``check`` needs to validate it."""

    index: int
    id: str
    name: str
    usage: str
    pos: int
    max_use: int
    counter: int
    loop: str  #: xid of the enclosing loop (Finding.loop)
    eq_key: tuple[str, str]  #: pyx12 node equality: (id, parent id)
    children: tuple[ElementSpec | CompositeSpec, ...]
    syntax: tuple[tuple[str, tuple[int, ...]], ...]

    #: per child: 0 simple, 1 simple 1250 (date format), 2 simple 1251 (date value), 3 composite
    kinds: tuple[int, ...] = ()
    #: children whose absence is itself a problem (required simple elements, required composites)
    must: tuple[int, ...] = ()

    #: (child, kind, absent-is-a-problem, its known-clean values, its proof) per child, for :meth:`clean`
    fast: tuple[tuple[ElementSpec | CompositeSpec, int, bool, set[str], Callable[[str], object] | None], ...] = ()
    #: the shortest element count that holds every required child
    need: int = 0
    #: separator -> whole-segment proof (``segment_pattern``), built on first use
    patterns: dict[str, Callable[[str], object] | None] = field(default_factory=dict, compare=False, repr=False)

    def check(self, els: Sequence[str], sep: str) -> tuple[Problem, ...]:
        """All element problems of one segment, as pyx12's ``segment_if.is_valid_errors`` finds them."""
        return () if self.clean(els, sep) else self.problems(els, sep)

    def clean(self, els: Sequence[str], sep: str) -> bool:
        """True when the segment certainly has no problem; False means "run :meth:`problems`".

        The common case costs a dict lookup per element (values are memoised per element) and a
        few index checks per syntax rule, instead of pyx12's ordered sequence of checks.
        """
        have = len(els)
        if have > len(self.fast) or have < self.need or self.id == "DTP":  # DTP: pyx12's own rule
            return False
        try:
            pattern = self.patterns[sep]
        except KeyError:
            pattern = self.patterns[sep] = segment_pattern(self, sep)
        if pattern is not None:
            joined = _NUL.join(els)
            if pattern(joined) and joined.count(_NUL) == have - 1:
                return not self.syntax or self._syntax_clean(els, sep)
        for (kid, kind, required, ok, proof), raw in zip(self.fast, els, strict=False):
            if not raw:
                if required:
                    return False
            elif kind == 0:
                if sep in raw:
                    return False
                if raw in ok or (proof is not None and proof(raw)):
                    continue
                if not isinstance(kid, ElementSpec) or kid.check(raw):
                    return False
            elif kind == 3:
                if sep + raw in ok:
                    continue
                if not isinstance(kid, CompositeSpec) or kid.check(raw, sep):
                    return False
            else:
                return False  # a date format / date pair: let the exact path handle it
        return not self.syntax or self._syntax_clean(els, sep)

    def _syntax_clean(self, els: Sequence[str], sep: str) -> bool:
        have = len(els)
        for code, idx in self.syntax:
            n = 0
            for i in idx:
                if i <= have and els[i - 1] and els[i - 1].rstrip(sep):
                    n += 1
            if code == "R":
                good = n > 0
            elif code == "P":
                good = n in (0, len(idx))
            elif code == "E":
                good = n < 2
            else:  # C, L: only the easy cases here; the exact path knows which element matters
                good = n in (0, len(idx)) if code == "C" else n == 0
            if not good:
                return False
        return True

    def problems(self, els: Sequence[str], sep: str) -> tuple[Problem, ...]:
        """The exact, pyx12-ordered validation (used when :meth:`clean` cannot vouch for ``els``)."""
        out: list[Problem] = []
        kids, kinds = self.children, self.kinds
        n, have = len(kids), len(els)
        if have > n:
            out.append(Problem("3", "map.element-too-many",
                               f'Too many elements in segment "{self.name}" ({self.id}): {have} > {n}',
                               n + 1, None, els[n].rstrip(sep), seg_level=True))
        if self.id == "DTP":
            out += self._check_dtp(els, sep)
        else:
            type_list: list[str | None] = []
            for i in range(min(have, n)):
                kid, raw, kind = kids[i], els[i], kinds[i]
                if kind == 3:
                    assert isinstance(kid, CompositeSpec)
                    out += kid.check(raw, sep)
                    continue
                assert isinstance(kid, ElementSpec)
                if kind == 1:
                    type_list.extend(kid.codes)
                if sep in raw:
                    out.append(_invalid_composite(kid, raw, sep))
                elif kind == 2 and type_list:
                    out += kid.check(raw, type_list)
                else:
                    out += kid.check(raw)
            for i in self.must:
                if i >= have:
                    kid = kids[i]
                    out += kid.check(None, sep) if isinstance(kid, CompositeSpec) else kid.check(None)
        if self.syntax:
            present = {i for i, e in enumerate(els, 1) if e and e.rstrip(sep)}
            for code, idx in self.syntax:
                p = _syntax(self.id, code, idx, present)
                if p is not None:
                    out.append(p)
        return tuple(out)

    def _check_dtp(self, els: Sequence[str], sep: str) -> list[Problem]:
        """The general loop, with pyx12's DTP rule: DTP03 is checked as the format DTP02 names."""
        out: list[Problem] = []
        type_list: list[str | None] = []
        dtp: list[str | None] = []
        for i, kid in enumerate(self.children):
            raw = els[i] if i < len(els) else None
            if isinstance(kid, CompositeSpec):
                out += kid.check(raw, sep)
                continue
            if i == 1 and raw is not None and raw.rstrip(sep) in _DTP_TYPES:
                dtp = [raw.rstrip(sep)]
            if kid.data_ele == "1250" and raw is not None:
                type_list.extend(kid.codes)
            if raw is not None and sep in raw:
                out.append(_invalid_composite(kid, raw, sep))
            elif i == 2:
                out += kid.check(raw, dtp)
            elif kid.data_ele == "1251" and type_list:
                out += kid.check(raw, type_list)
            else:
                out += kid.check(raw)
        return out


def _invalid_composite(kid: ElementSpec, raw: str, sep: str) -> Problem:
    return Problem("6", "map.element-char", f'Data element "{kid.name}" ({kid.xid}) is an invalid composite',
                   kid.pos, None, raw.rstrip(sep), kid.data_ele)


def _syntax(seg_id: str, code: str, idx: tuple[int, ...], present: set[int]) -> Problem | None:
    """pyx12's ``syntax.is_syntax_valid``; the element we name is the one a 997 should point at."""
    have = [i for i in idx if i in present]
    if (code in "PC" and (not have or len(have) == len(idx))) or (code == "R" and have):
        return None
    if (code == "E" and len(have) < 2) or (code in "CL" and idx[0] not in have):
        return None
    names = ", ".join(f"{seg_id}{i:02d}" for i in idx)
    rule_txt = code + "".join(f"{i:02d}" for i in idx)
    if code == "P" and have and len(have) != len(idx):
        miss = next(i for i in idx if i not in have)
        return _syn("2", "map.element-conditional", f"{rule_txt}: if any of {names} is present, all are required", miss)
    if code == "R" and not have:
        return _syn("2", "map.element-conditional", f"{rule_txt}: at least one of {names} is required", idx[0])
    if code == "E" and len(have) > 1:
        return _syn("10", "map.element-exclusion", f"{rule_txt}: at most one of {names} may be present", have[1])
    if code == "C" and idx[0] in have and len([i for i in idx[1:] if i in have]) != len(idx) - 1:
        miss = next(i for i in idx[1:] if i not in have)
        return _syn("2", "map.element-conditional", f"{rule_txt}: {seg_id}{idx[0]:02d} requires {names}", miss)
    if code == "L" and idx[0] in have and not [i for i in idx[1:] if i in have]:
        return _syn("2", "map.element-conditional", f"{rule_txt}: {seg_id}{idx[0]:02d} requires one of {names}", idx[1])
    return None


def _syn(code: str, rule: str, msg: str, element: int) -> Problem:
    return Problem(code, rule, "Syntax " + msg, element, seg_level=True)


# --------------------------------------------------------------------------- the node tree


@dataclass(eq=False)
class _Node:
    """A loop, segment or the map root while compiling (mirrors pyx12's map_if nodes)."""

    kind: str  # "root" | "loop" | "seg"
    xid: str
    name: str
    usage: str
    pos: int
    max_use: int
    parent: _Node | None
    path: str = ""
    children: list[_Node] = field(default_factory=list)  #: pos_map flattened, in walk order
    by_pos: dict[int, list[_Node]] = field(default_factory=dict)
    spec: SegmentSpec | None = None
    key: tuple[int, int | None, frozenset[str | None]] | None = None  #: discriminator (idx, comp, codes)
    counter: int = -1

    @property
    def first(self) -> _Node | None:
        return self.by_pos[min(self.by_pos)][0] if self.by_pos else None

    def full_path(self) -> str:
        if self.parent is None:
            return "/"
        base = self.parent.full_path()
        return ("/" if base == "/" else base + "/") + self.path

    def eq_key(self) -> tuple[str, str]:
        return (self.xid, self.parent.xid if self.parent else "")


_PATH_LAST = re.compile(
    r"^(?P<seg>[A-Z][A-Z0-9]{1,2})?(\[(?P<id>[A-Z0-9]+)\])?(?P<ele>[0-9]{2})?(-(?P<sub>[0-9]+))?$", re.S
)


def canon_path(path: str) -> str:
    """pyx12 counts nodes under ``X12Path(path)``; two paths share a counter when they format alike."""
    parts = path[1:].split("/") if path.startswith("/") else path.split("/")
    prefix = "/" if path.startswith("/") else ""
    if not parts or parts[-1] == "":
        return prefix + "/".join(parts[:-1] if parts else parts)
    m = _PATH_LAST.search(parts[-1])
    if m is None:
        return prefix + "/".join(parts)
    last = ""
    if m.group("seg"):
        last = m.group("seg") + (f"[{m.group('id')}]" if m.group("id") else "")
    if m.group("ele") and int(m.group("ele")):
        last += f"{int(m.group('ele')):02d}"
        if m.group("sub") and int(m.group("sub")):
            last += f"-{int(m.group('sub'))}"
    loops = "/".join(parts[:-1])
    if m.group("seg") and loops:
        return prefix + loops + "/" + last
    return prefix + loops + last


@dataclass(frozen=True, slots=True)
class Check:
    """A "mandatory ... missing" pyx12 reports when ``counts[counter] < 1`` as the walk passes by."""

    counter: int
    seg_id: str
    loop: str
    message: str


class Plan(NamedTuple):
    """What reading one segment at one node does, minus the count-dependent parts.

    A NamedTuple so the walker can unpack it in one step.
    """

    kind: int
    target: int = -1  #: segment node index that matched (SEG, ENTER)
    checks: tuple[Check, ...] = ()
    counter: int = -1  #: SEG: the segment's counter; ENTER: the loop's
    first_counter: int = -1  #: ENTER: the first segment's counter
    max_use: int = MAXINT
    usage_n: bool = False
    resets: tuple[int, ...] = ()  #: ENTER: counters of everything inside the loop
    loop: str = ""  #: xid of the loop entered (ENTER) or the loop of the start node (NOT_FOUND)
    watch: tuple[int, ...] = ()  #: the counters of ``checks``, for a quick "any of them zero?"


Matcher = Callable[["_Node"], bool]
BY_NOTHING, BY_FIRST, BY_SIGNATURE = -1, 0, -2
#: (mode, the plan when there is only one, {raw element 01: plan} when matched on it)
Entry = tuple[int, "Plan | None", "dict[str | None, Plan] | None"]


@dataclass(frozen=True)
class CompiledMap:
    """One transaction map compiled for walking.

    Plans are derived lazily and memoised in ``plans``; element-check results are memoised per
    (component separator, segment node) keyed by the element tuple. Both caches only ever gain
    entries that are pure functions of their keys, so sharing them between threads is safe.
    """

    name: str
    specs: list[SegmentSpec]
    start: int  #: segment index of GS: where every transaction set starts
    initial: dict[int, int]  #: counter values at that point (ISA/GS and their loops seen once)
    n_counters: int
    st_codes: frozenset[str | None] | None
    discriminators: dict[str, tuple[tuple[int, int | None, frozenset[str | None]], ...]]
    _seg_nodes: list[_Node]
    _resets: dict[int, tuple[int, ...]]  #: loop counter -> counters of its descendants
    plans: dict[tuple[int, str, Hashable], Plan] = field(default_factory=dict)
    _rows: dict[str, list[dict[str, Entry]]] = field(default_factory=dict)
    _memos: dict[str, list[dict[tuple[str, ...], tuple[Problem | SegProblem, ...]]]] = field(
        default_factory=dict)
    #: (element, component, terminator) -> the fast lane of :mod:`edi.guide` (typed loosely: defined there)
    lanes: dict[tuple[str, str, str], object] = field(default_factory=dict)

    def plan(self, node: int, seg_id: str, sig: Hashable) -> Plan:
        key = (node, seg_id, sig)
        p = self.plans.get(key)
        if p is None:
            p = self.plans[key] = self._build(node, seg_id, sig)
        return p

    def rows(self, sep: str) -> list[dict[str, Entry]]:
        """Per node, the walker's lookup row by segment id (per separator: values are read raw)."""
        r = self._rows.get(sep)
        if r is None:
            r = self._rows[sep] = [{} for _ in self.specs]
        return r

    def entry(self, node: int, seg_id: str, sep: str) -> Entry:
        """How the walker finds the plan for ``seg_id`` at ``node``.

        ``(BY_NOTHING, plan, None)`` when no node with that id is matched on a value;
        ``(BY_FIRST, None, {raw element 01: plan})`` in the usual case (first element, no component);
        ``(BY_SIGNATURE, None, None)`` otherwise (see :meth:`lookup`).
        """
        row = self.rows(sep)[node]
        e = row.get(seg_id)
        if e is None:
            d = self.discriminators.get(seg_id)
            if d is None:
                e = (BY_NOTHING, self.plan(node, seg_id, None), None)
            elif len(d) == 1 and d[0][0] == 0 and d[0][1] is None:
                e = (BY_FIRST, None, {})
            else:
                e = (BY_SIGNATURE, None, None)
            row[seg_id] = e
        return e

    def lookup(self, node: int, seg_id: str, els: Sequence[str], sep: str) -> Plan:
        """The slow way to a plan; remembers raw first values (bounded) for the fast way."""
        plan = self.plan(node, seg_id, self.signature(seg_id, els, sep))
        table = self.entry(node, seg_id, sep)[2]
        if table is not None and len(table) < _VALUE_MEMO:
            table[els[0] if els else None] = plan
        return plan

    @functools.cached_property
    def unbounded(self) -> frozenset[int]:
        """Counters only ever compared with an unlimited maximum (``>1``): past 1, their value never
        changes what the walk reports."""
        limits: dict[int, set[int]] = {}
        for n in self._seg_nodes:
            node: _Node | None = n
            while node is not None and node.kind != "root":
                limits.setdefault(node.counter, set()).add(node.max_use)
                node = node.parent
        return frozenset(c for c, uses in limits.items() if uses == {MAXINT})

    def memos(self, sep: str) -> list[dict[tuple[str, ...], tuple[Problem | SegProblem, ...]]]:
        m = self._memos.get(sep)
        if m is None:
            m = self._memos[sep] = [{} for _ in self.specs]
        return m

    def signature(self, seg_id: str, els: Sequence[str], sep: str) -> Hashable:
        """The values of ``els`` that any node with id ``seg_id`` is matched on, normalised."""
        d = self.discriminators.get(seg_id)
        if d is None:
            return None
        sig = tuple(_norm(els, sep, i, c, codes) for i, c, codes in d)
        return sig[0] if len(sig) == 1 else sig

    # ---- the symbolic walk (map_walker.walk_tree.walk_errors without the counter)

    def _build(self, node_idx: int, seg_id: str, sig: Hashable) -> Plan:
        d = self.discriminators.get(seg_id, ())
        sigs: tuple[Hashable, ...] = sig if len(d) > 1 and isinstance(sig, tuple) else (sig,)
        values = {(i, c): v for (i, c, _), v in zip(d, sigs, strict=False)}

        def match(n: _Node) -> bool:
            if n.kind != "seg" or n.xid != seg_id:
                return False
            if n.key is None:
                return True
            i, c, codes = n.key
            return values.get((i, c), OTHER) in codes

        start = self._seg_nodes[node_idx]
        checks: list[tuple[_Node, Check]] = []
        outcome = _walk(start, match, checks)
        if outcome is None:
            loop = start.parent.xid if start.parent else ""
            return Plan(NOT_FOUND, loop=loop)
        kind, seg, loop_node = outcome
        if kind == LOST or seg is None:
            return Plan(LOST)
        spec = seg.spec
        assert spec is not None
        if kind == SEG:
            kept = tuple(c for n, c in checks if n.eq_key() != seg.eq_key() and n.pos != seg.pos)
            return Plan(SEG, spec.index, kept, seg.counter, max_use=seg.max_use, usage_n=seg.usage == "N",
                        loop=spec.loop, watch=tuple(c.counter for c in kept))
        assert loop_node is not None
        every = tuple(c for _, c in checks)
        return Plan(ENTER, spec.index, every, loop_node.counter, seg.counter, loop_node.max_use,
                    loop_node.usage == "N", self._resets[loop_node.counter], loop_node.xid,
                    tuple(c.counter for c in every))


def _norm(els: Sequence[str], sep: str, i: int, comp: int | None, union: frozenset[str | None]) -> str | None:
    if i >= len(els):
        v: str | None = None
    elif comp is None:
        v = els[i].rstrip(sep)
    else:
        v = els[i].split(sep)[comp]
    return v if v in union else OTHER


def _walk(start: _Node, match: Matcher, checks: list[tuple[_Node, Check]]
          ) -> tuple[int, _Node | None, _Node | None] | None:
    """Which node a segment lands on, recording the count-dependent checks on the way."""

    def loop_missing(loop: _Node, first: _Node) -> None:
        if loop.usage == "R":
            checks.append((first, Check(loop.counter, first.xid, loop.xid,
                                        f'Mandatory loop "{loop.name}" ({loop.xid}) missing')))

    def is_loop_match(loop: _Node) -> bool:
        first = loop.first
        if first is None:
            return False
        if first.kind == "loop":
            return any(c.kind == "loop" and is_loop_match(c) for c in loop.children)
        if match(first):
            return True
        loop_missing(loop, first)
        return False

    def goto(loop: _Node) -> tuple[int, _Node | None, _Node | None]:
        first = loop.first
        if first is not None and first.kind == "seg" and match(first):
            return (ENTER, first, loop)
        for c in loop.children:
            if c.kind == "loop":
                r = goto(c)
                if r[1] is not None:
                    return r
        return (LOST, None, None)

    def scan(node: _Node, from_pos: int) -> tuple[int, _Node | None, _Node | None] | None:
        for pos in sorted(p for p in node.by_pos if p >= from_pos):
            for child in node.by_pos[pos]:
                if child.kind == "seg":
                    if match(child):
                        if node.kind == "loop" and is_loop_match(node):
                            return goto(node)
                        return (SEG, child, None)
                    if child.usage == "R":
                        checks.append((child, Check(child.counter, child.xid, node.xid,
                                                    f'Mandatory segment "{child.name}" ({child.xid}) missing')))
                elif is_loop_match(child):
                    return goto(child)
        return None

    node = start.parent
    pos = start.pos
    assert node is not None
    while True:
        r = scan(node, pos)
        if r is not None:
            return r
        if node.parent is None:
            return None
        pos, node = node.pos, node.parent


# --------------------------------------------------------------------------- building


def _max(v: str | None) -> int:
    return MAXINT if v is None or v in (">1", "&gt;1") else int(v)


class _Builder:
    def __init__(self, dataele: dict[str, DataEle], codes: dict[str, frozenset[str | None]], path: str) -> None:
        self.dataele, self.codes, self.file = dataele, codes, path
        self.icvn = "00401"
        self.seg_nodes: list[_Node] = []

    def data_ele(self, num: str | None, where: str) -> DataEle:
        if not num or num not in self.dataele:
            raise MapError(f"{self.file}: data element {num!r} of {where} is not defined in dataele.xml")
        return self.dataele[num]

    def container(self, elem: etree._Element, node: _Node) -> None:
        for tag in ("loop", "segment"):
            for e in elem.findall(tag):
                child = self.loop(e, node) if tag == "loop" else self.segment(e, node)
                node.by_pos.setdefault(child.pos, []).append(child)
        node.children = [c for p in sorted(node.by_pos) for c in node.by_pos[p]]
        for group in node.by_pos.values():
            if len(group) > 1:
                for seg in group:
                    if seg.kind == "seg" and (key := self.unique_key_code(seg)) is not None:
                        seg.path = f"{seg.xid}[{key}]"

    def loop(self, e: etree._Element, parent: _Node) -> _Node:
        node = _Node("loop", e.get("xid") or "", _attr(e, "name") or "", _attr(e, "usage") or "",
                     int(_attr(e, "pos") or 0), _max(_attr(e, "repeat")), parent)
        node.path = node.xid
        self.container(e, node)
        return node

    def segment(self, e: etree._Element, parent: _Node) -> _Node:
        xid = e.get("xid") or ""
        node = _Node("seg", xid, _attr(e, "name") or "", _attr(e, "usage") or "", int(_attr(e, "pos") or 0),
                     _max(_attr(e, "max_use")), parent, path=xid)
        by_seq: dict[int, etree._Element] = {}
        for tag in ("element", "composite"):
            for c in e.findall(tag):
                by_seq[int(_attr(c, "seq") or 0)] = c
        kids: list[ElementSpec | CompositeSpec] = []
        for seq in sorted(by_seq):
            c = by_seq[seq]
            if c.tag == "element":
                kids.append(self.element(c, seq, None, "", xid))
            else:
                cusage = _attr(c, "usage") or ""
                parts = tuple(self.element(s, int(_attr(s, "seq") or 0), seq, cusage, xid)
                              for s in c.findall("element"))
                kids.append(CompositeSpec(c.get("xid") or "", _attr(c, "name") or "", cusage, seq, parts))
        syntax = tuple(s for s in (_split_syntax(x.text) for x in e.findall("syntax")) if s is not None)
        node.key = _discriminator(xid, kids)
        node.spec = SegmentSpec(len(self.seg_nodes), xid, node.name, node.usage, node.pos, node.max_use, -1,
                                parent.xid, (xid, parent.xid), tuple(kids), syntax)
        self.seg_nodes.append(node)
        return node

    def element(self, e: etree._Element, seq: int, comp: int | None, comp_usage: str, seg: str) -> ElementSpec:
        xid = e.get("xid") or ""
        num = _attr(e, "data_ele")
        de = self.data_ele(num, f"{seg}/{xid}")
        usage = _attr(e, "usage") or ""
        vc = e.find("valid_codes")
        codes: tuple[str | None, ...] = tuple(c.text for c in vc.findall("code")) if vc is not None else ()
        external = vc.get("external") if vc is not None else None
        allowed: frozenset[str | None] | None = None
        if codes or external is not None:
            allowed = frozenset(codes)
            if external is not None:
                if external not in self.codes:
                    raise MapError(f"{self.file}: external code list {external!r} of {seg}/{xid} not in codes.xml")
                allowed |= self.codes[external]
        res = e.findtext("regex")
        try:
            rx = re.compile(res, re.S) if res else None
        except re.error as exc:
            raise MapError(f"{self.file}: regex of {seg}/{xid} does not compile: {exc}") from exc
        dt = de.data_type
        missing = usage == "R" and (seq != 1 or comp is None or comp_usage == "R")
        spec = ElementSpec(xid, _attr(e, "name") or "", num or "", usage, comp if comp is not None else seq,
                           seq if comp is not None else None, missing, dt, de.min_len, de.max_len,
                           dt is not None and (dt == "R" or dt[0] == "N"), allowed, codes, rx, res, self.icvn,
                           proof=_proof(dt, de.min_len, de.max_len, self.icvn)
                           if usage != "N" and allowed is None and rx is None else None)
        for code in allowed or ():
            if code and not spec._check(code, ()):
                spec.ok.add(code)
        return spec

    def unique_key_code(self, seg: _Node) -> str | None:
        """pyx12's ``guess_unique_key_id_element``: which code names a segment in its path."""
        kids = seg.spec.children if seg.spec else ()
        c0 = kids[0] if kids else None
        c1 = kids[1] if len(kids) > 1 else None
        c2 = kids[2] if len(kids) > 2 else None
        for cand in (
            c0 if isinstance(c0, ElementSpec) and c0.data_type == "ID" else None,
            c1 if seg.xid == "ENT" and isinstance(c1, ElementSpec) and c1.data_type == "ID" else None,
            c0.parts[0] if isinstance(c0, CompositeSpec) and c0.parts and c0.parts[0].data_type == "ID" else None,
            c2 if seg.xid == "HL" and isinstance(c2, ElementSpec) else None,
        ):
            if cand is not None and cand.codes:
                return cand.codes[0] or ""
        return None


_AN_SETS = {
    icvn: frozenset(string.ascii_letters + string.digits + "!\"&'()*+,-./:;?= %~@[]_{}\\|<>#$" + extra)
    for icvn, extra in (("00401", ""), ("00501", "^`"))
}
_MD = (r"(?:(?:0[13578]|1[02])(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)(?:0[1-9]|[12][0-9]|30)"
       r"|02(?:0[1-9]|1[0-9]|2[0-8]))")  # month + day, 29 February left to the exact check
_HHMM = r"(?:[01][0-9]|2[0-3])[0-5][0-9]"


def _cls(chars: Iterable[str]) -> str:
    return "[" + "".join(c if c.isalnum() else "\\" + c for c in sorted(chars)) + "]"


def _type_src(data_type: str | None, lo: int, hi: int, icvn: str, exclude: str = "") -> str | None:
    """Regex source for values of a data type that every pyx12 check accepts (type, length,
    characters), without ``exclude`` characters; None when no such pattern is worth having.

    Failing it proves nothing (the exact checks then run); passing it proves the value clean.
    """
    lo = max(lo, 1)
    if not data_type or hi < lo:
        return None
    if data_type in ("AN", "ID"):
        chars = _AN_SETS["00501" if icvn == "00501" else "00401"] - set(exclude)
        return f"{_cls(chars)}{{{lo - 1},{hi - 1}}}{_cls(chars - {' '})}"
    if data_type[0] == "N":
        return f"-?[0-9]{{{lo},{hi}}}"
    if data_type == "R":
        if lo == 1:  # sufficient and cheap: up to 6 decimals, the integer part takes the rest
            frac = min(6, hi // 2)
            return f"-?[0-9]{{1,{hi - frac}}}" + (f"(?:\\.[0-9]{{1,{frac}}})?" if frac else "")
        return f"-?(?=(?:\\.?[0-9]){{{lo},{hi}}}(?![0-9.]))[0-9]*(?:\\.[0-9]+)?"
    if data_type in ("DT", "D8", "D6"):
        forms = [f for n, f in ((8, f"(?:1[89]|[2-9][0-9])[0-9]{{2}}{_MD}"), (6, f"[0-9]{{2}}{_MD}"))
                 if lo <= n <= hi and (data_type == "DT" or data_type == f"D{n}")]
        return "(?:" + "|".join(forms) + ")" if forms else None
    if data_type == "TM":
        tails = {4: "", 6: "[0-5][0-9]", 7: "[0-5][0-9][0-9]", 8: "[0-5][0-9][0-9]{2}"}
        forms = [_HHMM + t for n, t in tails.items() if lo <= n <= hi]
        return "(?:" + "|".join(forms) + ")" if forms else None
    return None


def _proof(data_type: str | None, lo: int, hi: int, icvn: str) -> Callable[[str], object] | None:
    src = _type_src(data_type, lo, hi, icvn)
    return re.compile(src, re.ASCII).fullmatch if src is not None else None


#: ``^(A|B|C)$`` / ``^(?:A|B)$`` / ``^A$``: a <regex> that is just a code list
_LITERALS = re.compile(r"^\^(?:\((?:\?:)?([A-Za-z0-9]+(?:\|[A-Za-z0-9]+)*)\)|([A-Za-z0-9]+))\$$")
#: ``^...$`` over letters, digits, plain character classes, groups and quantifiers only (``^[0-9]{5}([0-9]{4})?$``):
#: it can only match letters, digits and ``-``, so it can be embedded in a larger pattern (see ``_embedded``)
_EMBEDDABLE = re.compile(r"^\^((?:\[[A-Za-z0-9-]+\]|[A-Za-z0-9]|\{[0-9]+(?:,[0-9]*)?\}|[()?|+*])+)\$$")
_NUL = "\x00"  #: joins a segment's elements for its whole-segment pattern (never valid in X12 data)
_MAX_ALTERNATIVES = 300


def _embedded(e: ElementSpec, delimiters: str) -> str | None:
    """A lookahead equivalent to ``e.regex.search(value)`` for a value that ends at a delimiter, or None.

    The body can only match letters, digits and ``-``; delimiters are none of those, so the only way the
    body can be followed by a delimiter (or the end) is to span the whole value.
    """
    m = _EMBEDDABLE.match(e.regex_src or "")
    if m is None or any(d.isalnum() or d == "-" for d in delimiters):
        return None
    try:
        re.compile(m.group(1))
    except re.error:
        return None
    return f"(?=(?:{m.group(1)})(?![^{re.escape(delimiters)}]))"


def _element_src(e: ElementSpec, sep: str, kind: int = 0, exclude: str = _NUL) -> str | None:
    """Pattern for one element's value that proves it clean (``sep`` and ``exclude`` never in it)."""
    if e.usage == "N" or kind == 2:  # not used / a date checked against its 1250 format: empty only
        return ""
    candidates: Iterable[str | None] | None = e.allowed
    lookahead = ""
    if e.regex_src is not None:
        m = _LITERALS.match(e.regex_src)
        if m is not None:
            candidates = [c for c in (m.group(1) or m.group(2)).split("|") if e.allowed is None or c in e.allowed]
        elif e.allowed is not None:
            candidates = [c for c in e.allowed if c and e.regex is not None and e.regex.search(c)]
        else:
            embedded = _embedded(e, sep + exclude)
            if embedded is None:
                return None  # a general <regex>: the per-element path handles it
            lookahead = embedded
    if candidates is not None:
        codes = sorted((c for c in candidates if c and not any(x in c for x in sep + exclude) and not e._check(c, ())),
                       key=lambda c: (-len(c), c))
        if len(codes) > _MAX_ALTERNATIVES:
            return None
        return "(?:" + "|".join(re.escape(c) for c in codes) + ")" if codes else "(?!)"
    src = _type_src(e.data_type, e.min_len, e.max_len, e.icvn, sep + exclude)
    return None if src is None else lookahead + src


def _optional(src: str, required: bool) -> str:
    return f"(?:{src})" if required else f"(?:{src})?"


def _composite_src(c: CompositeSpec, sep: str, exclude: str = _NUL) -> str | None:
    if c.usage == "N":
        return ""
    parts = [_element_src(p, sep, 0, exclude) for p in c.parts]
    if not parts or any(p is None for p in parts):
        return None
    tail = ""
    for part, src in zip(reversed(c.parts[1:]), reversed(parts[1:]), strict=True):
        tail = f"(?:{re.escape(sep)}{_optional(src or '', part.empty_is_missing)}{tail})?"
    body = _optional(parts[0] or "", c.parts[0].empty_is_missing) + tail
    if c.usage == "R":  # not empty, and not only separators either
        x = re.escape(exclude)
        return f"(?=[^{x}]*[^{x}{re.escape(sep)}]){body}"
    return f"(?:{body})?"


def child_srcs(spec: SegmentSpec, sep: str, exclude: str = _NUL) -> list[str] | None:
    """Per element of ``spec``: a pattern its value matches only when clean (``sep`` = the component
    separator, ``exclude`` = characters never in a value), or None when one has no such pattern."""
    if spec.id == "DTP" or not spec.children:
        return None
    srcs: list[str] = []
    for kid, kind, _, _, _ in spec.fast:
        src = (_composite_src(kid, sep, exclude) if isinstance(kid, CompositeSpec)
               else _element_src(kid, sep, kind, exclude))
        if src is None:
            return None
        srcs.append(src)
    return srcs


def segment_src(spec: SegmentSpec, sep: str, joiner: str = _NUL, exclude: str = _NUL) -> str | None:
    """The elements of a clean ``spec`` segment joined by ``joiner`` (see ``child_srcs``), or None."""
    srcs = child_srcs(spec, sep, exclude)
    if srcs is None:
        return None
    srcs = [src if src == "" else _optional(src, required) for src, (_, _, required, _, _) in zip(srcs, spec.fast,
                                                                                                 strict=True)]
    tail = ""
    for j in range(len(srcs) - 1, 0, -1):
        tail = f"(?:{re.escape(joiner)}{srcs[j]}{tail})" + ("" if j < spec.need else "?")
    return srcs[0] + tail


def segment_pattern(spec: SegmentSpec, sep: str) -> Callable[[str], object] | None:
    """One ``fullmatch`` over the NUL-joined elements that proves every element clean, or None."""
    src = segment_src(spec, sep)
    return re.compile(src, re.ASCII | re.S).fullmatch if src is not None else None


def _discriminator(seg_id: str, kids: Sequence[ElementSpec | CompositeSpec]
                   ) -> tuple[int, int | None, frozenset[str | None]] | None:
    """pyx12's ``_resolve_unique_key_field(with_qual=False)``: the element a node is matched on."""
    c0 = kids[0] if kids else None
    c1 = kids[1] if len(kids) > 1 else None
    c2 = kids[2] if len(kids) > 2 else None
    if isinstance(c0, ElementSpec) and c0.data_type == "ID" and c0.usage == "R" and c0.codes:
        return (0, None, frozenset(c0.codes))
    if seg_id == "ENT" and isinstance(c1, ElementSpec) and c1.data_type == "ID" and c1.codes:
        return (1, None, frozenset(c1.codes))
    if isinstance(c0, CompositeSpec) and c0.parts:
        p = c0.parts[0]
        if p.codes and (p.data_type == "ID" or (seg_id == "CTX" and p.data_type == "AN")):
            return (0, 0, frozenset(p.codes))
    if seg_id == "HL" and isinstance(c2, ElementSpec) and c2.codes:
        return (2, None, frozenset(c2.codes))
    return None


def _split_syntax(s: str | None) -> tuple[str, tuple[int, ...]] | None:
    if not s or s[0] not in "PRCLE":
        return None
    body = s[1:]
    return (s[0], tuple(int(body[i * 2 : i * 2 + 2]) for i in range(len(body) // 2)))


def compile_map(path: str, dataele: dict[str, DataEle], codes: dict[str, frozenset[str | None]]) -> CompiledMap:
    root_el = _parse(path).getroot()
    b = _Builder(dataele, codes, path)
    b.icvn = _icvn(root_el) or "00401"
    root = _Node("root", root_el.get("xid") or "", _attr(root_el, "name") or "", "", 0, MAXINT, None, path="/")
    b.container(root_el, root)

    # counters: one per distinct canonical path, as pyx12's NodeCounter keys them
    ids: dict[str, int] = {}
    all_nodes: list[_Node] = []

    def visit(n: _Node) -> None:
        for c in n.children:
            c.counter = ids.setdefault(canon_path(c.full_path()), len(ids))
            all_nodes.append(c)
            visit(c)

    visit(root)
    resets: dict[int, tuple[int, ...]] = {}
    paths = {v: k for k, v in ids.items()}
    for n in all_nodes:
        if n.kind == "loop":
            head = paths[n.counter].split("/")
            resets[n.counter] = tuple(
                cid for p, cid in ids.items()
                if len(p.split("/")) > len(head) and p.split("/")[: len(head)] == head
            )
    specs: list[SegmentSpec] = []
    for n in b.seg_nodes:
        assert n.spec is not None
        n.spec = _with_counter(n.spec, n.counter)
        specs.append(n.spec)

    def find(*xids: str) -> _Node:
        node: _Node | None = root
        for x in xids:
            node = next((c for c in node.children if c.xid == x), None) if node else None
        if node is None:
            raise MapError(f"{path}: no {'/'.join(xids)} in the map")
        return node

    gs = find("ISA_LOOP", "GS_LOOP", "GS")
    st = find("ISA_LOOP", "GS_LOOP", "ST_LOOP", "ST")
    initial = {find("ISA_LOOP").counter: 1, find("ISA_LOOP", "ISA").counter: 1,
               find("ISA_LOOP", "GS_LOOP").counter: 1, gs.counter: 1}
    discs: dict[str, set[tuple[int, int | None]]] = {}
    unions: dict[tuple[str, int, int | None], set[str | None]] = {}
    for n in b.seg_nodes:
        if n.key is not None:
            i, c, cs = n.key
            discs.setdefault(n.xid, set()).add((i, c))
            unions.setdefault((n.xid, i, c), set()).update(cs)
    discriminators = {
        sid: tuple((i, c, frozenset(unions[(sid, i, c)])) for i, c in sorted(keys, key=lambda k: (k[0], k[1] or 0)))
        for sid, keys in discs.items()
    }
    return CompiledMap(
        name=os.path.basename(path), specs=specs, start=_spec(gs).index, initial=initial, n_counters=len(ids),
        st_codes=st.key[2] if st.key is not None else None, discriminators=discriminators,
        _seg_nodes=b.seg_nodes, _resets=resets,
    )


def _spec(n: _Node) -> SegmentSpec:
    assert n.spec is not None
    return n.spec


def _with_counter(s: SegmentSpec, counter: int) -> SegmentSpec:
    kinds = tuple(3 if isinstance(k, CompositeSpec) else 1 if k.data_ele == "1250" else 2 if k.data_ele == "1251"
                  else 0 for k in s.children)
    must = tuple(i for i, k in enumerate(s.children)
                 if (k.usage == "R" if isinstance(k, CompositeSpec) else k.empty_is_missing))
    fast = tuple((k, kind, i in must, k.ok, k.proof if isinstance(k, ElementSpec) else None)
                 for i, (k, kind) in enumerate(zip(s.children, kinds, strict=True)))
    return SegmentSpec(s.index, s.id, s.name, s.usage, s.pos, s.max_use, counter, s.loop, s.eq_key,
                       s.children, s.syntax, kinds, must, fast, max(must) + 1 if must else 0)


def _icvn(root: etree._Element) -> str | None:
    """pyx12 takes a map's version from the first valid code of its ISA12."""
    for loop in root.findall("loop"):
        if loop.get("xid") == "ISA_LOOP":
            for seg in loop.findall("segment"):
                if seg.get("xid") == "ISA":
                    for e in seg.findall("element"):
                        if (_attr(e, "seq") or "").lstrip("0") == "12":
                            return e.findtext("valid_codes/code")
    return None

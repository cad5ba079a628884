"""Hypothesis strategies that write valid interchanges from our maps.

The maps (``maps/*.IL.xml`` with ``dataele.xml`` and ``codes.xml``) are read once into a small tree
of loops, segments and elements; a strategy then walks the tree the way a partner's translator
would: every required loop, segment and element present, optional ones drawn, repeats within the
map's limits, codes from ``valid_codes`` (or the external code list), values matching ``regex``
and the data element's type and length, syntax notes (P, R, C, L, E) honoured, DTM05/DTM06 date
formats consistent. The envelope around the sets (ISA, GS, ST/SE, GE, IEA) is written here with
correct counts and control numbers, in separators drawn per interchange.

``tests/fuzz/test_fuzz.py`` checks that what this writes validates clean (so the generator and the
validator keep each other honest); the mutation strategies in ``mutate.py`` start from here.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from random import Random

from hypothesis import strategies as st
from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
MAPS = ROOT / "maps"

#: map file -> GS01 and ST01, as maps.xml says
SETS: dict[str, tuple[str, str]] = {
    "814.4010.IL.xml": ("GE", "814"),
    "867.4010.IL.xml": ("PT", "867"),
    "810.4010.IL.xml": ("IN", "810"),
    "824.4010.IL.xml": ("AG", "824"),
    "997.4010.IL.xml": ("FA", "997"),
}
#: the characters values are drawn from: none of them is ever a separator below
VALUE_CHARS = string.ascii_uppercase + string.digits + " .-,&()/#"
#: (element, component, terminator, suffix): the separator sets real partners use
SEPARATOR_SETS: tuple[tuple[str, str, str, str], ...] = (
    ("*", ">", "~", "\n"),
    ("*", ">", "~", ""),
    ("*", ">", "~", "\r\n"),
    ("*", ":", "~", "\n"),
    ("|", "^", "~", "\n"),
    ("*", ">", "\n", ""),
    ("*", "^", "'", "\n"),
    ("!", ">", "~", ""),
    ("\x1d", ">", "\x1c", ""),
    ("*", "\\", "~", "\r\n"),
)
#: a loop made to catch wrong codes (its first element is a regex over codes a sibling already
#: matches): a partner who writes it correctly lands in the sibling, so it is never generated
CATCH_ALL = re.compile(r"_OTHER$")
MAX_REPEAT = 2  #: ">1" and large repeats are drawn up to this
#: Illinois guide rules outside the maps (edi/presence.py): these loops must be there
REQUIRED_LOOPS = {"814": {"N1_LDC", "N1_ESP"}, "867": {"N1_LDC", "N1_ESP"}, "810": {"N1_LDC", "N1_ESP"},
                  "824": {"N1_LDC", "N1_ESP"}}
REQUIRED_ONE_OF = {"867": {"PTD_SU", "PTD_PM", "PTD_BO", "PTD_PL", "PTD_BC"}}


# --------------------------------------------------------------------------- the map as a tree


@dataclass(frozen=True)
class DataEle:
    type: str
    min_len: int
    max_len: int


@dataclass(frozen=True)
class Element:
    seq: int
    usage: str
    data_ele: str
    type: str
    min_len: int
    max_len: int
    codes: tuple[str, ...] = ()
    regex: str | None = None


@dataclass(frozen=True)
class Composite:
    seq: int
    usage: str
    parts: tuple[Element, ...]


@dataclass(frozen=True)
class SegmentNode:
    id: str
    usage: str
    max_use: int
    elements: tuple[Element | Composite, ...]
    syntax: tuple[tuple[str, tuple[int, ...]], ...]


@dataclass(frozen=True)
class LoopNode:
    xid: str
    usage: str
    repeat: int
    children: tuple[LoopNode | SegmentNode, ...] = field(default=())
    wrapper: bool = False


@dataclass(frozen=True)
class SetMap:
    file: str
    gs01: str
    st01: str
    body: tuple[LoopNode | SegmentNode, ...]  #: everything between ST and SE


def _repeat(raw: str | None) -> int:
    if not raw or raw.startswith(">"):
        return 10**6
    return int(raw)


@cache
def _dataele(map_dir: str) -> dict[str, DataEle]:
    out = {}
    for e in etree.parse(str(Path(map_dir) / "dataele.xml")).iter("data_ele"):
        out[e.get("ele_num", "")] = DataEle(e.get("data_type") or "AN", int(e.get("min_len", "0")),
                                            int(e.get("max_len", "0")))
    return out


@cache
def _codesets(map_dir: str) -> dict[str, tuple[str, ...]]:
    out = {}
    for cs in etree.parse(str(Path(map_dir) / "codes.xml")).iter("codeset"):
        out[cs.findtext("id") or ""] = tuple(c.text or "" for c in cs.iterfind("version/code"))
    return out


def _element(e: etree._Element, map_dir: str) -> Element:
    de = _dataele(map_dir)[e.get("data_ele", "")]
    codes: tuple[str, ...] = ()
    vc = e.find("valid_codes")
    if vc is not None:
        codes = tuple(c.text or "" for c in vc.iterfind("code"))
        if vc.get("external"):
            codes += _codesets(map_dir)[vc.get("external", "")]
    return Element(int(e.get("seq", "0")), e.get("usage", "S"), e.get("data_ele", ""), de.type, de.min_len,
                   de.max_len, codes, e.findtext("regex"))


def _segment(s: etree._Element, map_dir: str) -> SegmentNode:
    elements: list[Element | Composite] = []
    for child in s:
        if child.tag == "element":
            elements.append(_element(child, map_dir))
        elif child.tag == "composite":
            parts = tuple(_element(p, map_dir) for p in child.iterfind("element"))
            elements.append(Composite(int(child.get("seq", "0")), child.get("usage", "S"), parts))
    syntax = []
    for rule in s.iterfind("syntax"):
        text = (rule.text or "").strip()
        syntax.append((text[0], tuple(int(text[i:i + 2]) for i in range(1, len(text), 2))))
    return SegmentNode(s.get("xid", ""), s.get("usage", "S"), _repeat(s.get("max_use")), tuple(elements),
                       tuple(syntax))


def _loop(node: etree._Element, map_dir: str) -> LoopNode:
    children: list[LoopNode | SegmentNode] = []
    for child in node:
        if child.tag == "loop":
            children.append(_loop(child, map_dir))
        elif child.tag == "segment":
            children.append(_segment(child, map_dir))
    return LoopNode(node.get("xid", ""), node.get("usage", "S"), _repeat(node.get("repeat")), tuple(children),
                    node.get("type") == "wrapper")


@cache
def set_maps(map_dir: str = str(MAPS)) -> tuple[SetMap, ...]:
    """Every transaction set map, its ST..SE body as a tree."""
    out = []
    for name, (gs01, st01) in SETS.items():
        root = etree.parse(str(Path(map_dir) / name)).getroot()
        st_loop = next(lp for lp in root.iter("loop") if lp.get("xid") == "ST_LOOP")
        body = tuple(c for c in _loop(st_loop, map_dir).children
                     if not (isinstance(c, SegmentNode) and c.id in ("ST", "SE")))
        out.append(SetMap(name, gs01, st01, body))
    return tuple(out)


# --------------------------------------------------------------------------- values
_ALTERNATIVES = re.compile(r"^\^\(?([A-Z0-9|]+)\)?\$$")
_ZIP = "^[0-9]{5}([0-9]{4})?$"


def _regex_value(rng: Random, regex: str) -> str:
    """A value matching one of the maps' regexes (alternations of codes, or a ZIP code)."""
    if regex == _ZIP:
        return _digits(rng, 5, 5) + (_digits(rng, 4, 4) if rng.random() < 0.5 else "")
    m = _ALTERNATIVES.match(regex)
    if m is None:
        raise ValueError(f"the generator does not know how to match {regex!r}: teach _regex_value")
    return rng.choice(m.group(1).split("|"))


def _digits(rng: Random, lo: int, hi: int) -> str:
    n = rng.randint(max(lo, 1), max(lo, min(hi, 12)))
    return "".join(rng.choice(string.digits) for _ in range(n))


def _date(rng: Random) -> str:
    day = dt.date(1990, 1, 1) + dt.timedelta(days=rng.randrange(60 * 365))
    return day.strftime("%Y%m%d")


def _time(rng: Random, lo: int = 4, hi: int = 8) -> str:
    hhmm = f"{rng.randrange(24):02d}{rng.randrange(60):02d}"
    n = rng.choice([n for n in (4, 6, 7, 8) if lo <= n <= hi] or [4])
    if n == 4:
        return hhmm
    return hhmm + f"{rng.randrange(60):02d}" + "".join(rng.choice(string.digits) for _ in range(n - 6))


def value(rng: Random, el: Element, date_format: str | None = None) -> str:
    """One value the element accepts (type, length, codes, regex)."""
    if el.codes:
        return rng.choice(el.codes)
    if el.regex:
        return _regex_value(rng, el.regex)
    if el.data_ele == "1251" and date_format:
        if date_format == "RD8":
            a, b = sorted([_date(rng), _date(rng)])
            return f"{a}-{b}"
        if date_format == "DT":
            return _date(rng) + _time(rng, 4, 4)
        if date_format == "TM":
            return _time(rng)
        return _date(rng)
    t, lo, hi = el.type, el.min_len, el.max_len
    if t in ("DT", "D8"):
        return _date(rng)
    if t == "TM":
        return _time(rng, lo, hi)
    if t.startswith("N"):
        return ("-" if rng.random() < 0.2 else "") + _digits(rng, lo, hi)
    if t == "R":
        whole = _digits(rng, 1, max(1, min(hi, 9) - 3))
        got = ("-" if rng.random() < 0.2 else "") + whole + rng.choice(["", "", ".5", ".25", ".125", ".0"])
        return got if len(got.replace("-", "").replace(".", "")) <= hi else whole[:hi]
    # AN / ID: printable characters, no trailing space (a trailing space is an element error)
    n = rng.randint(max(lo, 1), max(lo, min(hi, 35)))
    text = "".join(rng.choice(VALUE_CHARS) for _ in range(n))
    return text[:-1] + "X" if text[-1] == " " else text


# --------------------------------------------------------------------------- segments and loops


def _present(rng: Random, seg: SegmentNode) -> set[int]:
    """Which element positions carry a value: usage first, then the syntax notes."""
    usage = {e.seq: e.usage for e in seg.elements}
    present = {e.seq for e in seg.elements if e.usage == "R" or (e.usage == "S" and rng.random() < 0.5)}
    if not present:  # a segment with no element at all is an error of its own
        present.add(next(e.seq for e in seg.elements if e.usage != "N"))
    for _ in range(4):  # the notes can interact; a few passes settle them
        for code, idx in seg.syntax:
            have = [i for i in idx if i in present]
            if code == "P" and have and len(have) < len(idx):
                present |= {i for i in idx if usage.get(i) != "N"}
            elif code == "R" and not have:
                present.add(next((i for i in idx if usage.get(i) != "N"), idx[0]))
            elif code == "C" and idx[0] in present:
                present |= {i for i in idx[1:] if usage.get(i) != "N"}
            elif code == "L" and idx[0] in present and not any(i in present for i in idx[1:]):
                present.add(next((i for i in idx[1:] if usage.get(i) != "N"), idx[1]))
            elif code == "E" and len(have) > 1:
                keep = next((i for i in have if usage.get(i) == "R"), have[0])
                present -= {i for i in have if i != keep}
    return present


def segment(rng: Random, seg: SegmentNode, component: str) -> list[str]:
    """``[id, element 01, ...]`` valid for this segment node, trailing empty elements dropped."""
    present = _present(rng, seg)
    out = [seg.id]
    date_format: str | None = None
    for el in seg.elements:
        while len(out) < el.seq:
            out.append("")
        if el.seq not in present:
            out.append("")
            continue
        if isinstance(el, Composite):
            parts = [value(rng, p) if p.usage == "R" or (p.usage == "S" and rng.random() < 0.5) else ""
                     for p in el.parts]
            if not any(parts):
                parts[0] = value(rng, el.parts[0])
            while parts and not parts[-1]:
                parts.pop()
            out.append(component.join(parts))
            continue
        v = value(rng, el, date_format)
        if el.data_ele == "1250":
            date_format = v
        out.append(v)
    while len(out) > 1 and out[-1] == "":
        out.pop()
    return out


def _count(rng: Random, usage: str, limit: int, forced: bool = False) -> int:
    if usage == "N":
        return 0
    lo = 1 if usage == "R" or forced else 0
    return rng.randint(lo, max(lo, min(limit, MAX_REPEAT)))


def _first(node: LoopNode | SegmentNode) -> Element | Composite | None:
    """The first element of a segment node or of a loop's first segment: what pyx12 tells siblings apart by."""
    while isinstance(node, LoopNode):
        if not node.children:
            return None
        node = node.children[0]
    return node.elements[0] if node.elements else None


def _seg_id(node: LoopNode | SegmentNode) -> str:
    while isinstance(node, LoopNode):
        node = node.children[0]
    return node.id


def _catch_all(node: LoopNode | SegmentNode, siblings: Sequence[LoopNode | SegmentNode]) -> bool:
    """A node made to catch wrong codes: its first element is a regex and a sibling with the same
    segment id is told apart by valid_codes. A partner writing it correctly lands in the sibling
    (pyx12 matches valid_codes, not regexes), so it is never generated."""
    first = _first(node)
    if not isinstance(first, Element) or first.codes or not first.regex:
        return False
    sid = _seg_id(node)
    return any(o is not node and _seg_id(o) == sid and isinstance(_first(o), Element) and _first(o).codes  # type: ignore[union-attr]
               for o in siblings)


def _children(rng: Random, children: Sequence[LoopNode | SegmentNode], component: str, st01: str,
              top: bool) -> list[list[str]]:
    out: list[list[str]] = []
    required = REQUIRED_LOOPS.get(st01, set())
    one_of = REQUIRED_ONE_OF.get(st01, set())
    chosen = rng.choice(sorted(one_of)) if one_of and top else None
    for child in children:
        if _catch_all(child, children):
            continue
        if isinstance(child, SegmentNode):
            for _ in range(_count(rng, child.usage, child.max_use)):
                out.append(segment(rng, child, component))
            continue
        n = 1 if child.wrapper else _count(rng, child.usage, child.repeat, child.xid in required or child.xid == chosen)
        for _ in range(n):
            out += _children(rng, child.children, component, st01, child.wrapper and top)
    return out


def transaction_body(rng: Random, set_map: SetMap, component: str) -> list[list[str]]:
    """The segments between ST and SE of one valid transaction set."""
    return _children(rng, set_map.body, component, set_map.st01, True)


# --------------------------------------------------------------------------- the envelope


@dataclass(frozen=True)
class Generated:
    """A generated file: its bytes, and what went into it (for the tests' own checks)."""

    data: bytes
    separators: tuple[str, str, str, str]
    segments: list[list[str]]  #: every segment of the file, in order, ISA included
    seed: int = 0


def _isa(sender: str, receiver: str, when: dt.datetime, isa13: int, component: str, ack: str,
         usage: str) -> list[str]:
    return ["ISA", "00", " " * 10, "00", " " * 10, "01", sender.ljust(15), "01", receiver.ljust(15),
            when.strftime("%y%m%d"), when.strftime("%H%M"), "U", "00401", f"{isa13:09d}", ack, usage, component]


def render(segments: Sequence[Sequence[str]], seps: tuple[str, str, str, str]) -> bytes:
    element, _, terminator, suffix = seps
    return "".join(element.join(s) + terminator + suffix for s in segments).encode("utf-8", "surrogateescape")


PARTIES = (("987654321", "012345678"), ("012345678", "987654321"), ("123456789", "012345678"),
           ("5556667770000", "012345678"))


def interchange_segments(rng: Random, component: str, isa13: int, max_groups: int = 2,
                         max_sets: int = 2) -> list[list[str]]:
    """One valid interchange (one or two groups of one or two sets) as segments."""
    parties = rng.choice(PARTIES)
    when = dt.datetime(2000, 1, 1) + dt.timedelta(minutes=rng.randrange(50 * 365 * 24 * 60))
    out = [_isa(*parties, when, isa13, component, rng.choice("01"), rng.choice("PT"))]
    maps = set_maps()
    n_groups = rng.randint(1, max_groups)
    for g in range(n_groups):
        set_map = rng.choice(maps)
        gs06 = str(isa13 * 10 + g + 1)[-9:].lstrip("0") or "1"
        out.append(["GS", set_map.gs01, parties[0], parties[1], when.strftime("%Y%m%d"), when.strftime("%H%M"),
                    gs06, "X", "004010"])
        n_sets = rng.randint(1, max_sets)
        for n in range(1, n_sets + 1):
            st02 = f"{n:04d}"
            body = transaction_body(rng, set_map, component)
            out += [["ST", set_map.st01, st02], *body, ["SE", str(len(body) + 2), st02]]
        out.append(["GE", str(n_sets), gs06])
    out.append(["IEA", str(n_groups), f"{isa13:09d}"])
    return out


def generate(seed: int, max_interchanges: int = 2) -> Generated:
    """A valid file from a seed: one or more interchanges from our maps, in one set of separators."""
    rng = Random(seed)
    seps = rng.choice(SEPARATOR_SETS)
    first = rng.randint(1, 999_999_000)
    segments: list[list[str]] = []
    for i in range(rng.randint(1, max_interchanges)):
        segments += interchange_segments(rng, seps[1], first + i)
    return Generated(render(segments, seps), seps, segments, seed)


def interchanges(max_interchanges: int = 2) -> st.SearchStrategy[Generated]:
    """Hypothesis strategy: valid files from our maps.

    The tree walk draws hundreds of small choices; drawing each through hypothesis costs ~100 ms per
    file, drawing one seed and walking with :class:`random.Random` ~1 ms. The seed is in the
    falsifying example, so a failure replays exactly; the mutations on top shrink normally.
    """
    return st.integers(0, 2**63 - 1).map(lambda seed: generate(seed, max_interchanges))

"""Differential test: edi.guide finds the same transaction-set problems as pyx12 on the same maps.

For every sample file (the shared pyx12 example samples, and ``samples/valid`` and ``samples/bad``
of this repository when they exist) and for at least 200 seeded mutants of them (a segment dropped,
duplicated or swapped, a code changed, an element made too long or blanked, letters in a date or
number, an unknown segment, a surplus element or component, a trailing separator, an emptied
segment), the set of ``(position, segment id, element, component, AK3, AK4)`` of
:class:`~edi.guide.GuideValidator` must equal pyx12's, for the AK3/AK4 findings of every complete
transaction set. The maps are ``maps/`` once it has a ``maps.xml``, else the shared example maps.

Documented exceptions, each pinned by a test at the bottom of this module:

``SEGMENT_LEVEL``  pyx12 reports a segment-level element problem (too many elements or components,
    a P/R/C/L/E syntax rule, a required composite missing, a not-used composite present) as a bare
    AK3 8 with no AK4. Ours keep AK3 8 and add the AK4 code and the element a 997 should name;
    compared at AK3 level (``edi.guide.SEGMENT_LEVEL_RULES``).
``NOT_USED``  pyx12 files "segment/loop marked not used" (AK3 2) under the *previous* segment
    (its error cursor), and loses it when that is ST. Ours name the segment itself; AK3 2 is left
    out of the keyed comparison.
``TOKENIZER``  pyx12's tokenizer errors (empty segment, invalid id, trailing separator) land on
    whatever segment its error cursor points at when it drains them (the next placed segment after
    an unplaced one, the one before SE; on ST they are lost). Ours are on the segment itself;
    compared by count.
``ENVELOPE_SEGMENT_LEVEL``  segment-level problems on ST or SE are lost by pyx12 (err_st.add_error
    takes two arguments, seg_error passes three, the TypeError is swallowed). Ours are kept.
``COMPOSITE_CRASH``  a composite with more components than the map defines makes pyx12 4.0.0 raise
    IndexError (segment_if indexes ``children[n + 1]``); ours report AK4 3 on it.

Sets pyx12 does not place in the map at all (ST01 not in the group's map: ours answer AK5 1) and
files pyx12 cannot read are not compared; envelope counts belong to ``edi.envelope``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

from edi.findings import Finding, Level
from edi.guide import SEGMENT_LEVEL_RULES, GuideValidator
from edi.pyx12_ref import pyx12_findings
from edi.segments import Segment
from tests.edi.test_guide import write_tiny_maps

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO.parent / "shared" / "examples" / "pyx12-814-map"  # its samples, when shared/ is beside us
MAP_DIR = REPO / "maps" if (REPO / "maps" / "maps.xml").is_file() else EXAMPLE / "maps"
SAMPLES = sorted(
    [*EXAMPLE.glob("samples/*.x12"),
     *(p for sub in ("valid", "bad") for ext in ("x12", "edi") for p in (REPO / "samples" / sub).glob(f"*.{ext}"))]
)
TOKENIZER_RULES = frozenset({"syntax.segment-empty", "syntax.segment-id", "syntax.trailing-separator"})
ENVELOPE = frozenset({"ISA", "GS", "ST", "SE", "GE", "IEA", "TA1"})
MUTANTS_WANTED = 240

Key = tuple[int, str, int | None, int | None, str | None, str | None]


# --------------------------------------------------------------------------- reading like pyx12


@dataclass(frozen=True)
class TxSet:
    gs01: str
    gs08: str
    segments: list[Segment]


@dataclass(frozen=True)
class Parsed:
    element: str
    component: str
    terminator: str
    segments: list[Segment]
    sets: list[TxSet]  #: complete sets that follow a complete set (or open their group)


def parse(text: str) -> Parsed | None:
    """Split as pyx12's tokenizer does (first ISA's separators, stop at an empty segment, drop an
    unterminated tail) and group into ST..SE sets."""
    if not text.startswith("ISA") or len(text) < 106:
        return None
    ele, comp, term = text[3], text[104], text[105]
    segs: list[Segment] = []
    for raw in text.split(term)[:-1]:
        raw = raw.lstrip("\r\n")
        if raw == "":
            break
        parts = raw.split(ele)
        segs.append(Segment(parts[0], tuple(parts[1:]), len(segs) + 1))
    sets: list[TxSet] = []
    gs: Segment | None = None
    cur: list[Segment] | None = None
    clean = True  # the previous set of this group closed normally
    for s in segs:
        if s.id in ("GS", "GE", "ISA", "IEA"):
            clean = cur is None if s.id in ("GE", "IEA") else True
            cur = None
            gs = s if s.id == "GS" else gs
        elif s.id == "ST":
            clean = clean and cur is None
            cur = [s]
        elif cur is not None:
            cur.append(s)
            if s.id == "SE":
                if clean and gs is not None:
                    sets.append(TxSet(gs.get(1), gs.get(8), cur))
                cur, clean = None, True
        else:
            clean = False
    return Parsed(ele, comp, term, segs, sets)


def render(p: Parsed, segs: Iterable[Segment]) -> str:
    return "".join(p.element.join((s.id, *s.elements)) + p.terminator + "\n" for s in segs)


# --------------------------------------------------------------------------- comparing


@dataclass
class Compared:
    ours: set[Key]
    theirs: set[Key]
    ours_tokenizer: int
    theirs_tokenizer: int
    ours_raw: list[Finding]
    theirs_raw: list[Finding]


def key(f: Finding) -> Key:
    return (f.position, f.segment_id, f.element, f.component, f.ak3, f.ak4)


def compare(path: Path, guide: GuideValidator, map_dir: Path) -> Compared | None:
    """Both sides' keyed findings for the comparable sets of ``path``; None if pyx12 cannot read it."""
    parsed = parse(path.read_text(encoding="latin-1"))
    if parsed is None:
        return None
    theirs_raw = pyx12_findings(str(path), str(map_dir))
    ours_raw: list[Finding] = []
    covered: set[int] = set()
    for ts in parsed.sets:
        found = guide.validate(ts.gs01, ts.gs08, ts.segments, parsed.component, file=str(path))
        if any(f.rule == "map.transaction-set-not-supported" for f in found):
            continue  # pyx12 never placed this ST: its errors go to the previous set or nowhere
        ours_raw += found
        covered.update(range(ts.segments[0].pos, ts.segments[-1].pos + 1))
    c = Compared(set(), set(), 0, 0, ours_raw, theirs_raw)
    if any(f.level is Level.FILE for f in theirs_raw):
        return c  # pyx12 gave up on the file: nothing of its to compare
    for f in ours_raw:
        if f.rule in TOKENIZER_RULES:  # TOKENIZER
            c.ours_tokenizer += f.segment_id != "ST"
        elif f.ak3 == "2":  # NOT_USED
            continue
        elif f.rule in SEGMENT_LEVEL_RULES:
            if f.segment_id not in ("ST", "SE"):  # ENVELOPE_SEGMENT_LEVEL
                c.ours.add((f.position, f.segment_id, None, None, "8", None))  # SEGMENT_LEVEL
        else:
            c.ours.add(key(f))
    for f in theirs_raw:
        if f.position not in covered or f.level is not Level.TRANSACTION:
            continue
        if f.rule == "pyx12.reader":
            c.theirs_tokenizer += 1
        elif (f.ak3 or f.ak4) and f.ak3 != "2":
            c.theirs.add(key(f))
    return c


def assert_same(c: Compared) -> None:
    assert sorted(c.ours - c.theirs) == [] and sorted(c.theirs - c.ours) == [], (
        f"ours only: {sorted(c.ours - c.theirs)}; pyx12 only: {sorted(c.theirs - c.ours)}")
    assert c.ours_tokenizer == c.theirs_tokenizer


@pytest.fixture(scope="module")
def guide() -> GuideValidator:
    return GuideValidator.from_map_dir(MAP_DIR)


# --------------------------------------------------------------------------- the samples


@pytest.mark.parametrize("path", SAMPLES, ids=[p.name for p in SAMPLES])
def test_sample_files_agree_with_pyx12(path: Path, guide: GuideValidator) -> None:
    c = compare(path, guide, MAP_DIR)
    if c is None or any(f.level is Level.FILE for f in c.theirs_raw):
        pytest.skip(f"pyx12 cannot read {path.name}: {c.theirs_raw[0].message if c else 'not X12'}")
    assert_same(c)


# --------------------------------------------------------------------------- the mutants


def _mutate(rng: random.Random, segs: list[Segment], comp: str) -> tuple[str, list[Segment]]:
    segs = list(segs)
    body = [i for i, s in enumerate(segs) if s.id not in ENVELOPE]
    k = rng.choice(body)
    s = segs[k]
    els = list(s.elements)
    op = rng.choice(["drop", "duplicate", "swap", "code", "lengthen", "blank", "letters",
                     "unknown", "extra", "component", "trailing", "empty"])
    j = rng.randrange(len(els)) if els else 0
    if op == "drop":
        del segs[k]
    elif op == "duplicate":
        segs.insert(k, s)
    elif op == "swap":
        other = rng.choice(body)
        segs[k], segs[other] = segs[other], segs[k]
    elif op == "unknown":
        segs.insert(k, Segment("ZZZ", ("1",)))
    elif op == "extra":
        segs[k] = s._replace(elements=(*els, "X"))
    elif op == "trailing":
        segs[k] = s._replace(elements=(*els, ""))
    elif op == "empty":
        segs[k] = s._replace(elements=())
    elif els:
        if op == "code":
            same_pos = sorted({t.get(j + 1) for t in segs if t.id == s.id and t.get(j + 1)})
            els[j] = rng.choice([*same_pos, "ZZ", "XX", "1", "99", "ABC", "8S", "12", "QD", "150", "D8"])
        elif op == "lengthen":
            els[j] = ((els[j] or "A") * 120)[:120]
        elif op == "blank":
            els[j] = ""
            while els and els[-1] == "":
                els.pop()
        elif op == "letters":
            els[j] = "20AB0101" if els[j].isdigit() else (els[j][:-1] + "X" if els[j] else "X")
        elif op == "component":
            els[j] += comp + "KH"
        segs[k] = s._replace(elements=tuple(els))
    return op, segs


def mutant(source: Path, index: int) -> tuple[list[str], str]:
    """The ``index`` th seeded mutant of ``source``: the operations applied and the file text."""
    parsed = parse(source.read_text(encoding="latin-1"))
    assert parsed is not None
    rng = random.Random(f"{source.name}:{index}")
    segs, ops = parsed.segments, []
    for _ in range(rng.choice([1, 1, 2, 3])):
        op, segs = _mutate(rng, segs, parsed.component)
        ops.append(op)
    return ops, render(parsed, segs)


def _sources() -> list[Path]:
    out = []
    for p in SAMPLES:
        parsed = parse(p.read_text(encoding="latin-1"))
        if parsed is not None and parsed.sets and any(s.id not in ENVELOPE for s in parsed.segments):
            out.append(p)
    return out


SOURCES = _sources()
PER_SOURCE = math.ceil(MUTANTS_WANTED / max(len(SOURCES), 1))
MUTANTS = [(p, i) for p in SOURCES for i in range(PER_SOURCE)]


def test_there_are_at_least_200_mutants() -> None:
    assert len(MUTANTS) >= 200


@pytest.mark.parametrize(("source", "index"), MUTANTS, ids=[f"{p.stem}-m{i:02d}" for p, i in MUTANTS])
def test_mutants_agree_with_pyx12(source: Path, index: int, guide: GuideValidator, tmp_path: Path) -> None:
    ops, text = mutant(source, index)
    path = tmp_path / f"{source.stem}-m{index:02d}.x12"
    path.write_text(text)
    c = compare(path, guide, MAP_DIR)
    assert c is not None
    crash = [f for f in c.theirs_raw if f.level is Level.FILE]
    if crash:  # COMPOSITE_CRASH is the only way a body mutation may crash pyx12
        assert "IndexError" in crash[0].message, (ops, crash[0].message)
        assert any(f.rule == "map.element-too-many" and f.component for f in c.ours_raw), ops
        return
    assert_same(c)


# --------------------------------------------------------------------------- the exceptions, pinned


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GuideValidator]:
    d = write_tiny_maps(tmp_path_factory.mktemp("tiny-vs"))
    return d, GuideValidator.from_map_dir(d)


HEAD = ("ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240115*1200*U*00401*000000001*0*T*>~\n"
        "GS*TS*SENDER*RECEIVER*20240115*1200*1*X*004010~\n")
TAIL = "GE*1*1~\nIEA*1*000000001~\n"
SET = ["ST*999*0001", "BGN*13*REF001*20240115", "REF*12*ACCT1", "N1*8S*UTILITY*1*123456789",
       "LIN*1*SH*EL", "QTY*QD*12.5*KH", "SE*7*0001"]


def run_tiny(tiny: tuple[Path, GuideValidator], tmp_path: Path, lines: list[str]) -> Compared:
    path = tmp_path / "case.x12"
    path.write_text(HEAD + "".join(f"{ln}~\n" for ln in lines) + TAIL)
    c = compare(path, tiny[1], tiny[0])
    assert c is not None
    assert not [f for f in c.theirs_raw if f.level in (Level.INTERCHANGE, Level.GROUP)]
    c.theirs_raw = [f for f in c.theirs_raw if f.ak3 or f.ak4 or f.level is Level.FILE]
    return c


def test_the_tiny_map_agrees_with_pyx12_when_clean(tiny: tuple[Path, GuideValidator], tmp_path: Path) -> None:
    c = run_tiny(tiny, tmp_path, SET)
    assert c.ours == c.theirs == set() and not c.theirs_raw


def test_exception_segment_level(tiny: tuple[Path, GuideValidator], tmp_path: Path) -> None:
    lines = list(SET)
    lines[3] = "N1*8S*UTILITY*1"  # P0304: N104 missing
    c = run_tiny(tiny, tmp_path, lines)
    (ours,) = [f for f in c.ours_raw if f.segment_id == "N1"]
    (theirs,) = [f for f in c.theirs_raw if f.segment_id == "N1"]
    assert (ours.ak3, ours.ak4, ours.element) == ("8", "2", 4)
    assert (theirs.ak3, theirs.ak4, theirs.element) == ("8", None, None)
    assert_same(c)


def test_exception_not_used(tiny: tuple[Path, GuideValidator], tmp_path: Path) -> None:
    lines = [*SET[:3], "NTE*ABC*A NOTE", *SET[3:]]  # NTE (position 6) is marked not used
    c = run_tiny(tiny, tmp_path, lines)
    assert [(f.position, f.segment_id, f.ak3) for f in c.ours_raw] == [(6, "NTE", "2")]
    assert [(f.position, f.segment_id, f.ak3) for f in c.theirs_raw] == [(5, "REF", "2")]


def test_exception_tokenizer(tiny: tuple[Path, GuideValidator], tmp_path: Path) -> None:
    lines = [*SET[:4], "N1", *SET[4:]]  # an empty N1 (position 7) that cannot be placed
    c = run_tiny(tiny, tmp_path, lines)
    assert ("syntax.segment-empty", 7) in {(f.rule, f.position) for f in c.ours_raw}
    assert ("pyx12.reader", 8, "LIN") in {(f.rule, f.position, f.segment_id) for f in c.theirs_raw}
    assert_same(c)


def test_exception_envelope_segment_level(tiny: tuple[Path, GuideValidator], tmp_path: Path) -> None:
    lines = [*SET[:-1], "SE*7*0001*EXTRA"]
    c = run_tiny(tiny, tmp_path, lines)
    assert [(f.segment_id, f.element, f.ak4) for f in c.ours_raw] == [("SE", 3, "3")]
    assert not [f for f in c.theirs_raw if f.ak3 or f.ak4]


def test_exception_composite_crash(tiny: tuple[Path, GuideValidator], tmp_path: Path) -> None:
    lines = list(SET)
    lines[5] = "QTY*QD*12.5*KH>1>2"
    c = run_tiny(tiny, tmp_path, lines)
    assert "IndexError" in c.theirs_raw[0].message
    assert [(f.segment_id, f.element, f.component, f.ak4) for f in c.ours_raw] == [("QTY", 3, 3, "3")]

"""The guide's fast lane changes nothing but the time: same findings as the exact path, everywhere.

``validate_stream`` offers each set to :class:`edi.guide.FastLane` first (one regex match on the raw
text, learned from sets the exact walk found clean); passing ``on_set`` turns the lane off. Every file
of the corpus, every seeded mutant of it (the ones of ``test_guide_vs_pyx12``) and mutants of a
generated 867 must give identical results both ways, with the lane primed on the clean files first,
so that mutants meet shapes learned from their own originals. Together with the differential test
against pyx12 (which checks the exact path), this is what proves the fast lane finds what pyx12 finds.
"""

from __future__ import annotations

import io
import os
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.gen import usage_reports, write_interchange
from edi import guide as guide_module
from edi.canonical import render
from edi.envelope import Envelope
from edi.guide import GuideValidator
from edi.reader import X12Reader
from edi.validate import Validation, validate_stream
from tests.edi.test_guide_vs_pyx12 import MUTANTS, SAMPLES, mutant
from tests.support import ENROLL, MAPS, interchange

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def guide() -> GuideValidator:
    """A validator of its own (``from_map_dir`` shares one per process): lanes start empty here."""
    real = os.path.realpath(MAPS)
    return guide_module._load.__wrapped__(real, guide_module._stamps(real))


def run(data: bytes, guide: GuideValidator, fast: bool) -> Validation:
    on_set = None if fast else (lambda ts: None)
    return validate_stream(io.BytesIO(data), "case.x12", guide, on_set=on_set)


def same_both_ways(data: bytes, guide: GuideValidator) -> Validation:
    slow = run(data, guide, fast=False)
    fast = run(data, guide, fast=True)
    assert fast.findings == slow.findings
    assert (fast.segments, fast.transaction_sets) == (slow.segments, slow.transaction_sets)
    assert summaries(fast) == summaries(slow)
    return fast


def summaries(v: Validation) -> list[object]:
    return [(i.position, i.findings, [(g.position, g.findings, [(s.st01, s.st02, s.position, s.closed, s.findings)
                                                                 for s in g.sets]) for g in i.groups])
            for i in v.interchanges]


def teach(data: bytes, guide: GuideValidator) -> None:
    """Validate twice with the lane on: a shape is compiled at its second sighting."""
    run(data, guide, fast=True)
    run(data, guide, fast=True)


def prevalidated(data: bytes, guide: GuideValidator) -> tuple[int, int]:
    """(sets the lane proved clean, sets) when ``data`` is walked with the lane on."""
    envelope = Envelope(X12Reader(io.BytesIO(data), "case.x12"), guide)
    sets = list(envelope)
    return sum(ts.prevalidated for ts in sets), len(sets)


def generated_867(points: int, seed: int) -> bytes:
    out = io.StringIO()
    write_interchange(out, "867", (render(r) for r in usage_reports(points, seed, hours=48)), "012345678",
                      "123456789")
    return out.getvalue().encode()


@pytest.fixture(scope="module")
def primed(guide: GuideValidator) -> GuideValidator:
    for path in SAMPLES:
        teach(path.read_bytes(), guide)
    teach(generated_867(3, 1), guide)
    return guide


# --------------------------------------------------------------------------- the corpus and its mutants


@pytest.mark.parametrize("path", SAMPLES, ids=[p.name for p in SAMPLES])
def test_sample_files_give_the_same_findings_both_ways(path: Path, primed: GuideValidator) -> None:
    same_both_ways(path.read_bytes(), primed)
    same_both_ways(path.read_bytes(), primed)  # the second time, its own clean sets are shapes


@pytest.mark.parametrize(("source", "index"), MUTANTS, ids=[f"{p.stem}-m{i:02d}" for p, i in MUTANTS])
def test_mutants_give_the_same_findings_both_ways(source: Path, index: int, primed: GuideValidator) -> None:
    _, text = mutant(source, index)
    same_both_ways(text.encode("latin-1"), primed)


def test_the_lane_takes_the_valid_samples(primed: GuideValidator) -> None:
    missed = []
    for path in SAMPLES:
        if "valid" in path.parts:
            taken, total = prevalidated(path.read_bytes(), primed)
            if taken != total:
                missed.append(path.name)
    assert missed == []


@pytest.mark.parametrize("variant", ["lf", "crlf", "blank-lines", "indented", "cr-only"])
def test_newline_terminators(guide: GuideValidator, variant: str) -> None:
    """With the newline as terminator the reader skips blank lines and drops a CR before it; a shape
    takes plain lines (CRLF too) and leaves the rest to the exact path."""
    base = interchange(*_sets(3), ge="GE*3*101~").replace("~", "\n")
    text = {"lf": base, "crlf": base.replace("\n", "\r\n"), "blank-lines": base.replace("\nREF", "\n\nREF"),
            "indented": base.replace("\nN1", "\n  N1"), "cr-only": base.replace("\n", "\r")}[variant]
    teach(base.encode(), guide)
    result = same_both_ways(text.encode(), guide)
    assert result.valid
    if variant in ("lf", "crlf", "indented"):
        assert prevalidated(text.encode(), guide) == (3, 3)


# --------------------------------------------------------------------------- generated 867s


def _867_mutants(seed: int) -> Iterator[tuple[str, str]]:
    """Mutations of an 867 that a loose shape would wave through: inside the interval runs, at their
    edges, in the counts."""
    text = generated_867(2, seed).decode()
    rng = random.Random(seed)
    lines = text.split("\n")
    qty = [i for i, ln in enumerate(lines) if ln.startswith("QTY*QD") and "DTM*582" in lines[i + 1]]
    dtm = [i for i, ln in enumerate(lines) if ln.startswith("DTM*582")]

    def edit(i: int, new: str | None) -> str:
        copy = list(lines)
        if new is None:
            del copy[i]
        else:
            copy[i] = new
        return "\n".join(copy)

    q, d = rng.choice(qty[5:-5]), rng.choice(dtm[5:-5])
    yield "letters in a value", edit(q, "QTY*QD*12A.5*KH~")
    yield "seven decimals", edit(q, "QTY*QD*1.1234567*KH~")
    yield "unknown qualifier", edit(q, "QTY*ZZ*1.5*KH~")
    yield "estimated", edit(q, "QTY*KA*1.5*KH~")
    yield "component in a number", edit(q, "QTY*QD*1.5>2*KH~")
    yield "trailing separator", edit(q, "QTY*QD*1.5*KH*~")
    yield "dropped interval DTM", edit(d, None)
    yield "dropped QTY", edit(q, None)
    yield "duplicated DTM", edit(d, lines[d] + "\n" + lines[d])
    yield "DTM qualifier", edit(d, lines[d].replace("DTM*582", "DTM*150"))
    yield "bad hour", edit(d, lines[d][:-8] + "2460*CD~")
    yield "bad day", edit(d, lines[d].replace("*2026060", "*2026063"))
    yield "no time code", edit(d, lines[d].rsplit("*", 1)[0] + "~")
    yield "empty element", edit(d, lines[d].replace("*CD~", "**CD~"))
    yield "first interval", edit(qty[0], "QTY*QD*-*KH~")
    yield "last interval", edit(dtm[-1], None)
    yield "unknown segment", edit(q, lines[q] + "\nZZZ*1~")
    yield "SE01", text.replace("SE*", "SE*9", 1)
    yield "whitespace", text.replace("~\nDTM", "~\r\n  DTM", 7)
    yield "no line breaks", text.replace("~\n", "~")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_867_mutants_give_the_same_findings_both_ways(seed: int, primed: GuideValidator) -> None:
    for what, text in _867_mutants(seed):
        result = same_both_ways(text.encode(), primed)
        if what in ("estimated", "seven decimals", "no time code", "whitespace", "no line breaks"):
            assert result.valid, what
        else:
            assert not result.valid, what


def test_runs_of_any_length_are_taken(primed: GuideValidator) -> None:
    """A shape learned from 48 intervals takes 47 and 50: the counters prove the run length does not matter."""
    lines = generated_867(2, 7).decode().split("\n")
    qty = next(i for i, ln in enumerate(lines) if ln.startswith("QTY*QD") and lines[i + 1].startswith("DTM*582"))
    longer = [*lines[: qty + 4], *lines[qty + 2 : qty + 6], *lines[qty + 4 :]]
    shorter = [*lines[: qty + 2], *lines[qty + 4 :]]
    for variant in (lines, longer, shorter):
        data = _fix_counts("\n".join(variant)).encode()
        assert same_both_ways(data, primed).valid
        assert prevalidated(data, primed) == (2, 2)


def _fix_counts(text: str) -> str:
    """Recount SE01 of every set (the interval runs of a mutant may have changed length)."""
    out, n = [], 0
    for line in text.split("\n"):
        if line.startswith("ST*"):
            n = 0
        n += 1
        if line.startswith("SE*"):
            line = "SE*" + str(n) + "*" + line.split("*")[2]
        out.append(line)
    return "\n".join(out)


# --------------------------------------------------------------------------- what a shape must not accept


def test_a_bounded_repeat_is_not_generalised(guide: GuideValidator) -> None:
    """N3 may come twice (max use 2): a shape learned from two must not take three."""
    two = interchange(ENROLL.replace("N3*100 MAIN ST~", "N3*100 MAIN ST~N3*APT 2~").replace("SE*15", "SE*16"))
    three = interchange(ENROLL.replace("N3*100 MAIN ST~", "N3*100 MAIN ST~N3*APT 2~N3*REAR~")
                        .replace("SE*15", "SE*17"))
    assert same_both_ways(two.encode(), guide).valid
    teach(two.encode(), guide)
    assert prevalidated(two.encode(), guide) == (1, 1)
    result = same_both_ways(three.encode(), guide)
    assert [f.ak3 for f in result.findings] == ["5"]
    assert prevalidated(three.encode(), guide) == (0, 1)


def test_presence_rules_are_kept(guide: GuideValidator) -> None:
    """A set the map accepts but the presence rules do not (no N1*8S) is never learned as a shape."""
    no_utility = interchange(ENROLL.replace("N1*8S*EXAMPLE UTILITY*1*012345678**40", "N1*BT*SOMEONE ELSE"))
    for _ in range(3):
        result = same_both_ways(no_utility.encode(), guide)
        assert [f.rule for f in result.findings] == ["guide.required-missing"]
    assert prevalidated(no_utility.encode(), guide) == (0, 1)


def test_other_separators_have_their_own_lane(guide: GuideValidator) -> None:
    text = interchange(ENROLL)
    piped = text.replace("*", "|").replace("~", "'\n").replace("RES LLC", "RES * LLC")
    teach(text.encode(), guide)
    teach(piped.encode(), guide)
    assert prevalidated(text.encode(), guide) == (1, 1)
    result = same_both_ways(piped.encode(), guide)  # '*' is data here, and AN allows it
    assert result.valid
    assert prevalidated(piped.encode(), guide) == (1, 1)


def _sets(n: int) -> list[str]:
    return [ENROLL.replace("0001", f"{k:04d}").replace("RES20240301000001", f"RES2024030100{k:04d}")
            for k in range(1, n + 1)]


def test_runs_of_sets_keep_every_envelope_check_and_position(guide: GuideValidator) -> None:
    """The lane takes a run of sets in one call; the envelope still checks and places each one."""
    sets = _sets(30)
    teach(interchange(*sets[:3], ge="GE*3*101~").encode(), guide)
    sets[16] = sets[16].replace("REF*12*1234567890", "REF*12*")  # a guide finding in the middle of a run
    sets[19] = sets[19].replace("ST*814*0020", "ST*814*0019").replace("SE*15*0020", "SE*15*0019")  # ST02 twice
    sets[24] = sets[24].replace("SE*15*", "SE*16*")  # SE01 wrong
    sets[27] = sets[27].replace("SE*15*0028", "SE*15*9999")  # SE02 wrong
    data = interchange(*sets, ge="GE*30*101~").encode()
    result = same_both_ways(data, guide)
    assert {(f.rule, f.st02) for f in result.findings} >= {
        ("envelope.st02-duplicate", "0019"), ("envelope.se01-count", "0025"), ("envelope.se02-st02", "0028")}
    taken, total = prevalidated(data, guide)
    assert total == 30 and taken >= 25


@pytest.mark.parametrize("cut", ["GE", "IEA", "end"])
def test_a_run_at_the_end_of_a_truncated_file(guide: GuideValidator, cut: str) -> None:
    sets = _sets(5)
    teach(interchange(*sets, ge="GE*5*101~").encode(), guide)
    text = interchange(*sets, ge="GE*5*101~")
    text = {"GE": text[: text.index("~GE*") + 1], "IEA": text[: text.index("~IEA*") + 1], "end": text}[cut]
    same_both_ways(text.encode(), guide)
    assert prevalidated(text.encode(), guide) == (5, 5)

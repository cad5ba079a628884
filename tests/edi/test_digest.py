"""An interchange's digest (``Envelope(digests=True)``) is the SHA-256 of its segments as element lists,
whether the fast lane took its sets (hashed from their raw text) or the reader split them one by one.

The batch's ingest ledger tells a re-sent interchange from new content under the same ISA13 by this digest,
so it must not depend on the lane (which takes sets only once it has learned their shape), on line breaks
after the terminators, or on the separators.
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest

from bench.gen import SUPPLIER_DUNS, UTILITY_DUNS, bodies, enrollment_request, write_interchange
from edi import guide as guide_module
from edi.envelope import Envelope
from edi.guide import GuideValidator
from edi.reader import X12Reader
from edi.validate import check_sets, validate_reader
from tests.edi.test_guide_vs_pyx12 import MUTANTS, SAMPLES, mutant
from tests.support import MAPS


def reference_digests(data: bytes) -> list[str]:
    """The definition: every segment the reader yields from an ISA up to the next ISA, id and elements
    joined by 0x1D, each ended by 0x1E."""
    digests: list[str] = []
    current = None
    for seg in X12Reader(io.BytesIO(data), "case.x12"):
        if seg.id == "ISA":
            if current is not None:
                digests.append(current.hexdigest())
            current = hashlib.sha256()
        if current is not None:
            current.update(("\x1d".join((seg.id, *seg.elements)) + "\x1e").encode("utf-8", "surrogateescape"))
    if current is not None:
        digests.append(current.hexdigest())
    return digests


@pytest.fixture
def guide() -> GuideValidator:
    """A validator of its own: its lanes start empty, and learn from the file at hand."""
    real = os.path.realpath(MAPS)
    return guide_module._load.__wrapped__(real, guide_module._stamps(real))


def digests(data: bytes, guide: GuideValidator) -> tuple[list[str | None], int]:
    """The envelope's digests, and how many sets the fast lane took."""
    envelope = Envelope(X12Reader(io.BytesIO(data), "case.x12"), guide, digests=True)
    taken = sum(ts.prevalidated for ts in check_sets(envelope, guide))
    return [isa.digest for isa in envelope.interchanges], taken


def enrollments(count: int, control: int = 1) -> str:
    """``count`` generated enrollment requests in one interchange, on one line (no break after ``~``)."""
    out = io.StringIO()
    write_interchange(out, "814", bodies(enrollment_request(n) for n in range(control, control + count)),
                      SUPPLIER_DUNS, UTILITY_DUNS, control=control)
    return out.getvalue().replace("~\n", "~")


def variants(text: str) -> dict[str, str]:
    """The same interchanges written other ways (the generated files use ``*``, ``>`` and ``~``)."""
    assert "|" not in text and "\n" not in text
    return {
        "as generated": text,
        "a line break after each terminator": text.replace("~", "~\n"),
        "CR LF after each terminator": text.replace("~", "~\r\n"),
        "blank lines and spaces between segments": text.replace("~", "~\r\n\r\n  "),
        "newline as the terminator": text.replace("~", "\n"),
        "CR LF as the terminator": text.replace("~", "\r\n"),
        "another element separator": text.replace("*", "|"),
    }


@pytest.mark.parametrize("how", list(variants("ISA~")))
def test_sets_the_lane_took_hash_as_the_reader_splits_them(guide: GuideValidator, how: str) -> None:
    text = variants(enrollments(60) + enrollments(40, control=61))[how]
    data = text.encode()
    got, taken = digests(data, guide)
    assert taken > 50, "the lane took most sets (else this test proves nothing about it)"
    assert got == reference_digests(data)
    assert len(got) == 2 and got[0] != got[1]


def test_line_breaks_and_separators_do_not_change_the_digest(guide: GuideValidator) -> None:
    seen = {how: digests(text.encode(), guide)[0] for how, text in variants(enrollments(30)).items()}
    assert len({tuple(d) for d in seen.values()}) == 1, seen


def test_other_content_has_another_digest(guide: GuideValidator) -> None:
    text = enrollments(30)
    changed = text.replace("PRP202610050000007", "PRP202610050000070")  # one BGN02
    assert changed != text
    assert digests(text.encode(), guide)[0] != digests(changed.encode(), guide)[0]


def test_the_corpus_and_its_mutants_hash_as_the_definition_says(guide: GuideValidator) -> None:
    files = [p.read_bytes() for p in SAMPLES]
    files += [mutant(source, index)[1].encode("latin-1") for source, index in MUTANTS]
    for data in files:
        validation = validate_reader(X12Reader(io.BytesIO(data), "case.x12"), guide, digests=True)
        assert [isa.digest for isa in validation.interchanges] == reference_digests(data)


def test_without_digests_none_is_computed(guide: GuideValidator) -> None:
    data = Path(SAMPLES[0]).read_bytes()
    validation = validate_reader(X12Reader(io.BytesIO(data), "case.x12"), guide)
    assert [isa.digest for isa in validation.interchanges] == [None] * len(validation.interchanges)

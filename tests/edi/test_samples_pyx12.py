"""The sample corpus against pyx12 4.0.0 on our maps.

* every file in ``samples/valid`` validates clean;
* every ``samples/bad/NAME.expected.json`` is well formed and belongs to a file;
* for every bad file pyx12 can read, each expected finding that carries an acknowledgment code
  (``ta1``, ``ak9``, ``ak5``, ``ak3``, ``ak4``) is reported by pyx12 too.

pyx12 keeps its findings in an ``err_handler`` tree that ``x12n_document`` builds internally and does
not return. Its JSON visitor (``fd_json``) leaves out the element errors of ST/SE (ST01 is how a GS/ST
mismatch shows up), so the tests capture the tree itself by handing ``x12n_document`` a subclass of
``err_handler`` that remembers its instance, and flatten it the way pyx12's own 997 writer reads it.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import pyx12.error_handler
import pyx12.errors
import pyx12.params
import pyx12.x12file
import pyx12.x12n_document

ROOT = Path(__file__).resolve().parents[2]
MAPS = ROOT / "maps"
VALID = sorted((ROOT / "samples" / "valid").glob("*.x12"))
BAD = sorted((ROOT / "samples" / "bad").glob("*.x12"))

CODE_KEYS = ("ta1", "ak9", "ak5", "ak3", "ak4")
FINDING_KEYS = {"position", "segment_id", "element", "rule", *CODE_KEYS}
SEGMENT_LEVEL = ("ak3", "ak4")  #: pyx12 places these on a segment; the others on ISA/GS/ST level

logging.getLogger("pyx12").setLevel(logging.CRITICAL)  # pyx12 logs every finding at ERROR


def validate(path: Path) -> tuple[bool, list[dict[str, Any]]]:
    """Run pyx12's full validation; return its verdict and its findings as flat partial-finding dicts."""
    captured: list[pyx12.error_handler.err_handler] = []

    class Capturing(pyx12.error_handler.err_handler):  # type: ignore[misc]  # pyx12 is untyped here
        def __init__(self) -> None:
            super().__init__()
            captured.append(self)

    with mock.patch.object(pyx12.error_handler, "err_handler", Capturing):
        ok = pyx12.x12n_document.x12n_document(
            param=pyx12.params.params(), src_file=str(path), fd_997=io.StringIO(), fd_html=None,
            fd_xmldoc=None, map_path=str(MAPS))
    return bool(ok), (list(flatten(captured[0])) if captured else [])


def flatten(errh: Any) -> Iterator[dict[str, Any]]:
    """The err_handler tree as partial findings, with the codes pyx12's 997 writer would send."""
    for isa in errh.children:
        for code, _ in isa.errors:
            yield {"ta1": code}
        for gs in isa.children:
            for code, _ in gs.errors:
                yield {"ak9": code}
            for ele in gs.elements:  # GS/GE element errors: error_997.__get_gs_errors
                for _code, text, _value in ele.errors:
                    if "GS" in text:
                        yield {"ak9": {6: "6", 8: "2"}.get(ele.ele_pos, "1")}
                    else:
                        yield {"ak9": {2: "6"}.get(ele.ele_pos, "1")}
            for st in gs.children:
                for code, _ in st.errors:
                    yield {"ak5": code}
                for ele in st.elements:  # ST/SE element errors: error_997.__get_st_errors
                    for _ in ele.errors:
                        yield {"ak5": {1: "6", 2: "7"}.get(ele.ele_pos, "5")}
                for seg in st.children:
                    where = {"position": seg.cur_line, "segment_id": seg.seg_id}
                    for code, _, _ in seg.errors:
                        yield {**where, "ak3": "8" if code == "SEG1" else code}
                    if any(ele.errors for ele in seg.elements):
                        yield {**where, "ak3": "8"}
                    for ele in seg.elements:
                        for code, _, _ in ele.errors:
                            yield {**where, "element": ele.ele_pos, "ak4": code}


def reported(expected: dict[str, Any], found: list[dict[str, Any]]) -> bool:
    code_key = next(k for k in CODE_KEYS if k in expected)
    keys = [code_key]
    if code_key in SEGMENT_LEVEL:
        keys += [k for k in ("position", "segment_id", "element") if k in expected]
    return any(all(f.get(k) == expected[k] for k in keys) for f in found)


def pyx12_can_read(path: Path) -> str | None:
    """None when pyx12's reader accepts the file, else why not."""
    try:
        with pyx12.x12file.X12Reader(str(path)):
            pass
    except (pyx12.errors.X12Error, UnicodeDecodeError) as e:
        return f"{type(e).__name__}: {e}"
    return None


def test_corpus_sizes() -> None:
    assert len(VALID) >= 28
    assert len(BAD) >= 18


@pytest.mark.parametrize("path", VALID, ids=[p.name for p in VALID])
def test_valid_sample_is_clean(path: Path) -> None:
    # Every formatting variant is read by pyx12 as it is, including 814_drop_accept.x12 whose segment
    # terminator is the newline itself (this pyx12 4.0.0 build splits on whatever byte follows ISA16),
    # so no file needs converting to canonical "~" form first.
    ok, found = validate(path)
    assert found == []
    assert ok


@pytest.mark.parametrize("path", BAD, ids=[p.name for p in BAD])
def test_bad_sample_expectation_is_well_formed(path: Path) -> None:
    doc = json.loads(path.with_name(path.name + ".expected.json").read_text(encoding="utf-8"))
    assert set(doc) == {"description", "findings"}
    assert isinstance(doc["description"], str) and doc["description"].strip()
    assert isinstance(doc["findings"], list) and doc["findings"]
    for f in doc["findings"]:
        assert isinstance(f, dict) and f and set(f) <= FINDING_KEYS, f
        assert sum(k in f for k in CODE_KEYS) <= 1, f
        if "position" in f:
            assert isinstance(f["position"], int) and f["position"] >= 0, f
        if "segment_id" in f:
            assert isinstance(f["segment_id"], str), f
        if "element" in f:
            assert isinstance(f["element"], int) and f["element"] >= 1, f
        for k in CODE_KEYS:
            if k in f:
                assert isinstance(f[k], str) and f[k].isalnum(), f
        if "ta1" in f:
            assert len(f["ta1"]) == 3 and f["ta1"].isdigit(), f


def test_every_expectation_has_its_file() -> None:
    names = {p.name for p in BAD}
    for doc in (ROOT / "samples" / "bad").glob("*.expected.json"):
        assert doc.name.removesuffix(".expected.json") in names, doc.name


def test_empty_file_expectation() -> None:
    doc = json.loads((ROOT / "samples" / "bad" / "bad_empty.x12.expected.json").read_text(encoding="utf-8"))
    assert doc["findings"] == [{"segment_id": "", "position": 0}]
    assert (ROOT / "samples" / "bad" / "bad_empty.x12").stat().st_size == 0


@pytest.mark.parametrize("path", BAD, ids=[p.name for p in BAD])
def test_bad_sample_findings_match_pyx12(path: Path) -> None:
    why = pyx12_can_read(path)
    if why is not None:
        pytest.skip(f"pyx12 cannot read this file at all ({why})")
    expected = json.loads(path.with_name(path.name + ".expected.json").read_text(encoding="utf-8"))["findings"]
    with_codes = [e for e in expected if any(k in e for k in CODE_KEYS)]
    ok, found = validate(path)
    missing = [e for e in with_codes if not reported(e, found)]
    assert missing == [], f"pyx12 reported {found}"
    if with_codes:
        assert not ok

"""The catalogue of broken files (``samples/bad`` and ``samples/bad/beyond-pyx12``): each gives its findings.

``tests/edi/test_samples.py`` and ``test_samples_pyx12.py`` check the top level against our validator and
pyx12. The files of ``beyond-pyx12/`` are the ones pyx12 cannot read, crashes on or reads differently
(encodings, the ISA's shape, envelope shapes); here, for every broken file of both folders:

* its ``NAME.expected.json`` is well formed and each expected partial finding is found by our validator;
* it goes through everything the batch does before the database (``tests/fuzz/harness.py``) without an
  exception, in bounded time;
* the acknowledgments we would send for it (997s and TA1) validate against our own maps, and a file
  without any readable interchange gets none;
* ``edi validate`` on it exits 1 (findings) and never with a traceback.

And the two XML files of the catalogue (an entity bomb, an external entity) are refused by
``edi translate --to x12`` at once, without expanding or fetching anything.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from edi.acks import acknowledge
from edi.canonical import render
from edi.findings import Finding
from edi.guide import GuideValidator
from edi.reader import X12Reader
from edi.validate import validate_file, validate_reader
from edi.writer import CounterControlNumbers, Party, Profile, Transaction, interchange, to_text
from processor.cli import main
from tests.fuzz.harness import bounded, check

ROOT = Path(__file__).resolve().parents[2]
BAD_DIR = ROOT / "samples" / "bad"
BEYOND = BAD_DIR / "beyond-pyx12"
CATALOGUE = sorted([*BAD_DIR.glob("*.x12"), *BEYOND.glob("*.x12")])
KEYS = {"position", "segment_id", "element", "rule", "ta1", "ak9", "ak5", "ak3", "ak4"}
EDI = str(Path(sys.executable).parent / "edi")


def ids(paths: list[Path]) -> list[str]:
    return [str(p.relative_to(BAD_DIR)) for p in paths]


@pytest.fixture(scope="module")
def guide() -> GuideValidator:
    return GuideValidator.from_map_dir(ROOT / "maps")


def expected(path: Path) -> list[dict[str, Any]]:
    doc = json.loads(path.with_name(path.name + ".expected.json").read_text(encoding="utf-8"))
    assert set(doc) == {"description", "findings"} and doc["description"].strip()
    assert doc["findings"] and all(isinstance(f, dict) and f and set(f) <= KEYS for f in doc["findings"])
    return list(doc["findings"])


def test_the_catalogue_has_at_least_60_broken_files() -> None:
    assert len(CATALOGUE) >= 60
    assert len(list(BEYOND.glob("*.x12"))) >= 20


def test_every_expectation_in_beyond_has_its_file_and_every_file_its_expectation() -> None:
    files = {p.name for p in BEYOND.glob("*.x12")}
    docs = {p.name.removesuffix(".expected.json") for p in BEYOND.glob("*.expected.json")}
    assert files == docs
    assert {p.name for p in BEYOND.iterdir()} == files | {f"{n}.expected.json" for n in files}


def _matches(want: dict[str, Any], f: Finding) -> bool:
    return all(getattr(f, k) == v for k, v in want.items())


@pytest.mark.parametrize("path", CATALOGUE, ids=ids(CATALOGUE))
def test_each_broken_file_gives_its_expected_findings(path: Path, guide: GuideValidator) -> None:
    result = validate_file(path, guide)
    assert not result.valid
    for want in expected(path):
        assert any(_matches(want, f) for f in result.findings), (
            f"{path.name}: expected {want}, found:\n" + "\n".join(f"  {f} {f.to_json()}" for f in result.findings))


@pytest.mark.parametrize("path", CATALOGUE, ids=ids(CATALOGUE))
def test_each_broken_file_goes_through_the_batch_steps_without_an_exception(path: Path) -> None:
    result, seconds = bounded(lambda: check(path.read_bytes(), path.name), 10.0)
    assert not result.valid and result.findings > 0
    assert seconds < 10.0


def acknowledgments(path: Path, guide: GuideValidator) -> bytes:
    """What `edi validate --ack` writes for ``path`` (the batch sends the same segments)."""
    result = validate_file(path, guide)
    out = io.StringIO()
    numbers = CounterControlNumbers(start=900, shared=True)
    at = datetime(2026, 11, 24, 6, 0, tzinfo=ZoneInfo("America/Chicago"))
    for isa in result.interchanges:
        ta1, acks = acknowledge(isa, isa.separators)
        profile = Profile(Party(*isa.receiver), Party(*isa.sender), isa.separators)
        groups = [[Transaction("997", render(a, component_separator=isa.separators.component)) for a in acks]]
        out.write(to_text(interchange(profile, groups if acks else [], numbers, at, [ta1] if ta1 else []),
                          isa.separators))
    return out.getvalue().encode("utf-8", "surrogateescape")


@pytest.mark.parametrize("path", CATALOGUE, ids=ids(CATALOGUE))
def test_our_acknowledgment_of_each_broken_file_is_valid(path: Path, guide: GuideValidator) -> None:
    ack = acknowledgments(path, guide)
    if not ack:
        assert validate_file(path, guide).interchanges == []  # nothing to address an acknowledgment to
        return
    result = validate_reader(X12Reader(io.BytesIO(ack), "ack.x12"), guide)
    assert result.findings == [], ack.decode("utf-8", "replace") + "\n".join(map(str, result.findings))


@pytest.mark.parametrize("path", CATALOGUE, ids=ids(CATALOGUE))
def test_edi_validate_reports_findings_without_a_traceback(path: Path) -> None:
    got = CliRunner().invoke(main, ["--log-format", "json", "validate", str(path)])
    assert got.exit_code == 1, got.output
    assert got.exception is None or isinstance(got.exception, SystemExit), got.exception


@pytest.mark.parametrize("name", ["bad_xml_bomb.x12", "bad_xml_external_entity.x12"])
def test_translate_refuses_xml_with_entities(name: str, tmp_path: Path) -> None:
    out = tmp_path / "out.x12"
    started = time.monotonic()
    done = subprocess.run([EDI, "translate", str(BAD_DIR / name), "--to", "x12", "-o", str(out)],
                          capture_output=True, text=True, timeout=60)
    assert time.monotonic() - started < 30
    assert done.returncode == 1, done.stderr
    assert "DOCTYPE is refused" in done.stderr and "Traceback" not in done.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []  # no partial output, not even a temp file
    assert "root:" not in done.stdout + done.stderr  # /etc/passwd was not read


@pytest.mark.parametrize("text", [
    '{"format": "x12-json/1", "interchanges": ' + "[" * 100_000 + "]" * 100_000 + "}",  # streamed part
    '{"interchanges": ' + '{"a": ' * 100_000 + "1" + "}" * 100_000 + ', "format": "x12-json/1"}',  # held part
    '<?xml version="1.0"?><x12 format="x12-xml/1">' + "<a>" * 100_000 + "</a>" * 100_000 + "</x12>",
], ids=["json-streamed", "json-held", "xml"])
def test_translate_refuses_input_nested_too_deeply(text: str, tmp_path: Path) -> None:
    """A nesting bomb (Python's parser recursion, lxml's depth limit) is refused with one line, no traceback."""
    source, out = tmp_path / "bomb.in", tmp_path / "out.x12"
    source.write_text(text)
    done = subprocess.run([EDI, "translate", str(source), "--to", "x12", "-o", str(out)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode in (1, 2), done.stderr[-2000:]
    assert done.stderr.startswith("error: ") and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert not out.exists()

"""Our validator on the sample corpus: valid files are clean, broken files give their expected findings."""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from edi.acks import acknowledge
from edi.canonical import render
from edi.findings import Finding
from edi.guide import GuideValidator
from edi.pyx12_ref import pyx12_findings
from edi.validate import validate_file
from edi.writer import CounterControlNumbers, Party, Profile, Transaction, interchange, to_text
from tests.support import MAPS, SAMPLES

VALID = sorted((SAMPLES / "valid").glob("*.x12"))
BAD = sorted((SAMPLES / "bad").glob("*.x12"))


@pytest.fixture(scope="module")
def guide() -> GuideValidator:
    return GuideValidator.from_map_dir(MAPS)


def test_the_corpus_is_big_enough() -> None:
    assert len(VALID) >= 25 and len(BAD) >= 15


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_valid_samples_are_clean(path: Path, guide: GuideValidator) -> None:
    result = validate_file(path, guide)
    assert result.findings == [], "\n".join(map(str, result.findings))
    assert result.transaction_sets >= 1


def _matches(expected: dict[str, Any], finding: Finding) -> bool:
    return all(getattr(finding, key) == value for key, value in expected.items())


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.name)
def test_bad_samples_give_their_expected_findings(path: Path, guide: GuideValidator) -> None:
    expected = json.loads(path.with_name(path.name + ".expected.json").read_text())["findings"]
    result = validate_file(path, guide)
    assert not result.valid
    for want in expected:
        assert any(_matches(want, f) for f in result.findings), (
            f"{path.name}: expected {want}, found:\n" + "\n".join(f"  {f} {f.to_json()}" for f in result.findings))


def acknowledgment_of(path: Path, guide: GuideValidator) -> bytes:
    """The 997/TA1 file `edi validate --ack` writes for ``path``."""
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


@pytest.mark.parametrize("path", VALID + BAD, ids=lambda p: p.name)
def test_our_acknowledgments_validate_against_our_maps(path: Path, guide: GuideValidator, tmp_path: Path) -> None:
    ack = acknowledgment_of(path, guide)
    if not ack:
        assert validate_file(path, guide).unreadable  # nothing to address an acknowledgment to
        return
    target = tmp_path / "ack.x12"
    target.write_bytes(ack)
    result = validate_file(target, guide)
    assert result.findings == [], "\n".join(map(str, result.findings))
    assert pyx12_findings(target, MAPS) == []

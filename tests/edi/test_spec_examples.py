"""The synthetic examples of the shared spec (section 5), written by hand from the guides, validate clean
and round-trip through JSON and XML."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from edi.guide import GuideValidator
from edi.translate import json_to_x12, x12_to_json, x12_to_xml, xml_to_x12
from edi.validate import validate_stream
from tests.support import MAPS, ROOT

SPEC = ROOT.parent / "shared" / "spec" / "il-edi-4010.md"
EXAMPLES = re.findall(r"```\n(ISA\*.*?)```", SPEC.read_text(), re.S) if SPEC.exists() else []


def test_the_spec_is_beside_the_repository() -> None:
    assert SPEC.exists(), f"{SPEC} missing: CI clones the repo with shared/ beside it"
    assert len(EXAMPLES) == 5


@pytest.mark.parametrize("text", EXAMPLES, ids=[f"5.{i}" for i in range(1, len(EXAMPLES) + 1)])
def test_spec_example_validates_clean_and_round_trips(text: str, tmp_path: Path) -> None:
    data = text.encode()
    result = validate_stream(io.BytesIO(data), "example.x12", GuideValidator.from_map_dir(MAPS))
    assert result.valid, [str(f) for f in result.findings]
    as_json, as_xml = io.StringIO(), io.BytesIO()
    x12_to_json(io.BytesIO(data), as_json)
    x12_to_xml(io.BytesIO(data), as_xml)
    back_json, back_xml = io.StringIO(), io.StringIO()
    json_to_x12(io.StringIO(as_json.getvalue()), back_json)
    xml_to_x12(io.BytesIO(as_xml.getvalue()), back_xml)
    assert back_json.getvalue() == text and back_xml.getvalue() == text

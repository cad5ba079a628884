"""The synthetic examples of the shared spec (section 5), written by hand from the guides, validate clean
and round-trip through JSON and XML.

They are copied into ``spec_examples/`` so the repository tests them on its own; where the spec is beside
the repository (``../shared``), the copies are checked against it."""

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
COPIES = sorted((Path(__file__).parent / "spec_examples").glob("5.*.x12"))


def test_the_copies_are_the_specs_examples() -> None:
    if not SPEC.exists():
        pytest.skip(f"{SPEC} is not beside this checkout: the copies are tested on their own")
    examples = re.findall(r"```\n(ISA\*.*?)```", SPEC.read_text(), re.S)
    assert [p.read_text() for p in COPIES] == examples


@pytest.mark.parametrize("path", COPIES, ids=[p.stem for p in COPIES])
def test_spec_example_validates_clean_and_round_trips(path: Path) -> None:
    assert len(COPIES) == 5
    text = path.read_text()
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

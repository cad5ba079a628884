"""The Illinois presence rules our maps cannot hold: N1*8S, N1*SJ, and a PTD in every 867."""

from __future__ import annotations

import io

import pytest

from edi.guide import GuideValidator
from edi.presence import check_presence
from edi.reader import X12Reader
from edi.validate import validate_stream
from tests.support import ENROLL, MAPS, interchange


@pytest.mark.parametrize("party", ["8S", "SJ"])
def test_a_missing_party_is_a_missing_mandatory_segment(party: str) -> None:
    line = next(s for s in ENROLL.split("~") if s.startswith(f"N1*{party}*"))
    text = interchange(ENROLL.replace(line + "~", "").replace("SE*15", "SE*14"))
    result = validate_stream(io.BytesIO(text.encode()), "f.x12", GuideValidator.from_map_dir(MAPS))
    [finding] = [f for f in result.findings if f.rule == "guide.required-missing"]
    assert finding.segment_id == "N1" and finding.ak3 == "3" and party in finding.message
    assert finding.position == 10 and finding.set_position == 8  # reported at the LIN, where the heading ends


def test_a_complete_set_has_no_presence_findings() -> None:
    segments = list(X12Reader(io.BytesIO(interchange(ENROLL).encode()), "x"))[2:-2]
    assert check_presence(segments) == []


def test_an_867_without_usage_loops() -> None:
    text = ("ISA*00*          *00*          *01*012345678      *01*987654321      *241105*0200*U*00401*000005002*0*T*>~"
            "GS*PT*012345678*987654321*20241105*0200*5002*X*004010~ST*867*0001~BPT*00*R1*20241105*C1~"
            "N1*8S*U*1*012345678~N1*SJ*R*1*987654321~SE*5*0001~GE*1*5002~IEA*1*000005002~")
    segments = list(X12Reader(io.BytesIO(text.encode()), "x"))[2:-2]
    [finding] = check_presence(segments)
    assert finding.segment_id == "PTD" and finding.position == 7  # at the SE

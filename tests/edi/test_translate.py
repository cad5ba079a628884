"""Lossless translation: every sample X12 -> JSON -> X12 and X12 -> XML -> X12, same segments."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from edi.reader import X12Reader
from edi.translate import TranslateError, json_to_x12, sniff, x12_to_json, x12_to_xml, xml_to_x12
from tests.support import ENROLL, SAMPLES, interchange

SAMPLE_FILES = sorted(p for p in (SAMPLES / "valid").glob("*.x12")) if (SAMPLES / "valid").exists() else []
BUILT = {
    "crlf": interchange(ENROLL).replace("~", "~\r\n"),
    "newline-terminator": interchange(ENROLL).replace("~", "\n"),
    "pipes": interchange(ENROLL).replace("*", "|").replace(">", "^"),
    "two-interchanges": interchange(ENROLL) + interchange(ENROLL).replace("000000101", "000000102"),
    "composite": interchange(ENROLL.replace("REF*PC*DUAL", "REF*PC*DUAL>X>Y")),
    "broken-envelope": "\n".join(interchange(ENROLL).split("~")[:9]) + "\n",
    "stray-after-iea": interchange(ENROLL) + "XX*1~",
}


def segments_and_separators(data: bytes) -> tuple[list[tuple[str, tuple[str, ...]]], list[object]]:
    reader = X12Reader(io.BytesIO(data), "x")
    segments, seps = [], []
    for s in reader:
        segments.append((s.id, s.elements))
        if s.id == "ISA":
            seps.append(reader.separators)
    return segments, seps


def via_json(data: bytes) -> bytes:
    out = io.StringIO()
    x12_to_json(io.BytesIO(data), out, "in")
    json.loads(out.getvalue())  # it is real JSON
    back = io.StringIO()
    json_to_x12(io.StringIO(out.getvalue()), back, "in.json")
    return back.getvalue().encode("utf-8", "surrogateescape")


def via_xml(data: bytes) -> bytes:
    out = io.BytesIO()
    x12_to_xml(io.BytesIO(data), out, "in")
    back = io.StringIO()
    xml_to_x12(io.BytesIO(out.getvalue()), back, "in.xml")
    return back.getvalue().encode("utf-8", "surrogateescape")


CORPUS = [pytest.param(p.read_bytes(), id=p.name) for p in SAMPLE_FILES] + [
    pytest.param(text.encode(), id=name) for name, text in sorted(BUILT.items())]


@pytest.mark.parametrize("data", CORPUS)
@pytest.mark.parametrize("route", [via_json, via_xml], ids=["json", "xml"])
def test_round_trip_keeps_segments_and_separators(data: bytes, route: object) -> None:
    assert callable(route)
    back = route(data)
    assert segments_and_separators(back) == segments_and_separators(data)


def test_samples_exist_for_the_round_trip() -> None:
    assert len(SAMPLE_FILES) >= 25


def test_json_shape_is_nested_and_readable() -> None:
    out = io.StringIO()
    x12_to_json(io.BytesIO(BUILT["composite"].encode()), out, "in")
    doc = json.loads(out.getvalue())
    [isa] = doc["interchanges"]
    assert isa["separators"] == {"element": "*", "component": ">", "segment": "~", "suffix": ""}
    [group] = isa["groups"]
    assert group["GS"][:2] == ["GS", "GE"] and group["GE"] == ["GE", "1", "101"]
    segments = group["transactions"][0]["segments"]
    assert segments[0] == ["ST", "814", "0001"] and ["REF", "PC", ["DUAL", "X", "Y"]] in segments
    assert isa["ISA"][16] == ">" and isa["IEA"] == ["IEA", "1", "000000101"]


def test_unreadable_x12_is_an_error_not_a_crash() -> None:
    with pytest.raises(TranslateError, match="empty"):
        x12_to_json(io.BytesIO(b""), io.StringIO(), "empty.x12")


XML_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<x12 format="x12-xml/1"><interchange element="*" component="&gt;" segment="~" suffix="">
<seg id="ISA"><ele id="ISA01">&lol2;</ele></seg></interchange></x12>"""
XXE = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<x12 format="x12-xml/1"><interchange element="*" component="&gt;" segment="~" suffix="">
<seg id="ISA"><ele id="ISA01">&e;</ele></seg></interchange></x12>"""


@pytest.mark.parametrize("doc", [XML_BOMB, XXE], ids=["bomb", "xxe"])
def test_dtds_and_entities_are_refused(doc: bytes) -> None:
    out = io.StringIO()
    with pytest.raises(TranslateError, match="DOCTYPE"):
        xml_to_x12(io.BytesIO(doc), out, "evil.xml")
    assert "root:" not in out.getvalue()


@pytest.mark.parametrize("doc, message", [
    ("{", "not valid JSON"), ('{"format": "other"}', "format"),
    ('{"format": "x12-json/1", "interchanges": [{"separators": {"element": "*"}}]}', "separators"),
    ('{"format": "x12-json/1", "interchanges": [{"separators": {"element": "*", "component": ">",'
     ' "segment": "~"}, "ISA": [1, 2]}]}', "segment must be a list"),
])
def test_bad_json_is_explained(doc: str, message: str) -> None:
    with pytest.raises(TranslateError, match=message):
        json_to_x12(io.StringIO(doc), io.StringIO(), "bad.json")


def test_sniff() -> None:
    assert sniff(b"\xef\xbb\xbfISA*00") == "x12"
    assert sniff(b"  {") == "json" and sniff(b"<?xml") == "xml" and sniff(b"\x1f\x8b") == "unknown"


def test_xml_refuses_control_characters_with_a_location(tmp_path: Path) -> None:
    data = interchange(ENROLL.replace("JANE Q", "JANE\x01Q")).encode()
    with pytest.raises(TranslateError, match="segment 7"):
        x12_to_xml(io.BytesIO(data), io.BytesIO(), "ctl.x12")

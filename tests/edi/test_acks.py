"""997 and TA1 built from findings: AK3/AK4 detail, AK5/AK9 status, TA1 codes."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from edi.acks import (
    AK304_CODES,
    AK403_CODES,
    AK502_CODES,
    AK905_CODES,
    acknowledge,
    functional_ack,
    set_response,
)
from edi.canonical import render, render_stream
from edi.envelope import Envelope
from edi.findings import Finding
from edi.guide import GuideValidator
from edi.reader import X12Reader
from edi.segments import Segment, Separators
from edi.validate import validate_stream
from edi.writer import CounterControlNumbers, Party, Profile, Transaction, to_text
from edi.writer import interchange as interchange_of
from tests.support import ENROLL, GS, MAPS, interchange

SECOND = ENROLL.replace("0001", "0002")
AT = datetime(2026, 11, 24, 6, 0, tzinfo=ZoneInfo("America/Chicago"))


def summaries(text: str) -> Envelope:
    envelope = Envelope(X12Reader(io.BytesIO(text.encode()), "f.x12"))
    list(envelope)
    return envelope


def test_all_accepted() -> None:
    envelope = summaries(interchange(ENROLL, SECOND, ge="GE*2*101~"))
    ta1, [ack] = acknowledge(envelope.interchanges[0], Separators())
    assert ta1 is None
    assert [(s.id, s.elements) for s in render(ack)] == [
        ("AK1", ("GE", "101")), ("AK2", ("814", "0001")), ("AK5", ("A",)), ("AK2", ("814", "0002")),
        ("AK5", ("A",)), ("AK9", ("A", "2", "2", "2"))]


def test_partial_acceptance_with_segment_and_element_detail() -> None:
    envelope = summaries(interchange(ENROLL.replace("SE*15", "SE*16"), SECOND, ge="GE*2*101~"))
    group = envelope.interchanges[0].groups[0]
    group.sets[1].add(Finding("f", 14, "REF", "map.element-code", "bad code", element=1,
                                          value="Z*Z", data_ele="128", set_position=12, ak4="7"))
    body = render(functional_ack(group, Separators()))
    assert [(s.id, s.elements) for s in body][1:] == [
        ("AK2", ("814", "0001")), ("AK5", ("R", "4")), ("AK2", ("814", "0002")),
        ("AK3", ("REF", "12", "", "8")), ("AK4", ("1", "128", "7", "Z?Z")), ("AK5", ("R", "5")),
        ("AK9", ("R", "2", "2", "0"))]


def test_some_sets_accepted_is_partial() -> None:
    envelope = summaries(interchange(ENROLL.replace("SE*15", "SE*16"), SECOND, ge="GE*2*101~"))
    body = render(functional_ack(envelope.interchanges[0].groups[0], Separators()))
    assert body[-1].elements == ("P", "2", "2", "1")


def test_group_errors_reject_the_group() -> None:
    envelope = summaries(interchange(ENROLL, ge="GE*3*101~"))
    body = render(functional_ack(envelope.interchanges[0].groups[0], Separators()))
    assert body[-1].elements == ("R", "3", "1", "1", "5")


def test_bad_interchange_gets_a_ta1() -> None:
    envelope = summaries(interchange(ENROLL).replace("IEA*1*000000101", "IEA*1*000000102"))
    ta1, _ = acknowledge(envelope.interchanges[0], Separators())
    assert ta1 is not None and ta1.elements == ("000000101", "240301", "0930", "R", "001")


def test_ta1_on_request() -> None:
    envelope = summaries(interchange(ENROLL).replace("*000000101*0*T*", "*000000101*1*T*"))
    ta1, _ = acknowledge(envelope.interchanges[0], Separators())
    assert ta1 is not None and ta1.elements[3:] == ("A", "000")


# -- what we echo always fits our own 997 map (the batch refuses to send a 997 that does not) ---------
def _map_codes(xid: str) -> frozenset[str]:
    from xml.etree import ElementTree

    root = ElementTree.parse(MAPS / "997.4010.IL.xml").getroot()
    element = next(e for e in root.iter("element") if e.get("xid") == xid)
    return frozenset(c.text or "" for c in element.iter("code"))


def test_the_code_lists_we_keep_are_those_of_our_997_map() -> None:
    assert _map_codes("AK304") == AK304_CODES
    assert _map_codes("AK403") == AK403_CODES
    assert all(_map_codes(f"AK50{n}") == AK502_CODES for n in range(2, 7))
    assert all(_map_codes(f"AK90{n}") == AK905_CODES for n in range(5, 10))


def _ack_is_valid(text: str) -> tuple[Segment | None, list[Segment]]:
    """The TA1 and the 997 body for ``text`` (validated as the batch does); the 997 checked against our maps."""
    guide = GuideValidator.from_map_dir(MAPS)
    ta1, acks = acknowledge(validate_stream(io.BytesIO(text.encode()), "f.x12", guide).interchanges[0], Separators())
    body = [s for a in acks for s in render(a)]
    if acks:
        ours = Profile(Party("01", "012345678"), Party("01", "987654321"), Separators())
        data = to_text(interchange_of(ours, [[Transaction("997", render(a)) for a in acks]],
                                      CounterControlNumbers(start=7), AT), Separators()).encode()
        result = validate_stream(io.BytesIO(data), "ack.x12", guide)
        assert result.findings == [], "\n".join(map(str, result.findings))
    return ta1, body


def test_a_short_st02_is_padded_and_the_set_rejected_with_7() -> None:
    ta1, body = _ack_is_valid(interchange(ENROLL.replace("ST*814*0001", "ST*814*1").replace("SE*15*0001", "SE*15*1")))
    assert ta1 is None
    assert ("AK2", ("814", "0001")) in [(s.id, s.elements) for s in body]
    assert next(s for s in body if s.id == "AK5").elements[:2] == ("R", "7")


def test_trailing_spaces_and_separators_never_reach_ak404() -> None:
    _, body = _ack_is_valid(interchange(ENROLL.replace("N1*8R*JANE Q CUSTOMER~", "N1*8R*JANE Q CUST^MER   ~")))
    ak4 = next(s for s in body if s.id == "AK4")
    assert ak4.elements[-1] == "JANE Q CUST?MER"


def test_an_st01_not_ours_is_acknowledged_as_the_groups_set_with_6() -> None:
    _, body = _ack_is_valid(interchange(ENROLL.replace("ST*814", "ST*850")))
    assert [s.elements for s in body if s.id in ("AK2", "AK5")] == [("814", "0001"), ("R", "6")]


def test_a_group_a_997_cannot_name_gets_a_ta1_024_instead() -> None:
    for gs in (GS.replace("GS*GE*", "GS*ZZ*"), GS.replace("*101*X*", "*1O1*X*")):
        ta1, body = _ack_is_valid(interchange(ENROLL, gs=gs, ge="GE*1*" + gs.split("*")[6] + "~"))
        assert body == []
        assert ta1 is not None and ta1.elements[3:] == ("E", "024")


def test_a_ge01_too_big_for_ak902_counts_the_sets_received() -> None:
    _, body = _ack_is_valid(interchange(ENROLL, ge="GE*12345678*101~"))
    assert body[-1].elements[:4] == ("R", "1", "1", "1")


def test_a_997s_set_loops_are_made_as_they_are_read_and_equal_the_built_ones() -> None:
    envelope = summaries(interchange(ENROLL, SECOND.replace("SE*15", "SE*99"), ge="GE*2*101~"))
    group = envelope.interchanges[0].groups[0]
    ack = functional_ack(group, Separators())
    built = tuple(set_response(s, Separators(), "814") for s in group.sets)
    assert ack.sets == built and list(ack.sets) == list(built) and len(ack.sets) == 2
    assert ack.sets[1] == built[1] and list(ack.sets[0:1]) == [built[0]]
    assert replace(ack, sets=built) == ack and hash(replace(ack, sets=built)) == hash(ack)
    stream = render_stream(ack)
    assert next(stream) == Segment("AK1", ("GE", "101"))  # a generator: nothing rendered ahead
    assert [next(stream), *stream] == render(ack)[1:]

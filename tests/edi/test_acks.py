"""997 and TA1 built from findings: AK3/AK4 detail, AK5/AK9 status, TA1 codes."""

from __future__ import annotations

import io

from edi.acks import acknowledge, functional_ack
from edi.canonical import render
from edi.envelope import Envelope
from edi.findings import Finding
from edi.reader import X12Reader
from edi.segments import Separators
from tests.support import ENROLL, interchange

SECOND = ENROLL.replace("0001", "0002")


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
    group.sets[1].findings.append(Finding("f", 14, "REF", "map.element-code", "bad code", element=1,
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

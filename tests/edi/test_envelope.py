"""Envelope checks: every count and control number, with the X12 code the 997/TA1 carries."""

from __future__ import annotations

import io

import pytest

from edi.envelope import Envelope
from edi.findings import Level
from edi.reader import X12Reader
from tests.support import ENROLL, GS, ISA, interchange

SECOND = ENROLL.replace("0001", "0002")


def walk(text: str) -> tuple[Envelope, int]:
    envelope = Envelope(X12Reader(io.BytesIO(text.encode()), "f.x12"))
    n = sum(1 for _ in envelope)
    return envelope, n


def codes(envelope: Envelope) -> list[tuple[str, str | None, int]]:
    return [(f.rule, f.ta1 or f.ak9 or f.ak5, f.position) for f in envelope.findings]


def test_a_clean_interchange_has_no_findings() -> None:
    envelope, n = walk(interchange(ENROLL, SECOND, ge="GE*2*101~"))
    assert n == 2
    assert envelope.findings == []
    [isa] = envelope.interchanges
    assert isa.isa13 == "000000101" and isa.sender == ("01", "987654321")
    assert [s.st02 for s in isa.groups[0].sets] == ["0001", "0002"]


CASES = {
    "se01": (lambda t: t.replace("SE*15*0001", "SE*14*0001"), ("envelope.se01-count", "4", 17)),
    "se02": (lambda t: t.replace("SE*15*0001", "SE*15*0009"), ("envelope.se02-st02", "3", 17)),
    "ge01": (lambda t: t.replace("GE*1*101", "GE*2*101"), ("envelope.ge01-count", "5", 18)),
    "ge02": (lambda t: t.replace("GE*1*101", "GE*1*102"), ("envelope.ge02-gs06", "4", 18)),
    "iea01": (lambda t: t.replace("IEA*1*", "IEA*3*"), ("envelope.iea01-count", "021", 19)),
    "iea02": (lambda t: t.replace("IEA*1*000000101", "IEA*1*000000109"), ("envelope.iea02-isa13", "001", 19)),
    "gs01": (lambda t: t.replace("GS*GE", "GS*PT"), ("envelope.st01-gs01", "6", 3)),
    "se-missing": (lambda t: t.replace("SE*15*0001~", ""), ("envelope.se-missing", "2", 17)),
    "ge-missing": (lambda t: t.replace("GE*1*101~", ""), ("envelope.ge-missing", "3", 18)),
    "iea-missing": (lambda t: t.replace("IEA*1*000000101~", ""), ("envelope.iea-missing", "023", 19)),
    "isa13": (lambda t: t.replace("000000101", "00000010A"), ("envelope.isa13-syntax", "018", 1)),
    "isa-date": (lambda t: t.replace("*240301*", "*241301*"), ("envelope.isa-date", "014", 1)),
    "gs08": (lambda t: t.replace("*X*004010~", "*X*005010~"), ("envelope.gs08-version", "2", 2)),
    "gs06": (lambda t: t.replace("0930*101*X", "0930*1A1*X"), ("envelope.gs06-syntax", "6", 2)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_envelope_fault_is_named_with_its_code(case: str) -> None:
    mutate, expected = CASES[case]
    envelope, _ = walk(mutate(interchange(ENROLL)))
    assert expected in codes(envelope)


def test_duplicates_within_the_file() -> None:
    twice = interchange(ENROLL, ENROLL, ge="GE*2*101~")
    envelope, _ = walk(twice + twice)
    assert ("envelope.st02-duplicate", "23", 18) in codes(envelope)
    assert ("envelope.isa13-duplicate", "025", 35) in codes(envelope)
    assert ("envelope.gs06-duplicate", "6", 36) in codes(envelope)


def test_st02_may_repeat_in_another_group() -> None:
    """X12 (and spec 1.2): ST02 is unique within its group, not the file."""
    gs2 = GS.replace("*101*", "*102*")
    text = ISA + GS + ENROLL + "GE*1*101~" + gs2 + ENROLL + "GE*1*102~IEA*2*000000101~"
    envelope, n = walk(text)
    assert n == 2 and envelope.findings == []


def test_findings_land_in_the_summary_they_spoil() -> None:
    text = interchange(ENROLL.replace("SE*15", "SE*99"), SECOND, ge="GE*2*101~").replace("IEA*1*", "IEA*5*")
    envelope, _ = walk(text)
    [isa] = envelope.interchanges
    first, second = isa.groups[0].sets
    assert [f.ak5 for f in first.findings] == ["4"] and first.findings[0].st02 == "0001"
    assert first.findings[0].set_position == 15
    assert not second.findings and second.accepted
    assert [f.ta1 for f in isa.findings] == ["021"]


def test_garbage_after_the_iea_is_a_file_finding() -> None:
    envelope, n = walk(interchange(ENROLL) + "JUNK*1~")
    assert n == 1
    [finding] = envelope.findings
    assert finding.rule == "envelope.outside-interchange" and finding.level is Level.FILE


def test_a_bad_set_does_not_hide_the_good_one() -> None:
    envelope, n = walk(interchange(ENROLL.replace("SE*15*0001~", ""), SECOND, ge="GE*2*101~"))
    assert n == 2
    sets = envelope.interchanges[0].groups[0].sets
    assert [s.accepted for s in sets] == [False, True]


def test_without_keeping_sets_groups_count_them_and_the_findings_are_the_same() -> None:
    for text in (interchange(ENROLL, SECOND, ge="GE*2*101~"), interchange(ENROLL, SECOND, ge="GE*3*101~"),
                 interchange(ENROLL.replace("SE*15", "SE*99"), SECOND, ge="GE*2*101~")):
        kept, n = walk(text)
        lean = Envelope(X12Reader(io.BytesIO(text.encode()), "f.x12"), keep_sets=False)
        assert sum(1 for _ in lean) == n
        assert lean.findings == kept.findings
        [group] = lean.interchanges[0].groups
        assert group.sets == [] and group.count == len(kept.interchanges[0].groups[0].sets) == 2

"""The writer: envelopes with computed counts and injected control numbers; re-read check."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from edi.envelope import Envelope
from edi.reader import X12Reader
from edi.segments import Segment, Separators, seg
from edi.writer import CounterControlNumbers, Party, Profile, Transaction, interchange, to_text

AT = datetime(2026, 3, 8, 1, 30, tzinfo=ZoneInfo("America/Chicago"))
US = Party("01", "012345678")
RES = Party("01", "987654321")
BODY = [seg("BGN", "11", "UTL1", "20260308", "", "", "RES1"), seg("LIN", "ENR1", "SH", "EL", "SH", "CE"),
        seg("ASI", "WQ", "021")]


@pytest.mark.parametrize("separators", [Separators(), Separators("|", "^", "~", "\r\n"),
                                        Separators("*", ">", "\n", "")])
def test_written_interchange_reads_back_clean(separators: Separators) -> None:
    numbers = CounterControlNumbers(start=41)
    profile = Profile(US, RES, separators)
    groups = [[Transaction("814", BODY), Transaction("814", BODY)]]
    text = to_text(interchange(profile, groups, numbers, AT), separators)
    envelope = Envelope(X12Reader(io.BytesIO(text.encode()), "out.x12"))
    sets = list(envelope)
    assert envelope.findings == []
    assert len(sets) == 2 and sets[0].segments[1:-1] == [Segment(s.id, s.elements, s.pos) for s in
                                                           sets[0].segments[1:-1]]
    isa = envelope.interchanges[0]
    assert isa.isa13 == "000000041" and isa.separators == separators
    assert isa.groups[0].gs06 == "41" and isa.groups[0].gs01 == "GE"
    assert len(text.split(separators.segment)[0]) == 105  # ISA is 106 with its terminator
    assert [s.id for s in sets[1].segments] == ["ST", "BGN", "LIN", "ASI", "SE"]
    assert sets[1].segments[-1].elements == ("5", "0002")


def test_control_numbers_are_never_reused_within_a_scope() -> None:
    numbers = CounterControlNumbers()
    profile = Profile(US, RES)
    first = list(interchange(profile, [[Transaction("814", BODY)]], numbers, AT))
    second = list(interchange(profile, [[Transaction("814", BODY)]], numbers, AT))
    assert first[0].get(13) != second[0].get(13)
    assert first[1].get(6) != second[1].get(6)


def test_a_separator_inside_a_value_is_refused() -> None:
    with pytest.raises(ValueError, match="separator"):
        Separators().render(seg("N1", "8R", "SMITH*JONES"))


def test_trailing_empty_elements_are_dropped() -> None:
    assert seg("N1", "8R", "NAME", "", "").elements == ("8R", "NAME")


def test_a_group_holds_one_transaction_type() -> None:
    with pytest.raises(ValueError, match="one transaction set type"):
        list(interchange(Profile(US, RES), [[Transaction("814", BODY), Transaction("867", BODY)]],
                         CounterControlNumbers(), AT))

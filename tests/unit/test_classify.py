"""The classification table: one realistic minimal transaction set per row, and the misses."""

from __future__ import annotations

import pytest

from edi.classify import TABLE, Kind, Row, classify, keys, rows
from edi.segments import Segment


def _set(text: str) -> list[Segment]:
    """``ST*814*0001~BGN*...~...`` as segments (positions counted from 1)."""
    raw = [r.strip() for r in text.split("~") if r.strip()]
    return [Segment(parts[0], tuple(parts[1:]), pos) for pos, r in enumerate(raw, 1) for parts in [r.split("*")]]


PARTIES = "N1*8S*EXAMPLE UTILITY*1*012345678**40~N1*SJ*EXAMPLE RES LLC*1*987654321**41~"
LIN = "LIN*L0001*SH*EL*SH*CE~"
ACCOUNTS = "REF*11*RESACCT778~REF*12*1234567890~"


def _814(bgn: str, asi: str, refs: str = "") -> list[Segment]:
    return _set(f"ST*814*0001~{bgn}~{PARTIES}{LIN}{asi}~{refs}{ACCOUNTS}SE*9*0001~")


CASES: dict[Kind, list[Segment]] = {
    Kind.UTILITY_INITIATED_ENROLLMENT: _814("BGN*11*UTL1*20240302***MANUAL", "ASI*WQ*021", "REF*1P*BNK~"),
    Kind.ENROLLMENT_REQUEST: _814("BGN*13*RES1*20240301", "ASI*7*021"),
    Kind.ENROLLMENT_RESPONSE: _814("BGN*11*UTL1*20240302***RES1", "ASI*WQ*021"),
    Kind.RESCISSION_REQUEST: _814("BGN*13*RES2*20240305", "ASI*7*024", "REF*1P*EB3~"),
    Kind.DROP_REQUEST: _814("BGN*13*RES3*20240305", "ASI*7*024", "REF*1P*B38~"),
    Kind.RESCISSION_RESPONSE: _814("BGN*11*UTL2*20240306***RES2", "ASI*U*024", "REF*7G*A76~REF*1P*EB3~"),
    Kind.DROP_RESPONSE: _814("BGN*11*UTL3*20240306***RES3", "ASI*WQ*024"),
    Kind.DROP_CANCEL_REQUEST: _814("BGN*13*RES4*20240307***RES3", "ASI*7*026"),
    Kind.DROP_CANCEL_RESPONSE: _814("BGN*11*UTL4*20240308***RES4", "ASI*WQ*026"),
    Kind.REINSTATEMENT: _814("BGN*13*UTL5*20240308", "ASI*7*025", "DTM*150*20240315~"),
    Kind.REINSTATEMENT_RESPONSE: _814("BGN*11*RES5*20240309***UTL5", "ASI*WQ*025"),
    Kind.USAGE_REPORT: _set(
        f"ST*867*0001~BPT*00*UTL867000001*20241105*C1~{PARTIES}REF*12*1234567890~PTD*SU~"
        "DTM*150*20241001~DTM*151*20241031~QTY*QD*624.8*KH~SE*9*0001~"
    ),
    Kind.BILL_READY_INVOICE: _set(
        f"ST*810*0001~BIG*20241106*RESINV000123*****ME*00~REF*12*1234567890~{PARTIES}"
        "IT1*1*****SV*ELECTRIC*C3*ACCOUNT~SAC*C**EU*MSC001*500~TDS*500~SE*9*0001~"
    ),
    Kind.APPLICATION_ADVICE: _set(
        f"ST*824*0001~BGN*00*UTL824000001*20241107~{PARTIES}OTI*TR*TN*RESINV000123~TED*API~SE*7*0001~"
    ),
    Kind.FUNCTIONAL_ACK: _set("ST*997*0001~AK1*GE*101~AK2*814*0001~AK5*A~AK9*A*1*1*1~SE*6*0001~"),
}


def test_every_kind_has_exactly_one_row() -> None:
    assert sorted(row.kind for row in TABLE) == sorted(Kind)


@pytest.mark.parametrize("row", TABLE, ids=[row.kind.value for row in TABLE])
def test_row(row: Row) -> None:
    segments = CASES[row.kind]
    assert row.matches(keys(segments))
    assert classify(segments) is row.kind


UNKNOWN = {
    "814 change (ASI 001)": _814("BGN*13*RES6*20240310", "ASI*7*001"),
    "request code on a response": _814("BGN*11*UTL6*20240310***RES6", "ASI*7*021"),
    "response code on a request": _814("BGN*13*RES7*20240310", "ASI*WQ*024"),
    "drop cancel with ASI F": _814("BGN*13*RES8*20240310", "ASI*F*026"),
    "814 without ASI": _set(f"ST*814*0001~BGN*13*RES9*20240310~{PARTIES}{LIN}{ACCOUNTS}SE*8*0001~"),
    "867 with unknown purpose": _set("ST*867*0001~BPT*52*X*20241105*C1~SE*3*0001~"),
    "810 without BIG08": _set("ST*810*0001~BIG*20241106*RESINV1~TDS*0~SE*4*0001~"),
    "820 remittance": _set("ST*820*0001~BPR*C*100*C~SE*3*0001~"),
    "no ST": _set("BGN*13*RES1*20240301~ASI*7*021~"),
    "nothing": [],
}


@pytest.mark.parametrize("segments", UNKNOWN.values(), ids=list(UNKNOWN))
def test_unknown_combinations_are_none(segments: list[Segment]) -> None:
    assert classify(segments) is None


def test_f_024_is_a_drop_or_a_rescission() -> None:
    """PA-style senders use ASI F*024 (spec Q2)."""
    assert classify(_814("BGN*13*RES3*20240305", "ASI*F*024")) is Kind.DROP_REQUEST
    assert classify(_814("BGN*13*RES3*20240305", "ASI*F*024", "REF*1P*EB3~")) is Kind.RESCISSION_REQUEST


def test_rescission_set_is_configurable() -> None:
    drop = _814("BGN*13*RES3*20240305", "ASI*7*024", "REF*1P*B38~")
    assert classify(drop, rows({"EB3", "B38"})) is Kind.RESCISSION_REQUEST
    assert classify(CASES[Kind.RESCISSION_REQUEST], rows(set())) is Kind.DROP_REQUEST


def test_manual_only_on_a_response() -> None:
    """BGN06 MANUAL on a request does not make it a utility-initiated enrollment."""
    assert classify(_814("BGN*13*RES1*20240301***MANUAL", "ASI*7*021")) is Kind.ENROLLMENT_REQUEST

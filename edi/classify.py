"""Which canonical message a transaction set is: a small declarative table.

An Illinois 814 is told apart by ST01, BGN01, ASI01/ASI02, REF*1P and BGN06 together
(spec 2.0, 2.4). The table below lists those combinations, one row per kind, and the
first row that matches wins, so specific rows (rescission, utility-initiated enrollment)
stand before the general ones they refine (drop, enrollment response). A new code is one
line here, and one test case in ``tests/unit/test_classify.py``.
"""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeAlias

from edi.segments import Segment

RESCISSION_CODES: frozenset[str] = frozenset({"EB3"})
"""REF*1P codes that make an 814 drop a rescission (spec Q3); configurable through :func:`rows`."""

UTILITY_INITIATED = "MANUAL"
"""BGN06 of an 814 enrollment response that answers no request (Ameren, spec 2.3)."""

REQUEST = frozenset({"7"})
DROP_REQUEST = frozenset({"7", "F"})  # F from PA-style senders (spec Q2)
RESPONSE = frozenset({"WQ", "U"})


class Kind(StrEnum):
    """The canonical message types, one per row of the table."""

    ENROLLMENT_REQUEST = "enrollment_request"
    ENROLLMENT_RESPONSE = "enrollment_response"
    UTILITY_INITIATED_ENROLLMENT = "utility_initiated_enrollment"
    DROP_REQUEST = "drop_request"
    DROP_RESPONSE = "drop_response"
    RESCISSION_REQUEST = "rescission_request"
    RESCISSION_RESPONSE = "rescission_response"
    DROP_CANCEL_REQUEST = "drop_cancel_request"
    DROP_CANCEL_RESPONSE = "drop_cancel_response"
    REINSTATEMENT = "reinstatement"
    REINSTATEMENT_RESPONSE = "reinstatement_response"
    USAGE_REPORT = "usage_report"
    BILL_READY_INVOICE = "bill_ready_invoice"
    APPLICATION_ADVICE = "application_advice"
    FUNCTIONAL_ACK = "functional_ack"


Want: TypeAlias = str | Set[str] | None
"""One condition of a row: ``None`` = anything, a string = exactly that, a set = one of them."""


@dataclass(frozen=True, slots=True)
class Keys:
    """The values of one transaction set that classification looks at ("" when absent)."""

    st01: str  #: ST01
    purpose: str  #: BGN01 (814, 824), BPT01 (867) or BIG08 (810)
    asi01: str  #: ASI01 (first ASI)
    asi02: str  #: ASI02
    bgn06: str  #: BGN06
    ref_1p: str  #: REF02 of the first REF*1P


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the table: a kind and the values that identify it."""

    kind: Kind
    st01: str
    purpose: Want = None  #: BGN01 (814, 824), BPT01 (867) or BIG08 (810)
    asi01: Want = None
    asi02: Want = None
    bgn06: Want = None
    ref_1p_in: Set[str] | None = None  #: REF*1P must be present and one of these

    def matches(self, keys: Keys) -> bool:
        return (
            keys.st01 == self.st01
            and _ok(keys.purpose, self.purpose)
            and _ok(keys.asi01, self.asi01)
            and _ok(keys.asi02, self.asi02)
            and _ok(keys.bgn06, self.bgn06)
            and (self.ref_1p_in is None or keys.ref_1p in self.ref_1p_in)
        )


def _ok(value: str, want: Want) -> bool:
    if want is None:
        return True
    if isinstance(want, str):
        return value == want
    return value in want


def rows(rescission_codes: Set[str] = RESCISSION_CODES) -> tuple[Row, ...]:
    """The classification table; first match wins."""
    rescission = frozenset(rescission_codes)
    return (
        # Row(kind, ST01, purpose, ASI01, ASI02, bgn06=..., ref_1p_in=...)
        # 814: specific rows before the general rows they refine
        Row(Kind.UTILITY_INITIATED_ENROLLMENT, "814", "11", RESPONSE, "021", bgn06=UTILITY_INITIATED),
        Row(Kind.ENROLLMENT_REQUEST, "814", "13", REQUEST, "021"),
        Row(Kind.ENROLLMENT_RESPONSE, "814", "11", RESPONSE, "021"),
        Row(Kind.RESCISSION_REQUEST, "814", "13", DROP_REQUEST, "024", ref_1p_in=rescission),
        Row(Kind.DROP_REQUEST, "814", "13", DROP_REQUEST, "024"),
        Row(Kind.RESCISSION_RESPONSE, "814", "11", RESPONSE, "024", ref_1p_in=rescission),
        Row(Kind.DROP_RESPONSE, "814", "11", RESPONSE, "024"),
        Row(Kind.DROP_CANCEL_REQUEST, "814", "13", REQUEST, "026"),
        Row(Kind.DROP_CANCEL_RESPONSE, "814", "11", RESPONSE, "026"),
        Row(Kind.REINSTATEMENT, "814", "13", REQUEST, "025"),
        Row(Kind.REINSTATEMENT_RESPONSE, "814", "11", RESPONSE, "025"),
        # other transaction sets
        Row(Kind.USAGE_REPORT, "867", frozenset({"00", "01", "05"})),
        Row(Kind.BILL_READY_INVOICE, "810", frozenset({"00", "01"})),
        Row(Kind.APPLICATION_ADVICE, "824"),
        Row(Kind.FUNCTIONAL_ACK, "997"),
    )


TABLE: tuple[Row, ...] = rows()
"""The table with the default rescission set."""


def keys(segments: Sequence[Segment]) -> Keys:
    """Pick out the classification values from ST..SE of one transaction set."""
    st01 = purpose = asi01 = asi02 = bgn06 = ref_1p = None
    for s in segments:
        if s.id == "ST" and st01 is None:
            st01 = s.get(1)
        elif s.id == "BGN" and purpose is None:
            purpose, bgn06 = s.get(1), s.get(6)
        elif s.id == "BPT" and purpose is None:
            purpose = s.get(1)
        elif s.id == "BIG" and purpose is None:
            purpose = s.get(8)
        elif s.id == "ASI" and asi01 is None:
            asi01, asi02 = s.get(1), s.get(2)
        elif s.id == "REF" and s.get(1) == "1P" and ref_1p is None:
            ref_1p = s.get(2)
    return Keys(st01 or "", purpose or "", asi01 or "", asi02 or "", bgn06 or "", ref_1p or "")


def classify(segments: Sequence[Segment], table: Sequence[Row] = TABLE) -> Kind | None:
    """The kind of one transaction set (ST..SE), or ``None`` when no row matches."""
    found = keys(segments)
    for row in table:
        if row.matches(found):
            return row.kind
    return None

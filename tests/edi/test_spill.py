"""A set too long to hold is checked as it is read (``Envelope(spill_at=…)``): the same findings as a set
checked whole, everywhere.

The corpus and its seeded mutants (the ones of ``test_guide_vs_pyx12``) are validated with sets spilled
every few segments and checked whole (``on_set``, which also turns spilling off): findings, summaries and
counts must be identical. A generated 997 of 2,000 sets (one set of 4,000 segments) shows that a spilled
set is never held whole.
"""

from __future__ import annotations

import io

import pytest

from edi import validate as validate_module
from edi.envelope import Envelope, TransactionSet
from edi.guide import GuideValidator
from edi.reader import X12Reader
from edi.validate import Validation, check_sets, validate_stream
from tests.edi.test_fast_lane import summaries
from tests.edi.test_guide_vs_pyx12 import MUTANTS, SAMPLES, mutant
from tests.support import MAPS

FILES = [p.read_bytes() for p in SAMPLES] + [mutant(source, index)[1].encode("latin-1") for source, index in MUTANTS]


def whole(data: bytes, guide: GuideValidator) -> Validation:
    return validate_stream(io.BytesIO(data), "case.x12", guide, on_set=lambda ts: None)


@pytest.mark.parametrize("spill_at", [1, 2, 3, 7])
def test_sets_checked_in_pieces_find_what_sets_checked_whole_find(spill_at: int,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    guide = GuideValidator.from_map_dir(MAPS)
    monkeypatch.setattr(validate_module, "SPILL_AT", spill_at)
    for data in FILES:
        pieces, held = validate_stream(io.BytesIO(data), "case.x12", guide), whole(data, guide)
        assert pieces.findings == held.findings
        assert (pieces.segments, pieces.transaction_sets) == (held.segments, held.transaction_sets)
        assert summaries(pieces) == summaries(held)


def test_a_spilled_set_is_never_held_whole() -> None:
    ack = ["AK1*GE*1~"] + [f"AK2*814*{n:04d}~AK5*A~" for n in range(1, 2001)] + ["AK9*A*2000*2000*2000~"]
    body = "".join(ack)
    text = ("ISA*00*          *00*          *01*012345678      *01*123456789      *261022*0800*U*00401*000000001*0*T*>~"
            "GS*FA*012345678*123456789*20261022*0800*1*X*004010~ST*997*0001~" + body
            + f"SE*{body.count('~') + 2}*0001~GE*1*1~IEA*1*000000001~")
    guide = GuideValidator.from_map_dir(MAPS)
    envelope = Envelope(X12Reader(io.BytesIO(text.encode()), "997.x12"), guide, spill_at=500)
    pieces: list[TransactionSet] = list(envelope)
    assert max(len(ts.segments) for ts in pieces) <= 500
    assert [ts.complete for ts in pieces] == [False] * 8 + [True]
    envelope = Envelope(X12Reader(io.BytesIO(text.encode()), "997.x12"), guide, spill_at=500)
    checked = list(check_sets(envelope, guide))
    assert len(checked) == 1 and checked[0].complete and checked[0].summary.accepted, checked[0].summary.findings
    assert whole(text.encode(), guide).valid
    broken = text.replace("AK2*814*1500~AK5*A~", "AK2*814*1500~AK5*Q~")
    spilled = validate_stream(io.BytesIO(broken.encode()), "997.x12", guide)
    assert [f.position for f in spilled.findings] == [f.position for f in whole(broken.encode(), guide).findings]
    assert spilled.findings and spilled.findings[0].position == 4 + 1500 * 2  # ISA GS ST AK1, then the 1,500th AK5

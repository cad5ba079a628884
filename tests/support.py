"""Shared test helpers: small, hand-written interchanges built from the spec's layouts."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
MAPS = ROOT / "maps"

ISA = ("ISA*00*          *00*          *01*987654321      *01*012345678      "
       "*240301*0930*U*00401*000000101*0*T*>~")
GS = "GS*GE*987654321*012345678*20240301*0930*101*X*004010~"
ENROLL = ("ST*814*0001~BGN*13*RES20240301000001*20240301~N1*8S*EXAMPLE UTILITY*1*012345678**40~"
          "N1*SJ*EXAMPLE RES LLC*1*987654321**41~N1*8R*JANE Q CUSTOMER~N3*100 MAIN ST~"
          "N4*SPRINGFIELD*IL*62701~PER*IC*JANE Q CUSTOMER*TE*2175550100~LIN*ENR0000001*SH*EL*SH*CE~"
          "ASI*7*021~REF*11*RESACCT778~REF*12*1234567890~REF*BLT*LDC~REF*PC*DUAL~SE*15*0001~")


def interchange(*sets: str, isa: str = ISA, gs: str = GS, ge: str | None = None, iea: str | None = None) -> str:
    """One interchange of one group around the given transaction sets, counts computed."""
    body = "".join(sets)
    ge = ge if ge is not None else f"GE*{len(sets)}*101~"
    iea = iea if iea is not None else "IEA*1*000000101~"
    return isa + gs + body + ge + iea


def arrive(path: Path, as_of: str) -> None:
    """Date ``path`` as arrived at ``as_of`` (ISO 8601, Central if no offset): the batch's received time.

    A file copied into a test inbox is otherwise dated by the wall clock, which would make a test's
    cut-off depend on the day it runs."""
    from processor.clock import parse_as_of

    at = parse_as_of(as_of).timestamp()
    os.utime(path, (at, at))

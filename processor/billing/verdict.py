"""What the bill-ready rules return: the invoice billed, the invoice reversed, or a refusal (an 824).

Design, "Business rules": "a rejection is a value, never an exception". A refusal carries the TED code
and one clear sentence; :attr:`Refused.ted02` is the wire form.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TypeAlias

from edi.messages import Rejection, RejectionCode
from processor.billing.facts import SentUsage
from processor.store.records import Invoice

#: TED02 is element 3, AN 1/60 (maps/dataele.xml).
TED02_MAX = 60
#: Characters that separate elements, components or segments in the files we write (spec 1.1).
_SEPARATORS = str.maketrans({"*": " ", "~": " ", ">": " ", "^": " ", "|": " "})


@dataclass(frozen=True, slots=True)
class Refused:
    """The 810 is rejected: ``OTI*TR*TN*<BIG02>`` and ``TED*<code>*<text>`` on the 824 (spec 2.9)."""

    code: RejectionCode
    text: str

    @property
    def ted02(self) -> str:
        """The text as TED02 carries it: upper case as the spec's example, no separators, at most 60 characters."""
        clean = " ".join(self.text.upper().translate(_SEPARATORS).split())
        return clean if len(clean) <= TED02_MAX else clean[: TED02_MAX - 3] + "..."

    def as_rejection(self) -> Rejection:
        return Rejection(self.code, self.ted02)


@dataclass(frozen=True, slots=True)
class Billed:
    """An original (BIG08 00) accepted: its charges go on the bill of the read that ended the 867's period."""

    usage: SentUsage  #: the 867 it answers
    bill_date: date  #: the bill its lines are printed on
    window_closes: date  #: the last day it could arrive (for the record and the report)


@dataclass(frozen=True, slots=True)
class Reversed:
    """A cancel (BIG08 01) accepted: the original's lines are negated on ``bill_date`` (None: the next bill,
    whose read is not scheduled yet)."""

    original: Invoice
    bill_date: date | None


InvoiceVerdict: TypeAlias = Billed | Reversed | Refused
